"""The dialogs of an unpaid invoice on the partner's staff page: close it (Write off / Send to
legal, which closes the property) and a credit or debit note against it."""

from __future__ import annotations

import reflex as rx

from concierge_app.ui.shared.forms import (
    checked_field,
    dialog_footer,
    form_error,
)
from concierge_app.ui.staff.partner_account.state import PartnerAccountState as A


def close_dialog() -> rx.Component:
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


def note_dialog() -> rx.Component:
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
                    checked_field(
                        rx.text("Amount (", A.note_currency, ")"),
                        "note-amount",
                        rx.input,
                        errors=errors,
                        field="amount",
                        hint=rx.cond(
                            credit,
                            rx.text("At most the invoice's ", A.note_amount, " in all."),
                            rx.text("Invoice ", A.note_number, ": ", A.note_amount, "."),
                        ),
                        placeholder="0.00",
                        input_mode="decimal",
                    ),
                    checked_field(
                        "Reason (the partner reads it)",
                        "note-reason",
                        rx.text_area,
                        errors=errors,
                        field="reason",
                        hint="Up to 250 characters.",
                        placeholder="e.g. Reservation BK-1234 was cancelled after the run",
                        max_length=250,
                    ),
                    rx.cond(
                        credit,
                        rx.fragment(),
                        checked_field(
                            "Due date",
                            "note-due",
                            rx.input,
                            errors=errors,
                            field="due_date",
                            hint="Today or later; by default the usual payment terms from today.",
                            type="date",
                            default_value=A.note_due,
                            key=A.note_due,
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
