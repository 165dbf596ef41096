"""Stripe-format webhook events: verify the signature on the raw body, read what the ledger needs.

Stripe and the sandbox both sign events this way (`Stripe-Signature: t=…,v1=…`, HMAC-SHA256
of "t.payload" with the endpoint secret), so one handler serves both.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import stripe

from concierge_app.adapters.payments.gateway import (
    DIRECT_DEBIT_KIND,
    REFUND_KEY,
    GatewayError,
    ProviderRefund,
)
from concierge_app.adapters.payments.stripe_amounts import from_stripe_amount
from concierge_app.domain.errors import DomainError
from concierge_app.domain.money import Money
from concierge_app.domain.provider_events import DIRECT_DEBIT_ANSWERS

TOLERANCE_S = 300  # Stripe's default: older signatures are replayed or forged


class SignatureError(Exception):
    """The payload was not signed with our endpoint secret (or is too old, or not JSON)."""


@dataclass(frozen=True, slots=True)
class StripeEvent:
    """The parts of a Stripe event the ledger acts on."""

    id: str
    type: str
    object_id: str = ""  # cs_… for checkout sessions, ch_… for charges
    attempt_id: str | None = None  # our id, from client_reference_id / metadata
    payment_status: str | None = None  # checkout session: paid / unpaid / no_payment_required
    payment_intent: str | None = None
    amount: Money | None = None
    refunds: tuple[ProviderRefund, ...] = field(default_factory=tuple)
    metadata: dict[str, str] = field(default_factory=dict)
    failure_reason: str | None = None  # payment_intent.payment_failed: the bank's message
    failure_code: str | None = None
    problem: str = ""  # why the ledger cannot use this event ("" when it can)

    @property
    def direct_debit_payment_id(self) -> int | None:
        """Our PartnerPayment id when the event is about a partner's direct debit."""
        found = self.metadata.get("partner_payment_id", "")
        if self.metadata.get("kind") != DIRECT_DEBIT_KIND or not found.isdigit():
            return None
        return int(found)

    @property
    def is_direct_debit_answer(self) -> bool:
        """The bank's answer (paid / failed) to a partner's direct debit."""
        return self.type in DIRECT_DEBIT_ANSWERS and self.direct_debit_payment_id is not None


def sign(payload: bytes, secret: str, *, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header Stripe would send for this payload."""
    t = int(time.time()) if timestamp is None else timestamp
    return str(stripe.WebhookSignature.generate_signature_header(payload.decode(), secret, t))


def verify(payload: bytes, header: str, secret: str) -> dict[str, Any]:
    """The event as a dict, after checking its signature against our secret. A signature
    dated more than the tolerance in the past or in the future is refused alike (Stripe's SDK
    only checks the past)."""
    try:
        stripe.WebhookSignature.verify_header(payload.decode(), header, secret, TOLERANCE_S)
        if _signed_at(header) > time.time() + TOLERANCE_S:
            raise SignatureError("Timestamp outside the tolerance zone (in the future).")
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as bad:
        raise SignatureError(str(bad) or "Invalid signature.") from None
    if not isinstance(event, dict) or not isinstance(event.get("id"), str):
        raise SignatureError("The payload is not a Stripe event.")
    return event


def _signed_at(header: str) -> int:
    """The `t=` of a `Stripe-Signature` header (verify_header checked it is there)."""
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t" and value.isascii() and value.isdigit():
            return int(value)
    raise SignatureError("Unable to extract timestamp and signatures from header.")


def parse(event: dict[str, Any]) -> StripeEvent:
    """Read a verified event. Never raises: a shape the ledger cannot use (no object, odd
    fields) gives an event whose `problem` says why, to be answered and stored as such."""
    kind = _text(event.get("type"), 100)  # as long as the provider_event columns take
    event_id = _text(event.get("id"), 255)
    data = event.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    if not isinstance(obj, dict):
        return StripeEvent(id=event_id, type=kind, problem="data.object is not an object")
    metadata = _metadata(obj.get("metadata"))
    currency = obj.get("currency")
    object_id = _text(obj.get("id"))
    if kind.startswith("checkout.session."):
        return StripeEvent(
            id=event_id,
            type=kind,
            object_id=object_id,
            attempt_id=_text(obj.get("client_reference_id")) or metadata.get("attempt_id"),
            payment_status=_text(obj.get("payment_status")) or None,
            payment_intent=_id(obj.get("payment_intent")),
            amount=_money(obj.get("amount_total"), currency),
            metadata=metadata,
        )
    if kind.startswith("refund.") or kind == "charge.refund.updated":  # a Refund object
        refund = _refund(obj, None)
        return StripeEvent(
            id=event_id,
            type=kind,
            object_id=object_id,
            payment_intent=_id(obj.get("payment_intent")),
            amount=_money(obj.get("amount"), currency),
            refunds=() if refund is None else (refund,),
            metadata=metadata,
            problem="" if refund is not None else "a refund without an id, amount or currency",
        )
    if kind.startswith("charge."):
        # Since API version 2022-11-15 a Charge lists no `refunds` unless expanded: the
        # refunded total (`amount_refunded`) is what the pinned version's events carry.
        listed = obj.get("refunds")
        refunds = listed.get("data") if isinstance(listed, dict) else None
        payment_intent = _id(obj.get("payment_intent"))
        return StripeEvent(
            id=event_id,
            type=kind,
            object_id=object_id,
            attempt_id=metadata.get("attempt_id"),
            payment_intent=payment_intent,
            amount=_money(obj.get("amount_refunded"), currency),
            refunds=tuple(
                found
                for r in (refunds if isinstance(refunds, list) else [])
                if isinstance(r, dict) and (found := _refund(r, currency, payment_intent))
            ),
            metadata=metadata,
        )
    if kind.startswith("payment_intent."):
        error = obj.get("last_payment_error")
        error = error if isinstance(error, dict) else {}
        return StripeEvent(
            id=event_id,
            type=kind,
            object_id=object_id,
            attempt_id=metadata.get("attempt_id"),
            payment_intent=object_id or None,
            amount=_money(obj.get("amount"), currency),
            metadata=metadata,
            failure_reason=_text(error.get("message")) or None,
            failure_code=_text(error.get("code")) or None,
        )
    return StripeEvent(id=event_id, type=kind, object_id=object_id, metadata=metadata)


def _refund(
    obj: dict[str, Any], currency: Any, payment_intent: str | None = None
) -> ProviderRefund | None:
    """A Refund object as the ledger reads it (None without an id or a usable amount)."""
    refund_id = _text(obj.get("id"), 255)
    amount = _money(obj.get("amount"), obj.get("currency") or currency)
    if not refund_id or amount is None or amount.minor <= 0:
        return None
    return ProviderRefund(
        refund_id=refund_id,
        status=_text(obj.get("status"), 40),
        amount=amount,
        payment_intent=_id(obj.get("payment_intent")) or payment_intent,
        failure_reason=_text(obj.get("failure_reason"), 100),
        refund_key=_metadata(obj.get("metadata")).get(REFUND_KEY, ""),
    )


def _text(value: Any, limit: int = 500) -> str:
    """A string field as text ('' when absent or not a string), bounded."""
    return value[:limit] if isinstance(value, str) else ""


def _metadata(value: Any) -> dict[str, str]:
    """Stripe metadata: string keys and values (at most 50 of them, 500 characters each)."""
    if not isinstance(value, dict):
        return {}
    return {str(k)[:40]: v[:500] for k, v in list(value.items())[:50] if isinstance(v, str)}


def _id(value: Any) -> str | None:
    """An expandable field: either the id or the expanded object."""
    if isinstance(value, dict):
        value = value.get("id")
    return _text(value, 255) or None


def _money(amount: Any, currency: Any) -> Money | None:
    """The amount in our Money, or None when it is missing, odd or in an unknown currency."""
    if isinstance(amount, bool) or not isinstance(amount, int) or not isinstance(currency, str):
        return None
    try:
        return from_stripe_amount(amount, currency)
    except (GatewayError, DomainError):
        return None
