"""`/partner/invoices/[number]`: one document — its figures and status, how to pay it (or how a
credit note is used), its reservation statement, the PDF and the statement as CSV. Live."""

from __future__ import annotations

import reflex as rx

from concierge_app import routes
from concierge_app.ui.partner.document.state import StatementRow
from concierge_app.ui.partner.document.state import StatementState as S
from concierge_app.ui.partner.shell import fact, partner_shell
from concierge_app.ui.shared.document_status import status_text
from concierge_app.ui.shared.layout import loading_card
from concierge_app.ui.shared.stacked_table import DESKTOP, stacked_cell, stacked_table


def _statement_row(row: StatementRow) -> rx.Component:
    return rx.table.row(
        stacked_cell(rx.code(row.reference), label="Reservation", white_space="nowrap"),
        stacked_cell(row.guest, label="Guest"),
        stacked_cell(row.description, label="Item", wide=True),
        stacked_cell(row.dates, label="Dates", white_space="nowrap"),
        stacked_cell(row.base, label="Amount", text_align="right", white_space="nowrap"),
        stacked_cell(row.rate, label="Rate", text_align="right"),
        stacked_cell(row.commission, label="Commission", text_align="right", white_space="nowrap"),
        stacked_cell(rx.text(row.collected_by, size="1", color_scheme="gray"), label="Paid"),
        class_name="statement-row",
    )


def _statement_table() -> rx.Component:
    return stacked_table(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell("Reservation"),
                rx.table.column_header_cell("Guest"),
                rx.table.column_header_cell("Item"),
                rx.table.column_header_cell("Dates"),
                rx.table.column_header_cell("Amount", text_align="right"),
                rx.table.column_header_cell("Rate", text_align="right"),
                rx.table.column_header_cell("Commission", text_align="right"),
                rx.table.column_header_cell("Paid"),
            )
        ),
        rx.table.body(rx.foreach(S.lines, _statement_row)),
        stack_below=DESKTOP,
    )


def _statement_header() -> rx.Component:
    """The document's title, and its downloads beside it (under it where there is no room)."""
    return rx.flex(
        rx.vstack(
            rx.heading(  # "Commission invoice" / "CM-2026-000001": the number on one line
                S.title, " ", rx.text.span(S.number, white_space="nowrap"), size="6", as_="h1"
            ),
            rx.text(S.subtitle, color_scheme="gray", id="document-subtitle"),
            spacing="1",
            min_width="0",
        ),
        rx.flex(
            rx.button(
                rx.icon("file_text", size=16),
                "Download PDF",
                on_click=S.download_pdf,
                id="download-pdf",
            ),
            rx.cond(
                S.is_commission,
                rx.button(
                    rx.icon("sheet", size=16),
                    "Download statement (CSV)",
                    variant="soft",
                    on_click=S.download_csv,
                    id="download-csv",
                ),
            ),
            spacing="2",
            wrap="wrap",
        ),
        justify="between",
        align="end",
        wrap="wrap",
        spacing="3",
        width="100%",
    )


def statement_page() -> rx.Component:
    return partner_shell(
        rx.cond(
            S.view == "loading",
            loading_card("Loading the invoice…"),
            rx.cond(
                S.not_found,
                rx.callout(
                    "This invoice was not found among your documents.",
                    icon="search_x",
                    color_scheme="gray",
                    id="invoice-not-found",
                ),
                rx.vstack(
                    rx.link("← All invoices", href=routes.PARTNER_INVOICES, size="2"),
                    _statement_header(),
                    rx.card(
                        rx.flex(
                            fact(rx.cond(S.is_commission, "Invoice date", "Date"), S.invoice_date),
                            rx.cond(~S.is_credit_note, fact("Due date", S.due_date)),
                            fact(
                                rx.cond(
                                    S.is_commission,
                                    "Commission",
                                    rx.cond(S.is_credit_note, "Credited to you", "Amount"),
                                ),
                                S.amount,
                            ),
                            rx.cond(
                                ~S.is_credit_note,
                                fact("Deducted from your payout", S.deducted),
                            ),
                            rx.cond(
                                ~S.is_credit_note,
                                fact("To pay", S.payable, id="document-to-pay"),
                            ),
                            rx.vstack(
                                rx.text("Status", size="1", color_scheme="gray", weight="medium"),
                                status_text(S.status, "", S.colour_css, id="document-status"),
                                spacing="1",
                            ),
                            wrap="wrap",
                            spacing="6",
                            row_gap="var(--space-4)",  # wrapped on a phone: closer lines
                        ),
                        rx.cond(
                            S.reminders_sent.length() > 0,  # type: ignore[attr-defined]
                            rx.vstack(
                                rx.foreach(
                                    S.reminders_sent,
                                    lambda line: rx.text(line, size="2", color_scheme="gray"),
                                ),
                                spacing="0",
                                padding_top="12px",
                                id="document-reminders-sent",
                            ),
                        ),
                        width="100%",
                    ),
                    rx.cond(
                        S.is_credit_note,
                        rx.callout(
                            rx.foreach(S.instructions, lambda line: rx.text(line)),
                            icon="info",
                            color_scheme="green",
                            width="100%",
                            id="credit-note-use",
                        ),
                    ),
                    rx.cond(
                        S.is_credit_note,
                        rx.fragment(),
                        rx.cond(
                            S.nothing_to_pay,
                            rx.callout(
                                "Deducted from your payout — nothing to pay.",
                                icon="circle_check",
                                color_scheme="green",
                                width="100%",
                            ),
                            rx.callout(
                                rx.vstack(
                                    rx.foreach(S.instructions, lambda line: rx.text(line)),
                                    rx.text(
                                        "Property ID and invoice number: ",
                                        rx.code(S.payment_reference, id="payment-reference"),
                                    ),
                                    spacing="1",
                                    id="payment-instructions",
                                ),
                                icon="landmark",
                                color_scheme="blue",
                                width="100%",
                            ),
                        ),
                    ),
                    rx.cond(
                        S.is_commission,
                        rx.card(
                            rx.vstack(
                                rx.heading("Reservation statement", size="4", as_="h2"),
                                _statement_table(),
                                spacing="3",
                                width="100%",
                            ),
                            width="100%",
                        ),
                    ),
                    spacing="4",
                    width="100%",
                ),
            ),
        ),
        active="Invoices",
    )
