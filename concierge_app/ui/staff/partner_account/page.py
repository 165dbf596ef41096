"""`/finance/partners/[code]` (staff): one partner's documents, its property open or closed,
Write off / Send to legal on an unpaid invoice, a credit or debit note against an invoice, its
commission rate (the history and Change rate), and the partner's ledger."""

from __future__ import annotations

import reflex as rx

from concierge_app.ui.shared.document_status import status_text
from concierge_app.ui.shared.forms import dialog_footer, form_error, form_field, validation_props
from concierge_app.ui.shared.layout import loading_card, table_header
from concierge_app.ui.shared.ledger.table import ledger_books
from concierge_app.ui.shared.live import live_updates
from concierge_app.ui.staff.partner_account.state import PartnerAccountState as A
from concierge_app.ui.staff.partner_account.state import RateRow, StaffDocumentRow
from concierge_app.ui.staff.shell import page_shell


def _document_row(row: StaffDocumentRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.number, weight="medium"), white_space="nowrap"),
        rx.table.cell(row.title),
        rx.table.cell(row.period, white_space="nowrap"),
        rx.table.cell(row.due_date, white_space="nowrap"),
        rx.table.cell(row.amount, text_align="right", white_space="nowrap"),
        rx.table.cell(row.outstanding, text_align="right", white_space="nowrap"),
        rx.table.cell(
            rx.vstack(
                status_text(row.status, row.colour, row.colour_css),
                rx.cond(row.note != "", rx.text(row.note, size="1", color_scheme="gray")),
                spacing="1",
            )
        ),
        rx.table.cell(
            rx.hstack(
                rx.cond(
                    row.can_correct,
                    rx.fragment(
                        rx.button(
                            "Credit note",
                            size="1",
                            variant="soft",
                            on_click=A.ask_note("credit_note", row.id),
                            class_name="credit-note",
                        ),
                        rx.button(
                            "Debit note",
                            size="1",
                            variant="soft",
                            color_scheme="orange",
                            on_click=A.ask_note("debit_note", row.id),
                            class_name="debit-note",
                        ),
                    ),
                ),
                rx.cond(
                    row.can_close,
                    rx.button(
                        "Write off / legal…",
                        size="1",
                        variant="soft",
                        color_scheme="gray",
                        on_click=A.ask_close(row.id, row.number),
                        class_name="close-invoice",
                    ),
                ),
                spacing="2",
                justify="end",
                wrap="wrap",
            ),
            text_align="right",
        ),
        custom_attrs={"data-number": row.number, "data-colour": row.colour},
        class_name="staff-partner-document",
    )


def _close_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Invoice ", A.dialog_number),
            rx.dialog.description(
                "The invoice turns black, the property is closed on the platform, and the "
                "invoice can then only be paid by bank transfer. The partner sees the reason.",
                size="2",
            ),
            rx.form(
                rx.vstack(
                    rx.radio_group.root(
                        rx.hstack(
                            rx.radio_group.item(value="written_off", id="to-written-off"),
                            rx.text("Write off", size="2"),
                            rx.radio_group.item(value="legal", id="to-legal"),
                            rx.text("Send to legal", size="2"),
                            spacing="2",
                            align="center",
                        ),
                        name="to",
                        default_value="written_off",
                    ),
                    rx.text_area(
                        name="reason",
                        placeholder="Reason, e.g. Unpaid after three reminders",
                        id="close-reason",
                        width="100%",
                    ),
                    form_error(A.dialog_error != "", A.dialog_error),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                        rx.button(
                            rx.cond(A.saving, rx.spinner(size="1")),
                            "Confirm",
                            type="submit",
                            color_scheme="red",
                            disabled=A.saving,
                            id="confirm-close",
                        ),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                    margin_top="12px",
                ),
                on_submit=A.close_invoice,
                reset_on_submit=False,
            ),
            max_width="480px",
        ),
        open=A.dialog_open,
        on_open_change=A.set_dialog_open,
    )


def _note_dialog() -> rx.Component:
    credit = A.note_kind == "credit_note"
    errors = A.note_errors
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(credit, "Credit note", "Debit note"), " for ", A.note_number),
            rx.dialog.description(
                rx.cond(
                    credit,
                    "The invoice stays valid; the credit note deducts the amount from it. It is "
                    "never paid out: it pays the partner's oldest open invoice, or the next one.",
                    "The invoice stays valid; the debit note adds the amount to it, payable by "
                    "its own due date.",
                ),
                size="2",
            ),
            rx.form(
                rx.vstack(
                    form_field(
                        rx.text("Amount (", A.note_currency, ")"),
                        "note-amount",
                        rx.input(
                            name="amount",
                            id="note-amount",
                            placeholder="0.00",
                            input_mode="decimal",
                            width="100%",
                            **validation_props(errors, "amount", "note-amount"),
                        ),
                        errors=errors,
                        key="amount",
                        hint=rx.cond(
                            credit,
                            rx.text("At most the invoice's ", A.note_amount, " in all."),
                            rx.text("Invoice ", A.note_number, ": ", A.note_amount, "."),
                        ),
                    ),
                    form_field(
                        "Reason (the partner reads it)",
                        "note-reason",
                        rx.text_area(
                            name="reason",
                            id="note-reason",
                            placeholder="e.g. Reservation BK-1234 was cancelled after the run",
                            max_length=250,
                            width="100%",
                            **validation_props(errors, "reason", "note-reason"),
                        ),
                        errors=errors,
                        key="reason",
                        hint="Up to 250 characters.",
                    ),
                    rx.cond(
                        credit,
                        rx.fragment(),
                        form_field(
                            "Due date",
                            "note-due",
                            rx.input(
                                type="date",
                                name="due_date",
                                id="note-due",
                                default_value=A.note_due,
                                key=A.note_due,
                                width="100%",
                                **validation_props(errors, "due_date", "note-due"),
                            ),
                            errors=errors,
                            key="due_date",
                            hint="Today or later; by default the usual payment terms from today.",
                        ),
                    ),
                    form_error(errors.contains("form"), errors["form"]),
                    dialog_footer(
                        rx.dialog.close,
                        "Cancel",
                        rx.cond(credit, "Issue credit note", "Issue debit note"),
                        busy=A.saving,
                        id="confirm-note",
                    ),
                    spacing="3",
                    margin_top="12px",
                ),
                on_submit=A.issue_note,
                reset_on_submit=False,
            ),
            max_width="480px",
        ),
        open=A.note_open,
        on_open_change=A.set_note_open,
    )


_RATE_BADGES = {"in force": "green", "scheduled": "blue", "ended": "gray"}


def _rate_row(row: RateRow) -> rx.Component:
    return rx.hstack(
        rx.text(row.rate, weight="bold", size="3", min_width="64px"),
        rx.vstack(
            rx.hstack(
                rx.text(row.starts, size="2"),
                rx.match(
                    row.state,
                    *[
                        (state, rx.badge(state.capitalize(), color_scheme=colour, variant="soft"))
                        for state, colour in _RATE_BADGES.items()
                    ],
                ),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.text(row.changed, size="1", color_scheme="gray", word_break="break-word"),
            spacing="1",
            min_width="0",
        ),
        spacing="3",
        align="start",
        width="100%",
        padding_y="8px",
        border_top="1px solid var(--gray-a4)",
        custom_attrs={"data-rate": row.rate, "data-state": row.state},
        class_name="commission-rate-entry",
    )


def _rate_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.heading("Commission rate", size="4", as_="h2"),
                    rx.hstack(
                        rx.text(A.rate_current, size="6", weight="bold", id="commission-rate-now"),
                        rx.text("in force today", size="2", color_scheme="gray"),
                        spacing="2",
                        align="baseline",
                    ),
                    spacing="1",
                ),
                rx.button(
                    rx.icon("percent", size=14),
                    "Change rate",
                    variant="soft",
                    on_click=A.ask_rate,
                    id="change-rate",
                ),
                justify="between",
                align="start",
                width="100%",
                wrap="wrap",
                spacing="3",
            ),
            rx.text(
                "Each reservation is billed at the rate in force on the day it was made: a stay "
                "on the day it was booked, a service on the day it was confirmed (UTC).",
                size="2",
                color_scheme="gray",
            ),
            rx.vstack(rx.foreach(A.rates, _rate_row), spacing="0", width="100%"),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="commission-rate-card",
    )


def _rate_dialog() -> rx.Component:
    errors = A.rate_errors
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Change the commission rate"),
            rx.dialog.description(
                "The new rate applies to reservations made from its first day on. Reservations "
                "made before keep the rate in force when they were made, whenever they depart.",
                size="2",
            ),
            rx.form(
                rx.vstack(
                    form_field(
                        "New rate (%)",
                        "rate-new",
                        rx.input(
                            name="rate",
                            id="rate-new",
                            placeholder="e.g. 15 or 12.5",
                            input_mode="decimal",
                            width="100%",
                            **validation_props(errors, "rate", "rate-new"),
                        ),
                        errors=errors,
                        key="rate",
                        hint="Between 0 and 100, at most two decimals.",
                    ),
                    form_field(
                        "Valid from",
                        "rate-valid-from",
                        rx.input(
                            type="date",
                            name="valid_from",
                            id="rate-valid-from",
                            default_value=A.rate_earliest,
                            key=A.rate_earliest,
                            width="100%",
                            **validation_props(errors, "valid_from", "rate-valid-from"),
                        ),
                        errors=errors,
                        key="valid_from",
                        hint="Tomorrow at the earliest, and after the last change (UTC days).",
                    ),
                    form_error(errors.contains("form"), errors["form"]),
                    dialog_footer(
                        rx.dialog.close,
                        "Cancel",
                        "Change rate",
                        busy=A.saving,
                        id="confirm-rate",
                    ),
                    spacing="3",
                    margin_top="12px",
                ),
                on_submit=A.change_rate,
                reset_on_submit=False,
            ),
            max_width="480px",
        ),
        open=A.rate_open,
        on_open_change=A.set_rate_open,
    )


def _ledger_card() -> rx.Component:
    return rx.vstack(
        rx.heading("Ledger", size="5", as_="h2"),
        ledger_books(A.ledgers, "No documents or payments yet."),
        spacing="3",
        width="100%",
        id="staff-partner-ledger",
    )


def partner_account_page() -> rx.Component:
    return page_shell(
        rx.cond(
            A.loading,
            loading_card("Loading the partner…"),
            rx.cond(
                A.not_found,
                rx.callout("No such partner.", icon="search_x", color_scheme="gray"),
                rx.vstack(
                    rx.link("← Partner finance", href="/finance", size="2"),
                    rx.hstack(
                        rx.heading(A.name, size="7", as_="h1"),
                        rx.badge(A.code, variant="soft", color_scheme="gray", size="2"),
                        rx.cond(
                            A.closed,
                            rx.badge(
                                rx.icon("lock", size=12),
                                "Property closed",
                                color_scheme="gray",
                                variant="solid",
                                high_contrast=True,
                                id="property-closed-badge",
                            ),
                            rx.badge("Open", color_scheme="green", variant="soft"),
                        ),
                        align="center",
                        spacing="3",
                    ),
                    rx.cond(A.closed, rx.text(A.closed_reason, size="2", color_scheme="gray")),
                    rx.cond(
                        A.message != "",
                        rx.callout(
                            A.message,
                            icon="circle_check",
                            color_scheme="green",
                            id="staff-action-done",
                        ),
                    ),
                    rx.card(
                        rx.vstack(
                            rx.heading("Documents", size="4", as_="h2"),
                            rx.table.root(
                                table_header(
                                    "Number",
                                    "Document",
                                    "Period",
                                    "Due",
                                    "Amount",
                                    "Outstanding",
                                    "Status",
                                    "",
                                    right=("Amount", "Outstanding"),
                                ),
                                rx.table.body(rx.foreach(A.documents, _document_row)),
                                width="100%",
                            ),
                            spacing="3",
                            width="100%",
                        ),
                        width="100%",
                    ),
                    _rate_card(),
                    _ledger_card(),
                    spacing="4",
                    width="100%",
                ),
            ),
        ),
        _close_dialog(),
        _note_dialog(),
        _rate_dialog(),
        live_updates(A.poll),
        active="Finance",
    )
