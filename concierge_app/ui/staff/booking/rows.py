"""What the booking page shows, formatted: its overview, Trip Portfolio rows, invoices, refunds
and totals, built from the views of `services.guest.queries`. Money reaches the browser only as
formatted strings.
"""

from __future__ import annotations

import dataclasses

from concierge_app.domain.formatting import format_day, format_moment, format_money
from concierge_app.domain.lifecycle import InvoiceStatus, ServiceLifecycle, can_transition
from concierge_app.domain.statuses import RefundSource
from concierge_app.domain.strategies import PaymentStrategy
from concierge_app.services.guest.consequences import cancel_consequence, confirm_consequence
from concierge_app.services.guest.queries import (
    BookingHeader,
    InvoiceView,
    PaymentsPanel,
    RefundLineView,
    ServiceView,
)
from concierge_app.ui.shared.stay import format_stay, nights_text

STRATEGY_CHOICES: list[tuple[str, str]] = [(s.value, s.label) for s in PaymentStrategy]
DEPOSIT_STRATEGY = PaymentStrategy.PLATFORM_COLLECTS_DEPOSIT.value


DESCRIPTION_PREVIEW_CHARS = 180  # about what three lines of the Service column hold

COLLECTORS = {"platform": "Paid to the platform", "property": "Paid at the property"}


@dataclasses.dataclass(frozen=True)
class Overview:
    """The booking overview and accommodation plan, formatted."""

    reference: str = ""
    status: str = ""  # "confirmed" / "cancelled"
    cancel_reason: str = ""
    guest_name: str = ""
    guest_email: str = ""
    property_name: str = ""
    timezone: str = ""
    stay: str = ""
    check_in: str = ""
    check_out: str = ""
    check_in_iso: str = ""
    nights: str = ""
    currency: str = ""
    accommodation_total: str = ""
    collected_by: str = ""


@dataclasses.dataclass(frozen=True)
class ServiceRow:
    """One service of the Trip Portfolio, every field formatted for display."""

    id: str
    title: str
    description: str
    long_description: bool  # more than the table's three lines: it offers "Show all"
    operator: str
    service_date: str
    strategy: str  # the label, e.g. "Platform Collects Deposit"
    strategy_locked: bool
    lifecycle: str  # "Draft" / "Confirmed" / "Cancelled"
    amount: str  # the gross price
    amount_note: str  # who collects what, e.g. "Deposit €300.00 · balance €1,200.00 to …"
    billed: str
    invoice_number: str
    payment_status: str  # a ServicePaymentStatus value, or "" while unconfirmed / cancelled
    refund_required: bool
    can_confirm: bool
    can_cancel: bool
    can_refund: bool


@dataclasses.dataclass(frozen=True)
class LineRow:
    id: str
    description: str
    kind: str
    amount: str


@dataclasses.dataclass(frozen=True)
class DocumentRow:
    """A guest document of the booking (a sent invoice, a receipt or a credit note), its PDF a
    link away."""

    title: str
    date: str
    amount: str
    url: str


@dataclasses.dataclass(frozen=True)
class InvoiceRow:
    id: str
    number: str
    status: str  # "Draft" / "Active" / "Paid" / "Voided"
    total: str
    currency: str
    created: str
    sent: str
    paid: str
    voided: str
    void_reason: str
    lines: list[LineRow]
    can_void: bool


@dataclasses.dataclass(frozen=True)
class RefundRow:
    id: str
    when: str
    service: str
    amount: str
    status: str  # "Refunded" / "Pending" / "Failed"
    at_provider: bool  # made at the payment provider, not from the Refund dialog
    note: str


REFUND_STATUS_LABELS = {"succeeded": "Refunded", "pending": "Pending", "failed": "Failed"}


@dataclasses.dataclass(frozen=True)
class TotalsView:
    concierge_paid: str = ""
    refunded: str = ""
    concierge_net_paid: str = ""
    accommodation_paid: str = ""
    overall_paid: str = ""
    outstanding_concierge: str = ""
    outstanding_accommodation: str = ""
    outstanding: str = ""
    unapplied: str = ""
    has_refunds: bool = False
    has_unapplied: bool = False
    is_outstanding: bool = False


@dataclasses.dataclass(frozen=True)
class OperatorOption:
    id: str
    name: str
    category: str


def to_overview(header: BookingHeader) -> Overview:
    return Overview(
        reference=header.reference,
        status=str(header.status),
        cancel_reason=header.cancel_reason or "",
        guest_name=header.guest_name,
        guest_email=header.guest_email,
        property_name=header.property_name,
        timezone=header.property_timezone,
        stay=format_stay(header.check_in, header.check_out),
        check_in=format_day(header.check_in),
        check_out=format_day(header.check_out),
        check_in_iso=header.check_in.isoformat(),
        nights=nights_text(header.check_in, header.check_out),
        currency=header.currency,
        accommodation_total=format_money(header.accommodation_total),
        collected_by=COLLECTORS.get(
            str(header.accommodation_collected_by), str(header.accommodation_collected_by)
        ),
    )


def amount_note(view: ServiceView) -> str:
    """Who collects what, in the guide's words."""
    strategy = view.strategy
    if strategy is PaymentStrategy.PLATFORM_COLLECTS_DEPOSIT and view.deposit is not None:
        return (
            f"Deposit {format_money(view.deposit)} · balance "
            f"{format_money(view.provider_collects)} to the provider"
        )
    if strategy is PaymentStrategy.OPERATOR_COLLECTS_FULL:
        return "Guest pays the provider"
    if strategy is PaymentStrategy.INCLUDED_IN_STAY:
        return "Included in the stay"
    return "Invoiced in full"


def is_long_description(text: str) -> bool:
    """More than the Trip Portfolio shows of a description (three lines of its column)."""
    return len(text) > DESCRIPTION_PREVIEW_CHARS or text.count("\n") >= 3


def to_service_row(view: ServiceView, *, booking_open: bool) -> ServiceRow:
    lifecycle = view.lifecycle
    return ServiceRow(
        id=str(view.id),
        title=view.title,
        description=view.description,
        long_description=is_long_description(view.description),
        operator=view.operator_name,
        service_date=format_day(view.service_date),
        strategy=view.strategy.label,
        strategy_locked=lifecycle is not ServiceLifecycle.DRAFT,
        lifecycle=lifecycle.label,
        amount=format_money(view.gross),
        amount_note=amount_note(view),
        billed="" if view.billed is None else format_money(view.billed),
        invoice_number=view.invoice_number or "",
        payment_status="" if view.payment_status is None else view.payment_status.value,
        refund_required=view.refund_required,
        can_confirm=booking_open and lifecycle is ServiceLifecycle.DRAFT,
        can_cancel=booking_open and lifecycle is not ServiceLifecycle.CANCELLED,
        can_refund=view.refundable.minor > 0,
    )


def to_invoice_row(view: InvoiceView, timezone: str) -> InvoiceRow:
    return InvoiceRow(
        id=str(view.id),
        number=view.number or "",
        status=view.status.label,
        total=format_money(view.total),
        currency=view.total.currency,
        created=format_moment(view.created_at, timezone),
        sent=format_moment(view.issued_at, timezone),
        paid=format_moment(view.paid_at, timezone),
        voided=format_moment(view.voided_at, timezone),
        void_reason=view.void_reason or "",
        lines=[
            LineRow(
                id=str(line.id),
                description=line.description,
                kind=str(line.kind),
                amount=format_money(line.amount),
            )
            for line in view.lines
        ],
        can_void=can_transition(view.status, InvoiceStatus.VOIDED),
    )


def to_totals(panel: PaymentsPanel) -> TotalsView:
    t = panel.totals
    return TotalsView(
        concierge_paid=format_money(t.concierge_paid),
        refunded=format_money(t.refunded),
        concierge_net_paid=format_money(t.concierge_net_paid),
        accommodation_paid=format_money(t.accommodation_paid),
        overall_paid=format_money(t.overall_paid),
        outstanding_concierge=format_money(t.outstanding_concierge),
        outstanding_accommodation=format_money(t.outstanding_accommodation),
        outstanding=format_money(t.outstanding),
        unapplied=format_money(t.unapplied),
        has_refunds=not t.refunded.is_zero,
        has_unapplied=not t.unapplied.is_zero,
        is_outstanding=t.outstanding.minor > 0,
    )


def service_notes(view: ServiceView) -> dict[str, str]:
    billed = "" if view.billed is None else format_money(view.billed)
    return {
        "title": view.title,
        "confirm": confirm_consequence(view),
        "cancel": cancel_consequence(view),
        "billed": billed,
        "refund_default": view.refundable.amount_text() if view.refund_required else "",
    }


def to_refund_row(view: RefundLineView, timezone: str) -> RefundRow:
    return RefundRow(
        id=str(view.id),
        when=format_moment(view.created_at, timezone),
        service=view.service_title,
        amount=format_money(view.amount),
        status=REFUND_STATUS_LABELS.get(view.status, view.status),
        at_provider=view.source == RefundSource.PROVIDER,
        note=view.note,
    )
