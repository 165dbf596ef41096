"""The Payments panel's invoices: the draft invoice with Send Invoice, and the sent invoices
with their dates and Void (and re-issue)."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from concierge_app.ui.shared.badges import invoice_status_badge
from concierge_app.ui.shared.long_text import WRAP_ANYWHERE
from concierge_app.ui.staff.booking.common import MONEY_CELL, empty_state, th
from concierge_app.ui.staff.booking.rows import InvoiceRow, LineRow
from concierge_app.ui.staff.booking.state import BookingState as S


def _line_row(line: ObjectVar[LineRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(line.description, **WRAP_ANYWHERE), min_width="120px"),
        rx.table.cell(
            rx.cond(
                line.kind == "deposit",
                rx.badge("Deposit", variant="surface", color_scheme="gray"),
                rx.badge("Full", variant="surface", color_scheme="gray"),
            ),
        ),
        rx.table.cell(line.amount, **MONEY_CELL),
        class_name="draft-line",
    )


def draft_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.hstack(
                    rx.heading("Draft invoice", size="3", as_="h3"),
                    rx.cond(S.draft_id != "", invoice_status_badge(rx.Var.create("Draft"))),
                    spacing="2",
                    align="center",
                ),
                rx.vstack(
                    rx.button(
                        rx.icon("send", size=16),
                        "Send Invoice",
                        on_click=S.send_invoice,
                        loading=S.busy == "send",
                        disabled=~S.can_send | (S.busy != "") | ~S.is_concierge,
                        custom_attrs={"aria-describedby": "send-invoice-hint"},
                    ),
                    align="end",
                    spacing="1",
                ),
                justify="between",
                align="center",
                width="100%",
            ),
            rx.cond(
                S.draft_lines.length() > 0,  # type: ignore[attr-defined]
                rx.table.root(
                    rx.table.header(rx.table.row(th("Line"), th("Kind"), th("Amount", end=True))),
                    rx.table.body(
                        rx.foreach(S.draft_lines, _line_row),
                        rx.table.row(
                            rx.table.row_header_cell(rx.text("Total", weight="bold"), col_span=2),
                            rx.table.cell(
                                rx.text(S.draft_total, weight="bold", id="draft-total"),
                                **MONEY_CELL,
                            ),
                        ),
                    ),
                    variant="ghost",
                    size="1",
                    width="100%",
                    id="draft-lines",
                ),
            ),
            rx.text(
                rx.cond(
                    S.is_cancelled,
                    "The booking is cancelled: nothing more can be invoiced.",
                    rx.cond(
                        S.can_send,
                        "Sending locks this invoice, makes it Active and notifies the guest "
                        "(Invoice Sent).",
                        "Confirm a platform-collects service to start the draft.",
                    ),
                ),
                id="send-invoice-hint",
                size="1",
                color_scheme="gray",
            ),
            spacing="3",
            width="100%",
        ),
        id="draft-invoice",
        size="2",
        width="100%",
    )


def _invoice_dates(inv: ObjectVar[InvoiceRow]) -> rx.Component:
    def line(label: str, value: rx.Var) -> rx.Component:
        return rx.cond(
            value != "",
            rx.text(
                rx.el.span(label + " ", color="var(--gray-10)"),
                value,
                size="1",
                white_space="nowrap",
            ),
        )

    return rx.vstack(
        line("Created", inv.created),
        line("Sent", inv.sent),
        line("Paid", inv.paid),
        line("Voided", inv.voided),
        rx.cond(
            inv.void_reason != "",
            rx.text(inv.void_reason, size="1", color_scheme="gray", font_style="italic"),
        ),
        spacing="0",
    )


def _invoice_row(inv: ObjectVar[InvoiceRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.vstack(
                rx.text(
                    rx.cond(
                        inv.number != "",
                        inv.number,
                        rx.cond(inv.status == "Draft", "Draft (numbered when sent)", "Unnumbered"),
                    ),
                    weight="medium",
                    font_family=rx.cond(inv.number != "", "var(--code-font-family)", "inherit"),
                    white_space="nowrap",
                ),
                rx.foreach(
                    inv.lines,
                    lambda ln: rx.text(
                        ln.description + " · " + ln.amount,
                        size="1",
                        color_scheme="gray",
                        **WRAP_ANYWHERE,
                    ),
                ),
                spacing="0",
            ),
            min_width="160px",
        ),
        rx.table.cell(rx.box(invoice_status_badge(inv.status), class_name="invoice-status")),
        rx.table.cell(_invoice_dates(inv)),
        rx.table.cell(rx.code(inv.currency, variant="ghost", color_scheme="gray")),
        rx.table.cell(rx.text(inv.total, weight="medium"), **MONEY_CELL),
        rx.table.cell(
            rx.cond(
                inv.can_void & S.is_concierge,
                rx.button(
                    rx.cond(S.is_cancelled, "Void invoice", "Void and re-issue"),
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=S.ask_void_invoice(inv.id),
                    disabled=S.busy != "",
                    white_space="nowrap",
                ),
            ),
            justify="end",
        ),
        align="center",
        class_name="invoice-row",
        custom_attrs={"data-invoice-id": inv.id, "data-number": inv.number},
    )


def invoices_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Invoices", size="3", as_="h3"),
            rx.cond(
                S.invoices.length() > 0,  # type: ignore[attr-defined]
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                th("Invoice"),
                                th("Status"),
                                th("Dates"),
                                th("Currency"),
                                th("Total", end=True),
                                th("", end=True),
                            )
                        ),
                        rx.table.body(rx.foreach(S.invoices, _invoice_row)),
                        variant="ghost",
                        size="1",
                        width="100%",
                        id="invoices-table",
                    ),
                    overflow_x="auto",
                    width="100%",
                ),
                empty_state(
                    "receipt",
                    "No invoices yet",
                    "Confirming a platform-collects service starts the first draft.",
                    id="invoices-empty",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        size="2",
        width="100%",
    )
