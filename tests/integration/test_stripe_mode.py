"""The whole Stripe path with Stripe's keys set: Pay → Checkout Session at (a stand-in for)
Stripe → Stripe's signed webhook → Paid → refund through Stripe with the PaymentIntent."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlmodel import select

from concierge_app.adapters.payments.configured import provider_name, webhook_secret
from concierge_app.db.bookings import ServiceItem
from concierge_app.db.invoicing import GuestInvoice
from concierge_app.db.payments import PaymentAttempt, ProviderEvent
from concierge_app.domain.lifecycle import InvoiceStatus
from concierge_app.domain.money import Money
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services.guest.refunds import issue_refund
from concierge_app.services.payments.guest_checkout import begin_checkout
from concierge_app.settings import get_settings

from ..factories import ACTOR, add_service, make_world, send_draft
from .test_stripe_gateway import SESSION_URL, FakeStripe, fake_stripe  # noqa: F401
from .test_webhooks import deliver, session_event

WEBHOOK_SECRET = "whsec_test_endpoint_secret"


@pytest.fixture
def stripe_mode(fake_stripe: FakeStripe, monkeypatch: pytest.MonkeyPatch):  # noqa: F811
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_concierge_123")
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setenv("STRIPE_API_BASE", fake_stripe.base_url)
    get_settings.cache_clear()
    yield fake_stripe
    get_settings.cache_clear()


def test_with_stripe_keys_pay_goes_through_stripe_and_its_webhook(db, stripe_mode):
    assert provider_name() == "stripe" and webhook_secret() == WEBHOOK_SECRET
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "120.00", title="Sailing")
    invoice = send_draft(w)
    start = begin_checkout(db=db, booking_id=w.booking_id, invoice_ids=[invoice])
    assert start.url == SESSION_URL
    (created,) = [r for r in stripe_mode.requests if r.path == "/v1/checkout/sessions"]
    assert created.field("client_reference_id") == start.attempt_id
    assert created.headers["Idempotency-Key"] == f"checkout:{start.attempt_id}"
    assert f"checkout={start.attempt_id}" in created.field("success_url")
    with db.read() as s:
        attempt = s.get(PaymentAttempt, start.attempt_id)
        assert (attempt.provider, attempt.provider_reference) == ("stripe", "cs_test_123")
        view = SimpleNamespace(id=attempt.id, amount=Money(attempt.amount_minor, "EUR"))

    # the sandbox's secret is not Stripe's: its events are refused in Stripe mode
    refused = deliver(db, session_event(view), secret="whsec_sandbox_other")
    assert refused.status == 400
    result = deliver(db, session_event(view), secret=WEBHOOK_SECRET)
    assert (result.status, result.outcome) == (200, "fulfilled")
    with db.read() as s:
        assert s.get(GuestInvoice, invoice).status == InvoiceStatus.PAID
        stored = s.exec(select(ProviderEvent)).one()
        (service_id,) = s.exec(
            select(ServiceItem.id).where(ServiceItem.booking_id == w.booking_id)
        ).all()
    assert stored.provider == "stripe"

    refund = issue_refund(
        db=db,
        service_id=service_id,
        amount=Money(2000, "EUR"),
        note="Weather: shortened trip",
        actor=ACTOR,
        idempotency_key="refund-1",
    )
    (sent,) = [r for r in stripe_mode.requests if r.path == "/v1/refunds"]
    assert sent.field("payment_intent") == f"pi_{start.attempt_id}"
    assert sent.field("amount") == "2000" and sent.headers["Idempotency-Key"] == "refund-1"
    assert refund.status == "succeeded"
