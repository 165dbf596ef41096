"""`/login`: staff sign-in (the shared card). Staff with two-factor sign-in get a second step
on the card (the authenticator's code); staff who must have it and have not set it up are shown
the new authenticator's QR code and key first."""

from __future__ import annotations

import reflex as rx

from concierge_app.ui.shared.forms import form_error, form_field
from concierge_app.ui.shared.sign_in_card import (
    STAFF_BRAND,
    brand,
    card_page,
    password_step,
    submit_button,
)
from concierge_app.ui.staff.session import AuthState as A


def _code_field() -> rx.Component:
    return form_field(
        "Authentication code",
        "code",
        rx.input(
            id="code",
            name="code",
            type="text",
            required=True,
            auto_complete="one-time-code",
            input_mode="numeric",
            pattern=r"[0-9 ]{6,7}",
            max_length=7,
            placeholder="123 456",
            size="3",
            width="100%",
            auto_focus=True,
            custom_attrs={"spellCheck": "false"},
        ),
    )


def _back() -> rx.Component:
    return rx.button(
        "Use another account",
        type="button",
        variant="ghost",
        color_scheme="gray",
        size="2",
        on_click=A.cancel_code,
        align_self="center",
    )


def _code_form(
    form_id: str, heading: str, explained: rx.Component, *above: rx.Component, submit: str
) -> rx.Component:
    """A step asking for the authenticator's code (after the password, or to enrol)."""
    return rx.form(
        rx.vstack(
            brand(STAFF_BRAND),
            rx.heading(heading, size="6", as_="h1"),
            explained,
            *above,
            _code_field(),
            form_error(A.sign_in_error != "", A.sign_in_error),
            submit_button(submit, A.signing_in),
            _back(),
            spacing="4",
            width="100%",
        ),
        on_submit=A.submit_code,
        reset_on_submit=True,
        id=form_id,
    )


def _code_step() -> rx.Component:
    return _code_form(
        "code-form",
        "Two-factor sign-in",
        rx.text(
            "Enter the 6-digit code your authenticator app shows for ",
            rx.text.strong(A.sign_in_email),
            ".",
            size="2",
            color_scheme="gray",
        ),
        submit="Verify",
    )


def _enrol_step() -> rx.Component:
    return _code_form(
        "enrol-form",
        "Set up two-factor sign-in",
        rx.text(
            "Staff who can issue refunds sign in with a code from an authenticator app "
            "(Google Authenticator, 1Password, Authy, …). Scan the QR code with it, or "
            "type the key, then enter the 6-digit code it shows.",
            size="2",
            color_scheme="gray",
        ),
        two_factor_secret(A.enrol_qr, A.enrol_secret),
        submit="Turn on and sign in",
    )


def two_factor_secret(qr: rx.Var[str], secret: rx.Var[str]) -> rx.Component:
    """The new authenticator's QR code and its key (for typing in)."""
    return rx.vstack(
        rx.image(
            src=qr,
            alt="QR code for your authenticator app",
            width="180px",
            height="180px",
            id="two-factor-qr",
            style={"image_rendering": "pixelated", "background": "white"},
        ),
        rx.vstack(
            rx.text("Key", size="1", color_scheme="gray", weight="medium"),
            rx.code(
                secret,
                id="two-factor-secret",
                size="2",
                word_break="break-all",
                variant="ghost",
            ),
            spacing="1",
            align="center",
        ),
        align="center",
        spacing="3",
        width="100%",
        padding="12px",
        border="1px solid var(--gray-a5)",
        border_radius="var(--radius-3)",
        background_color="var(--gray-a2)",
    )


def login_page() -> rx.Component:
    return card_page(
        rx.match(
            A.sign_in_step,
            ("code", _code_step()),
            ("enrol", _enrol_step()),
            password_step(
                "Staff access to bookings, invoices and payments.",
                A.sign_in_error,
                A.signing_in,
                A.sign_in,
                STAFF_BRAND,
            ),
        )
    )
