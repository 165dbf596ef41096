"""A page's notices: a callout shown while its text is not empty — an error (red, read out at
once), an action done (green), or any other `notice`."""

from __future__ import annotations

from typing import Any

import reflex as rx


def notice(
    text: rx.Var[str], *, icon: str, color_scheme: str, id: str, **props: Any
) -> rx.Component:
    """The callout of `text`, while there is one."""
    return rx.cond(
        text != "",
        rx.callout(text, icon=icon, color_scheme=color_scheme, id=id, **props),
    )


def error_notice(text: rx.Var[str], *, id: str) -> rx.Component:
    return notice(
        text, icon="triangle_alert", color_scheme="red", role="alert", id=id, width="100%"
    )


def done_notice(text: rx.Var[str], *, id: str) -> rx.Component:
    return notice(
        text, icon="circle_check", color_scheme="green", role="status", id=id, width="100%"
    )
