"""Refunds of paid services: never more than was paid, always with a note; commission reversed."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from ..db.bookings import ServiceItem
from ..db.engine import Database
from ..db.invoicing import GuestInvoice, InvoiceLine
from ..db.payments import Commission, CommissionKind, Refund, RefundStatus
from ..domain.errors import Conflict, DomainError, InvalidAmount
from ..domain.lifecycle import InvoiceStatus, ServiceLifecycle
from ..domain.money import Money, Rounding
from .audit import record_event
from .common import id_of, lock_with_booking
from .invoicing import live_line


@dataclass(frozen=True, slots=True)
class RefundView:
    id: int
    service_id: int
    amount: Money
    note: str
    refundable_left: Money
    commission_reversed: Money


def refundable(session: Session, service: ServiceItem) -> tuple[InvoiceLine, GuestInvoice, Money]:
    """The service's paid line and invoice, and how much of it can still be refunded."""
    found = live_line(session, id_of(service))
    if found is None or found[1].status != InvoiceStatus.PAID:
        raise DomainError(f"'{service.title}' has not been paid, so there is nothing to refund.")
    line, invoice = found
    refunded = session.exec(
        select(func.coalesce(func.sum(Refund.amount_minor), 0)).where(
            Refund.service_item_id == service.id, Refund.status != RefundStatus.FAILED
        )
    ).one()
    return line, invoice, Money(line.amount_minor - int(refunded), line.currency)


def record_refund(
    *,
    db: Database,
    service_id: int,
    amount: Money,
    note: str,
    actor: str,
    idempotency_key: str | None = None,
    provider_reference: str | None = None,
) -> RefundView:
    """Record a refund for a paid service. Repeating the same idempotency key changes nothing."""
    note = note.strip()
    if not note:
        raise DomainError("Add a note saying why the guest is refunded.", field="note")
    if amount.minor <= 0:
        raise InvalidAmount("The refund must be more than zero.", field="amount")
    key = idempotency_key or f"refund_{secrets.token_hex(12)}"
    with db.transaction() as session:
        booking, service = lock_with_booking(session, ServiceItem, service_id, "Service")
        previous = session.exec(select(Refund).where(Refund.idempotency_key == key)).first()
        if previous is not None:
            if (previous.service_item_id, previous.amount_minor) != (service_id, amount.minor):
                raise Conflict("This refund request was already used for another refund.")
            _, _, left = refundable(session, service)
            reversed_ = session.exec(
                select(Commission).where(Commission.refund_id == previous.id)
            ).first()
            return RefundView(
                id_of(previous),
                service_id,
                amount,
                previous.note,
                left,
                Money(reversed_.amount_minor if reversed_ else 0, amount.currency),
            )
        line, invoice, left = refundable(session, service)
        if amount.currency != left.currency:
            raise InvalidAmount(
                f"Refund in {left.currency}, the currency the guest paid in.", field="amount"
            )
        if amount > left:
            paid = Money(line.amount_minor, line.currency)
            raise InvalidAmount(
                f"You can refund at most {left} for '{service.title}' (paid {paid}, already "
                f"refunded {paid - left}).",
                field="amount",
            )
        if invoice.paid_by_attempt_id is None:
            raise Conflict(f"Invoice {invoice.number} is paid but its payment is not recorded.")
        refund = Refund(
            booking_id=id_of(booking),
            service_item_id=service_id,
            attempt_id=invoice.paid_by_attempt_id,
            amount_minor=amount.minor,
            currency=amount.currency,
            note=note,
            status=RefundStatus.SUCCEEDED.value,
            idempotency_key=key,
            provider_reference=provider_reference,
            created_by=actor,
        )
        session.add(refund)
        session.flush()
        reversed_amount = _reverse_commission(
            session,
            service,
            line,
            refund,
            refunded_after=line.amount_minor - left.minor + amount.minor,
        )
        left_after = left - amount
        if left_after.is_zero and service.lifecycle == ServiceLifecycle.CANCELLED:
            service.refund_required = False
            session.add(service)
        record_event(
            session,
            actor=actor,
            action="refund.recorded",
            subject=f"refund:{refund.id}",
            booking_id=booking.id,
            data={
                "service": service_id,
                "amount": str(amount),
                "note": note,
                "commission_reversed": str(reversed_amount),
            },
        )
        return RefundView(id_of(refund), service_id, amount, note, left_after, reversed_amount)


def _reverse_commission(
    session: Session,
    service: ServiceItem,
    line: InvoiceLine,
    refund: Refund,
    *,
    refunded_after: int,
) -> Money:
    """Reverse the commission in proportion to what is refunded in total (half-up); a full
    refund reverses exactly what was earned, so the rounding never leaves a remainder."""
    rows = session.exec(
        select(Commission).where(
            Commission.service_item_id == service.id, Commission.attempt_id == refund.attempt_id
        )
    ).all()
    earned = next((c for c in rows if c.kind == CommissionKind.EARNED), None)
    if earned is None:
        return Money.zero(refund.currency)
    reversed_so_far = sum(c.amount_minor for c in rows if c.kind == CommissionKind.REVERSED)
    target = Money(earned.amount_minor, earned.currency).fraction(
        refunded_after, line.amount_minor, rounding=Rounding.HALF_UP
    )
    reversal = target.minor - reversed_so_far
    if reversal > 0:
        session.add(
            Commission(
                partner_id=earned.partner_id,
                booking_id=earned.booking_id,
                service_item_id=id_of(service),
                attempt_id=refund.attempt_id,
                refund_id=refund.id,
                kind=CommissionKind.REVERSED.value,
                base_minor=refund.amount_minor,
                rate_bps=earned.rate_bps,
                amount_minor=reversal,
                currency=refund.currency,
                accrual_date=service.service_date,
            )
        )
    return Money(max(reversal, 0), refund.currency)
