"""`/bookings/[reference]`: one booking — overview and accommodation plan, the Trip Portfolio
(services: add, confirm, cancel, refund) and the Payments panel (draft, Send Invoice, invoices,
void and re-issue, totals, cancel the booking). Live: another browser's change shows here."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import ObjectVar

from concierge_app.components.badges import (
    booking_status_badge,
    invoice_status_badge,
    lifecycle_badge,
    payment_status_badge,
)
from concierge_app.components.layout import page_shell
from concierge_app.components.live import live_updates
from concierge_app.domain.strategies import PaymentStrategy
from concierge_app.state.booking import (
    STRATEGY_CHOICES,
    BookingState,
    InvoiceRow,
    LineRow,
    OperatorOption,
    ServiceRow,
)

S = BookingState

_MONEY: dict[str, Any] = {
    "white_space": "nowrap",
    "font_variant_numeric": "tabular-nums",
}
_MONEY_CELL: dict[str, Any] = {"justify": "end", **_MONEY}

# Read by screen readers, not shown.
_VISUALLY_HIDDEN: dict[str, Any] = {
    "position": "absolute",
    "width": "1px",
    "height": "1px",
    "overflow": "hidden",
    "clip": "rect(0 0 0 0)",
    "white_space": "nowrap",
}

STRATEGY_HELP = {
    PaymentStrategy.OPERATOR_COLLECTS_FULL.value: (
        "No invoice: the guest pays the operator at the time of service (Pay Provider)."
    ),
    PaymentStrategy.PLATFORM_COLLECTS_FULL.value: (
        "The full amount becomes a line on the concierge invoice when you confirm."
    ),
    PaymentStrategy.PLATFORM_COLLECTS_DEPOSIT.value: (
        "Only the deposit is invoiced; the operator collects the balance at the time of service."
    ),
    PaymentStrategy.INCLUDED_IN_STAY.value: (
        "No separate charge: the service is bundled into the accommodation rate."
    ),
}


# -- small pieces ---------------------------------------------------------------------------
def _section(title: str, section_id: str, *children: rx.Component, aside: Any = None):
    heading_id = f"{section_id}-heading"
    return rx.el.section(
        rx.hstack(
            rx.heading(title, size="5", as_="h2", id=heading_id),
            aside if aside is not None else rx.fragment(),
            justify="between",
            align="center",
            width="100%",
            margin_bottom="12px",
        ),
        *children,
        id=section_id,
        aria_labelledby=heading_id,
        width="100%",
    )


def _empty_state(icon: str, title: str, text: str, **props: Any) -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.center(
                rx.icon(icon, size=24, color="var(--gray-10)"),
                width="48px",
                height="48px",
                border_radius="50%",
                background_color="var(--gray-a3)",
            ),
            rx.text(title, weight="medium", size="3"),
            rx.text(text, color_scheme="gray", size="2", text_align="center"),
            align="center",
            spacing="2",
        ),
        padding_y="32px",
        width="100%",
        **props,
    )


def _label(text: str, html_for: str) -> rx.Component:
    return rx.el.label(rx.text(text, size="2", weight="medium"), html_for=html_for)


def _field_error(errors: Any, key: str, element_id: str) -> rx.Component:
    return rx.cond(
        errors.contains(key),
        rx.text(
            rx.icon("circle_alert", size=13, display="inline", vertical_align="-2px"),
            " ",
            errors[key],
            id=f"{element_id}-error",
            size="1",
            color_scheme="red",
            weight="medium",
        ),
    )


# Radix draws a field's border as an inset shadow on its root: red while the field is invalid.
INVALID_STYLE: dict[str, Any] = {
    "&:has([aria-invalid='true']), &[aria-invalid='true']": {
        "box-shadow": "inset 0 0 0 1px var(--red-8)",
    },
}


def _invalid_attrs(errors: Any, key: str, element_id: str) -> dict[str, Any]:
    present = errors.contains(key)
    return {
        "aria-invalid": rx.cond(present, "true", "false"),
        "aria-describedby": rx.cond(present, f"{element_id}-error", f"{element_id}-hint"),
    }


# -- overview -------------------------------------------------------------------------------
def _fact(label: str, *value: rx.Component, **props: Any) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray", weight="medium"),
        *value,
        spacing="1",
        min_width="0",
        **props,
    )


def _header() -> rx.Component:
    o = S.overview
    return rx.vstack(
        rx.link(
            rx.hstack(rx.icon("arrow_left", size=14), rx.text("Bookings"), spacing="1"),
            href="/",
            size="2",
            color_scheme="gray",
            underline="hover",
        ),
        rx.hstack(
            rx.vstack(
                rx.hstack(
                    rx.heading(
                        "Booking ",
                        rx.el.span(o.reference, font_family="var(--code-font-family)"),
                        size="7",
                        weight="bold",
                        as_="h1",
                    ),
                    booking_status_badge(o.status),
                    align="center",
                    spacing="3",
                ),
                rx.text(
                    o.guest_name + " · " + o.property_name + " · " + o.stay,
                    size="2",
                    color_scheme="gray",
                ),
                spacing="1",
            ),
            rx.cond(
                ~S.is_cancelled,
                rx.button(
                    rx.icon("ban", size=16),
                    "Cancel booking",
                    color_scheme="red",
                    variant="soft",
                    on_click=S.ask_cancel_booking,
                    loading=S.busy == "cancel_booking",
                    disabled=S.busy != "",
                ),
            ),
            justify="between",
            align="end",
            width="100%",
        ),
        spacing="2",
        width="100%",
    )


def _cancelled_notice() -> rx.Component:
    return rx.cond(
        S.is_cancelled,
        rx.callout(
            rx.text(
                rx.text.strong("This booking is cancelled"),
                rx.cond(S.overview.cancel_reason != "", ": " + S.overview.cancel_reason + ".", "."),
                " Its portfolio is closed: drafts were voided; sent invoices stay listed below.",
            ),
            icon="circle_x",
            color_scheme="red",
            id="booking-cancelled",
            width="100%",
        ),
    )


def _overview() -> rx.Component:
    o, t = S.overview, S.totals
    return _section(
        "Booking overview & accommodation plan",
        "overview",
        rx.card(
            rx.grid(
                _fact(
                    "Guest",
                    rx.text(o.guest_name, weight="medium"),
                    rx.text(o.guest_email, size="1", color_scheme="gray"),
                ),
                _fact(
                    "Property",
                    rx.text(o.property_name, weight="medium"),
                    rx.text("Time zone " + o.timezone, size="1", color_scheme="gray"),
                ),
                _fact(
                    "Stay",
                    rx.text(o.stay, weight="medium"),
                    rx.text(o.nights, size="1", color_scheme="gray"),
                    title="Check-in " + o.check_in + " · check-out " + o.check_out,
                ),
                _fact("Status", rx.box(booking_status_badge(o.status)), id="booking-status"),
                _fact(
                    "Accommodation total",
                    rx.text(o.accommodation_total, weight="medium", **_MONEY),
                    rx.text(o.collected_by, size="1", color_scheme="gray"),
                    id="accommodation-total",
                ),
                _fact(
                    "Accommodation paid",
                    rx.text(t.accommodation_paid, weight="medium", **_MONEY),
                    rx.text(
                        "Outstanding " + t.outstanding_accommodation,
                        size="1",
                        color_scheme="gray",
                        **_MONEY,
                    ),
                ),
                columns=rx.breakpoints(initial="2", md="3", lg="6"),
                spacing="5",
                width="100%",
            ),
            size="2",
            width="100%",
        ),
    )


# -- Trip Portfolio -------------------------------------------------------------------------
def _strategy_tag(row: ObjectVar[ServiceRow]) -> rx.Component:
    tag = rx.badge(
        rx.cond(row.strategy_locked, rx.icon("lock", size=12), rx.fragment()),
        row.strategy,
        variant="surface",
        color_scheme="gray",
        radius="full",
        white_space="nowrap",
        class_name="strategy-tag",
    )
    return rx.cond(
        row.strategy_locked,
        rx.tooltip(
            rx.box(
                tag,
                rx.el.span(" (strategy locked at confirmation)", style=_VISUALLY_HIDDEN),
                title="Strategy locked at confirmation",
                custom_attrs={"data-locked": "true"},
                display="inline-block",
            ),
            content="Strategy locked at confirmation",
        ),
        rx.box(tag, custom_attrs={"data-locked": "false"}, display="inline-block"),
    )


def _service_actions(row: ObjectVar[ServiceRow]) -> rx.Component:
    return rx.vstack(
        rx.cond(
            row.can_confirm,
            rx.button(
                "Confirm",
                size="1",
                on_click=S.ask_confirm_service(row.id),
                disabled=S.busy != "",
            ),
        ),
        rx.cond(
            row.can_refund,
            rx.button(
                "Refund",
                size="1",
                variant=rx.cond(row.refund_required, "solid", "soft"),
                color_scheme="amber",
                on_click=S.open_refund(row.id),
                disabled=S.busy != "",
            ),
        ),
        rx.cond(
            row.can_cancel,
            rx.button(
                "Cancel",
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=S.ask_cancel_service(row.id),
                disabled=S.busy != "",
            ),
        ),
        spacing="1",
        align="end",
    )


def _service_row(row: ObjectVar[ServiceRow]) -> rx.Component:
    cancelled = row.lifecycle == "Cancelled"
    return rx.table.row(
        rx.table.row_header_cell(
            rx.vstack(
                rx.text(
                    row.title,
                    weight="medium",
                    text_decoration=rx.cond(cancelled, "line-through", "none"),
                    color=rx.cond(cancelled, "var(--gray-10)", "inherit"),
                ),
                rx.cond(
                    row.description != "",
                    rx.text(row.description, size="1", color_scheme="gray"),
                ),
                spacing="0",
            ),
            min_width="200px",
        ),
        rx.table.cell(rx.text(row.operator, size="2"), min_width="120px"),
        rx.table.cell(row.service_date, white_space="nowrap"),
        rx.table.cell(_strategy_tag(row)),
        rx.table.cell(
            rx.vstack(
                rx.text(row.amount, weight="medium", **_MONEY),
                rx.text(row.amount_note, size="1", color_scheme="gray", class_name="amount-note"),
                spacing="0",
                align="end",
                text_align="right",
            ),
            **{**_MONEY_CELL, "white_space": "normal"},
            min_width="170px",
            max_width="230px",
        ),
        rx.table.cell(
            rx.vstack(
                rx.box(payment_status_badge(row.payment_status), class_name="payment-status"),
                rx.cond(
                    row.invoice_number != "",
                    rx.text(
                        row.invoice_number, size="1", color_scheme="gray", white_space="nowrap"
                    ),
                ),
                spacing="1",
            ),
        ),
        rx.table.cell(
            rx.vstack(
                rx.box(lifecycle_badge(row.lifecycle), class_name="lifecycle"),
                rx.cond(
                    row.refund_required,
                    rx.badge(
                        rx.icon("undo_2", size=12),
                        "Refund required",
                        color_scheme="red",
                        variant="solid",
                        radius="full",
                        white_space="nowrap",
                        class_name="refund-required",
                    ),
                ),
                spacing="1",
            ),
        ),
        rx.table.cell(_service_actions(row), justify="end"),
        align="center",
        class_name="service-row",
        custom_attrs={"data-service-id": row.id, "data-title": row.title},
    )


def _th(label: str, *, end: bool = False, **props: Any) -> rx.Component:
    return rx.table.column_header_cell(
        label, justify="end" if end else "start", white_space="nowrap", **props
    )


def _portfolio() -> rx.Component:
    table = rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    _th("Service"),
                    _th("Operator"),
                    _th("Date"),
                    _th("Strategy"),
                    _th("Amount", end=True),
                    _th("Payment"),
                    _th("Lifecycle"),
                    _th("Actions", end=True),
                )
            ),
            rx.table.body(rx.foreach(S.services, _service_row)),
            variant="ghost",
            size="2",
            width="100%",
            id="services-table",
        ),
        overflow_x="auto",
    )
    return _section(
        "Trip Portfolio",
        "trip-portfolio",
        rx.card(
            rx.cond(
                S.services.length() > 0,  # type: ignore[attr-defined]
                table,
                _empty_state(
                    "map",
                    "No services yet",
                    "No services yet — add the first one with Add service.",
                    id="services-empty",
                ),
            ),
            size="2",
            width="100%",
        ),
        aside=rx.hstack(
            rx.cond(
                S.services.length() > 0,  # type: ignore[attr-defined]
                rx.badge(S.service_count, variant="surface", size="2"),
            ),
            rx.button(
                rx.icon("plus", size=16),
                "Add service",
                on_click=S.open_add_service,
                disabled=S.is_cancelled | (S.busy != ""),
            ),
            spacing="3",
            align="center",
        ),
    )


# -- Payments panel -------------------------------------------------------------------------
def _line_row(line: ObjectVar[LineRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(line.description),
        rx.table.cell(
            rx.cond(
                line.kind == "deposit",
                rx.badge("Deposit", variant="surface", color_scheme="gray"),
                rx.badge("Full", variant="surface", color_scheme="gray"),
            ),
        ),
        rx.table.cell(line.amount, **_MONEY_CELL),
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
                    rx.table.header(
                        rx.table.row(_th("Line"), _th("Kind"), _th("Amount", end=True))
                    ),
                    rx.table.body(
                        rx.foreach(S.draft_lines, _line_row),
                        rx.table.row(
                            rx.table.row_header_cell(rx.text("Total", weight="bold"), col_span=2),
                            rx.table.cell(
                                rx.text(S.draft_total, weight="bold", id="draft-total"),
                                **_MONEY_CELL,
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
                    ),
                ),
                spacing="0",
            ),
        ),
        rx.table.cell(rx.box(invoice_status_badge(inv.status), class_name="invoice-status")),
        rx.table.cell(_invoice_dates(inv)),
        rx.table.cell(rx.code(inv.currency, variant="ghost", color_scheme="gray")),
        rx.table.cell(rx.text(inv.total, weight="medium"), **_MONEY_CELL),
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
                                _th("Invoice"),
                                _th("Status"),
                                _th("Dates"),
                                _th("Currency"),
                                _th("Total", end=True),
                                _th("", end=True),
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
                _empty_state(
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
        rx.text(value, size="2", weight="bold" if strong else "medium", id=element_id, **_MONEY),
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
                    **_MONEY,
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


def _payments_panel() -> rx.Component:
    return _section(
        "Payments panel",
        "payments-panel",
        rx.vstack(
            _refunds_due(),
            rx.grid(
                rx.vstack(_draft_card(), _invoices_card(), spacing="4", width="100%"),
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


# -- dialogs --------------------------------------------------------------------------------
def _confirm_dialog() -> rx.Component:
    destructive = S.confirm_kind != "confirm"
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(S.confirm_title),
            rx.alert_dialog.description(S.confirm_body, size="2"),
            rx.form(
                rx.vstack(
                    rx.cond(
                        S.confirm_needs_reason,
                        rx.vstack(
                            _label(S.confirm_reason_label, "confirm-reason"),
                            rx.text_area(
                                id="confirm-reason",
                                style=INVALID_STYLE,
                                name="reason",
                                rows="2",
                                width="100%",
                                auto_focus=True,
                                custom_attrs={
                                    "aria-invalid": rx.cond(
                                        S.confirm_error_field == "reason", "true", "false"
                                    ),
                                    "aria-describedby": "confirm-reason-error",
                                },
                            ),
                            rx.cond(
                                S.confirm_error_field == "reason",
                                rx.text(
                                    S.confirm_error,
                                    id="confirm-reason-error",
                                    size="1",
                                    color_scheme="red",
                                    weight="medium",
                                ),
                            ),
                            spacing="1",
                            width="100%",
                        ),
                    ),
                    rx.cond(
                        (S.confirm_error != "") & (S.confirm_error_field == ""),
                        rx.callout(
                            S.confirm_error,
                            icon="triangle_alert",
                            color_scheme="red",
                            role="alert",
                            width="100%",
                        ),
                    ),
                    rx.hstack(
                        rx.alert_dialog.cancel(
                            rx.button(
                                "Go back",
                                variant="soft",
                                color_scheme="gray",
                                type="button",
                                disabled=S.busy != "",
                            ),
                        ),
                        rx.button(
                            S.confirm_action,
                            type="submit",
                            color_scheme=rx.cond(destructive, "red", "teal"),
                            loading=S.busy != "",
                            id="confirm-action",
                        ),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="4",
                    width="100%",
                    margin_top="16px",
                ),
                on_submit=S.run_confirmed,
                reset_on_submit=False,
            ),
            max_width="480px",
            id="confirm-dialog",
        ),
        open=S.confirm_kind != "",
        on_open_change=S.close_confirm,
    )


def _operator_item(option: ObjectVar[OperatorOption]) -> rx.Component:
    return rx.select.item(option.name, value=option.id)


def _add_service_dialog() -> rx.Component:
    errors = S.form_errors

    def field(
        label: str, element_id: str, key: str, control: rx.Component, hint: Any = None
    ) -> rx.Component:
        return rx.vstack(
            _label(label, element_id),
            control,
            _field_error(errors, key, element_id),
            rx.cond(
                ~errors.contains(key),  # type: ignore[attr-defined]
                rx.text(hint, id=f"{element_id}-hint", size="1", color_scheme="gray")
                if hint is not None
                else rx.fragment(),
            ),
            spacing="1",
            width="100%",
        )

    currency_slot = rx.input.slot(rx.text(S.overview.currency, size="1", color_scheme="gray"))
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Add service"),
            rx.dialog.description(
                "The service starts as a draft on the Trip Portfolio. Check the strategy: it is "
                "locked when you confirm.",
                size="2",
                color_scheme="gray",
            ),
            rx.form(
                rx.vstack(
                    field(
                        "Title",
                        "service-title",
                        "title",
                        rx.input(
                            id="service-title",
                            name="title",
                            placeholder="e.g. Sunset sailing tour for four",
                            width="100%",
                            style=INVALID_STYLE,
                            custom_attrs=_invalid_attrs(errors, "title", "service-title"),
                        ),
                    ),
                    field(
                        "Description",
                        "service-description",
                        "description",
                        rx.text_area(
                            id="service-description",
                            name="description",
                            rows="2",
                            placeholder="What the guest sees on the line",
                            width="100%",
                        ),
                    ),
                    rx.grid(
                        field(
                            "Operator",
                            "service-operator",
                            "operator",
                            rx.select.root(
                                rx.select.trigger(
                                    id="service-operator",
                                    placeholder="Choose an operator",
                                    width="100%",
                                    style=INVALID_STYLE,
                                    custom_attrs=_invalid_attrs(
                                        errors, "operator", "service-operator"
                                    ),
                                ),
                                rx.select.content(rx.foreach(S.operators, _operator_item)),
                                name="operator",
                            ),
                        ),
                        field(
                            "Service date",
                            "service-date",
                            "service_date",
                            rx.input(
                                id="service-date",
                                name="service_date",
                                type="date",
                                default_value=S.overview.check_in_iso,
                                width="100%",
                                style=INVALID_STYLE,
                                custom_attrs=_invalid_attrs(errors, "service_date", "service-date"),
                            ),
                        ),
                        columns="2",
                        spacing="3",
                        width="100%",
                    ),
                    field(
                        "Payment strategy",
                        "service-strategy",
                        "strategy",
                        rx.select.root(
                            rx.select.trigger(
                                id="service-strategy",
                                placeholder="Choose how payment is handled",
                                width="100%",
                                style=INVALID_STYLE,
                                custom_attrs=_invalid_attrs(errors, "strategy", "service-strategy"),
                            ),
                            rx.select.content(
                                *[
                                    rx.select.item(label, value=value)
                                    for value, label in STRATEGY_CHOICES
                                ]
                            ),
                            name="strategy",
                            value=S.form_strategy,
                            on_change=S.set_form_strategy,
                        ),
                        hint=rx.match(
                            S.form_strategy,
                            *STRATEGY_HELP.items(),
                            "Only the two platform-collects strategies put a line on the invoice.",
                        ),
                    ),
                    rx.grid(
                        field(
                            "Gross price",
                            "service-gross",
                            "gross_price",
                            rx.input(
                                currency_slot,
                                id="service-gross",
                                name="gross_price",
                                input_mode="decimal",
                                placeholder="0.00",
                                width="100%",
                                text_align="right",
                                font_variant_numeric="tabular-nums",
                                style=INVALID_STYLE,
                                custom_attrs=_invalid_attrs(errors, "gross_price", "service-gross"),
                            ),
                            hint="What the guest pays for the service in total.",
                        ),
                        field(
                            "Deposit",
                            "service-deposit",
                            "deposit",
                            rx.input(
                                rx.input.slot(
                                    rx.text(S.overview.currency, size="1", color_scheme="gray")
                                ),
                                id="service-deposit",
                                name="deposit",
                                input_mode="decimal",
                                placeholder=rx.cond(S.needs_deposit, "0.00", "—"),
                                disabled=~S.needs_deposit,
                                width="100%",
                                text_align="right",
                                font_variant_numeric="tabular-nums",
                                style=INVALID_STYLE,
                                custom_attrs=_invalid_attrs(errors, "deposit", "service-deposit"),
                            ),
                            hint=rx.cond(
                                S.needs_deposit,
                                "Invoiced now; the operator collects the balance.",
                                "Only for Platform Collects Deposit.",
                            ),
                        ),
                        columns="2",
                        spacing="3",
                        width="100%",
                    ),
                    rx.cond(
                        errors.contains("form"),  # type: ignore[attr-defined]
                        rx.callout(
                            errors["form"],
                            icon="triangle_alert",
                            color_scheme="red",
                            role="alert",
                            width="100%",
                        ),
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button(
                                "Close",
                                variant="soft",
                                color_scheme="gray",
                                type="button",
                                disabled=S.busy == "add",
                            )
                        ),
                        rx.button(
                            "Add service",
                            type="submit",
                            loading=S.busy == "add",
                            id="add-service-submit",
                        ),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                    margin_top="16px",
                ),
                on_submit=S.add_service,
                reset_on_submit=False,
                id="add-service-form",
            ),
            max_width="560px",
            id="add-service-dialog",
        ),
        open=S.adding,
        on_open_change=S.close_add_service,
    )


def _refund_dialog() -> rx.Component:
    errors = S.refund_errors
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Refund '" + S.refund_service_title + "'"),
            rx.dialog.description(
                "The guest paid " + S.refund_paid + " for this service. The refund goes back "
                "through the payment connector; the booking's totals show it at once.",
                size="2",
                color_scheme="gray",
            ),
            rx.form(
                rx.vstack(
                    rx.vstack(
                        _label("Amount", "refund-amount"),
                        rx.input(
                            rx.input.slot(
                                rx.text(S.overview.currency, size="1", color_scheme="gray")
                            ),
                            id="refund-amount",
                            name="amount",
                            default_value=S.refund_default,
                            input_mode="decimal",
                            width="100%",
                            text_align="right",
                            font_variant_numeric="tabular-nums",
                            style=INVALID_STYLE,
                            custom_attrs=_invalid_attrs(errors, "amount", "refund-amount"),
                        ),
                        _field_error(errors, "amount", "refund-amount"),
                        spacing="1",
                        width="100%",
                    ),
                    rx.vstack(
                        _label("Note", "refund-note"),
                        rx.text_area(
                            id="refund-note",
                            name="note",
                            rows="2",
                            placeholder="Why the guest is refunded (kept on the booking)",
                            width="100%",
                            style=INVALID_STYLE,
                            custom_attrs=_invalid_attrs(errors, "note", "refund-note"),
                        ),
                        _field_error(errors, "note", "refund-note"),
                        spacing="1",
                        width="100%",
                    ),
                    rx.cond(
                        errors.contains("form"),  # type: ignore[attr-defined]
                        rx.callout(
                            errors["form"],
                            icon="triangle_alert",
                            color_scheme="red",
                            role="alert",
                            width="100%",
                        ),
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button(
                                "Go back",
                                variant="soft",
                                color_scheme="gray",
                                type="button",
                                disabled=S.busy == "refund",
                            )
                        ),
                        rx.button(
                            "Issue refund",
                            type="submit",
                            color_scheme="amber",
                            loading=S.busy == "refund",
                            id="refund-submit",
                        ),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                    margin_top="16px",
                ),
                on_submit=S.issue_refund,
                reset_on_submit=False,
            ),
            max_width="460px",
            id="refund-dialog",
        ),
        open=S.refund_service_id != "",
        on_open_change=S.close_refund,
    )


# -- page -----------------------------------------------------------------------------------
def _loading() -> rx.Component:
    return rx.card(
        rx.center(
            rx.hstack(
                rx.spinner(size="3"),
                rx.text("Loading the booking…", color_scheme="gray"),
                align="center",
                spacing="3",
            ),
            padding_y="64px",
        ),
        id="booking-loading",
        width="100%",
    )


def _not_found() -> rx.Component:
    return rx.card(
        rx.vstack(
            _empty_state(
                "search_x",
                "Booking not found",
                S.not_found + " Check the reference, or pick the booking from the list.",
            ),
            rx.link(
                rx.hstack(rx.icon("arrow_left", size=14), "Back to the bookings", spacing="1"),
                href="/",
                weight="medium",
            ),
            align="center",
            padding_bottom="32px",
        ),
        id="booking-not-found",
        width="100%",
    )


def _error() -> rx.Component:
    return rx.callout(
        S.error, icon="triangle_alert", color_scheme="red", role="alert", id="booking-error"
    )


def _booking() -> rx.Component:
    return rx.vstack(
        _header(),
        _cancelled_notice(),
        _overview(),
        _portfolio(),
        _payments_panel(),
        spacing="6",
        width="100%",
    )


def booking_page() -> rx.Component:
    return page_shell(
        rx.match(
            S.view,
            ("loading", _loading()),
            ("not-found", _not_found()),
            ("error", _error()),
            _booking(),
        ),
        _confirm_dialog(),
        _add_service_dialog(),
        _refund_dialog(),
        live_updates(S.poll),
        active="Bookings",
    )
