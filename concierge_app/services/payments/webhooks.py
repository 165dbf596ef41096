"""The payment provider's webhook: verify, then apply each event exactly once.

Stripe and the sandbox send the same signed events here. Fulfilment is driven only by these
events (never by the success redirect), and each event id is stored in the transaction that
applies it, so a duplicate or a late, out-of-order event changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from concierge_app.adapters.payments.configured import (
    NOT_CONFIGURED,
    provider_name,
    refund_gateway,
    webhook_secret,
)
from concierge_app.adapters.payments.gateway import GatewayError, GatewayUnavailable
from concierge_app.adapters.payments.stripe_events import (
    PAID_STATUSES,
    SignatureError,
    StripeEvent,
    parse,
    verify,
)
from concierge_app.db.engine import Database
from concierge_app.domain.errors import DomainError, NotFound
from concierge_app.domain.lifecycle import AttemptStatus
from concierge_app.services.payments import provider_refunds
from concierge_app.services.payments.fulfilment import (
    EventOutcome,
    close_payment_attempt,
    event_seen,
    fulfil_payment_attempt,
    note_awaiting_payment,
    set_event_outcome,
    store_event,
)

# Events that tell of refunds: the Refund object's own, and the charge's refunded total.
REFUND_EVENTS = frozenset(
    {
        "refund.created",
        "refund.updated",
        "refund.failed",
        "charge.refunded",
        "charge.refund.updated",
    }
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WebhookResult:
    status: int  # the HTTP status to answer (400: not signed by us; Stripe retries non-2xx)
    outcome: str


def receive_webhook(
    *, db: Database, payload: bytes, signature: str, secret: str | None = None
) -> WebhookResult:
    """Handle one delivery: 400 when the signature is wrong (nothing written), else 200;
    503 when no payment provider is configured (production without Stripe keys)."""
    secret = secret or webhook_secret()
    if secret is None:
        return WebhookResult(503, NOT_CONFIGURED)
    try:
        event = parse(verify(payload, signature, secret))
    except SignatureError as bad:
        return WebhookResult(400, f"invalid signature: {bad}")
    provider = provider_name()
    if not event.id:
        return WebhookResult(400, "signed, but not an event (no id)")
    if event_seen(db=db, provider=provider, event_id=event.id):
        return WebhookResult(200, EventOutcome.DUPLICATE_EVENT.value)
    if event.problem:
        return WebhookResult(200, _remember(db, provider, event, f"rejected: {event.problem}"))
    try:
        return WebhookResult(200, _apply(db, provider, event))
    except NotFound:
        outcome = "unknown payment attempt (ignored)"
    except GatewayUnavailable:  # e.g. listing a payment's refunds: the provider will retry
        logger.warning("Webhook event %s (%s): the provider is unreachable", event.id, event.type)
        return WebhookResult(503, "the payment provider could not be reached (it will retry)")
    except (DomainError, GatewayError) as unusable:
        outcome = f"rejected: {unusable}"
    except Exception:  # our fault, not the event's: answered 500 so the provider retries
        logger.exception("Webhook event %s (%s) could not be applied", event.id, event.type)
        return WebhookResult(500, "could not be applied now (the provider will retry)")
    return WebhookResult(200, _remember(db, provider, event, outcome))


def _remember(db: Database, provider: str, event: StripeEvent, outcome: str) -> str:
    """Store a signed event the ledger does not apply, with the reason (staff see it on the
    Payment events page); a redelivery is then a duplicate. Returns the outcome."""
    with db.transaction() as session:
        pk = store_event(session, provider=provider, event_id=event.id, event_type=event.type)
        if pk is None:
            return EventOutcome.DUPLICATE_EVENT.value
        set_event_outcome(session, pk, outcome)
    return outcome[:200]


def _apply(db: Database, provider: str, event: StripeEvent) -> str:
    from concierge_app.services.payments import partner_checkout

    if partner_checkout.is_partner_checkout_event(event):
        return partner_checkout.apply_checkout_event(db=db, provider=provider, event=event)
    if event.is_direct_debit_answer:
        from concierge_app.services.payments.direct_debit_answers import apply_direct_debit_event

        return apply_direct_debit_event(db=db, provider=provider, event=event)
    if event.type in REFUND_EVENTS:
        return _refunds(db, provider, event)
    if event.type.startswith("checkout.session.") and not event.attempt_id:
        return _remember(db, provider, event, "not a checkout of this app (ignored)")
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
                return _remember(db, provider, event, "rejected: no amount or an odd currency")
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
    unhandled = f"{event.type or 'an event without a type'} is not handled (ignored)"
    return _remember(db, provider, event, unhandled)


def _refunds(db: Database, provider: str, event: StripeEvent) -> str:
    """A refund of a guest checkout's payment, whatever event tells it: `refund.*` carries the
    Refund; `charge.refunded` of the pinned API version only the refunded total
    (`amount_refunded`), so when that is more than the ledger holds the payment's refunds are
    listed from the provider. Each refund is recorded once, by its id."""
    payment = event.payment_intent or next(
        (r.payment_intent for r in event.refunds if r.payment_intent), None
    )
    if not payment:
        return _remember(db, provider, event, "refund without a payment (ignored)")
    attempt_id = provider_refunds.attempt_of_payment(db=db, payment_intent=payment)
    if attempt_id is None:
        return _remember(db, provider, event, "refund of an unknown payment (ignored)")
    refunds = event.refunds
    if event.type.startswith("charge.") and not refunds:
        recorded = provider_refunds.recorded_total(db=db, attempt_id=attempt_id)
        if event.amount is None or recorded is None:
            return _remember(db, provider, event, "rejected: a charge without amount_refunded")
        if event.amount.currency != recorded.currency:
            return _remember(db, provider, event, "rejected: refunded in another currency")
        if event.amount > recorded:
            refunds = refund_gateway().list_refunds(payment)
    outcome = provider_refunds.record_provider_refunds(
        db=db,
        provider=provider,
        event_id=event.id,
        event_type=event.type,
        attempt_id=attempt_id,
        refunds=refunds,
    )
    return "refunds already recorded" if outcome == provider_refunds.NOTHING else outcome
