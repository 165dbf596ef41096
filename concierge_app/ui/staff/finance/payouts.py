"""The Payouts tab: what was collected for each partner, our commission and what was paid out."""

from __future__ import annotations

import reflex as rx

from concierge_app.ui.shared.layout import table_header
from concierge_app.ui.staff.finance.parts import card
from concierge_app.ui.staff.finance.state import FinanceState as F


def payouts_tab() -> rx.Component:
    return card(
        "Payouts",
        rx.table.root(
            table_header("Partner", "Period", "Collected", "Commission", "Paid out"),
            rx.table.body(rx.foreach(F.payouts, _payout_row)),
            width="100%",
        ),
        id="payouts",
    )


def _payout_row(p: rx.Var) -> rx.Component:  # type: ignore[type-arg]
    return rx.table.row(
        rx.table.cell(p["partner"]),
        rx.table.cell(p["period"]),
        rx.table.cell(p["gross"], text_align="right"),
        rx.table.cell(p["commission"], text_align="right"),
        rx.table.cell(p["net"], text_align="right"),
    )
