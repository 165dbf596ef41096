"""The Overview tab: invoiced vs paid vs outstanding per currency, and the partners' balances."""

from __future__ import annotations

import reflex as rx

from concierge_app import routes
from concierge_app.ui.shared.layout import table_header
from concierge_app.ui.staff.finance.parts import card
from concierge_app.ui.staff.finance.rows import BalanceRow
from concierge_app.ui.staff.finance.state import FinanceState as F


def overview_tab() -> rx.Component:
    return rx.vstack(
        card(
            "Invoiced vs paid vs outstanding",
            rx.grid(
                rx.foreach(F.chart, _currency_chart),
                columns=rx.breakpoints(initial="1", md="3"),
                spacing="4",
                width="100%",
            ),
            id="finance-chart",
        ),
        card(
            "Partners",
            rx.table.root(
                table_header(
                    "ID",
                    "Partner",
                    "Currency",
                    "Invoices",
                    "Invoiced",
                    "Paid",
                    "Outstanding",
                    "Credit",
                    "Balance",
                ),
                rx.table.body(rx.foreach(F.balances, _balance_row)),
                width="100%",
            ),
            id="partner-balances",
        ),
        spacing="5",
        width="100%",
    )


def _currency_chart(group: rx.Var) -> rx.Component:  # type: ignore[type-arg]
    """One currency's invoiced, paid and outstanding commission (currencies never mixed)."""
    return rx.vstack(
        rx.text(group["currency"], weight="bold", size="2"),
        rx.recharts.bar_chart(
            rx.recharts.bar(data_key="amount", fill="var(--accent-9)", name="Amount"),
            rx.recharts.x_axis(data_key="status"),
            rx.recharts.y_axis(),
            rx.recharts.graphing_tooltip(),
            data=group["data"],
            width="100%",
            height=200,
        ),
        width="100%",
    )


def _balance_row(b: BalanceRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.code(b.code)),
        rx.table.cell(
            rx.link(b.name, href=routes.finance_partner(b.code), class_name="partner-link"),
            min_width="150px",
        ),
        rx.table.cell(b.currency),
        rx.table.cell(b.invoices, text_align="right"),
        rx.table.cell(b.invoiced, text_align="right"),
        rx.table.cell(b.paid, text_align="right"),
        rx.table.cell(b.outstanding, text_align="right"),
        rx.table.cell(b.credit, text_align="right"),
        rx.table.cell(rx.text(b.balance, weight="medium"), text_align="right"),
    )
