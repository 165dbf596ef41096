"""The sandbox's hosted checkout page (test mode only): the session it shows, and paying it with
a test card. The sandbox then sends the signed event to the webhook handler, as Stripe would."""

from __future__ import annotations

from concierge_app.adapters.payments.gateway import GatewayError
from concierge_app.adapters.payments.sandbox import SandboxSessionView
from concierge_app.adapters.payments.sandbox_cards import Card
from concierge_app.db.engine import Database
from concierge_app.domain.errors import DomainError
from concierge_app.services.payments.provider import sandbox_checkout

__all__ = ["CardRefused", "SandboxClosed", "SandboxSessionView", "pay_session", "session_of"]


class SandboxClosed(DomainError):
    """The sandbox is not this deployment's payment provider: its pages are closed."""


class CardRefused(DomainError):
    """The test card was refused (the provider's reason); the checkout stays open."""


def session_of(*, db: Database, reference: str) -> SandboxSessionView | None:
    """The checkout session the page shows, or None when there is no such session."""
    gateway = sandbox_checkout(db)
    if gateway is None:
        raise SandboxClosed("The sandbox checkout is closed.")
    return gateway.session(reference)


def pay_session(*, db: Database, reference: str, number: str, expiry: str, cvc: str) -> str:
    """Charge a test card; returns the URL to send the payer back to."""
    gateway = sandbox_checkout(db)
    if gateway is None:
        raise SandboxClosed("The sandbox checkout is closed.")
    try:
        return gateway.pay(reference, Card(number, expiry, cvc))
    except GatewayError as refused:
        raise CardRefused(str(refused)) from None
