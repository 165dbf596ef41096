"""The payment provider's webhook: verify, then apply each event exactly once.

Stripe and the sandbox send the same signed events here. Fulfilment is driven only by these
events (never by the success redirect), and each event id is stored in the transaction that
applies it, so a duplicate or a late, out-of-order event changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from concierge_app.adapters.payments.configured import (
    NOT_CONFIGURED,
    provider_name,
    refund_gateway,
    webhook_secret,
)
from concierge_app.adapters.payments.gateway import GatewayError, GatewayUnavailable
from concierge_app.adapters.payments.stripe_events import SignatureError, StripeEvent, parse, verify
from concierge_app.db.engine import Database
from concierge_app.domain.errors import DomainError, NotFound
from concierge_app.domain.provider_events import (
    CLOSES,
    REFUND_EVENTS,
    Signal,
    is_checkout,
    signal_of,
)
from concierge_app.services.payments import lifecycle, provider_refunds
from concierge_app.services.payments.direct_debit_answers import apply_direct_debit_event
from concierge_app.services.payments.event_log import (
    DUPLICATE_EVENT,
    Delivery,
    event_seen,
    remember,
)
from concierge_app.services.payments.guest_fulfilment import GUEST
from concierge_app.services.payments.lifecycle import Paid, Payer
from concierge_app.services.payments.partner_fulfilment import PartnerCheckouts, is_partner_checkout

__all__ = ["REFUND_EVENTS", "WebhookResult", "receive_webhook"]

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
        return WebhookResult(200, DUPLICATE_EVENT)
    delivery = Delivery(provider, event.id, event.type)
    if event.problem:
        return WebhookResult(200, remember(db, delivery, f"rejected: {event.problem}"))
    try:
        return WebhookResult(200, _apply(db, delivery, event))
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
    return WebhookResult(200, remember(db, delivery, outcome))


def _apply(db: Database, delivery: Delivery, event: StripeEvent) -> str:
    """Route the event by what it says (`domain/provider_events.signal_of`, once)."""
    signal = signal_of(event.type, event.payment_status)
    if is_checkout(event.type):
        return _checkout(db, delivery, event, signal)
    if signal in (Signal.DEBIT_PAID, Signal.DEBIT_FAILED) and event.is_direct_debit_answer:
        return apply_direct_debit_event(db=db, provider=delivery.provider, event=event)
    if signal is Signal.REFUND:
        return _refunds(db, delivery, event)
    return _unhandled(db, delivery)


def _unhandled(db: Database, delivery: Delivery) -> str:
    kind = delivery.event_type or "an event without a type"
    return remember(db, delivery, f"{kind} is not handled (ignored)")


def _checkout(db: Database, delivery: Delivery, event: StripeEvent, signal: Signal | None) -> str:
    """A checkout's event, a guest's or a partner's: through the one checkout lifecycle."""
    if not event.attempt_id:
        return remember(db, delivery, "not a checkout of this app (ignored)")
    checkout_id = str(event.attempt_id)
    payer: Payer = PartnerCheckouts() if is_partner_checkout(checkout_id) else GUEST
    common: dict[str, Any] = {
        "db": db,
        "payer": payer,
        "checkout_id": checkout_id,
        "delivery": delivery,
    }
    if signal is Signal.CHECKOUT_PROCESSING:
        return lifecycle.note_processing(**common).value
    if signal is Signal.CHECKOUT_PAID:
        if event.amount is None:
            return remember(db, delivery, "rejected: no amount or an odd currency")
        paid = Paid(event.amount, event.payment_intent, event.object_id or None)
        return lifecycle.succeed(**common, paid=paid).value
    if signal in CLOSES:
        status, reason = CLOSES[signal]
        return lifecycle.close(**common, status=status, reason=reason).value
    return _unhandled(db, delivery)


def _refunds(db: Database, delivery: Delivery, event: StripeEvent) -> str:
    """A refund of a guest checkout's payment, whatever event tells it: `refund.*` carries the
    Refund; `charge.refunded` of the pinned API version only the refunded total
    (`amount_refunded`), so when that is more than the ledger holds the payment's refunds are
    listed from the provider. Each refund is recorded once, by its id."""
    payment = event.payment_intent or next(
        (r.payment_intent for r in event.refunds if r.payment_intent), None
    )
    if not payment:
        return remember(db, delivery, "refund without a payment (ignored)")
    attempt_id = provider_refunds.attempt_of_payment(db=db, payment_intent=payment)
    if attempt_id is None:
        return remember(db, delivery, "refund of an unknown payment (ignored)")
    refunds = event.refunds
    if event.type.startswith("charge.") and not refunds:
        recorded = provider_refunds.recorded_total(db=db, attempt_id=attempt_id)
        if event.amount is None or recorded is None:
            return remember(db, delivery, "rejected: a charge without amount_refunded")
        if event.amount.currency != recorded.currency:
            return remember(db, delivery, "rejected: refunded in another currency")
        if event.amount > recorded:
            refunds = refund_gateway().list_refunds(payment)
    outcome = provider_refunds.record_provider_refunds(
        db=db,
        provider=delivery.provider,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        attempt_id=attempt_id,
        refunds=refunds,
    )
    return "refunds already recorded" if outcome == provider_refunds.NOTHING else outcome
