"""Live updates are pushed: an open page sends nothing while nobody changes anything, and a
payment made elsewhere (a webhook, another browser) shows on the guest's Payments card and on
the staff booking page within a second, without a reload."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Page, expect

from concierge_app.services.guest.links import issue_guest_link
from tests.e2e.conftest import sign_in
from tests.e2e.test_guest_portal import open_invoice, paid_invoice
from tests.e2e.test_trip_portfolio import (
    ACTOR,
    VIEWPORT,
    add_service,
    invoice_row,
    new_booking,
    open_booking,
    pay,
    send_draft,
)

if TYPE_CHECKING:
    from concierge_app.db.engine import Database
    from tests.e2e.conftest import AppServer

IDLE_SECONDS = 3


def record_events(page: Page) -> list[str]:
    """Socket.IO event frames the page sends (`42…`; engine.io pings and pongs are not events)."""
    sent: list[str] = []

    def on_socket(socket) -> None:  # type: ignore[no-untyped-def]
        socket.on(
            "framesent",
            lambda payload: sent.append(payload) if str(payload).startswith("42") else None,
        )

    page.on("websocket", on_socket)
    return sent


@pytest.fixture
def two_tabs(browser: Browser) -> Iterator[tuple[Page, Page]]:
    contexts = [browser.new_context(viewport=VIEWPORT, locale="en-US") for _ in range(2)]
    try:
        yield contexts[0].new_page(), contexts[1].new_page()
    finally:
        for context in contexts:
            context.close()


@pytest.mark.e2e
def test_idle_pages_send_nothing_and_a_payment_elsewhere_shows_on_both_within_a_second(
    app_server: AppServer, two_tabs: tuple[Page, Page], app_db: Database
) -> None:
    base = app_server.base_url
    booking = new_booking(app_db)
    add_service(app_db, booking, "Sunset sailing tour", "640.00", confirm=True)
    sent = send_draft(app_db, booking)
    link = issue_guest_link(db=app_db, booking_id=booking.id, actor=ACTOR)
    guest, staff = two_tabs
    guest_events, staff_events = record_events(guest), record_events(staff)

    guest.goto(f"{base}/portal/{booking.reference}?t={link.token}")
    expect(open_invoice(guest, sent.number)).to_be_visible(timeout=15_000)
    sign_in(staff, base)
    open_booking(staff, base, booking)
    status = invoice_row(staff, sent.number).locator(".invoice-status")
    expect(status).not_to_have_text("Paid")
    guest.evaluate("window.__sameDocument = true")

    # Idle: neither page asks the server anything (no timer, no poll).
    time.sleep(1)
    before = (len(guest_events), len(staff_events))
    time.sleep(IDLE_SECONDS)
    assert (len(guest_events), len(staff_events)) == before, (
        f"idle pages sent events: {guest_events[before[0] :]} {staff_events[before[1] :]}"
    )

    started = time.monotonic()
    pay(app_db, sent.invoice_id)  # as the payment webhook does, outside any browser
    expect(paid_invoice(guest, sent.number)).to_contain_text("Paid", timeout=5_000)
    guest_seen = time.monotonic() - started
    expect(status).to_have_text("Paid", timeout=5_000)
    staff_seen = time.monotonic() - started
    sys.stderr.write(f"\n[e2e push] Paid shown: guest {guest_seen:.2f}s, staff {staff_seen:.2f}s\n")
    assert guest_seen <= 1.5 and staff_seen <= 1.5, (guest_seen, staff_seen)
    assert guest.evaluate("window.__sameDocument === true"), "the portal was reloaded"
    # The push itself made the pages send nothing either.
    assert (len(guest_events), len(staff_events)) == before
