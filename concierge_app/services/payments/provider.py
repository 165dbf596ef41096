"""The configured payment gateway (`adapters/payments/configured.py`: Stripe, or the sandbox in
test mode), with the sandbox delivering its signed events straight into the webhook handler, as
Stripe delivers them over HTTP. Above `webhooks`: what starts a checkout or a debit gets its
gateway here."""

from __future__ import annotations

from concierge_app.adapters.payments.configured import configured_gateway, configured_sandbox
from concierge_app.adapters.payments.gateway import PaymentGateway
from concierge_app.adapters.payments.sandbox import EventSink, SandboxGateway
from concierge_app.db.engine import Database
from concierge_app.services.payments.webhooks import receive_webhook
from concierge_app.settings import get_settings


def get_gateway(db: Database) -> PaymentGateway:
    return configured_gateway(db, deliver=_webhook(db))


def sandbox_gateway(db: Database) -> SandboxGateway:
    """The sandbox, delivering its events straight into the webhook handler."""
    return configured_sandbox(db, deliver=_webhook(db))


def sandbox_checkout(db: Database) -> SandboxGateway | None:
    """The sandbox's checkout pages are open only while the sandbox is the provider."""
    return sandbox_gateway(db) if get_settings().payment_provider == "sandbox" else None


def _webhook(db: Database) -> EventSink:
    def deliver(payload: bytes, signature: str) -> object:
        return receive_webhook(db=db, payload=payload, signature=signature)

    return deliver
