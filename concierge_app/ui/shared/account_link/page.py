"""`/account?t=…`: accept an invitation (your name and a password) or choose a new password,
on the sign-in card; then a link to sign in. A used or expired link says so."""

from __future__ import annotations

import reflex as rx

from concierge_app.ui.shared.account_link.state import AccountLinkState as S
from concierge_app.ui.shared.forms import form_error, form_field
from concierge_app.ui.shared.password_change import PASSWORD_HINT
from concierge_app.ui.shared.sign_in_card import STAFF_BRAND, brand, card_page, submit_button


def _input(name: str, kind: str, autocomplete: str, **props: object) -> rx.Component:
    return rx.input(
        id=f"account-{name}",
        name=name,
        type=kind,
        required=True,
        auto_complete=autocomplete,
        size="3",
        width="100%",
        custom_attrs={"aria-invalid": rx.cond(S.errors.contains(name), "true", "false")},
        **props,
    )


def _error(name: str) -> rx.Component:
    return rx.cond(
        S.errors.contains(name),
        rx.text(S.errors[name], size="1", color_scheme="red", id=f"account-{name}-error"),
    )


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text("Account ", rx.text.strong(S.email), size="2", word_break="break-all"),
            rx.cond(
                S.invitation,
                form_field(
                    "Your name",
                    "account-name",
                    _input("name", "text", "name", default_value=S.name, max_length=200),
                    _error("name"),
                ),
            ),
            form_field(
                "Password",
                "account-password",
                _input("password", "password", "new-password", max_length=128),
                _error("password"),
                rx.text(PASSWORD_HINT, size="1", color_scheme="gray"),
            ),
            form_field(
                "Password again",
                "account-repeat",
                _input("repeat", "password", "new-password", max_length=128),
                _error("repeat"),
            ),
            form_error(S.errors.contains("form"), S.errors["form"]),
            submit_button(rx.cond(S.invitation, "Create my account", "Save my password"), S.busy),
            spacing="4",
            width="100%",
        ),
        on_submit=S.submit,
        reset_on_submit=False,
        id="account-form",
    )


def _done() -> rx.Component:
    return rx.vstack(
        rx.callout(
            rx.cond(
                S.invitation,
                "Your account is ready.",
                "Your new password is saved; you were signed out everywhere.",
            ),
            icon="circle_check",
            color_scheme="green",
            role="status",
            width="100%",
            id="account-done",
        ),
        rx.link(rx.button("Sign in", size="3", width="100%"), href=S.sign_in_url, width="100%"),
        spacing="4",
        width="100%",
    )


def account_link_page() -> rx.Component:
    return card_page(
        rx.vstack(
            brand(STAFF_BRAND),
            rx.heading(
                rx.cond(S.invitation, "Welcome — choose your password", "Choose a new password"),
                size="6",
                as_="h1",
            ),
            rx.cond(
                S.loading,
                rx.center(rx.spinner(size="3"), width="100%", padding_y="24px"),
                rx.cond(
                    S.refused != "",
                    rx.callout(
                        S.refused,
                        icon="triangle_alert",
                        color_scheme="red",
                        role="alert",
                        width="100%",
                        id="account-refused",
                    ),
                    rx.cond(S.done, _done(), _form()),
                ),
            ),
            spacing="4",
            width="100%",
        )
    )
