"""Checkouts: start a payment attempt for Active invoices, fulfil it once, fail or expire it."""

from __future__ import annotations

import enum
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import bindparam
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from ..db.bookings import Booking, ServiceItem
from ..db.engine import Database
from ..db.invoicing import GuestInvoice, InvoiceLine
from ..db.parties import Partner
from ..db.payments import (
    Commission,
    CommissionKind,
    PaymentAttempt,
    PaymentAttemptInvoice,
    ProviderEvent,
)
from ..db.types import utcnow
from ..domain.errors import CurrencyMismatch, DomainError, NotFound
from ..domain.lifecycle import AttemptStatus, InvoiceStatus, ServiceLifecycle, check_payable
from ..domain.money import Money, Rounding
from .audit import record_event
from .common import id_of, insert_ignore, load, lock_with_booking
from .formatting import format_money
from .guest_access import new_portal_link
from .messages import booking_recipient, queue_message

COMMISSION_ROUNDING = Rounding.HALF_UP


@dataclass(frozen=True, slots=True)
class AttemptView:
    id: str
    booking_id: int
    amount: Money
    invoice_ids: tuple[int, ...]
    status: str


def start_payment_attempt(
    *,
    db: Database,
    invoice_ids: Iterable[int],
    actor: str,
    provider: str = "sandbox",
    booking_id: int | None = None,
) -> AttemptView:
    """One checkout for Active invoices of one booking, in one currency.

    With `booking_id` (the guest's booking), invoices of any other booking are not found.
    """
    ids = sorted(set(invoice_ids))
    if not ids:
        raise DomainError("Choose at least one invoice to pay.")
    with db.transaction() as session:
        peek = session.exec(select(GuestInvoice).where(col(GuestInvoice.id).in_(ids))).all()
        missing = set(ids) - {
            i.id for i in peek if booking_id is None or i.booking_id == booking_id
        }
        if missing:
            raise NotFound(f"Invoice {min(missing)} was not found.")
        if len({i.booking_id for i in peek}) != 1:
            raise DomainError("One payment can only cover invoices of one booking.")
        booking = load(session, Booking, peek[0].booking_id, "Booking", lock=True)
        invoices = session.exec(
            select(GuestInvoice)
            .where(col(GuestInvoice.id).in_(ids))
            .order_by(col(GuestInvoice.id))
            .with_for_update()
        ).all()
        for invoice in invoices:
            check_payable(InvoiceStatus(invoice.status), invoice.number)
        currencies = sorted({i.currency for i in invoices})
        if len(currencies) > 1:
            raise CurrencyMismatch(
                f"These invoices are in {' and '.join(currencies)}; pay each currency in its "
                "own checkout."
            )
        amount = Money(sum(i.total_minor for i in invoices), currencies[0])
        if amount.minor <= 0:
            raise DomainError("There is nothing to pay on these invoices.")
        attempt = PaymentAttempt(
            id=f"pa_{secrets.token_hex(12)}",
            booking_id=id_of(booking),
            currency=amount.currency,
            amount_minor=amount.minor,
            provider=provider,
            created_by=actor,
        )
        session.add(attempt)
        session.flush()
        for invoice in invoices:
            session.add(
                PaymentAttemptInvoice(
                    attempt_id=attempt.id,
                    invoice_id=id_of(invoice),
                    amount_minor=invoice.total_minor,
                )
            )
        record_event(
            session,
            actor=actor,
            action="payment.started",
            subject=f"attempt:{attempt.id}",
            booking_id=booking.id,
            data={
                "amount": str(amount),
                "invoices": [i.number for i in invoices],
                "provider": provider,
            },
        )
        return AttemptView(attempt.id, id_of(booking), amount, tuple(ids), attempt.status)


def attach_provider_reference(
    *, db: Database, attempt_id: str, provider_reference: str, checkout_url: str | None = None
) -> None:
    """Remember the provider's id for the checkout (e.g. a Stripe Checkout Session id)."""
    with db.transaction() as session:
        attempt = load(session, PaymentAttempt, attempt_id, "Payment", lock=True)
        if attempt.provider_reference not in (None, provider_reference):
            raise DomainError("This payment already has another provider reference.")
        attempt.provider_reference = provider_reference
        attempt.checkout_url = checkout_url or attempt.checkout_url
        session.add(attempt)


class EventOutcome(enum.StrEnum):
    FULFILLED = "fulfilled"
    DUPLICATE_EVENT = "duplicate event (ignored)"
    ALREADY_FULFILLED = "attempt already fulfilled (ignored)"
    AMOUNT_MISMATCH = "amount or currency differs from the attempt (not applied)"
    MARKED_FAILED = "marked failed"
    MARKED_EXPIRED = "marked expired"
    ALREADY_FINAL = "attempt already final (ignored)"
    AWAITING_PAYMENT = "checkout completed, payment still processing"


def claim_event(
    session: Session, *, attempt_id: str, provider: str, event_id: str, event_type: str
) -> tuple[Booking, PaymentAttempt] | None:
    """Lock the attempt and store the event id; None when the event was stored before."""
    booking, attempt = lock_with_booking(session, PaymentAttempt, attempt_id, "Payment")
    claimed = insert_ignore(
        session,
        ProviderEvent,
        {
            "provider": provider,
            "event_id": event_id,
            "event_type": event_type,
            "attempt_id": attempt_id,
            "outcome": "processing",
            "received_at": utcnow(),
        },
    )
    return (booking, attempt) if claimed else None


def set_event_outcome(session: Session, provider: str, event_id: str, outcome: str) -> None:
    event = session.exec(
        select(ProviderEvent).where(
            ProviderEvent.provider == provider, ProviderEvent.event_id == event_id
        )
    ).one()
    event.outcome = str(outcome)
    session.add(event)


def fulfil_payment_attempt(
    *,
    db: Database,
    attempt_id: str,
    provider: str,
    event_id: str,
    event_type: str,
    amount: Money,
    payment_reference: str | None = None,
    checkout_reference: str | None = None,
) -> EventOutcome:
    """Apply a provider's success event exactly once: invoices Paid, commissions, message.

    `payment_reference` is the captured payment at the provider (refunds use it);
    `checkout_reference` the checkout's id, kept when the attempt did not record it yet.
    """
    with db.transaction() as session:
        found = claim_event(
            session,
            attempt_id=attempt_id,
            provider=provider,
            event_id=event_id,
            event_type=event_type,
        )
        if found is None:
            return EventOutcome.DUPLICATE_EVENT
        booking, attempt = found
        expected = Money(attempt.amount_minor, attempt.currency)
        if attempt.status == AttemptStatus.SUCCEEDED:
            outcome = EventOutcome.ALREADY_FULFILLED
        elif (amount.currency, amount.minor) != (expected.currency, expected.minor):
            outcome = EventOutcome.AMOUNT_MISMATCH
            record_event(
                session,
                actor=f"provider:{provider}",
                action="payment.mismatch",
                subject=f"attempt:{attempt.id}",
                booking_id=booking.id,
                data={"expected": str(expected), "received": str(amount), "event": event_id},
            )
        else:
            attempt.provider_payment_id = payment_reference or attempt.provider_payment_id
            attempt.provider_reference = attempt.provider_reference or checkout_reference
            _apply_success(session, booking, attempt, provider=provider, event_id=event_id)
            outcome = EventOutcome.FULFILLED
        set_event_outcome(session, provider, event_id, outcome)
        return outcome


def _apply_success(
    session: Session, booking: Booking, attempt: PaymentAttempt, *, provider: str, event_id: str
) -> None:
    now = utcnow()
    links = session.exec(
        select(PaymentAttemptInvoice).where(PaymentAttemptInvoice.attempt_id == attempt.id)
    ).all()
    invoices = session.exec(
        select(GuestInvoice)
        .where(col(GuestInvoice.id).in_([ln.invoice_id for ln in links]))
        .order_by(col(GuestInvoice.id))
        .with_for_update()
    ).all()
    paid, unapplied = [], 0
    for invoice in invoices:
        if invoice.status != InvoiceStatus.ACTIVE:
            unapplied += invoice.total_minor
            continue
        invoice.status, invoice.paid_at, invoice.paid_by_attempt_id = (
            InvoiceStatus.PAID.value,
            now,
            attempt.id,
        )
        session.add(invoice)
        paid.append(invoice)
        _record_commissions(session, invoice, attempt)
    attempt.status, attempt.completed_at, attempt.unapplied_minor = (
        AttemptStatus.SUCCEEDED.value,
        now,
        unapplied,
    )
    if unapplied:
        attempt.failure_reason = "Part of this payment covers invoices voided meanwhile: refund it."
    session.add(attempt)
    amount = Money(attempt.amount_minor, attempt.currency)
    actor = f"provider:{provider}"
    link = new_portal_link(
        session, booking_id=id_of(booking), reference=booking.reference, actor=actor
    )
    guest = booking_recipient(session, booking, portal_url=link)
    queue_message(
        session,
        dedupe_key=f"payment_received:{attempt.id}",
        template_key="payment_received",
        recipient=guest.email,
        booking_id=booking.id,
        context=guest.context
        | {
            "amount_paid": format_money(amount, guest.locale),
            "invoice_numbers": ", ".join(i.number or "" for i in invoices),
        },
    )
    record_event(
        session,
        actor=f"provider:{provider}",
        action="payment.succeeded",
        subject=f"attempt:{attempt.id}",
        booking_id=booking.id,
        data={
            "amount": str(amount),
            "event": event_id,
            "paid_invoices": [i.number for i in paid],
            "unapplied": str(Money(unapplied, attempt.currency)),
        },
    )


def _record_commissions(session: Session, invoice: GuestInvoice, attempt: PaymentAttempt) -> None:
    """The platform was paid for these services: its commission on each line is earned."""
    rows = session.exec(
        select(InvoiceLine, ServiceItem, Partner)
        .join(ServiceItem, col(ServiceItem.id) == InvoiceLine.service_item_id)
        .join(Partner, col(Partner.id) == ServiceItem.operator_id)
        .where(InvoiceLine.invoice_id == invoice.id)
    ).all()
    for line, service, operator in rows:
        if service.lifecycle == ServiceLifecycle.CANCELLED and line.amount_minor > 0:
            # paid after it was cancelled: the guest is owed that money back
            service.refund_required = True
            session.add(service)
        base = Money(line.amount_minor, line.currency)
        commission = base.basis_points(operator.commission_rate_bps, rounding=COMMISSION_ROUNDING)
        insert_ignore(
            session,
            Commission,
            {
                "partner_id": operator.id,
                "booking_id": invoice.booking_id,
                "service_item_id": service.id,
                "attempt_id": attempt.id,
                "kind": CommissionKind.EARNED.value,
                "base_minor": base.minor,
                "rate_bps": operator.commission_rate_bps,
                "amount_minor": commission.minor,
                "currency": base.currency,
                "accrual_date": service.service_date,
                "created_at": utcnow(),
            },
        )


def close_payment_attempt(
    *,
    db: Database,
    attempt_id: str,
    provider: str,
    event_id: str,
    event_type: str,
    status: AttemptStatus,
    reason: str = "",
) -> EventOutcome:
    """The checkout failed or expired: the attempt closes, nothing else changes."""
    if status not in (AttemptStatus.FAILED, AttemptStatus.EXPIRED):
        raise ValueError("close_payment_attempt takes FAILED or EXPIRED")
    with db.transaction() as session:
        found = claim_event(
            session,
            attempt_id=attempt_id,
            provider=provider,
            event_id=event_id,
            event_type=event_type,
        )
        if found is None:
            return EventOutcome.DUPLICATE_EVENT
        booking, attempt = found
        if attempt.status != AttemptStatus.OPEN:
            outcome = EventOutcome.ALREADY_FINAL
        else:
            attempt.status, attempt.completed_at = status.value, utcnow()
            attempt.failure_reason = reason[:500] or None
            session.add(attempt)
            outcome = (
                EventOutcome.MARKED_FAILED
                if status is AttemptStatus.FAILED
                else EventOutcome.MARKED_EXPIRED
            )
            record_event(
                session,
                actor=f"provider:{provider}",
                action=f"payment.{status.value}",
                subject=f"attempt:{attempt.id}",
                booking_id=booking.id,
                data={"event": event_id, "reason": reason},
            )
        set_event_outcome(session, provider, event_id, outcome)
        return outcome


def note_awaiting_payment(
    *, db: Database, attempt_id: str, provider: str, event_id: str, event_type: str
) -> EventOutcome:
    """The guest finished the checkout with a delayed payment method: wait for its outcome."""
    with db.transaction() as session:
        found = claim_event(
            session,
            attempt_id=attempt_id,
            provider=provider,
            event_id=event_id,
            event_type=event_type,
        )
        if found is None:
            return EventOutcome.DUPLICATE_EVENT
        booking, attempt = found
        record_event(
            session,
            actor=f"provider:{provider}",
            action="payment.processing",
            subject=f"attempt:{attempt.id}",
            booking_id=booking.id,
            data={"event": event_id},
        )
        set_event_outcome(session, provider, event_id, EventOutcome.AWAITING_PAYMENT)
        return EventOutcome.AWAITING_PAYMENT


def event_seen(*, db: Database, provider: str, event_id: str) -> bool:
    """Whether this provider event was stored already (a cheap read before any write)."""
    with db.read() as session:
        return (
            session.connection().execute(_EVENT_SEEN, {"p": provider, "e": event_id}).first()
            is not None
        )


_EVENTS = ProviderEvent.__table__  # type: ignore[attr-defined]
_EVENT_SEEN = core_select(_EVENTS.c.id).where(
    _EVENTS.c.provider == bindparam("p"), _EVENTS.c.event_id == bindparam("e")
)
