"""Provider events applied to payment attempts, exactly once: paid, failed, expired, waiting.

Each event id is stored (INSERT … ON CONFLICT DO NOTHING) in the transaction that applies it,
after the booking and the attempt are locked, so a redelivered or concurrent event has no
second effect. This is the webhook's hot path: prebuilt Core statements, a fixed number of them
whatever the number of invoices (a Pay All of 10 invoices costs what a Pay of one does).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Table, bindparam, true, update
from sqlalchemy import select as core_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import Executable
from sqlmodel import Session

from concierge_app.db.bookings import ServiceItem
from concierge_app.db.engine import Database
from concierge_app.db.invoicing import GuestInvoice, InvoiceLine
from concierge_app.db.parties import Partner
from concierge_app.db.payments import (
    Commission,
    PaymentAttempt,
    PaymentAttemptInvoice,
    ProviderEvent,
)
from concierge_app.db.sql.commission_rates import SERVICE_RATE_DAY, rate_on
from concierge_app.db.types import utcnow
from concierge_app.domain.formatting import format_money
from concierge_app.domain.lifecycle import AttemptStatus, InvoiceStatus, ServiceLifecycle
from concierge_app.domain.money import Money, Rounding
from concierge_app.domain.statuses import CommissionKind
from concierge_app.services.guest.links import PAYMENTS_CARD, new_portal_link
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import locked_rows, table_of
from concierge_app.services.shared.messages import booking_recipient, queue_message

COMMISSION_ROUNDING = Rounding.HALF_UP


class EventOutcome(enum.StrEnum):
    FULFILLED = "fulfilled"
    DUPLICATE_EVENT = "duplicate event (ignored)"
    ALREADY_FULFILLED = "attempt already fulfilled (ignored)"
    AMOUNT_MISMATCH = "amount or currency differs from the attempt (not applied)"
    MARKED_FAILED = "marked failed"
    MARKED_EXPIRED = "marked expired"
    ALREADY_FINAL = "attempt already final (ignored)"
    AWAITING_PAYMENT = "checkout completed, payment still processing"


_EVENTS, _ATTEMPTS, _LINKS = (
    table_of(ProviderEvent),
    table_of(PaymentAttempt),
    table_of(PaymentAttemptInvoice),
)
_INVOICES, _LINES, _SERVICES = table_of(GuestInvoice), table_of(InvoiceLine), table_of(ServiceItem)
_PARTNERS, _COMMISSIONS = table_of(Partner), table_of(Commission)

_EVENT_SEEN = core_select(_EVENTS.c.id).where(
    _EVENTS.c.provider == bindparam("p"), _EVENTS.c.event_id == bindparam("e")
)
_SET_OUTCOME = (
    update(_EVENTS).where(_EVENTS.c.id == bindparam("event_pk")).values(outcome=bindparam("o"))
)
_PAY_INVOICES = (
    update(_INVOICES)
    .where(
        _INVOICES.c.id.in_(
            core_select(_LINKS.c.invoice_id).where(_LINKS.c.attempt_id == bindparam("attempt_id"))
        ),
        _INVOICES.c.status == InvoiceStatus.ACTIVE.value,
    )
    .values(
        status=InvoiceStatus.PAID.value,
        paid_at=bindparam("at"),
        paid_by_attempt_id=bindparam("attempt_id"),
    )
    .returning(_INVOICES.c.id, _INVOICES.c.number, _INVOICES.c.total_minor)
)
_PAID_LINES = (
    core_select(
        _LINES.c.invoice_id,
        _LINES.c.amount_minor,
        _LINES.c.currency,
        _SERVICES.c.id.label("service_id"),
        _SERVICES.c.lifecycle,
        _SERVICES.c.service_date,
        _PARTNERS.c.id.label("partner_id"),
        # the rate in force when the service was confirmed: what the month-end run bills it at
        rate_on(_SERVICES.c.operator_id, SERVICE_RATE_DAY).label("commission_rate_bps"),
    )
    .join(_SERVICES, _SERVICES.c.id == _LINES.c.service_item_id)
    .join(_PARTNERS, _PARTNERS.c.id == _SERVICES.c.operator_id)
    .where(_LINES.c.invoice_id.in_(bindparam("ids", expanding=True)))
    .order_by(_LINES.c.id)
)
_FLAG_REFUND = (
    update(_SERVICES)
    .where(_SERVICES.c.id.in_(bindparam("ids", expanding=True)))
    .values(refund_required=true())
)
_FINISH = (
    update(_ATTEMPTS)
    .where(_ATTEMPTS.c.id == bindparam("attempt_id"))
    .values(
        status=bindparam("status"),
        completed_at=bindparam("at"),
        unapplied_minor=bindparam("unapplied"),
        failure_reason=bindparam("reason"),
        provider_payment_id=bindparam("payment_id"),
        provider_reference=bindparam("checkout_ref"),
    )
)
_CLOSE = (
    update(_ATTEMPTS)
    .where(_ATTEMPTS.c.id == bindparam("attempt_id"))
    .values(status=bindparam("status"), completed_at=bindparam("at"), failure_reason=bindparam("r"))
)


def _insert_ignore(table: Table, dialect: str, returning: bool) -> Executable:
    module = postgresql if dialect == "postgresql" else sqlite
    stmt: Executable = module.insert(table).on_conflict_do_nothing()
    if returning:
        stmt = stmt.returning(table.c.id)  # type: ignore[attr-defined]
    return stmt


_CLAIM = {d: _insert_ignore(_EVENTS, d, True) for d in ("sqlite", "postgresql")}
_EARN = {d: _insert_ignore(_COMMISSIONS, d, False) for d in ("sqlite", "postgresql")}


def event_seen(*, db: Database, provider: str, event_id: str) -> bool:
    """Whether this provider event was stored already (a cheap read before any write)."""
    with db.read() as session:
        found = session.connection().execute(_EVENT_SEEN, {"p": provider, "e": event_id})
        return found.first() is not None


def claim_event(
    session: Session, *, attempt_id: str, provider: str, event_id: str, event_type: str
) -> tuple[SimpleNamespace, SimpleNamespace, int] | None:
    """Lock the booking and the attempt, then store the event id.

    Returns (booking, attempt, event row id), or None when the event was stored before.
    """
    booking, attempt = locked_rows(session, PaymentAttempt, attempt_id, "Payment")
    event_pk = store_event(
        session, provider=provider, event_id=event_id, event_type=event_type, attempt=attempt_id
    )
    return None if event_pk is None else (booking, attempt, event_pk)


def store_event(
    session: Session, *, provider: str, event_id: str, event_type: str, attempt: str | None = None
) -> int | None:
    """Store a provider event id once, in the transaction that applies it (the caller has
    locked what it changes first). The event row's id, or None when it was stored before."""
    conn = session.connection()
    event_pk = conn.execute(
        _CLAIM[conn.dialect.name],
        {
            "provider": provider,
            "event_id": event_id,
            "event_type": event_type,
            "attempt_id": attempt,
            "outcome": "processing",
            "received_at": utcnow(),
        },
    ).scalar()
    return None if event_pk is None else int(event_pk)


@contextmanager
def _claimed(
    db: Database, attempt_id: str, provider: str, event_id: str, event_type: str
) -> Iterator[tuple[Session, tuple[SimpleNamespace, SimpleNamespace, int] | None]]:
    """A write transaction that has claimed the event (None: it was applied before)."""
    with db.transaction() as session:
        yield (
            session,
            claim_event(
                session,
                attempt_id=attempt_id,
                provider=provider,
                event_id=event_id,
                event_type=event_type,
            ),
        )


def set_event_outcome(session: Session, event_pk: int, outcome: str) -> None:
    session.connection().execute(_SET_OUTCOME, {"event_pk": event_pk, "o": str(outcome)[:200]})


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
    with _claimed(db, attempt_id, provider, event_id, event_type) as (session, found):
        if found is None:
            return EventOutcome.DUPLICATE_EVENT
        booking, attempt, event_pk = found
        expected = Money(attempt.amount_minor, attempt.currency)
        if attempt.status == AttemptStatus.SUCCEEDED:
            outcome = EventOutcome.ALREADY_FULFILLED
        elif (amount.currency, amount.minor) != (expected.currency, expected.minor):
            outcome = EventOutcome.AMOUNT_MISMATCH
            record_event(
                session,
                actor=f"provider:{provider}",
                action="payment.mismatch",
                subject=f"attempt:{attempt_id}",
                booking_id=booking.id,
                data={"expected": str(expected), "received": str(amount), "event": event_id},
            )
        else:
            attempt.provider_payment_id = payment_reference or attempt.provider_payment_id
            attempt.provider_reference = attempt.provider_reference or checkout_reference
            _apply_success(session, booking, attempt, provider=provider, event_id=event_id)
            outcome = EventOutcome.FULFILLED
        set_event_outcome(session, event_pk, outcome)
        return outcome


def _apply_success(
    session: Session,
    booking: SimpleNamespace,
    attempt: SimpleNamespace,
    *,
    provider: str,
    event_id: str,
) -> None:
    conn = session.connection()
    now = utcnow()
    # Every Active invoice of the attempt turns Paid; what covered invoices no longer payable
    # (voided meanwhile) is unapplied: money to give back.
    paid = sorted(conn.execute(_PAY_INVOICES, {"at": now, "attempt_id": attempt.id}).all())
    unapplied = attempt.amount_minor - sum(i.total_minor for i in paid)
    if paid:
        _record_commissions(session, booking.id, attempt.id, [i.id for i in paid], now)
    conn.execute(
        _FINISH,
        {
            "attempt_id": attempt.id,
            "status": AttemptStatus.SUCCEEDED.value,
            "at": now,
            "unapplied": unapplied,
            "reason": (
                "Part of this payment covers invoices voided meanwhile: refund it."
                if unapplied
                else attempt.failure_reason
            ),
            "payment_id": attempt.provider_payment_id,
            "checkout_ref": attempt.provider_reference,
        },
    )
    amount = Money(attempt.amount_minor, attempt.currency)
    actor = f"provider:{provider}"
    link = new_portal_link(session, booking_id=booking.id, reference=booking.reference, actor=actor)
    guest = booking_recipient(session, booking, portal_url=f"{link}#{PAYMENTS_CARD}")
    queue_message(
        session,
        dedupe_key=f"payment_received:{attempt.id}",
        template_key="payment_received",
        recipient=guest.email,
        booking_id=booking.id,
        context=guest.context
        | {
            "amount_paid": format_money(amount, guest.locale),
            "invoice_numbers": ", ".join(i.number or "" for i in paid),
        },
    )
    record_event(
        session,
        actor=actor,
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


def _record_commissions(
    session: Session, booking_id: int, attempt_id: str, invoice_ids: list[int], now: Any
) -> None:
    """The platform was paid for these services: its commission on each line is earned.

    A service paid after it was cancelled is flagged: the guest is owed that money back.
    """
    conn = session.connection()
    earned, flag = [], []
    for line in conn.execute(_PAID_LINES, {"ids": invoice_ids}).all():
        if line.lifecycle == ServiceLifecycle.CANCELLED and line.amount_minor > 0:
            flag.append(line.service_id)
        base = Money(line.amount_minor, line.currency)
        commission = base.basis_points(line.commission_rate_bps, rounding=COMMISSION_ROUNDING)
        earned.append(
            {
                "partner_id": line.partner_id,
                "booking_id": booking_id,
                "service_item_id": line.service_id,
                "attempt_id": attempt_id,
                "refund_id": None,
                "kind": CommissionKind.EARNED.value,
                "base_minor": base.minor,
                "rate_bps": line.commission_rate_bps,
                "amount_minor": commission.minor,
                "currency": base.currency,
                "accrual_date": line.service_date,
                "created_at": now,
            }
        )
    if earned:
        conn.execute(_EARN[conn.dialect.name], earned)
    if flag:
        conn.execute(_FLAG_REFUND, {"ids": flag})


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
    with _claimed(db, attempt_id, provider, event_id, event_type) as (session, found):
        if found is None:
            return EventOutcome.DUPLICATE_EVENT
        booking, attempt, event_pk = found
        if attempt.status != AttemptStatus.OPEN:
            outcome = EventOutcome.ALREADY_FINAL
        else:
            session.connection().execute(
                _CLOSE,
                {
                    "attempt_id": attempt_id,
                    "status": status.value,
                    "at": utcnow(),
                    "r": reason[:500] or None,
                },
            )
            outcome = (
                EventOutcome.MARKED_FAILED
                if status is AttemptStatus.FAILED
                else EventOutcome.MARKED_EXPIRED
            )
            record_event(
                session,
                actor=f"provider:{provider}",
                action=f"payment.{status.value}",
                subject=f"attempt:{attempt_id}",
                booking_id=booking.id,
                data={"event": event_id, "reason": reason},
            )
        set_event_outcome(session, event_pk, outcome)
        return outcome


def note_awaiting_payment(
    *, db: Database, attempt_id: str, provider: str, event_id: str, event_type: str
) -> EventOutcome:
    """The guest finished the checkout with a delayed payment method: wait for its outcome."""
    with _claimed(db, attempt_id, provider, event_id, event_type) as (session, found):
        if found is None:
            return EventOutcome.DUPLICATE_EVENT
        booking, _, event_pk = found
        record_event(
            session,
            actor=f"provider:{provider}",
            action="payment.processing",
            subject=f"attempt:{attempt_id}",
            booking_id=booking.id,
            data={"event": event_id},
        )
        set_event_outcome(session, event_pk, EventOutcome.AWAITING_PAYMENT)
        return EventOutcome.AWAITING_PAYMENT
