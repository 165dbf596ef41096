"""`POST /api/stripe/webhook` on the running app (prod build, one port): the route is mounted
beside the frontend, checks signatures, and a signed payment flips an open staff page to Paid."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
import stripe
from playwright.sync_api import Page, expect

from concierge_app.adapters.payments.configured import webhook_secret
from concierge_app.db.engine import Database
from concierge_app.domain.strategies import PaymentStrategy
from concierge_app.services.payments import checkout
from tests.e2e.test_trip_portfolio import (
    add_service,
    invoice_row,
    new_booking,
    open_booking,
    send_draft,
)
from tests.stripe_objects import stripe_event, stripe_object

if TYPE_CHECKING:
    from tests.e2e.conftest import AppServer


@pytest.fixture
def app_db(app_server: AppServer) -> Iterator[Database]:
    database = Database(app_server.database_url)
    yield database
    database.dispose()


def post_event(base_url: str, event: dict[str, object], secret: str) -> tuple[int, dict[str, str]]:
    payload = json.dumps(event)
    request = urllib.request.Request(
        f"{base_url}/api/stripe/webhook",
        data=payload.encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Stripe-Signature": stripe.WebhookSignature.generate_signature_header(payload, secret),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


@pytest.mark.e2e
def test_the_webhook_route_refuses_a_bad_signature(app_server: AppServer) -> None:
    event = stripe_event("customer.created", {}, event_id="evt_route_check")  # any object
    status, body = post_event(app_server.base_url, event, "whsec_not_ours")
    assert status == 400 and body["received"] is False
    status, body = post_event(app_server.base_url, event, webhook_secret())
    assert (status, body["outcome"]) == (200, "customer.created is not handled (ignored)")


@pytest.mark.e2e
def test_a_signed_payment_event_flips_an_open_staff_page_to_paid(
    app_server: AppServer, app_db: Database, staff_page: Page
) -> None:
    booking = new_booking(app_db)
    add_service(
        app_db, booking, "Harbour kayak tour", "95.00", PaymentStrategy.PLATFORM_COLLECTS_FULL
    )
    sent = send_draft(app_db, booking)
    open_booking(staff_page, app_server.base_url, booking)
    row = invoice_row(staff_page, sent.number)
    expect(row.locator('[data-status="Active"]')).to_be_visible()

    attempt = checkout.start_payment_attempt(db=app_db, invoice_ids=[sent.invoice_id], actor="g")
    session = stripe_object(
        "checkout.session",
        id=f"cs_test_{attempt.id}",
        amount_total=attempt.amount.minor,
        currency=attempt.amount.currency.lower(),
        client_reference_id=attempt.id,
        metadata={"attempt_id": attempt.id},
        payment_intent=f"pi_{attempt.id}",
        payment_status="paid",
    )
    event = stripe_event("checkout.session.completed", session, event_id=f"evt_route_{attempt.id}")
    started = time.monotonic()
    assert post_event(app_server.base_url, event, webhook_secret()) == (
        200,
        {"received": True, "outcome": "fulfilled"},
    )
    expect(row.locator('[data-status="Paid"]')).to_be_visible(timeout=5_000)
    print(f"\n[e2e] staff page showed Paid {time.monotonic() - started:.2f}s after the webhook")
    again = post_event(app_server.base_url, event, webhook_secret())
    assert again == (200, {"received": True, "outcome": "duplicate event (ignored)"})
