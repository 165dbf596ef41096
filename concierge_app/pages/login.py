"""`/login`: staff sign-in."""

from __future__ import annotations

import reflex as rx

from concierge_app.components.forms import form_error, form_field
from concierge_app.state.auth import AuthState


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
    return rx.center(
        rx.card(
            rx.form(
                rx.vstack(
                    rx.hstack(
                        rx.center(
                            rx.icon("concierge_bell", size=18, color="white"),
                            width="30px",
                            height="30px",
                            border_radius="var(--radius-3)",
                            background_color="var(--accent-9)",
                        ),
                        rx.text("Concierge", size="4", weight="bold"),
                        rx.text("Billing", size="4", color_scheme="gray"),
                        align="center",
                        spacing="2",
                    ),
                    rx.heading("Sign in", size="6", as_="h1"),
                    rx.text(
                        "Staff access to bookings, invoices and payments.",
                        size="2",
                        color_scheme="gray",
                    ),
                    _field("Email", "email", "email", "username"),
                    _field("Password", "password", "password", "current-password"),
                    form_error(AuthState.sign_in_error != "", AuthState.sign_in_error),
                    rx.button(
                        rx.cond(AuthState.signing_in, rx.spinner(size="2"), rx.fragment()),
                        "Sign in",
                        type="submit",
                        size="3",
                        width="100%",
                        disabled=AuthState.signing_in,
                    ),
                    spacing="4",
                    width="100%",
                ),
                on_submit=AuthState.sign_in,
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
