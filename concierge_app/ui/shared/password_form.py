"""The Change password form (staff Security page, partner Account page): current password, the
new one with its strength meter (zxcvbn), and the new one again."""

from __future__ import annotations

from typing import Any

import reflex as rx

from concierge_app.ui.shared.forms import form_error, form_field, validation_props
from concierge_app.ui.shared.password_change import PASSWORD_HINT

BAR_COLOURS = (
    "var(--red-9)",
    "var(--red-9)",
    "var(--amber-9)",
    "var(--grass-9)",
    "var(--grass-10)",
)


def _password_input(name: str, autocomplete: str, errors: Any, key: str, **props: Any) -> Any:
    return rx.input(
        id=name.replace("_", "-"),
        name=name,
        type="password",
        required=True,
        auto_complete=autocomplete,
        size="3",
        width="100%",
        **validation_props(errors, key, name.replace("_", "-")),
        **props,
    )


def strength_meter(strength: Any, errors: Any) -> rx.Component:
    """Four bars filled up to zxcvbn's score, its word, and what it suggests (unless the
    field's error already says it)."""
    score = strength.score.to(int)
    bars = [
        rx.box(
            height="6px",
            flex="1",
            border_radius="3px",
            background_color=rx.cond(
                (score >= i) if i > 1 else (score >= 0),
                rx.match(
                    score,
                    (0, BAR_COLOURS[0]),
                    (1, BAR_COLOURS[1]),
                    (2, BAR_COLOURS[2]),
                    (3, BAR_COLOURS[3]),
                    BAR_COLOURS[4],
                ),
                "var(--gray-a4)",
            ),
        )
        for i in range(1, 5)
    ]
    return rx.cond(
        score >= 0,
        rx.vstack(
            rx.hstack(*bars, spacing="1", width="100%"),
            rx.hstack(
                rx.text("Strength: ", strength.label, size="1", weight="medium"),
                rx.cond(
                    strength.acceptable,
                    rx.icon("circle_check", size=14, color="var(--grass-10)"),
                    rx.icon("circle_alert", size=14, color="var(--red-10)"),
                ),
                spacing="1",
                align="center",
            ),
            rx.cond(
                (strength.feedback != "") & ~errors.contains("password"),
                rx.text(strength.feedback, size="1", color_scheme="gray"),
            ),
            spacing="1",
            width="100%",
            id="password-strength",
            custom_attrs={"aria-live": "polite"},
        ),
    )


def password_form(
    *,
    errors: Any,
    strength: Any,
    message: Any,
    busy: Any,
    on_submit: Any,
    on_new_password: Any,
) -> rx.Component:
    return rx.form(
        rx.vstack(
            form_field(
                "Current password",
                "current-password",
                _password_input("current_password", "current-password", errors, "current"),
                errors=errors,
                key="current",
            ),
            form_field(
                "New password",
                "new-password",
                _password_input(
                    "new_password", "new-password", errors, "password", on_change=on_new_password
                ),
                strength_meter(strength, errors),
                errors=errors,
                key="password",
                hint=PASSWORD_HINT,
            ),
            form_field(
                "New password again",
                "repeat-password",
                _password_input("repeat_password", "new-password", errors, "repeat"),
                errors=errors,
                key="repeat",
            ),
            rx.cond(
                message != "",
                rx.callout(
                    message, icon="circle_check", color_scheme="green", role="status", width="100%"
                ),
            ),
            form_error(errors.contains("form"), errors["form"]),
            rx.button(
                rx.cond(busy, rx.spinner(size="2"), rx.fragment()),
                "Change password",
                type="submit",
                disabled=busy,
            ),
            spacing="3",
            width="100%",
            align="start",
        ),
        on_submit=on_submit,
        reset_on_submit=False,
        id="password-form",
    )
