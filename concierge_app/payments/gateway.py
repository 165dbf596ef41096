"""The payment connector: what the ledger asks of a payment provider."""

from __future__ import annotations

import hashlib
from typing import Protocol

from ..domain.money import Money


class GatewayError(Exception):
    """The provider refused or failed; the message is the provider's reason."""


class PaymentGateway(Protocol):
    name: str

    def refund(self, *, payment_reference: str | None, amount: Money, idempotency_key: str) -> str:
        """Refund part of a captured payment; returns the provider's refund id.

        Calling again with the same idempotency key must not refund twice.
        """
        ...


class SandboxGateway:
    """The embedded default: no keys, no network; refunds always succeed, deterministically."""

    name = "sandbox"

    def refund(self, *, payment_reference: str | None, amount: Money, idempotency_key: str) -> str:
        if amount.minor <= 0:
            raise GatewayError("A refund must be more than zero.")
        return "re_sandbox_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]


def get_gateway() -> PaymentGateway:
    """The configured provider (the sandbox until Stripe is wired in)."""
    return SandboxGateway()
