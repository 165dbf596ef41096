"""The Documents tab: the latest partner documents, each with its PDF."""

from __future__ import annotations

import reflex as rx

from concierge_app.ui.shared.document_status import status_text
from concierge_app.ui.shared.layout import table_header
from concierge_app.ui.staff.finance.parts import card
from concierge_app.ui.staff.finance.rows import DocumentRow
from concierge_app.ui.staff.finance.state import FinanceState as F


def documents_tab() -> rx.Component:
    return card(
        "Latest documents",
        rx.table.root(
            table_header("Number", "Partner", "Period", "Amount", "To pay", "Status", ""),
            rx.table.body(rx.foreach(F.documents, _document_row)),
            width="100%",
        ),
        id="latest-documents",
    )


def _document_row(d: DocumentRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(d.number, white_space="nowrap"),
        rx.table.cell(d.partner, min_width="150px"),
        rx.table.cell(d.period, white_space="nowrap"),
        rx.table.cell(d.amount, text_align="right", white_space="nowrap"),
        rx.table.cell(d.to_pay, text_align="right", white_space="nowrap"),
        # on a phone the table scrolls sideways: its status keeps a readable width
        rx.table.cell(status_text(d.status, d.colour, d.colour_css), min_width="190px"),
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
