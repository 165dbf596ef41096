"""The partner ledger table (partner page and staff partner page): one card per currency with
its balance, then every document, payment and allocation with the running balance. On a phone
each line is stacked: its date and document, what it is, its amount and the balance."""

from __future__ import annotations

import reflex as rx

from concierge_app.ui.shared.document_status import STATUS_COLOURS
from concierge_app.ui.shared.ledger.rows import LedgerRowView, LedgerView
from concierge_app.ui.shared.stacked_table import TABLET, stacked_cell, stacked_table

GREEN = STATUS_COLOURS["green"]


def _row(row: LedgerRowView) -> rx.Component:
    muted = row.detail | ~row.counted
    return rx.table.row(
        stacked_cell(rx.text(row.day, size="2"), white_space="nowrap"),
        stacked_cell(
            rx.cond(
                row.detail,
                rx.hstack(
                    rx.icon("corner_down_right", size=14, color="var(--gray-9)"),
                    rx.text(row.reference, size="1", color_scheme="gray"),
                    spacing="1",
                    align="center",
                ),
                rx.text(row.reference, size="2", weight="medium"),
            ),
            white_space="nowrap",
        ),
        stacked_cell(
            rx.vstack(
                rx.text(
                    row.description,
                    size=rx.cond(row.detail, "1", "2"),
                    style={"color": rx.cond(muted, "var(--gray-11)", "inherit")},
                ),
                rx.cond(
                    row.note != "",
                    rx.text(row.note, size="1", color_scheme="gray", class_name="ledger-note"),
                ),
                rx.cond(  # a payment or credit note: which documents it paid
                    row.applied != "",
                    rx.text(
                        row.applied, size="1", color_scheme="gray", class_name="ledger-applied"
                    ),
                ),
                spacing="0",
            ),
            wide=True,
        ),
        stacked_cell(
            rx.text(
                row.amount,
                size="2",
                weight="medium",
                style={
                    "color": rx.cond(
                        row.paid & row.counted, GREEN, rx.cond(muted, "var(--gray-9)", "inherit")
                    )
                },
            ),
            label="Amount",
            hide=row.detail,  # an allocation moves no money: its amount is blank
            text_align="right",
            white_space="nowrap",
        ),
        stacked_cell(
            rx.text(
                row.balance,
                size="2",
                style={"color": rx.cond(row.detail, "var(--gray-10)", "inherit")},
            ),
            label="Balance",
            text_align="right",
            white_space="nowrap",
            class_name="ledger-balance",
        ),
        custom_attrs={
            "data-kind": row.kind,
            "data-reference": row.reference,
            "data-counted": rx.cond(row.counted, "yes", "no"),
        },
        class_name="ledger-row",
        background_color=rx.cond(row.detail, "var(--gray-a2)", "transparent"),
    )


def _summary(book: LedgerView) -> rx.Component:
    def fact(label: str, value: rx.Var[str], **props: object) -> rx.Component:
        return rx.vstack(
            rx.text(label, size="1", color_scheme="gray", weight="medium"),
            rx.text(value, size="4", weight="bold", **props),
            spacing="1",
        )

    return rx.flex(
        fact("Outstanding documents", book.outstanding),
        fact("Credit not applied yet", book.credit),
        rx.vstack(
            rx.text(book.closing_label, size="1", color_scheme="gray", weight="medium"),
            rx.text(book.closing, size="5", weight="bold", class_name="ledger-closing"),
            spacing="1",
        ),
        spacing="7",
        row_gap="var(--space-4)",  # wrapped on a phone: closer lines
        wrap="wrap",
    )


def _book(book: LedgerView) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Ledger in ", book.currency, size="4", as_="h2"),
                justify="between",
                width="100%",
            ),
            _summary(book),
            stacked_table(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Date"),
                        rx.table.column_header_cell("Document / payment"),
                        rx.table.column_header_cell("Details"),
                        rx.table.column_header_cell("Amount", text_align="right"),
                        rx.table.column_header_cell("Balance", text_align="right"),
                    )
                ),
                rx.table.body(rx.foreach(book.rows, _row)),
                # a long payment reference (an online payment's) needs ~680 px
                stack_below=TABLET,
                size="1",
            ),
            spacing="4",
            width="100%",
        ),
        width="100%",
        custom_attrs={"data-currency": book.currency},
        class_name="partner-ledger",
    )


def ledger_books(books: rx.Var[list[LedgerView]], empty: str) -> rx.Component:
    """Every currency's ledger, or `empty` when there is nothing yet."""
    return rx.cond(
        books.length() > 0,  # type: ignore[attr-defined]
        rx.vstack(rx.foreach(books, _book), spacing="4", width="100%"),
        rx.text(empty, color_scheme="gray", id="ledger-empty"),
    )
