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

from ..domain.money import Money
from .gateway import DIRECT_DEBIT_KIND
from .stripe_amounts import from_stripe_amount

# A completed Checkout Session whose money is in (anything else is a delayed payment method).
PAID_STATUSES = frozenset({"paid", "no_payment_required"})

TOLERANCE_S = 300  # Stripe's default: older signatures are replayed or forged
DIRECT_DEBIT_ANSWERS = frozenset({"payment_intent.payment_failed", "payment_intent.succeeded"})


class SignatureError(Exception):
    """The payload was not signed with our endpoint secret (or is too old, or not JSON)."""


@dataclass(frozen=True, slots=True)
class RefundInfo:
    refund_id: str
    status: str  # succeeded / pending / failed / canceled
    amount: Money


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
    refunds: tuple[RefundInfo, ...] = field(default_factory=tuple)
    metadata: dict[str, str] = field(default_factory=dict)
    failure_reason: str | None = None  # payment_intent.payment_failed: the bank's message
    failure_code: str | None = None

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
    """The event as a dict, after checking its signature against our secret."""
    try:
        stripe.WebhookSignature.verify_header(payload.decode(), header, secret, TOLERANCE_S)
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as bad:
        raise SignatureError(str(bad) or "Invalid signature.") from None
    if not isinstance(event, dict) or not isinstance(event.get("id"), str):
        raise SignatureError("The payload is not a Stripe event.")
    return event


def parse(event: dict[str, Any]) -> StripeEvent:
    """Read a verified event; unknown shapes give an event with only id and type."""
    kind = str(event.get("type", ""))
    obj = (event.get("data") or {}).get("object") or {}
    if not isinstance(obj, dict):
        return StripeEvent(id=event["id"], type=kind)
    metadata = obj.get("metadata") or {}
    currency = obj.get("currency")
    if kind.startswith("checkout.session."):
        total = obj.get("amount_total")
        return StripeEvent(
            id=event["id"],
            type=kind,
            object_id=str(obj.get("id", "")),
            attempt_id=obj.get("client_reference_id") or metadata.get("attempt_id"),
            payment_status=obj.get("payment_status"),
            payment_intent=_id(obj.get("payment_intent")),
            amount=_money(total, currency),
        )
    if kind.startswith("charge."):
        refunds = ((obj.get("refunds") or {}).get("data")) or []
        return StripeEvent(
            id=event["id"],
            type=kind,
            object_id=str(obj.get("id", "")),
            attempt_id=metadata.get("attempt_id"),
            payment_intent=_id(obj.get("payment_intent")),
            amount=_money(obj.get("amount_refunded"), currency),
            refunds=tuple(
                RefundInfo(str(r["id"]), str(r.get("status", "")), m)
                for r in refunds
                if isinstance(r, dict)
                and (m := _money(r.get("amount"), r.get("currency") or currency)) is not None
            ),
        )
    if kind.startswith("payment_intent."):
        error = obj.get("last_payment_error") or {}
        error = error if isinstance(error, dict) else {}
        metadata = metadata if isinstance(metadata, dict) else {}
        return StripeEvent(
            id=event["id"],
            type=kind,
            object_id=str(obj.get("id", "")),
            attempt_id=metadata.get("attempt_id"),
            payment_intent=str(obj.get("id", "")) or None,
            amount=_money(obj.get("amount"), currency),
            metadata={str(k): str(v) for k, v in metadata.items()},
            failure_reason=error.get("message") or None,
            failure_code=error.get("code") or None,
        )
    return StripeEvent(id=event["id"], type=kind, object_id=str(obj.get("id", "")))


def _id(value: Any) -> str | None:
    """An expandable field: either the id or the expanded object."""
    if isinstance(value, dict):
        return str(value.get("id")) if value.get("id") else None
    return str(value) if value else None


def _money(amount: Any, currency: Any) -> Money | None:
    if not isinstance(amount, int) or not isinstance(currency, str):
        return None
    return from_stripe_amount(amount, currency)
