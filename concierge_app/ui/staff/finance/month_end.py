"""The Month-end tab: preview a period, run it with a progress bar, the past runs."""

from __future__ import annotations

import reflex as rx

from concierge_app.ui.shared.layout import table_header
from concierge_app.ui.staff.finance.parts import card
from concierge_app.ui.staff.finance.rows import RunRow
from concierge_app.ui.staff.finance.state import FinanceState as F


def month_end_tab() -> rx.Component:
    return card(
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
        id="month-end",
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
