"""A login's status badge and its Enable / Disable (or Cancel invitation) button, the same on
staff Users, a partner's Extranet logins card and the partner's own Users page; the row of an
Extranet login, the same on that card and on that page."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import ObjectVar


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


def login_row(
    r: ObjectVar[Any], *, group_label: str, action: rx.Component, class_name: str
) -> rx.Component:
    """An Extranet login as one row (`r` has its name, email, status, last_sign_in and
    group_login): the name, the status badge and, for a group login, the `group_label` badge;
    the email and the last sign-in; `action` on the right. The row is
    `.{class_name}[data-email=…]`."""
    return rx.hstack(
        rx.vstack(
            rx.hstack(
                rx.text(r.name, size="2", weight="medium", word_break="break-word"),
                status_badge(r.status),
                rx.cond(r.group_login, rx.badge(group_label, color_scheme="gray")),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.text(r.email, size="1", word_break="break-all"),
            rx.text("Last sign-in: ", r.last_sign_in, size="1", color_scheme="gray"),
            spacing="1",
            min_width="0",
        ),
        action,
        justify="between",
        align="center",
        width="100%",
        padding_y="10px",
        border_bottom="1px solid var(--gray-a5)",
        class_name=class_name,
        custom_attrs={"data-email": r.email},
    )
