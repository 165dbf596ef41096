"""Refunds of paid services: never more than was paid, always with a note; commission reversed;
the guest's credit note issued once the money has gone back (`credit_notes`)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from concierge_app.adapters.payments.configured import refund_gateway
from concierge_app.adapters.payments.gateway import GatewayError, GatewayUnavailable, RefundGateway
from concierge_app.db.bookings import ServiceItem
from concierge_app.db.engine import Database
from concierge_app.db.invoicing import GuestInvoice, InvoiceLine
from concierge_app.db.payments import Commission, PaymentAttempt, Refund
from concierge_app.domain.errors import Conflict, DomainError, InvalidAmount
from concierge_app.domain.lifecycle import InvoiceStatus, ServiceLifecycle
from concierge_app.domain.money import Money, Rounding
from concierge_app.domain.statuses import CommissionKind, RefundStatus
from concierge_app.services.guest.credit_notes import issue_credit_notes
from concierge_app.services.guest.invoicing import live_line
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import id_of, lock_with_booking
from concierge_app.services.shared.permissions import Permission, require_in


@dataclass(frozen=True, slots=True)
class RefundView:
    id: int
    service_id: int
    amount: Money
    note: str
    status: str
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


def still_refundable(session: Session, service: ServiceItem) -> Money:
    """What the guest paid for the service and has not had back (zero when unpaid)."""
    found = live_line(session, id_of(service))
    if found is None or found[1].status != InvoiceStatus.PAID:
        return Money.zero(service.currency)
    return refundable(session, service)[2]


def _checked_note(amount: Money, note: str) -> str:
    note = note.strip()
    if not note:
        raise DomainError("Add a note saying why the guest is refunded.", field="note")
    if amount.minor <= 0:
        raise InvalidAmount("The refund must be more than zero.", field="amount")
    return note


def _reserve(
    session: Session, *, service_id: int, amount: Money, note: str, actor: str, key: str
) -> tuple[Refund, bool]:
    """Claim `amount` of what the service's payment can still give back: a pending refund.

    Returns the refund and whether it is new (False when the idempotency key was seen before).
    """
    _, service = lock_with_booking(session, ServiceItem, service_id, "Service")
    previous = session.exec(select(Refund).where(Refund.idempotency_key == key)).first()
    if previous is not None:
        if (previous.service_item_id, previous.amount_minor) != (service_id, amount.minor):
            raise Conflict("This refund request was already used for another refund.")
        return previous, False
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
        booking_id=service.booking_id,
        service_item_id=service_id,
        attempt_id=invoice.paid_by_attempt_id,
        amount_minor=amount.minor,
        currency=amount.currency,
        note=note,
        status=RefundStatus.PENDING.value,
        idempotency_key=key,
        created_by=actor,
    )
    session.add(refund)
    session.flush()
    return refund, True


def settle_refund(
    session: Session, refund: Refund, provider_reference: str | None, actor: str
) -> None:
    """The money went back: commission reversed in proportion, refund-required cleared."""
    service = session.get(ServiceItem, refund.service_item_id)
    assert service is not None
    line, _, left = refundable(session, service)  # `left` already excludes this refund
    refund.status, refund.provider_reference = RefundStatus.SUCCEEDED.value, provider_reference
    session.add(refund)
    reversed_amount = _reverse_commission(
        session, service, line, refund, refunded_after=line.amount_minor - left.minor
    )
    if left.is_zero and service.lifecycle == ServiceLifecycle.CANCELLED:
        service.refund_required = False
        session.add(service)
    record_event(
        session,
        actor=actor,
        action="refund.recorded",
        subject=f"refund:{refund.id}",
        booking_id=refund.booking_id,
        data={
            "service": refund.service_item_id,
            "amount": str(Money(refund.amount_minor, refund.currency)),
            "note": refund.note,
            "provider_reference": provider_reference,
            "commission_reversed": str(reversed_amount),
        },
    )


def _view(session: Session, refund: Refund) -> RefundView:
    service = session.get(ServiceItem, refund.service_item_id)
    assert service is not None
    _, _, left = refundable(session, service)
    reversal = session.exec(select(Commission).where(Commission.refund_id == refund.id)).first()
    return RefundView(
        id_of(refund),
        refund.service_item_id,
        Money(refund.amount_minor, refund.currency),
        refund.note,
        refund.status,
        left,
        Money(reversal.amount_minor if reversal else 0, refund.currency),
    )


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
    """Record a refund already made at the provider. The same idempotency key changes nothing."""
    note = _checked_note(amount, note)
    key = idempotency_key or f"refund_{secrets.token_hex(12)}"
    with db.transaction() as session:
        refund, new = _reserve(
            session, service_id=service_id, amount=amount, note=note, actor=actor, key=key
        )
        if new:
            settle_refund(session, refund, provider_reference, actor)
            issue_credit_notes(session, [refund], actor=actor)
        return _view(session, refund)


def issue_refund(
    *,
    db: Database,
    service_id: int,
    amount: Money,
    note: str,
    actor: str,
    idempotency_key: str,
    gateway: RefundGateway | None = None,
) -> RefundView:
    """Refund through the payment connector: reserve (pending), ask the provider, then settle.

    The provider call happens outside any transaction with the same idempotency key, so a
    retry after a crash or a double click refunds once. A refusal marks the refund failed; a
    provider that did not answer (GatewayUnavailable, raised) leaves it pending: the same key
    asks again.
    """
    require_in(db, actor, Permission.REFUNDS)
    note = _checked_note(amount, note)
    if gateway is None:
        gateway = refund_gateway(db)
    with db.transaction() as session:
        refund, _ = _reserve(
            session,
            service_id=service_id,
            amount=amount,
            note=note,
            actor=actor,
            key=idempotency_key,
        )
        if refund.status != RefundStatus.PENDING:
            return _view(session, refund)
        attempt = session.get(PaymentAttempt, refund.attempt_id)
        payment_reference = None if attempt is None else attempt.provider_payment_id
        refund_id = id_of(refund)
    try:
        provider_reference = gateway.refund(
            payment_reference=payment_reference, amount=amount, idempotency_key=idempotency_key
        )
    except GatewayUnavailable as unanswered:
        # The provider did not answer (unreachable, timed out, its own error): the refund may
        # have been made. It stays pending, its amount held, and the error goes up as it is;
        # asking again with the same key completes it once (the provider refunds once per key).
        with db.transaction() as session:
            waiting = session.get(Refund, refund_id)
            assert waiting is not None
            record_event(
                session,
                actor=actor,
                action="refund.unanswered",
                subject=f"refund:{refund_id}",
                booking_id=waiting.booking_id,
                data={"reason": str(unanswered)},
            )
        raise  # an unknown outcome: the Refund dialog keeps its key, so trying again refunds once
    except GatewayError as refused:
        with db.transaction() as session:
            failed = session.get(Refund, refund_id)
            assert failed is not None
            failed.status = RefundStatus.FAILED.value
            session.add(failed)
            record_event(
                session,
                actor=actor,
                action="refund.failed",
                subject=f"refund:{refund_id}",
                booking_id=failed.booking_id,
                data={"reason": str(refused)},
            )
        raise DomainError(f"The payment provider refused the refund: {refused}") from None
    with db.transaction() as session:
        _, pending = lock_with_booking(session, Refund, refund_id, "Refund")
        if pending.status == RefundStatus.PENDING:
            settle_refund(session, pending, provider_reference, actor)
            issue_credit_notes(session, [pending], actor=actor)
        return _view(session, pending)


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
    failed = set(
        session.exec(
            select(Refund.id).where(
                Refund.service_item_id == service.id, Refund.status == RefundStatus.FAILED
            )
        ).all()
    )
    # A refund that failed after it was recorded gave nothing back: its reversal no longer
    # counts (the row stays, as history).
    reversed_so_far = sum(
        c.amount_minor
        for c in rows
        if c.kind == CommissionKind.REVERSED and c.refund_id not in failed
    )
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
