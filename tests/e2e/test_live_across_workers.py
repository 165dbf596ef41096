"""Live updates with several workers sharing state through Redis: nothing relies on one
process's memory, so two browsers (whichever workers serve them) see each other's changes."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
import redis
from playwright.sync_api import Browser, expect

from concierge_app.db.engine import Database
from tests.e2e.conftest import REDIS_URL, sign_in
from tests.e2e.test_trip_portfolio import (
    VIEWPORT,
    add_service,
    invoice_row,
    new_booking,
    open_booking,
    pay,
    send_draft,
    service_row,
)

if TYPE_CHECKING:
    from tests.e2e.conftest import AppServer


@pytest.fixture
def redis_db(redis_app_server: AppServer) -> Iterator[Database]:
    database = Database(redis_app_server.database_url)
    yield database
    database.dispose()


@pytest.mark.e2e
def test_two_browsers_on_a_multi_worker_app_see_each_others_changes(
    redis_app_server: AppServer, browser: Browser, redis_db: Database
) -> None:
    base = redis_app_server.base_url
    booking = new_booking(redis_db)
    add_service(redis_db, booking, "Sunset sailing tour", "1200.00", confirm=False)
    contexts = [browser.new_context(viewport=VIEWPORT, locale="en-US") for _ in range(2)]
    try:
        actor, watcher = (context.new_page() for context in contexts)
        for page in (actor, watcher):
            sign_in(page, base)
            open_booking(page, base, booking)
        status = service_row(watcher, "Sunset sailing tour").locator(".lifecycle")
        expect(status).to_have_text("Draft")

        service_row(actor, "Sunset sailing tour").get_by_role(
            "button", name="Confirm", exact=True
        ).click()
        started = time.monotonic()
        actor.get_by_role("alertdialog").get_by_role("button", name="Confirm service").click()
        expect(status).to_have_text("Confirmed", timeout=5_000)
        elapsed = time.monotonic() - started
        sys.stderr.write(f"\n[e2e redis] the other browser saw it after {elapsed:.2f}s\n")
        assert elapsed <= 1.5, f"the other browser showed the change after {elapsed:.2f}s"

        sent = send_draft(redis_db, booking)  # as a webhook or another worker would
        started = time.monotonic()
        pay(redis_db, sent.invoice_id)
        expect(invoice_row(watcher, sent.number).locator(".invoice-status")).to_have_text(
            "Paid", timeout=5_000
        )
        assert time.monotonic() - started <= 1.5
    finally:
        for context in contexts:
            context.close()
    # The browsers' states were kept in Redis, not in one worker's memory.
    assert redis.Redis.from_url(REDIS_URL).dbsize() > 0, "no Reflex state was stored in Redis"
