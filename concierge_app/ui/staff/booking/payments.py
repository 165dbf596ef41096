"""The Payments panel: refunds due, the draft invoice and Send Invoice, the invoices (void and
re-issue) and the booking's totals."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import ObjectVar

from concierge_app.ui.shared.badges import invoice_status_badge
from concierge_app.ui.shared.long_text import WRAP_ANYWHERE
from concierge_app.ui.staff.booking.common import MONEY, MONEY_CELL, empty_state, section, th
from concierge_app.ui.staff.booking.state import BookingState as S
from concierge_app.ui.staff.booking.state import InvoiceRow, LineRow, RefundRow


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


def _draft_card() -> rx.Component:
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
                        disabled=~S.can_send | (S.busy != ""),
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
                inv.can_void,
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


def _invoices_card() -> rx.Component:
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


def _refunds_card() -> rx.Component:
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


def _total_line(
    label: str,
    value: rx.Var,
    *,
    element_id: str,
    strong: bool = False,
    color_scheme: str | None = None,
    **props: Any,
) -> rx.Component:
    colour: dict[str, Any] = {"color_scheme": color_scheme} if color_scheme else {}
    return rx.hstack(
        rx.text(label, size="2", weight="bold" if strong else "regular", **colour),
        rx.text(value, size="2", weight="bold" if strong else "medium", id=element_id, **MONEY),
        justify="between",
        width="100%",
        **props,
    )


def _totals_card() -> rx.Component:
    t = S.totals
    return rx.card(
        rx.vstack(
            rx.heading("Booking totals", size="3", as_="h3"),
            _total_line("Concierge invoices paid", t.concierge_paid, element_id="total-concierge"),
            _total_line("Refunded", t.refunded, element_id="total-refunded"),
            _total_line(
                "Accommodation payments", t.accommodation_paid, element_id="total-accommodation"
            ),
            rx.separator(size="4"),
            _total_line("Overall paid", t.overall_paid, element_id="total-overall", strong=True),
            rx.text(
                "Concierge paid, less refunds, plus accommodation payments.",
                size="1",
                color_scheme="gray",
            ),
            rx.separator(size="4"),
            rx.hstack(
                rx.text("Outstanding", size="2", weight="bold"),
                rx.text(
                    t.outstanding,
                    size="2",
                    weight="bold",
                    id="total-outstanding",
                    color_scheme=rx.cond(t.is_outstanding, "amber", "gray"),
                    **MONEY,
                ),
                justify="between",
                width="100%",
            ),
            _total_line(
                "Concierge (sent invoices)",
                t.outstanding_concierge,
                element_id="total-outstanding-concierge",
                padding_left="12px",
                color_scheme="gray",
            ),
            _total_line(
                "Accommodation",
                t.outstanding_accommodation,
                element_id="total-outstanding-accommodation",
                padding_left="12px",
                color_scheme="gray",
            ),
            rx.cond(
                t.has_unapplied,
                rx.callout(
                    "Unapplied " + t.unapplied + ": paid for invoices voided meanwhile. Refund it.",
                    icon="triangle_alert",
                    color_scheme="amber",
                    size="1",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        id="booking-totals",
        size="2",
        width="100%",
    )


def _refunds_due() -> rx.Component:
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
                        rx.button(
                            "Refund",
                            size="1",
                            color_scheme="amber",
                            on_click=S.open_refund(row.id),
                            disabled=S.busy != "",
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


def payments_panel() -> rx.Component:
    return section(
        "Payments panel",
        "payments-panel",
        rx.vstack(
            _refunds_due(),
            rx.grid(
                rx.vstack(
                    _draft_card(), _invoices_card(), _refunds_card(), spacing="4", width="100%"
                ),
                _totals_card(),
                columns=rx.breakpoints(initial="1", md="minmax(0, 1fr) 320px"),
                spacing="4",
                width="100%",
                align="start",
            ),
            spacing="4",
            width="100%",
        ),
    )
