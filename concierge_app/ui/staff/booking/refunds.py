"""The Payments panel's refunds: the services that need one (Refund required) and the refunds
made, from the Refund dialog or at the payment provider; the guest's documents (invoices,
receipts, credit notes). Both tables are one card (`_table_card`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx
from reflex.vars import ObjectVar

from concierge_app.ui.shared.long_text import WRAP_ANYWHERE
from concierge_app.ui.staff.booking.common import MONEY_CELL, th
from concierge_app.ui.staff.booking.rows import DocumentRow, RefundRow
from concierge_app.ui.staff.booking.state import BookingState as S


def _refund_row(row: ObjectVar[RefundRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(row.service, size="2", **WRAP_ANYWHERE),
                rx.text(row.when, size="1", color_scheme="gray"),
                rx.text(row.note, size="1", color_scheme="gray", overflow_wrap="anywhere"),
                spacing="0",
            ),
            min_width="140px",
        ),
        rx.table.cell(
            rx.hstack(
                rx.badge(
                    row.status,
                    color_scheme=rx.match(
                        row.status, ("Refunded", "green"), ("Failed", "red"), "amber"
                    ),
                    variant="soft",
                ),
                rx.cond(
                    row.at_provider,
                    rx.badge("At the provider", color_scheme="violet", variant="surface"),
                ),
                spacing="1",
                wrap="wrap",
            )
        ),
        rx.table.cell(row.amount, **MONEY_CELL),
        class_name="refund-row",
    )


def _table_card(
    *,
    rows: Any,
    row: Callable[[Any], rx.Component],
    title: str,
    hint: str,
    columns: tuple[str, str, str],
    table_id: str,
) -> rx.Component:
    """A card with a title, a hint and a three-column table (the last an amount), shown only
    when it has rows: the Refunds and the Documents cards."""
    first, second, amount = columns
    return rx.cond(
        rows.length() > 0,
        rx.card(
            rx.vstack(
                rx.heading(title, size="3", as_="h3"),
                rx.text(hint, size="1", color_scheme="gray"),
                rx.box(
                    rx.table.root(
                        rx.table.header(rx.table.row(th(first), th(second), th(amount, end=True))),
                        rx.table.body(rx.foreach(rows, row)),
                        variant="ghost",
                        size="1",
                        width="100%",
                        id=table_id,
                    ),
                    overflow_x="auto",
                    width="100%",
                ),
                spacing="2",
                width="100%",
            ),
            size="2",
            width="100%",
        ),
    )


def refunds_card() -> rx.Component:
    return _table_card(
        rows=S.refund_rows,
        row=_refund_row,
        title="Refunds",
        hint="From the Refund dialog, or made at the payment provider (e.g. in Stripe's "
        "dashboard) and recorded from its events.",
        columns=("Service", "Status", "Amount"),
        table_id="refunds-table",
    )


def refunds_due() -> rx.Component:
    return rx.cond(
        S.refunds_due.length() > 0,
        rx.callout(
            rx.vstack(
                rx.text(
                    "Refund required: these services were cancelled after the guest paid. "
                    "Cancelling never refunds automatically.",
                    weight="medium",
                ),
                rx.foreach(
                    S.refunds_due,
                    lambda row: rx.hstack(
                        rx.text(row.title + " · paid " + row.billed, size="2"),
                        rx.cond(
                            S.is_finance,
                            rx.button(
                                "Refund",
                                size="1",
                                color_scheme="amber",
                                on_click=S.open_refund(row.id),
                                disabled=S.busy != "",
                            ),
                        ),
                        align="center",
                        spacing="3",
                    ),
                ),
                spacing="2",
            ),
            icon="undo_2",
            color_scheme="amber",
            id="refunds-due",
            width="100%",
        ),
    )


def _document_row(row: ObjectVar[DocumentRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            # A plain anchor: the router's link would navigate inside the app instead.
            rx.el.a(
                rx.hstack(rx.icon("file_text", size=14), rx.text(row.title), spacing="1"),
                href=row.url,
                download=True,
                class_name="rt-Text rt-reset rt-Link rt-underline-auto",
                color="var(--accent-11)",
                custom_attrs={"data-testid": "document-download"},
            )
        ),
        rx.table.cell(row.date, white_space="nowrap"),
        rx.table.cell(row.amount, **MONEY_CELL),
        class_name="document-row",
    )


def documents_card() -> rx.Component:
    """The guest's documents (sent invoices, receipts, credit notes), each a PDF, as in the
    guest's portal."""
    return _table_card(
        rows=S.documents,
        row=_document_row,
        title="Documents",
        hint="The guest's invoices, receipts and credit notes, as in their portal.",
        columns=("Document", "Date", "Amount"),
        table_id="documents-table",
    )
