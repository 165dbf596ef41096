"""The Payments panel's refunds: the services that need one (Refund required) and the refunds
made, from the Refund dialog or at the payment provider; the guest's documents (receipts)."""

from __future__ import annotations

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


def refunds_card() -> rx.Component:
    return rx.cond(
        S.refund_rows.length() > 0,  # type: ignore[attr-defined]
        rx.card(
            rx.vstack(
                rx.heading("Refunds", size="3", as_="h3"),
                rx.text(
                    "From the Refund dialog, or made at the payment provider (e.g. in Stripe's "
                    "dashboard) and recorded from its events.",
                    size="1",
                    color_scheme="gray",
                ),
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(th("Service"), th("Status"), th("Amount", end=True))
                        ),
                        rx.table.body(rx.foreach(S.refund_rows, _refund_row)),
                        variant="ghost",
                        size="1",
                        width="100%",
                        id="refunds-table",
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
    """The guest's documents (sent invoices, receipts), each a PDF, as in the guest's portal."""
    return rx.cond(
        S.documents.length() > 0,  # type: ignore[attr-defined]
        rx.card(
            rx.vstack(
                rx.heading("Documents", size="3", as_="h3"),
                rx.text(
                    "The guest's invoices and receipts, as in their portal.",
                    size="1",
                    color_scheme="gray",
                ),
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(th("Document"), th("Date"), th("Amount", end=True))
                        ),
                        rx.table.body(rx.foreach(S.documents, _document_row)),
                        variant="ghost",
                        size="1",
                        width="100%",
                        id="documents-table",
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
