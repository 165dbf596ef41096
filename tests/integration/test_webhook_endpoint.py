"""`POST /api/stripe/webhook` over HTTP (ASGI), as Stripe calls it."""

from __future__ import annotations

import json

import httpx
import pytest
import stripe

from concierge_app import api as api_module
from concierge_app.adapters.payments.configured import webhook_secret
from concierge_app.db.invoicing import GuestInvoice
from concierge_app.domain.lifecycle import InvoiceStatus
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services.payments import checkout
from tests.conftest import run_async

from ..factories import add_service, make_world, send_draft, snapshot
from .test_webhooks import session_event


@pytest.fixture
def client(sqlite_db, monkeypatch):
    monkeypatch.setattr(api_module, "get_database", lambda: sqlite_db)
    return Client()


class Client:
    """Requests to the ASGI app (each on a fresh event loop; see tests.conftest.run_async)."""

    def request(self, content, headers=None):
        async def send():
            transport = httpx.ASGITransport(app=api_module.api)
            async with httpx.AsyncClient(transport=transport, base_url="http://app.test") as c:
                return await c.post("/api/stripe/webhook", content=content, headers=headers)

        return run_async(send())


def post(client, event, secret=None):
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(payload, secret or webhook_secret())
    return client.request(payload, {"Stripe-Signature": header, "Content-Type": "application/json"})


def test_the_endpoint_fulfils_a_signed_event_once(client, sqlite_db):
    w = make_world(sqlite_db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "90.00")
    invoice = send_draft(w)
    attempt = checkout.start_payment_attempt(db=sqlite_db, invoice_ids=[invoice], actor="guest")
    first = post(client, session_event(attempt))
    again = post(client, session_event(attempt))
    assert (first.status_code, first.json()["outcome"]) == (200, "fulfilled")
    assert (again.status_code, again.json()["outcome"]) == (200, "duplicate event (ignored)")
    with sqlite_db.read() as s:
        assert s.get(GuestInvoice, invoice).status == InvoiceStatus.PAID


def test_the_endpoint_answers_400_to_a_bad_signature(client, sqlite_db):
    w = make_world(sqlite_db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "90.00")
    attempt = checkout.start_payment_attempt(db=sqlite_db, invoice_ids=[send_draft(w)], actor="g")
    before = snapshot(sqlite_db)
    bad = post(client, session_event(attempt), secret="whsec_wrong")
    unsigned = client.request(b"{}")
    assert bad.status_code == unsigned.status_code == 400
    assert snapshot(sqlite_db) == before
