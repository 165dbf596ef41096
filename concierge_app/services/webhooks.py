"""The payment provider's webhook: verify, then apply each event exactly once.

Stripe and the sandbox send the same signed events here. Fulfilment is driven only by these
events (never by the success redirect), and each event id is stored in the transaction that
applies it, so a duplicate or a late, out-of-order event changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from ..db.engine import Database
from ..db.payments import PaymentAttempt, Refund
from ..domain.errors import NotFound
from ..domain.lifecycle import AttemptStatus
from ..payments.stripe_events import PAID_STATUSES, SignatureError, StripeEvent, parse, verify
from .audit import record_event
from .fulfilment import (
    EventOutcome,
    claim_event,
    close_payment_attempt,
    event_seen,
    fulfil_payment_attempt,
    note_awaiting_payment,
    set_event_outcome,
)
from .payment_provider import provider_name, webhook_secret


@dataclass(frozen=True, slots=True)
class WebhookResult:
    status: int  # the HTTP status to answer (400: not signed by us; Stripe retries non-2xx)
    outcome: str


def receive_webhook(
    *, db: Database, payload: bytes, signature: str, secret: str | None = None
) -> WebhookResult:
    """Handle one delivery: 400 when the signature is wrong (nothing written), else 200."""
    try:
        event = parse(verify(payload, signature, secret or webhook_secret()))
    except SignatureError as bad:
        return WebhookResult(400, f"invalid signature: {bad}")
    provider = provider_name()
    if event_seen(db=db, provider=provider, event_id=event.id):
        return WebhookResult(200, EventOutcome.DUPLICATE_EVENT.value)
    try:
        return WebhookResult(200, _apply(db, provider, event))
    except NotFound:
        return WebhookResult(200, "unknown payment attempt (ignored)")


def _apply(db: Database, provider: str, event: StripeEvent) -> str:
    from . import partner_checkout  # a partner paying commission documents online ("pc_…")

    if partner_checkout.is_partner_checkout_event(event):
        return partner_checkout.apply_checkout_event(db=db, provider=provider, event=event)
    if event.is_direct_debit_answer:
        from .direct_debit_answers import apply_direct_debit_event  # a partner direct debit

        return apply_direct_debit_event(db=db, provider=provider, event=event)
    if event.type.startswith("checkout.session.") and not event.attempt_id:
        return "not a checkout of this app (ignored)"
    attempt_id = str(event.attempt_id)
    match event.type:
        case "checkout.session.completed" if event.payment_status not in PAID_STATUSES:
            return note_awaiting_payment(
                db=db,
                attempt_id=attempt_id,
                provider=provider,
                event_id=event.id,
                event_type=event.type,
            ).value
        case "checkout.session.completed" | "checkout.session.async_payment_succeeded":
            if event.amount is None:
                return "event without an amount (ignored)"
            return fulfil_payment_attempt(
                attempt_id=attempt_id,
                amount=event.amount,
                payment_reference=event.payment_intent,
                checkout_reference=event.object_id or None,
                db=db,
                provider=provider,
                event_id=event.id,
                event_type=event.type,
            ).value
        case "checkout.session.async_payment_failed":
            return close_payment_attempt(
                attempt_id=attempt_id,
                status=AttemptStatus.FAILED,
                reason="The payment failed at the bank.",
                db=db,
                provider=provider,
                event_id=event.id,
                event_type=event.type,
            ).value
        case "checkout.session.expired":
            return close_payment_attempt(
                attempt_id=attempt_id,
                status=AttemptStatus.EXPIRED,
                reason="The checkout expired before it was paid.",
                db=db,
                provider=provider,
                event_id=event.id,
                event_type=event.type,
            ).value
        case "charge.refunded":
            return _note_refunds(db, provider, event)
    return f"{event.type} is not handled (ignored)"


def _note_refunds(db: Database, provider: str, event: StripeEvent) -> str:
    """Refunds the ledger issued are already recorded; any other (e.g. made in the provider's
    dashboard) is put on the booking's audit trail for staff to record against a service."""
    if not event.payment_intent:
        return "refund without a payment (ignored)"
    with db.read() as session:
        attempt_id = session.exec(
            select(PaymentAttempt.id).where(
                PaymentAttempt.provider_payment_id == event.payment_intent
            )
        ).first()
    if attempt_id is None:
        return "refund of an unknown payment (ignored)"
    with db.transaction() as session:
        found = claim_event(
            session,
            attempt_id=attempt_id,
            provider=provider,
            event_id=event.id,
            event_type=event.type,
        )
        if found is None:
            return EventOutcome.DUPLICATE_EVENT.value
        booking, _, event_pk = found
        ids = [r.refund_id for r in event.refunds]
        known = set(
            session.exec(
                select(Refund.provider_reference).where(Refund.provider_reference.in_(ids))  # type: ignore[union-attr]
            ).all()
        )
        outside = [r for r in event.refunds if r.refund_id not in known and r.status != "failed"]
        for refund in outside:
            record_event(
                session,
                actor=f"provider:{provider}",
                action="refund.outside_ledger",
                subject=f"attempt:{attempt_id}",
                booking_id=booking.id,
                data={"refund": refund.refund_id, "amount": str(refund.amount)},
            )
        outcome = (
            f"{len(outside)} refund(s) made outside the ledger: flagged for staff"
            if outside
            else "refunds already recorded"
        )
        set_event_outcome(session, event_pk, outcome)
        return outcome
