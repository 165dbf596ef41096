"""The pay-online pieces of a page: the button (a spinner while its checkout opens) and the
notice after coming back from the checkout (what the ledger says, never the redirect)."""

from __future__ import annotations

from typing import Any

import reflex as rx


def pay_button(
    state: Any,
    ids: rx.Var[str] | str,
    label: rx.Var[str] | str,
    *,
    large: bool = False,
    disabled: Any = None,
    opening_label: Any = "Opening checkout…",
    **props: Any,
) -> rx.Component:
    """Opens the card checkout of `state` (a `PayOnlineMixin`) for `ids`; a spinner while it is
    being opened, then the browser goes there. Every button waits while one opens."""
    opening = state.paying == ids
    return rx.button(
        rx.cond(
            opening,
            rx.spinner(size="2" if large else "1"),
            rx.icon("credit_card", size=16 if large else 14),
        ),
        rx.cond(opening, opening_label, label),
        on_click=state.pay_online(ids),
        disabled=(state.paying != "") if disabled is None else disabled,
        **props,
    )


def checkout_notice(shown: Any, content: Any, kind: Any) -> rx.Component:
    """Back from the checkout: received (green), processing (blue) or not completed (amber)."""
    return rx.cond(
        shown,
        rx.callout(
            content,
            icon=rx.match(kind, ("success", "circle_check"), ("warning", "info"), "loader"),
            color_scheme=rx.match(kind, ("success", "green"), ("warning", "amber"), "blue"),
            width="100%",
            id="checkout-notice",
            custom_attrs={"data-kind": kind},
        ),
    )
