"""The sign-in card of both sign-in pages (`/login` for staff, `/partner/login` for partners):
the brand, email and password, the error and the submit button; the staff page adds its
two-factor steps with the same pieces."""

from __future__ import annotations

from typing import Any

import reflex as rx

from concierge_app.ui.shared.forms import form_error, form_field
from concierge_app.ui.shared.layout import brand_mark

STAFF_BRAND = ("Concierge", "Billing")


def _field(label: str, name: str, kind: str, autocomplete: str) -> rx.Component:
    return form_field(
        label,
        name,
        rx.input(
            id=name,
            name=name,
            type=kind,
            required=True,
            auto_complete=autocomplete,
            size="3",
            width="100%",
        ),
    )


def submit_button(label: str, busy: rx.Var[bool]) -> rx.Component:
    return rx.button(
        rx.cond(busy, rx.spinner(size="2"), rx.fragment()),
        label,
        type="submit",
        size="3",
        width="100%",
        disabled=busy,
    )


def brand(names: tuple[str, str]) -> rx.Component:
    return rx.hstack(
        brand_mark(),
        rx.text(names[0], size="4", weight="bold"),
        rx.text(names[1], size="4", color_scheme="gray"),
        align="center",
        spacing="2",
    )


def password_step(
    subtitle: str, error: rx.Var[str], busy: rx.Var[bool], on_submit: Any, names: tuple[str, str]
) -> rx.Component:
    """The first step: email and password."""
    return rx.form(
        rx.vstack(
            brand(names),
            rx.heading("Sign in", size="6", as_="h1"),
            rx.text(subtitle, size="2", color_scheme="gray"),
            _field("Email", "email", "email", "username"),
            _field("Password", "password", "password", "current-password"),
            form_error(error != "", error),
            submit_button("Sign in", busy),
            spacing="4",
            width="100%",
        ),
        on_submit=on_submit,
        reset_on_submit=False,
        id="sign-in-form",
    )


def card_page(*children: rx.Component) -> rx.Component:
    """The card, centred on an otherwise empty page."""
    return rx.center(
        rx.card(*children, size="4", width="100%", max_width="400px"),
        min_height="100vh",
        padding="16px",
        background_color="var(--gray-2)",
    )


def sign_in_card(
    subtitle: str,
    error: rx.Var[str],
    busy: rx.Var[bool],
    on_submit: Any,
    names: tuple[str, str] = STAFF_BRAND,
) -> rx.Component:
    return card_page(password_step(subtitle, error, busy, on_submit, names))
