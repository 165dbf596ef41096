"""Small pieces the booking page's parts share: sections, empty states, money cells."""

from __future__ import annotations

from typing import Any

import reflex as rx

from concierge_app.ui.shared.forms import validation_props
from concierge_app.ui.staff.booking.state import BookingState as S

MONEY: dict[str, Any] = {
    "white_space": "nowrap",
    "font_variant_numeric": "tabular-nums",
}
MONEY_CELL: dict[str, Any] = {"justify": "end", **MONEY}

# Read by screen readers, not shown.
VISUALLY_HIDDEN: dict[str, Any] = {
    "position": "absolute",
    "width": "1px",
    "height": "1px",
    "overflow": "hidden",
    "clip": "rect(0 0 0 0)",
    "white_space": "nowrap",
}


def section(title: str, section_id: str, *children: rx.Component, aside: Any = None):
    heading_id = f"{section_id}-heading"
    return rx.el.section(
        rx.hstack(
            rx.heading(title, size="5", as_="h2", id=heading_id),
            aside if aside is not None else rx.fragment(),
            justify="between",
            align="center",
            width="100%",
            margin_bottom="12px",
        ),
        *children,
        id=section_id,
        aria_labelledby=heading_id,
        width="100%",
    )


def empty_state(icon: str, title: str, text: Any, **props: Any) -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.center(
                rx.icon(icon, size=24, color="var(--gray-10)"),
                width="48px",
                height="48px",
                border_radius="50%",
                background_color="var(--gray-a3)",
            ),
            rx.text(title, weight="medium", size="3"),
            rx.text(text, color_scheme="gray", size="2", text_align="center"),
            align="center",
            spacing="2",
        ),
        padding_y="32px",
        width="100%",
        **props,
    )


def th(label: str, *, end: bool = False, **props: Any) -> rx.Component:
    return rx.table.column_header_cell(
        label, justify="end" if end else "start", white_space="nowrap", **props
    )


def money_input(element_id: str, name: str, errors: Any, key: str, **props: Any) -> rx.Component:
    """An amount in the booking's currency, checked against `errors[key]`."""
    return rx.input(
        rx.input.slot(rx.text(S.overview.currency, size="1", color_scheme="gray")),
        id=element_id,
        name=name,
        input_mode="decimal",
        width="100%",
        text_align="right",
        font_variant_numeric="tabular-nums",
        **props,
        **validation_props(errors, key, element_id),
    )
