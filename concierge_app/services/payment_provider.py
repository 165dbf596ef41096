"""Which payment provider the app uses: Stripe when its keys are set, else the sandbox."""

from __future__ import annotations

import hashlib

from ..db.engine import Database
from ..payments.gateway import PaymentGateway
from ..payments.sandbox import SandboxGateway
from ..settings import get_settings


def provider_name() -> str:
    return "stripe" if get_settings().stripe_enabled else "sandbox"


def webhook_secret() -> str:
    """The secret webhook events are signed with: Stripe's endpoint secret, or the sandbox's
    own (derived from SECRET_KEY, so it is private to this deployment)."""
    settings = get_settings()
    if settings.stripe_enabled and settings.stripe_webhook_secret:
        return settings.stripe_webhook_secret
    digest = hashlib.sha256(f"{settings.secret_key}:sandbox-webhook".encode()).hexdigest()
    return f"whsec_sandbox_{digest[:32]}"


def get_gateway(db: Database) -> PaymentGateway:
    settings = get_settings()
    if settings.stripe_enabled and settings.stripe_secret_key:
        from ..payments.stripe_gateway import StripeGateway

        return StripeGateway(settings.stripe_secret_key, api_base=settings.stripe_api_base)
    return sandbox_gateway(db)


def sandbox_gateway(db: Database) -> SandboxGateway:
    """The sandbox, delivering its events straight into the webhook handler."""
    from .webhooks import receive_webhook

    def deliver(payload: bytes, signature: str) -> object:
        return receive_webhook(db=db, payload=payload, signature=signature)

    return SandboxGateway(
        db,
        webhook_secret=webhook_secret(),
        send_event=deliver,
        base_url=get_settings().public_base_url,
    )


def sandbox_checkout(db: Database) -> SandboxGateway | None:
    """The sandbox's checkout pages are open only while the sandbox is the provider."""
    return None if get_settings().stripe_enabled else sandbox_gateway(db)
