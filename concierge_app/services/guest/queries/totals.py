"""Booking totals: what a booking has invoiced, paid and still owes, for one or many bookings
with a fixed number of statements.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from concierge_app.db.bookings import AccommodationPayment, Booking
from concierge_app.db.engine import Database
from concierge_app.db.invoicing import GuestInvoice
from concierge_app.db.payments import PaymentAttempt, Refund
from concierge_app.domain.checkout import CheckoutStatus
from concierge_app.domain.lifecycle import BookingStatus, InvoiceStatus
from concierge_app.domain.money import Money
from concierge_app.domain.statuses import RefundStatus
from concierge_app.services.shared.common import load


@dataclass(frozen=True, slots=True)
class BookingTotals:
    """Overall paid = concierge paid (paid invoices − refunds) + accommodation payments."""

    currency: str
    accommodation_total: Money
    accommodation_paid: Money
    concierge_invoiced: Money  # Active + Paid invoices
    concierge_paid: Money  # Paid invoices
    refunded: Money
    unapplied: Money  # captured for invoices voided meanwhile: to refund
    outstanding_concierge: Money  # Active invoices
    outstanding_accommodation: Money
    accommodation_billed: Money

    @property
    def concierge_net_paid(self) -> Money:
        return self.concierge_paid - self.refunded

    @property
    def overall_paid(self) -> Money:
        return self.concierge_net_paid + self.accommodation_paid

    @property
    def outstanding(self) -> Money:
        return self.outstanding_concierge + self.outstanding_accommodation

    @property
    def invoiced(self) -> Money:
        """Concierge invoices sent, plus the stay (only what was paid, once cancelled)."""
        return self.concierge_invoiced + self.accommodation_billed


def totals_by_booking(session: Session, bookings: Sequence[Booking]) -> dict[int, BookingTotals]:
    ids = [b.id for b in bookings]
    by_status: dict[tuple[int, str], int] = defaultdict(int)
    for booking_id, status, amount in session.exec(
        select(GuestInvoice.booking_id, GuestInvoice.status, func.sum(GuestInvoice.total_minor))
        .where(col(GuestInvoice.booking_id).in_(ids))
        .group_by(col(GuestInvoice.booking_id), col(GuestInvoice.status))
    ).all():
        by_status[(booking_id, status)] = int(amount or 0)

    def sums(stmt: object) -> dict[int, int]:
        return {k: int(v or 0) for k, v in session.exec(stmt).all()}  # type: ignore[call-overload]

    accommodation = sums(
        select(AccommodationPayment.booking_id, func.sum(AccommodationPayment.amount_minor))
        .where(col(AccommodationPayment.booking_id).in_(ids))
        .group_by(col(AccommodationPayment.booking_id))
    )
    refunded = sums(
        select(Refund.booking_id, func.sum(Refund.amount_minor))
        .where(col(Refund.booking_id).in_(ids), Refund.status == RefundStatus.SUCCEEDED)
        .group_by(col(Refund.booking_id))
    )
    unapplied = sums(
        select(PaymentAttempt.booking_id, func.sum(PaymentAttempt.unapplied_minor))
        .where(
            col(PaymentAttempt.booking_id).in_(ids),
            PaymentAttempt.status == CheckoutStatus.SUCCEEDED,
        )
        .group_by(col(PaymentAttempt.booking_id))
    )
    result = {}
    for b in bookings:
        assert b.id is not None
        cur = b.currency

        def m(minor: int, cur: str = cur) -> Money:
            return Money(minor, cur)

        active = by_status[(b.id, InvoiceStatus.ACTIVE.value)]
        paid = by_status[(b.id, InvoiceStatus.PAID.value)]
        acc_paid = accommodation.get(b.id, 0)
        acc_due = (
            0
            if b.status == BookingStatus.CANCELLED
            else max(0, b.accommodation_total_minor - acc_paid)
        )
        result[b.id] = BookingTotals(
            currency=cur,
            accommodation_total=m(b.accommodation_total_minor),
            accommodation_paid=m(acc_paid),
            concierge_invoiced=m(active + paid),
            concierge_paid=m(paid),
            refunded=m(refunded.get(b.id, 0)),
            unapplied=m(unapplied.get(b.id, 0)),
            outstanding_concierge=m(active),
            outstanding_accommodation=m(acc_due),
            accommodation_billed=m(
                acc_paid if b.status == BookingStatus.CANCELLED else b.accommodation_total_minor
            ),
        )
    return result


def booking_totals(*, db: Database, booking_id: int) -> BookingTotals:
    with db.read() as session:
        booking = load(session, Booking, booking_id, "Booking")
        return totals_by_booking(session, [booking])[booking_id]
