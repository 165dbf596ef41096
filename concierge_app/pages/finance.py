"""`/finance` (staff): partner balances, invoiced vs paid vs outstanding, the month-end run
(preview, run with a progress bar, past runs) and the latest partner documents."""

from __future__ import annotations

import reflex as rx

from concierge_app.components.layout import loading_card, page_header, page_shell, table_header
from concierge_app.components.live import live_updates
from concierge_app.components.partner import status_text
from concierge_app.state.finance import BalanceRow, DocumentRow, RunRow
from concierge_app.state.finance import FinanceState as F


def _card(title: str, *children: rx.Component, **props: object) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(title, size="4", as_="h2"), *children, spacing="3", width="100%"),
        width="100%",
        **props,
    )


def _month_end() -> rx.Component:
    return _card(
        "Month-end run",
        rx.text(
            "Issues one commission invoice per partner for everything that departed in the "
            "month (stays by check-out, services by service date). It runs by itself in the "
            "first week of each month; a rerun adds nothing and an interrupted run resumes.",
            size="2",
            color_scheme="gray",
        ),
        rx.hstack(
            rx.input(
                value=F.period,
                on_change=F.set_period,
                placeholder="YYYY-MM",
                id="month-end-period",
                width="140px",
                aria_label="Period",
            ),
            rx.button("Preview", variant="soft", on_click=F.preview_run, id="month-end-preview"),
            rx.button(
                rx.cond(F.running, rx.spinner(size="2"), rx.icon("play", size=16)),
                "Run month-end",
                on_click=F.run,
                disabled=F.running,
                id="month-end-run",
            ),
            align="center",
            spacing="2",
        ),
        rx.cond(
            F.running,
            rx.vstack(
                rx.progress(value=F.progress, width="100%"),
                rx.text(F.progress_text, size="1", color_scheme="gray"),
                width="100%",
            ),
        ),
        rx.cond(F.error != "", rx.callout(F.error, icon="triangle_alert", color_scheme="red")),
        rx.cond(
            F.preview != "",
            rx.callout(F.preview, icon="info", color_scheme="blue", id="month-end-result"),
        ),
        rx.table.root(
            table_header(
                "Period", "Invoice date", "Started by", "Partners", "Invoices", "Lines", "Status"
            ),
            rx.table.body(rx.foreach(F.runs, _run_row)),
            width="100%",
        ),
    )


def _run_row(r: RunRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.period),
        rx.table.cell(r.run_date),
        rx.table.cell(r.started_by),
        rx.table.cell(r.partners),
        rx.table.cell(r.invoices),
        rx.table.cell(r.lines),
        rx.table.cell(r.status),
    )


def _payout_row(p: rx.Var) -> rx.Component:  # type: ignore[type-arg]
    return rx.table.row(
        rx.table.cell(p["partner"]),
        rx.table.cell(p["period"]),
        rx.table.cell(p["gross"], text_align="right"),
        rx.table.cell(p["commission"], text_align="right"),
        rx.table.cell(p["net"], text_align="right"),
    )


def _balance_row(b: BalanceRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.code(b.code)),
        rx.table.cell(b.name),
        rx.table.cell(b.currency),
        rx.table.cell(b.invoices, text_align="right"),
        rx.table.cell(b.invoiced, text_align="right"),
        rx.table.cell(b.paid, text_align="right"),
        rx.table.cell(b.outstanding, text_align="right"),
    )


def _document_row(d: DocumentRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(d.number, white_space="nowrap"),
        rx.table.cell(d.partner),
        rx.table.cell(d.period, white_space="nowrap"),
        rx.table.cell(d.amount, text_align="right"),
        rx.table.cell(d.payable, text_align="right"),
        rx.table.cell(status_text(d.status, d.colour, d.colour_css)),
        rx.table.cell(
            rx.button(
                rx.icon("file_down", size=14),
                "PDF",
                size="1",
                variant="soft",
                on_click=F.download_pdf(d.id),
            )
        ),
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


def finance_page() -> rx.Component:
    return page_shell(
        page_header("Partner finance", "Commission invoices, payouts and the month-end run."),
        rx.cond(
            F.loading,
            loading_card("Loading partner finance…"),
            rx.vstack(
                _month_end(),
                _card(
                    "Invoiced vs paid vs outstanding",
                    rx.grid(
                        rx.foreach(F.chart, _currency_chart),
                        columns=rx.breakpoints(initial="1", md="3"),
                        spacing="4",
                        width="100%",
                    ),
                    id="finance-chart",
                ),
                _card(
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
                        ),
                        rx.table.body(rx.foreach(F.balances, _balance_row)),
                        width="100%",
                    ),
                ),
                _card(
                    "Payouts",
                    rx.table.root(
                        table_header("Partner", "Period", "Collected", "Commission", "Paid out"),
                        rx.table.body(rx.foreach(F.payouts, _payout_row)),
                        width="100%",
                    ),
                ),
                _card(
                    "Latest documents",
                    rx.table.root(
                        table_header(
                            "Number", "Partner", "Period", "Amount", "To pay", "Status", ""
                        ),
                        rx.table.body(rx.foreach(F.documents, _document_row)),
                        width="100%",
                    ),
                ),
                spacing="5",
                width="100%",
            ),
        ),
        live_updates(F.poll),
        active="Finance",
    )
