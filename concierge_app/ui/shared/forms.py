"""Form pieces shared by the pages: labelled fields, their error and hint lines, the form-level
error callout and the footer of a dialog form (a way back and a submit button)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

# Radix draws a field's border as an inset shadow on its root: red while the field is invalid.
INVALID_STYLE: dict[str, Any] = {
    "&:has([aria-invalid='true']), &[aria-invalid='true']": {
        "box-shadow": "inset 0 0 0 1px var(--red-8)",
    },
}


def field_label(text: Any, html_for: str) -> rx.Component:
    return rx.el.label(rx.text(text, size="2", weight="medium"), html_for=html_for)


def field_error(errors: Any, key: str, element_id: str) -> rx.Component:
    """The message `errors[key]`, shown under the field `element_id` while there is one."""
    return rx.cond(
        errors.contains(key),
        rx.text(
            rx.icon("circle_alert", size=13, display="inline", vertical_align="-2px"),
            " ",
            errors[key],
            id=f"{element_id}-error",
            size="1",
            color_scheme="red",
            weight="medium",
        ),
    )


def validation_props(errors: Any, key: str, element_id: str) -> dict[str, Any]:
    """Props of a control checked against `errors[key]`: red border and aria while invalid."""
    present = errors.contains(key)
    return {
        "style": INVALID_STYLE,
        "custom_attrs": {
            "aria-invalid": rx.cond(present, "true", "false"),
            "aria-describedby": rx.cond(present, f"{element_id}-error", f"{element_id}-hint"),
        },
    }


def form_field(
    label: Any,
    element_id: str,
    control: rx.Component,
    *below: rx.Component,
    errors: Any = None,
    key: str = "",
    hint: Any = None,
) -> rx.Component:
    """Label, control and what goes under it: with `errors`, the message for `key` (and the
    `hint` while there is none); any further components in `below`."""
    notes: list[rx.Component] = list(below)
    if errors is not None:
        notes.append(field_error(errors, key, element_id))
        if hint is not None:
            notes.append(
                rx.cond(
                    ~errors.contains(key),
                    rx.text(hint, id=f"{element_id}-hint", size="1", color_scheme="gray"),
                )
            )
    return rx.vstack(
        field_label(label, element_id),
        control,
        *notes,
        spacing="1",
        width="100%",
    )


def checked_field(
    label: Any,
    element_id: str,
    control: Callable[..., rx.Component],
    *,
    errors: Any,
    field: str,
    hint: Any = None,
    **props: Any,
) -> rx.Component:
    """A labelled text field (`control`: `rx.input` or `rx.text_area`) submitted as `field` and
    checked against `errors[field]`: red while invalid, its message under it, else `hint`."""
    return form_field(
        label,
        element_id,
        control(
            id=element_id,
            name=field,
            width="100%",
            **props,
            **validation_props(errors, field, element_id),
        ),
        errors=errors,
        key=field,
        hint=hint,
    )


def form_error(condition: Any, message: Any) -> rx.Component:
    """The error of the form as a whole (not of one field), while `condition` holds."""
    return rx.cond(
        condition,
        rx.callout(message, icon="triangle_alert", color_scheme="red", role="alert", width="100%"),
    )


def dialog_form(
    *children: rx.Component, on_submit: Any, spacing: str = "3", **props: Any
) -> rx.Component:
    """The form of a dialog: its fields stacked under the description."""
    return rx.form(
        rx.vstack(*children, spacing=spacing, width="100%", margin_top="16px"),
        on_submit=on_submit,
        reset_on_submit=False,
        **props,
    )


def dialog_footer(
    close: Callable[..., rx.Component],
    back_label: str,
    submit_label: Any,
    *,
    busy: Any,
    **submit_props: Any,
) -> rx.Component:
    """A way back (`close` wraps it: `rx.dialog.close` or `rx.alert_dialog.cancel`) and the
    submit button, loading while `busy`; the way back is disabled meanwhile."""
    return rx.hstack(
        close(
            rx.button(
                back_label,
                variant="soft",
                color_scheme="gray",
                type="button",
                disabled=busy,
            )
        ),
        rx.button(submit_label, type="submit", loading=busy, **submit_props),
        justify="end",
        spacing="3",
        width="100%",
    )
