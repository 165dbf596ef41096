"""The signed events the sandbox sends, shaped as Stripe's (every field its event schema
requires), each with a stable id: a resend is a duplicate the ledger applies once."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from concierge_app.adapters.payments.stripe_amounts import to_stripe_amount
from concierge_app.adapters.payments.stripe_gateway import STRIPE_API_VERSION
from concierge_app.db.sandbox import SandboxCheckoutSession, SandboxDebit
from concierge_app.db.types import utcnow
from concierge_app.domain.money import Money
from concierge_app.domain.provider_events import DEBIT_FAILED, DEBIT_SUCCEEDED
from concierge_app.domain.statuses import SandboxDebitStatus, SandboxSessionStatus

# What Stripe says when a SEPA debit bounces for lack of money (its failing test IBAN).
INSUFFICIENT_FUNDS = (
    "insufficient_funds",
    "The customer's account has insufficient funds to cover this payment.",
)

SESSION_LIFETIME_S = 24 * 3600  # Stripe's default for a Checkout Session


def _envelope(event_id: str, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    """A Stripe event around `obj`, with every field Stripe's event schema requires."""
    return {
        "id": event_id,
        "object": "event",
        "api_version": STRIPE_API_VERSION,
        "type": kind,
        "created": int(utcnow().timestamp()),
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},  # not from an API request
        "data": {"object": obj},
    }


def session_event(kind: str, row: SandboxCheckoutSession) -> dict[str, Any]:
    """A Stripe event for the session, with a stable id (a resend is a duplicate)."""
    event_id = "evt_sandbox_" + hashlib.sha256(f"{row.id}:{kind}".encode()).hexdigest()[:24]
    complete = row.status == SandboxSessionStatus.COMPLETE
    created = int(row.created_at.timestamp())
    session = {
        "id": row.id,
        "object": "checkout.session",
        "mode": "payment",
        "amount_total": to_stripe_amount(Money(row.amount_minor, row.currency)),
        "currency": row.currency.lower(),
        "client_reference_id": row.attempt_id,
        "metadata": {"attempt_id": row.attempt_id, "booking_reference": row.booking_reference},
        "customer_email": row.customer_email,
        "payment_intent": row.payment_intent,
        "payment_status": "paid" if complete else "unpaid",
        "status": row.status,
        "created": created,
        "expires_at": created + SESSION_LIFETIME_S,
        "livemode": False,
        "payment_method_types": ["card"],
        "automatic_tax": {"enabled": False, "liability": None, "provider": None, "status": None},
        "custom_fields": [],
        "custom_text": {
            "after_submit": None,
            "shipping_address": None,
            "submit": None,
            "terms_of_service_acceptance": None,
        },
        "shipping_options": [],
    }
    return _envelope(event_id, kind, session)


def debit_event(debit: SandboxDebit) -> dict[str, Any]:
    """The PaymentIntent event Stripe sends when a SEPA debit settles or bounces."""
    failed = debit.status == SandboxDebitStatus.FAILED
    kind = DEBIT_FAILED if failed else DEBIT_SUCCEEDED
    event_id = "evt_sandbox_" + hashlib.sha256(f"{debit.id}:{kind}".encode()).hexdigest()[:24]
    code, message = INSUFFICIENT_FUNDS
    error = {"type": "card_error", "code": code, "message": message}  # Stripe's decline shape
    intent = {
        "id": debit.id,
        "object": "payment_intent",
        "amount": to_stripe_amount(Money(debit.amount_minor, debit.currency)),
        "currency": debit.currency.lower(),
        "created": int(debit.created_at.timestamp()),
        "livemode": False,
        "metadata": json.loads(debit.metadata_json),
        "payment_method_types": ["sepa_debit"],
        "status": "requires_payment_method" if failed else "succeeded",
        "last_payment_error": error if failed else None,
    }
    return _envelope(event_id, kind, intent)
