"""A refund made in Stripe's dashboard reaches the running app as the pinned API version's signed
`refund.created`: the open staff booking page lists it under Refunds, marked as made at the
provider, the totals take it in, and the Payment events page marks the event for staff."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Page, expect

from concierge_app.adapters.payments.configured import webhook_secret
from concierge_app.db.engine import Database
from concierge_app.domain.strategies import PaymentStrategy
from concierge_app.services.payments import checkout
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_trip_portfolio import (
    add_service,
    invoice_row,
    new_booking,
    open_booking,
    send_draft,
    shot,
)
from tests.e2e.test_webhook_route import app_db, post_event  # noqa: F401 (fixture)
from tests.stripe_objects import stripe_event, stripe_object

if TYPE_CHECKING:
    from tests.e2e.conftest import AppServer


def paid_invoice(app_server: AppServer, db: Database) -> tuple[object, str, str]:
    """A booking with one paid invoice (kayak €95.00, chef €60.00); (booking, number, pi_…)."""
    booking = new_booking(db)
    for title, price in (("Harbour kayak tour", "95.00"), ("Private chef", "60.00")):
        add_service(db, booking, title, price, PaymentStrategy.PLATFORM_COLLECTS_FULL)
    sent = send_draft(db, booking)
    attempt = checkout.start_payment_attempt(db=db, invoice_ids=[sent.invoice_id], actor="g")
    payment_intent = f"pi_{attempt.id}"
    session = stripe_object(
        "checkout.session",
        id=f"cs_test_{attempt.id}",
        amount_total=attempt.amount.minor,
        currency=attempt.amount.currency.lower(),
        client_reference_id=attempt.id,
        metadata={"attempt_id": attempt.id},
        payment_intent=payment_intent,
        payment_status="paid",
    )
    paid = stripe_event("checkout.session.completed", session, event_id=f"evt_pay_{attempt.id}")
    assert post_event(app_server.base_url, paid, webhook_secret())[0] == 200
    return booking, sent.number, payment_intent


@pytest.mark.e2e
def test_a_refund_made_in_the_providers_dashboard_shows_on_the_booking_and_the_events_page(
    app_server: AppServer,
    app_db: Database,  # noqa: F811 (the fixture)
    staff_page: Page,
    browser: Browser,
    screenshot_dir: object,
) -> None:
    booking, number, payment_intent = paid_invoice(app_server, app_db)
    open_booking(staff_page, app_server.base_url, booking)
    expect(invoice_row(staff_page, number).locator('[data-status="Paid"]')).to_be_visible()
    expect(staff_page.locator("#refunds-table")).to_have_count(0)

    refund = stripe_object(
        "refund",
        id=f"re_dash_{payment_intent[3:15]}",
        amount=6000,
        currency="eur",
        payment_intent=payment_intent,
        status="succeeded",
        metadata={},
    )
    event = stripe_event("refund.created", refund, event_id=f"evt_refund_{payment_intent}")
    status, body = post_event(app_server.base_url, event, webhook_secret())
    assert status == 200
    assert body["outcome"] == f"refund {refund['id']} of €60.00 made at the provider: recorded"

    row = staff_page.locator("#refunds-table tr.refund-row")
    expect(row).to_have_count(1, timeout=5_000)  # live: no reload
    expect(row).to_contain_text("Private chef")
    expect(row).to_contain_text("Refunded")
    expect(row).to_contain_text("At the provider")
    expect(row).to_contain_text("€60.00")
    expect(staff_page.locator("#total-refunded")).to_have_text("€60.00")
    shot(staff_page.locator("#payments-panel"), SCREENSHOTS / "provider-refund-booking.png")

    again = post_event(app_server.base_url, event, webhook_secret())
    assert again == (200, {"received": True, "outcome": "duplicate event (ignored)"})

    staff_page.goto(f"{app_server.base_url}/payments/events")
    listed = staff_page.locator("#provider-events tr", has_text=str(event["id"]))
    expect(listed).to_contain_text("made at the provider: recorded")
    staff_page.locator("#only-not-applied").click()
    expect(listed).to_be_visible()  # a refund at the provider needs a look
    expect(staff_page.locator("#provider-events")).not_to_contain_text("fulfilled")
    shot(staff_page, SCREENSHOTS / "payment-events.png", full_page=True)

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, storage_state=staff_page.context.storage_state()
    )
    try:
        small = phone.new_page()
        small.goto(f"{app_server.base_url}/payments/events")
        expect(small.locator("#provider-events-stacked")).to_contain_text(str(event["id"]))
        shot(small, SCREENSHOTS / "payment-events-390.png", full_page=True)
        open_booking(small, app_server.base_url, booking)
        expect(small.locator("#refunds-table tr.refund-row")).to_have_count(1)
        shot(small.locator("#payments-panel"), SCREENSHOTS / "provider-refund-booking-390.png")
    finally:
        phone.close()
