"""The payment connector: what the ledger asks of a payment provider.

Two implementations: `StripeGateway` (payments/stripe_gateway.py, used when Stripe keys are set)
and `SandboxGateway` (payments/sandbox.py, the embedded default). Both speak Stripe's event
format: the provider's signed webhook events drive fulfilment, never the success redirect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from concierge_app.domain.money import Money
from concierge_app.domain.reconciliation import Item


class GatewayError(Exception):
    """The provider refused or failed; the message is the provider's reason."""


class GatewayUnavailable(GatewayError):
    """The provider could not take the request now: unreachable, rate-limited, its own error
    (5xx), a concurrent request with the same idempotency key (409), our credentials refused.
    Nothing was refused, and the request may or may not have been made: retry it later with
    the same idempotency key, never treat it as a refusal."""


@dataclass(frozen=True, slots=True)
class CheckoutLine:
    """One line of the provider's checkout page: one invoice."""

    name: str  # e.g. "Invoice CI-2026-00001"
    description: str  # e.g. "Sailing tour · Private chef dinner" (may be empty)
    amount: Money


@dataclass(frozen=True, slots=True)
class CheckoutRequest:
    """A checkout for one payment attempt (one booking, one currency)."""

    attempt_id: str  # our id: metadata and client_reference_id at the provider
    booking_reference: str
    lines: tuple[CheckoutLine, ...]
    customer_email: str
    success_url: str
    cancel_url: str
    # The language the checkout page is shown in (Stripe Checkout's `locale`: "es", "ja", …).
    locale: str = "auto"

    @property
    def amount(self) -> Money:
        total = Money.zero(self.lines[0].amount.currency)
        for line in self.lines:
            total = total + line.amount
        return total

    @property
    def idempotency_key(self) -> str:
        """Derived from the attempt: a retried create returns the same session."""
        return f"checkout:{self.attempt_id}"


@dataclass(frozen=True, slots=True)
class CheckoutSession:
    reference: str  # the provider's id of the checkout (Stripe: "cs_…")
    url: str  # where the guest is sent to pay


REFUND_KEY = "refund_key"  # metadata of the refunds the ledger asks for: their idempotency key
# A refund in one of these statuses gave nothing back (Stripe's Refund.status).
FAILED_REFUND_STATUSES = frozenset({"failed", "canceled"})


@dataclass(frozen=True, slots=True)
class ProviderRefund:
    """A refund as the provider reports it (Stripe: a Refund object, re_…)."""

    refund_id: str
    status: str  # pending / requires_action / succeeded / failed / canceled
    amount: Money
    payment_intent: str | None = None  # the payment it gives back from
    failure_reason: str = ""  # e.g. "expired_or_canceled_card"
    refund_key: str = ""  # our idempotency key when the ledger asked for it (metadata)

    @property
    def failed(self) -> bool:
        return self.status in FAILED_REFUND_STATUSES


DIRECT_DEBIT_KIND = "partner_direct_debit"  # metadata "kind" of a partner's direct debit


@dataclass(frozen=True, slots=True)
class DebitRequest:
    """A SEPA direct debit of a partner's open documents, under the partner's mandate."""

    payment_id: int  # our PartnerPayment: in the metadata, so the bank's answer finds it
    external_id: str  # stable per partner, currency, month and attempt
    partner_code: str
    amount: Money
    iban: str
    account_holder: str
    email: str
    mandate_reference: str
    mandate_signed_on: date
    description: str  # e.g. "Commission OPR-2003 CM-2026-000012"

    @property
    def idempotency_key(self) -> str:
        """Derived from the collection: a retried request never debits twice."""
        return f"direct_debit:{self.external_id}"

    @property
    def metadata(self) -> dict[str, str]:
        """What the provider's events carry back: marks a partner direct debit."""
        return {
            "kind": DIRECT_DEBIT_KIND,
            "partner_payment_id": str(self.payment_id),
            "external_id": self.external_id,
            "partner_code": self.partner_code,
            "mandate_reference": self.mandate_reference,
        }


class RefundGateway(Protocol):
    """The part of a provider that gives money back: what refunds need (no event is sent)."""

    name: str

    def refund(self, *, payment_reference: str | None, amount: Money, idempotency_key: str) -> str:
        """Refund part of a captured payment; returns the provider's refund id.

        Calling again with the same idempotency key must not refund twice.
        """
        ...

    def list_refunds(self, payment_reference: str) -> tuple[ProviderRefund, ...]:
        """Every refund of a captured payment (all pages), as the provider holds them."""
        ...


class PaymentGateway(RefundGateway, Protocol):
    debit_currencies: frozenset[str]  # what `collect_debit` can take (SEPA: EUR)

    def create_checkout(self, request: CheckoutRequest) -> CheckoutSession:
        """Open a hosted checkout for the request's lines; idempotent per attempt."""
        ...

    def expire_checkout(self, reference: str) -> None:
        """Close an open checkout so it can no longer be paid (a newer one replaces it)."""
        ...

    def collect_debit(self, request: DebitRequest) -> str:
        """Ask the bank for a direct debit; returns the provider's id of it (Stripe: "pi_…").

        The answer (paid or failed) comes later as a signed event. Calling again with the same
        request returns the same id and debits once. A refusal raises GatewayError; a provider
        that could not take the request now raises GatewayUnavailable (send it again later).
        """
        ...


Progress = Callable[[int], None]  # told how many records have been read so far


class ProviderRecords(Protocol):
    """What reconciliation reads: every payment, refund, payout and fee the provider holds."""

    name: str

    def provider_records(
        self, *, start: datetime, end: datetime, progress: Progress | None = None
    ) -> tuple[Item, ...]:
        """The records created in [start, end), all pages; amounts positive."""
        ...
