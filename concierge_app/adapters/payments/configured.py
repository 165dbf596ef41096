"""Which payment provider settles money: Stripe, or the sandbox (test mode) — never the sandbox
in production unless PAYMENTS=sandbox chose it (see `Settings.payment_provider`).

The sandbox sends its events to the `deliver` it is given (the app's webhook handler, wired by
`services/payments/provider.py`); giving money back sends none, so refunds ask for the
provider's refund side only (`refund_gateway`).
"""

from __future__ import annotations

import hashlib

from concierge_app.adapters.payments.gateway import PaymentGateway, ProviderRecords, RefundGateway
from concierge_app.adapters.payments.sandbox import EventSink, SandboxGateway, SandboxRefunds
from concierge_app.adapters.payments.stripe_gateway import StripeGateway
from concierge_app.db.engine import Database
from concierge_app.domain.errors import DomainError
from concierge_app.settings import get_settings

NOT_CONFIGURED = (
    "Payments are not configured: set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET "
    "(or PAYMENTS=sandbox for test mode)."
)


class PaymentsNotConfigured(DomainError):
    """Production without a payment provider: nothing can be paid, nothing is settled."""


def provider_name() -> str:
    provider = get_settings().payment_provider
    if provider is None:
        raise PaymentsNotConfigured(NOT_CONFIGURED)
    return provider


def webhook_secret() -> str | None:
    """The secret webhook events are signed with: Stripe's endpoint secret, or the sandbox's
    own (derived from SECRET_KEY, so it is private to this deployment); None when no provider
    is configured (every event is refused)."""
    settings = get_settings()
    if settings.payment_provider == "stripe":
        return settings.stripe_webhook_secret
    if settings.payment_provider is None:
        return None
    digest = hashlib.sha256(f"{settings.secret_key}:sandbox-webhook".encode()).hexdigest()
    return f"whsec_sandbox_{digest[:32]}"


def _stripe() -> StripeGateway | None:
    settings = get_settings()
    if settings.payment_provider == "stripe" and settings.stripe_secret_key:
        return StripeGateway(settings.stripe_secret_key, api_base=settings.stripe_api_base)
    return None


def configured_gateway(db: Database, *, deliver: EventSink) -> PaymentGateway:
    """The configured provider; the sandbox sends its events to `deliver`."""
    stripe = _stripe()
    if stripe is not None:
        return stripe
    if get_settings().payment_provider == "sandbox":
        return configured_sandbox(db, deliver=deliver)
    raise PaymentsNotConfigured(NOT_CONFIGURED)


def configured_sandbox(db: Database, *, deliver: EventSink) -> SandboxGateway:
    """The sandbox, when it is this deployment's provider, sending its events to `deliver`."""
    secret = webhook_secret()
    if get_settings().payment_provider != "sandbox" or secret is None:
        raise PaymentsNotConfigured("The sandbox is not this deployment's payment provider.")
    return SandboxGateway(
        db, webhook_secret=secret, send_event=deliver, base_url=get_settings().public_base_url
    )


def refund_gateway(db: Database | None = None) -> RefundGateway:
    """The configured provider's refund side: what refunds and their listing need (the sandbox
    keeps the refunds it makes in `db` when given)."""
    stripe = _stripe()
    if stripe is not None:
        return stripe
    if get_settings().payment_provider == "sandbox":
        return SandboxRefunds(db)
    raise PaymentsNotConfigured(NOT_CONFIGURED)


def provider_records(db: Database) -> ProviderRecords:
    """The configured provider's records, for reconciliation (the sandbox reads its tables)."""
    stripe = _stripe()
    if stripe is not None:
        return stripe
    if get_settings().payment_provider == "sandbox":
        return SandboxRefunds(db)
    raise PaymentsNotConfigured(NOT_CONFIGURED)
