"""A page's notices: a callout shown while its text is not empty — an error (red, read out at
once) or an action done (green)."""

from __future__ import annotations

import reflex as rx


def error_notice(text: rx.Var[str], *, id: str) -> rx.Component:
    return rx.cond(
        text != "",
        rx.callout(
            text,
            icon="triangle_alert",
            color_scheme="red",
            role="alert",
            id=id,
            width="100%",
        ),
    )


def done_notice(text: rx.Var[str], *, id: str) -> rx.Component:
    return rx.cond(
        text != "",
        rx.callout(
            text,
            icon="circle_check",
            color_scheme="green",
            role="status",
            id=id,
            width="100%",
        ),
    )
