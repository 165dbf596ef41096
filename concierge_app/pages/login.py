"""`/login`: staff sign-in; `/partner/login`: partner sign-in (the same card)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from concierge_app.components.forms import form_error, form_field
from concierge_app.components.layout import brand_mark
from concierge_app.settings import get_settings
from concierge_app.state.auth import AuthState
from concierge_app.state.partner_auth import PartnerAuthState


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


def login_page() -> rx.Component:
    return sign_in_card(
        "Staff access to bookings, invoices and payments.",
        AuthState.sign_in_error,
        AuthState.signing_in,
        AuthState.sign_in,
    )


def partner_login_page() -> rx.Component:
    return sign_in_card(
        "Extranet: your commission invoices, statements, payouts and bank details.",
        PartnerAuthState.sign_in_error,
        PartnerAuthState.signing_in,
        PartnerAuthState.sign_in,
        brand=(get_settings().platform_name, "Extranet"),
    )


def sign_in_card(
    subtitle: str,
    error: rx.Var[str],
    busy: rx.Var[bool],
    on_submit: Any,
    brand: tuple[str, str] = ("Concierge", "Billing"),
) -> rx.Component:
    return rx.center(
        rx.card(
            rx.form(
                rx.vstack(
                    rx.hstack(
                        brand_mark(),
                        rx.text(brand[0], size="4", weight="bold"),
                        rx.text(brand[1], size="4", color_scheme="gray"),
                        align="center",
                        spacing="2",
                    ),
                    rx.heading("Sign in", size="6", as_="h1"),
                    rx.text(subtitle, size="2", color_scheme="gray"),
                    _field("Email", "email", "email", "username"),
                    _field("Password", "password", "password", "current-password"),
                    form_error(error != "", error),
                    rx.button(
                        rx.cond(busy, rx.spinner(size="2"), rx.fragment()),
                        "Sign in",
                        type="submit",
                        size="3",
                        width="100%",
                        disabled=busy,
                    ),
                    spacing="4",
                    width="100%",
                ),
                on_submit=on_submit,
                reset_on_submit=False,
            ),
            size="4",
            width="100%",
            max_width="400px",
        ),
        min_height="100vh",
        padding="16px",
        background_color="var(--gray-2)",
    )
