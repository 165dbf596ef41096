"""The Payments panel's totals card: paid, refunded and outstanding, per collector."""

from __future__ import annotations

from typing import Any

import reflex as rx

from concierge_app.ui.staff.booking.common import MONEY
from concierge_app.ui.staff.booking.state import BookingState as S


def _total_line(
    label: str,
    value: rx.Var,
    *,
    element_id: str,
    strong: bool = False,
    color_scheme: str | None = None,
    **props: Any,
) -> rx.Component:
    colour: dict[str, Any] = {"color_scheme": color_scheme} if color_scheme else {}
    return rx.hstack(
        rx.text(label, size="2", weight="bold" if strong else "regular", **colour),
        rx.text(value, size="2", weight="bold" if strong else "medium", id=element_id, **MONEY),
        justify="between",
        width="100%",
        **props,
    )


def totals_card() -> rx.Component:
    t = S.totals
    return rx.card(
        rx.vstack(
            rx.heading("Booking totals", size="3", as_="h3"),
            _total_line("Concierge invoices paid", t.concierge_paid, element_id="total-concierge"),
            _total_line("Refunded", t.refunded, element_id="total-refunded"),
            _total_line(
                "Accommodation payments", t.accommodation_paid, element_id="total-accommodation"
            ),
            rx.separator(size="4"),
            _total_line("Overall paid", t.overall_paid, element_id="total-overall", strong=True),
            rx.text(
                "Concierge paid, less refunds, plus accommodation payments.",
                size="1",
                color_scheme="gray",
            ),
            rx.separator(size="4"),
            rx.hstack(
                rx.text("Outstanding", size="2", weight="bold"),
                rx.text(
                    t.outstanding,
                    size="2",
                    weight="bold",
                    id="total-outstanding",
                    color_scheme=rx.cond(t.is_outstanding, "amber", "gray"),
                    **MONEY,
                ),
                justify="between",
                width="100%",
            ),
            _total_line(
                "Concierge (sent invoices)",
                t.outstanding_concierge,
                element_id="total-outstanding-concierge",
                padding_left="12px",
                color_scheme="gray",
            ),
            _total_line(
                "Accommodation",
                t.outstanding_accommodation,
                element_id="total-outstanding-accommodation",
                padding_left="12px",
                color_scheme="gray",
            ),
            rx.cond(
                t.has_unapplied,
                rx.callout(
                    "Unapplied " + t.unapplied + ": paid for invoices voided meanwhile. Refund it.",
                    icon="triangle_alert",
                    color_scheme="amber",
                    size="1",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        id="booking-totals",
        size="2",
        width="100%",
    )
