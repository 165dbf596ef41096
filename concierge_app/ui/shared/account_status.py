"""A login's status badge and its Enable / Disable (or Cancel invitation) button, the same on
staff Users, a partner's Extranet logins card and the partner's own Users page."""

from __future__ import annotations

from typing import Any

import reflex as rx


def status_badge(status: rx.Var[str]) -> rx.Component:
    """Active (green), Invited (blue), anything else (Disabled, Invitation expired) grey."""
    return rx.match(
        status,
        ("Active", rx.badge("Active", color_scheme="green")),
        ("Invited", rx.badge("Invited", color_scheme="blue")),
        rx.badge(status, color_scheme="gray", white_space="normal"),
    )


def active_toggle(
    status: rx.Var[str],
    email: rx.Var[str],
    *,
    enable: Any,
    disable: Any,
) -> rx.Component:
    """Enable a disabled login; Disable an active one or Cancel an invitation; nothing for an
    expired invitation (invite again). `enable` / `disable` are the event handlers' calls."""
    return rx.cond(
        status == "Invitation expired",
        rx.fragment(),
        rx.cond(
            status == "Disabled",
            rx.button(
                "Enable",
                size="1",
                variant="soft",
                color_scheme="green",
                on_click=enable,
                custom_attrs={"aria-label": "Enable " + email},
                class_name="enable-user",
            ),
            rx.button(
                rx.cond(status == "Invited", "Cancel invitation", "Disable"),
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=disable,
                custom_attrs={"aria-label": "Disable " + email},
                class_name="disable-user",
            ),
        ),
    )
