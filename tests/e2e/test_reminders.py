"""Payment reminders on the booking page, in the browser: the Reminders card says when the next
reminder goes (and which), Pause reminders stops them (stored and audited), Resume brings the
line back. Screenshots at 1280 and 390 px."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from concierge_app.db.audit import AuditEvent
from concierge_app.db.bookings import Booking
from concierge_app.db.engine import Database
from concierge_app.db.invoicing import GuestInvoice
from tests.e2e.conftest import shot_desktop_and_phone

if TYPE_CHECKING:
    from tests.e2e.conftest import AppServer

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/i18-remind-shots")


def _unpaid_booking(db: Database) -> tuple[int, str]:
    with db.read() as s:
        booking = s.exec(
            select(Booking)
            .join(GuestInvoice, GuestInvoice.booking_id == Booking.id)  # type: ignore[arg-type]
            .where(GuestInvoice.status == "active", Booking.status == "confirmed")
            .order_by(Booking.id)  # type: ignore[arg-type]
        ).first()
        assert booking is not None and booking.id is not None, "the demo has an unpaid invoice"
        return booking.id, booking.reference


def _paused(db: Database, booking_id: int) -> bool:
    with db.read() as s:
        booking = s.get(Booking, booking_id)
        assert booking is not None
        return booking.reminders_paused


def test_pause_and_resume_reminders_on_the_booking_page(app_server: AppServer, staff_page: Page):
    page, base = staff_page, app_server.base_url
    db = Database(app_server.database_url)
    booking_id, reference = _unpaid_booking(db)
    page.goto(f"{base}/bookings/{reference}")
    card = page.locator("#reminders-card")
    expect(card).to_be_visible(timeout=30_000)
    expect(page.locator("#next-reminder")).to_have_text(
        re.compile(r"Next reminder: \w+ \d{1,2}, \d{4} \(.+, CI-\d{4}-\d{5}\)")
    )
    shot_desktop_and_phone(page, SHOTS / "booking-reminders")

    card.get_by_role("button", name="Pause reminders").click()
    expect(page.locator("#reminders-paused")).to_contain_text("Paused")
    expect(card.get_by_role("button", name="Resume reminders")).to_be_visible()
    assert _paused(db, booking_id)
    shot_desktop_and_phone(page, SHOTS / "booking-reminders-paused")

    card.get_by_role("button", name="Resume reminders").click()
    expect(page.locator("#next-reminder")).to_contain_text("Next reminder:")
    assert not _paused(db, booking_id)
    with db.read() as s:
        actions = [
            e.action
            for e in s.exec(select(AuditEvent).where(AuditEvent.booking_id == booking_id))
            if e.action.startswith("reminders.")
        ]
    assert actions == ["reminders.paused", "reminders.resumed"]
    db.dispose()
