"""The Reconciliation tab: a period, Run (a spinner while the provider's records are read), the
last run's summary by kind and outcome, and every difference. Drift is flagged, never fixed."""

from __future__ import annotations

import reflex as rx

from concierge_app.ui.shared.forms import field_error, validation_props
from concierge_app.ui.shared.layout import table_header
from concierge_app.ui.staff.finance.parts import card, subheading
from concierge_app.ui.staff.finance.state import FinanceState as F

PERIOD = "reconciliation-period"
WRAP = {"white_space": "normal", "overflow_wrap": "anywhere"}
# Provider and Ledger have their own columns from 768 px; on a phone they sit under the outcome.
WIDE_ONLY = ["none", "none", "table-cell"]
PHONE_ONLY = ["block", "block", "none"]


def reconciliation_tab() -> rx.Component:
    return card(
        "Reconciliation with the payment provider",
        rx.text(
            "Compares every payment, refund, payout and fee the provider reports for the month "
            "with the ledger. It runs by itself every day for the month so far; differences "
            "are sent to the finance address and listed here — nothing is corrected "
            "automatically.",
            size="2",
            color_scheme="gray",
        ),
        rx.hstack(
            rx.input(
                value=F.recon_period,
                on_change=F.set_recon_period,
                placeholder="YYYY-MM",
                id=PERIOD,
                width="140px",
                aria_label="Period",
                **validation_props(F.recon_errors, "period", PERIOD),
            ),
            rx.button(
                rx.cond(F.recon_running, rx.spinner(size="2"), rx.icon("scale", size=16)),
                "Run",
                on_click=F.run_reconciliation,
                disabled=F.recon_running,
                id="reconciliation-run",
            ),
            align="center",
            spacing="2",
            flex_wrap="wrap",
        ),
        field_error(F.recon_errors, "period", PERIOD),
        rx.cond(
            F.recon_running,
            rx.hstack(
                rx.spinner(size="1"),
                rx.text(F.recon_read, size="1", color_scheme="gray"),
                align="center",
                id="reconciliation-progress",
            ),
        ),
        rx.cond(
            F.recon_error != "",
            rx.callout(
                F.recon_error,
                icon="triangle_alert",
                color_scheme="red",
                id="reconciliation-error",
            ),
        ),
        rx.cond(F.recon_title != "", _last_run(), rx.text("No reconciliation has run yet.")),
        id="reconciliation",
    )


def _last_run() -> rx.Component:
    return rx.vstack(
        subheading("Last run"),
        rx.text(F.recon_title, size="2", style=WRAP, id="reconciliation-title"),
        rx.cond(
            F.recon_drift > 0,
            rx.callout(
                F.recon_drift.to_string()
                + rx.cond(F.recon_drift == 1, " difference", " differences")
                + " between the provider and the ledger.",
                icon="triangle_alert",
                color_scheme="amber",
                id="reconciliation-drift",
            ),
            rx.callout(
                "No drift: the provider and the ledger agree.",
                icon="circle_check",
                color_scheme="green",
                id="reconciliation-drift",
            ),
        ),
        rx.cond(
            F.recon_counts.length() == 0,  # type: ignore[attr-defined]
            rx.text(
                "Neither the provider nor the ledger has anything in this period.",
                size="2",
                color_scheme="gray",
                id="reconciliation-nothing",
            ),
        ),
        rx.box(
            rx.table.root(
                table_header("Kind", "Outcome", "Items", right=("Items",)),
                rx.table.body(rx.foreach(F.recon_counts, _count_row)),
                width="100%",
                id="reconciliation-summary",
            ),
            width="100%",
            overflow_x="auto",
            display=rx.cond(F.recon_counts.length() == 0, "none", "block"),  # type: ignore[attr-defined]
        ),
        rx.cond(
            F.recon_rows.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(
                subheading("Differences"),
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                rx.table.column_header_cell("Kind"),
                                rx.table.column_header_cell("Reference"),
                                rx.table.column_header_cell("Outcome"),
                                rx.table.column_header_cell("Provider", display=WIDE_ONLY),
                                rx.table.column_header_cell("Ledger", display=WIDE_ONLY),
                            )
                        ),
                        rx.table.body(rx.foreach(F.recon_rows, _difference_row)),
                        width="100%",
                        id="reconciliation-differences",
                    ),
                    width="100%",
                    overflow_x="auto",
                ),
                width="100%",
            ),
        ),
        spacing="3",
        width="100%",
    )


def _count_row(c: rx.Var) -> rx.Component:  # type: ignore[type-arg]
    return rx.table.row(
        rx.table.cell(c["kind"]),
        rx.table.cell(
            rx.cond(
                c["drift"] != "",
                rx.badge(c["outcome"], color_scheme="amber", variant="soft"),
                rx.text(c["outcome"]),
            )
        ),
        rx.table.cell(c["count"], text_align="right"),
    )


def _difference_row(d: rx.Var) -> rx.Component:  # type: ignore[type-arg]
    return rx.table.row(
        rx.table.cell(d["kind"]),
        rx.table.cell(rx.code(d["reference"], style=WRAP)),
        rx.table.cell(
            rx.badge(d["outcome"], color_scheme="amber", variant="soft"),
            rx.text(
                "Provider " + d["provider"] + " · Ledger " + d["ledger"],
                size="1",
                style=WRAP,
                display=PHONE_ONLY,
            ),
            rx.cond(d["note"] != "", rx.text(d["note"], size="1", color_scheme="gray")),
        ),
        rx.table.cell(d["provider"], style=WRAP, display=WIDE_ONLY),
        rx.table.cell(d["ledger"], style=WRAP, display=WIDE_ONLY),
    )
