"""The "Direct debit" tab of staff Finance: collect now (the schedule does it monthly), the
outcome per partner, and in the sandbox the bank's answers."""

from __future__ import annotations

import reflex as rx

from concierge_app.domain.direct_debit import COLLECTION_DAY
from concierge_app.ui.shared.layout import table_header
from concierge_app.ui.shared.notices import error_notice
from concierge_app.ui.staff.finance.direct_debit_state import DebitRow
from concierge_app.ui.staff.finance.direct_debit_state import DirectDebitState as D


def _row(r: DebitRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.partner),
        rx.table.cell(r.documents),
        rx.table.cell(r.amount, text_align="right", white_space="nowrap"),
        rx.table.cell(rx.text(r.outcome, size="2", color_scheme=rx.cond(r.ok, "green", "amber"))),
        class_name="debit-row",
    )


def direct_debit_card() -> rx.Component:
    """Collect direct debits now (the schedule does it monthly); the sandbox bank's answers."""
    return rx.card(
        rx.vstack(
            rx.heading("Direct debit", size="4", as_="h2"),
            rx.text(
                "Partners with a direct debit mandate are collected every month, from the "
                f"{COLLECTION_DAY}th: every open invoice, debit note and VAT/GST document, one "
                "request per partner and currency. The invoices turn green on the day the "
                "request is sent; if the bank refuses, they turn red again and the partner is "
                "emailed. Written-off and legal invoices are paid by bank transfer only. "
                "Collecting again requests nothing twice.",
                size="2",
                color_scheme="gray",
            ),
            rx.hstack(
                rx.button(
                    rx.icon("landmark", size=16),
                    "Collect direct debits",
                    on_click=D.collect,
                    loading=D.collecting,
                    id="collect-direct-debits",
                ),
                rx.cond(
                    D.sandbox,
                    rx.button(
                        rx.icon("building_2", size=16),
                        "Bank answers (sandbox)",
                        rx.badge(D.pending, variant="soft", id="pending-debits"),
                        on_click=D.answer,
                        loading=D.answering,
                        variant="soft",
                        id="sandbox-bank-answers",
                    ),
                ),
                rx.cond(
                    D.collecting,
                    rx.hstack(
                        rx.spinner(size="2"),
                        rx.text(D.progress_text, size="2", color_scheme="gray"),
                        align="center",
                        spacing="2",
                        id="direct-debit-progress",
                    ),
                ),
                align="center",
                spacing="3",
                wrap="wrap",
            ),
            rx.cond(
                D.sandbox,
                rx.text(
                    "Sandbox: when you ask for its answers, the bank fails debits from the "
                    "test IBAN " + D.failing_iban + " and pays any other.",
                    size="1",
                    color_scheme="gray",
                    id="sandbox-bank-note",
                ),
            ),
            error_notice(D.error, id="direct-debit-error"),
            rx.cond(
                D.summary != "",
                rx.callout(
                    D.summary,
                    icon=rx.cond(D.summary_ok, "circle_check", "triangle_alert"),
                    color_scheme=rx.cond(D.summary_ok, "green", "amber"),
                    role="status",
                    id="direct-debit-summary",
                    width="100%",
                ),
            ),
            rx.cond(
                D.rows.length() > 0,  # type: ignore[attr-defined]
                rx.table.root(
                    table_header("Partner", "Documents", "Amount", "Outcome", right=("Amount",)),
                    rx.table.body(rx.foreach(D.rows, _row)),
                    width="100%",
                    size="1",
                    id="direct-debit-rows",
                ),
            ),
            rx.cond(
                D.answers != "",
                rx.callout(
                    D.answers,
                    icon="info",
                    color_scheme="blue",
                    role="status",
                    id="bank-answers",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="direct-debit",
        on_mount=D.load,
    )
