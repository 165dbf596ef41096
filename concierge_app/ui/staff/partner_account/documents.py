"""The partner's documents on its staff page: one row each, with Write off / Send to legal and
the credit or debit note buttons of an invoice."""

from __future__ import annotations

import reflex as rx

from concierge_app.ui.shared.document_status import status_text
from concierge_app.ui.staff.partner_account.state import PartnerAccountState as A
from concierge_app.ui.staff.partner_account.state import StaffDocumentRow


def document_row(row: StaffDocumentRow) -> rx.Component:
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
