"""The Payments panel of a booking: its invoices with their lines, and its refunds."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from concierge_app.db.bookings import Booking, ServiceItem
from concierge_app.db.engine import Database
from concierge_app.db.invoicing import GuestInvoice, InvoiceLine
from concierge_app.db.payments import Refund
from concierge_app.domain.lifecycle import (
    InvoiceStatus,
)
from concierge_app.domain.money import Money
from concierge_app.services.guest.queries.totals import BookingTotals, totals_by_booking
from concierge_app.services.shared.common import id_of, load


@dataclass(frozen=True, slots=True)
class LineView:
    id: int
    service_id: int
    description: str
    kind: str
    amount: Money


@dataclass(frozen=True, slots=True)
class InvoiceView:
    id: int
    number: str | None
    status: InvoiceStatus
    total: Money
    created_at: datetime
    issued_at: datetime | None
    paid_at: datetime | None
    voided_at: datetime | None
    void_reason: str | None
    lines: tuple[LineView, ...]


@dataclass(frozen=True, slots=True)
class RefundLineView:
    """A refund of the booking: from the Refund dialog, or made at the payment provider."""

    id: int
    service_title: str
    amount: Money
    status: str  # pending / succeeded / failed
    source: str  # ledger / provider
    note: str
    provider_reference: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PaymentsPanel:
    booking_id: int
    reference: str
    currency: str
    booking_status: str
    draft: InvoiceView | None
    invoices: tuple[InvoiceView, ...]  # every invoice, newest first (the draft included)
    totals: BookingTotals
    refunds: tuple[RefundLineView, ...] = ()  # newest first


def _refund_lines(session: Session, booking_id: int) -> tuple[RefundLineView, ...]:
    rows = session.exec(
        select(Refund, ServiceItem.title)
        .join(ServiceItem, col(ServiceItem.id) == Refund.service_item_id)
        .where(Refund.booking_id == booking_id)
        .order_by(col(Refund.id).desc())
    ).all()
    return tuple(
        RefundLineView(
            id_of(r),
            title,
            Money(r.amount_minor, r.currency),
            r.status,
            r.source,
            r.note,
            r.provider_reference,
            r.created_at,
        )
        for r, title in rows
    )


def payments_panel(*, db: Database, booking_id: int) -> PaymentsPanel:
    """The booking's invoices with status, number, total, currency, dates and lines."""
    with db.read() as session:
        booking = load(session, Booking, booking_id, "Booking")
        invoices = session.exec(
            select(GuestInvoice)
            .where(GuestInvoice.booking_id == booking_id)
            .order_by(col(GuestInvoice.id).desc())
        ).all()
        lines: dict[int, list[LineView]] = defaultdict(list)
        for ln in session.exec(
            select(InvoiceLine)
            .where(col(InvoiceLine.invoice_id).in_([i.id for i in invoices]))
            .order_by(col(InvoiceLine.id))
        ).all():
            lines[ln.invoice_id].append(
                LineView(
                    id_of(ln),
                    ln.service_item_id,
                    ln.description,
                    ln.kind,
                    Money(ln.amount_minor, ln.currency),
                )
            )
        views = tuple(
            InvoiceView(
                id_of(i),
                i.number,
                InvoiceStatus(i.status),
                Money(i.total_minor, i.currency),
                i.created_at,
                i.issued_at,
                i.paid_at,
                i.voided_at,
                i.void_reason,
                tuple(lines[id_of(i)]),
            )
            for i in invoices
        )
        draft = next((v for v in views if v.status is InvoiceStatus.DRAFT), None)
        return PaymentsPanel(
            booking_id,
            booking.reference,
            booking.currency,
            booking.status,
            draft,
            views,
            totals_by_booking(session, [booking])[booking_id],
            _refund_lines(session, booking_id),
        )
