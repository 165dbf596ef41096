"""A refund in the browser leaves the guest a credit note: staff refund part of a paid service
with the Refund dialog; the staff Documents card and the guest's portal (opened from the link
in the "Refund Issued" message) list the credit note, and its PDF downloads with its number,
the invoice it corrects and the amount refunded (checked with pypdf).
Screenshots of both at 1280 and 390 px wide."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Page, expect

from concierge_app.db.engine import Database
from concierge_app.domain.formatting import format_money
from concierge_app.domain.money import Money
from tests.e2e import test_trip_portfolio as trip
from tests.e2e.conftest import signed_in_page
from tests.e2e.test_guest_documents import download, pdf_text
from tests.e2e.test_guest_portal import query
from tests.e2e.test_trip_portfolio import (
    add_service,
    new_booking,
    open_booking,
    pay,
    send_draft,
    service_row,
    shot,
)

if TYPE_CHECKING:
    from tests.e2e.conftest import AppServer

pytestmark = pytest.mark.e2e
db, staff = trip.db, trip.staff  # the app's database, one signed-in staff page


def test_a_staff_refund_gives_the_guest_a_credit_note_on_the_portal(
    app_server: AppServer, staff: Page, db: Database, browser: Browser, screenshot_dir: Path
) -> None:
    base = app_server.base_url
    booking = new_booking(db)
    add_service(db, booking, "Private chef", "800.00")
    sent = send_draft(db, booking)
    pay(db, sent.invoice_id)
    refunded = format_money(Money.parse("300.00", "EUR"))

    open_booking(staff, base, booking)
    service_row(staff, "Private chef").get_by_role("button", name="Refund").click()
    dialog = staff.get_by_role("dialog", name="Refund 'Private chef'")
    dialog.get_by_label("Amount").fill("300.00")
    dialog.get_by_label("Note").fill("The chef arrived two hours late")
    dialog.get_by_role("button", name="Issue refund").click()
    expect(dialog).to_be_hidden()

    [(number,)] = query(
        app_server,
        "SELECT number FROM guest_credit_note WHERE booking_id = ?",
        booking.id,
    )
    assert re.fullmatch(r"GCN-\d{6}", str(number))
    title = f"Credit note {number}"
    staff_row = f'tr.document-row:has-text("{title}")'
    expect(staff.locator(staff_row)).to_contain_text(refunded, timeout=30_000)
    staff_text = pdf_text(download(staff, staff_row))
    for expected in (str(number), sent.number, refunded, "The chef arrived two hours late"):
        assert expected in staff_text, expected
    expect(staff.locator("#refunds-table")).to_contain_text(refunded)
    for viewport, name in (
        ({"width": 1280, "height": 900}, "1280"),
        ({"width": 390, "height": 844}, "390"),
    ):
        with signed_in_page(browser, base, viewport) as page:  # type: ignore[arg-type]
            open_booking(page, base, booking)
            expect(page.locator(staff_row)).to_be_visible(timeout=30_000)
            page.locator("#documents-table").scroll_into_view_if_needed()
            page.screenshot(path=str(screenshot_dir / f"staff-credit-note-{name}.png"))

    # The guest's message: Refund Issued, the PDF attached, a link to the portal's Documents.
    [(body, attachment)] = query(
        app_server,
        "SELECT body, attachment FROM outbox_message "
        "WHERE template_key = 'refund_issued' AND booking_id = ?",
        booking.id,
    )
    assert attachment == f"guest_credit_note_pdf:{number}"
    found = re.search(re.escape(f"{base}/portal/{booking.reference}?t=") + r"\S+", str(body))
    assert found, body

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    try:
        guest = context.new_page()
        guest.goto(found.group(0))
        row = f'[data-testid=document][data-title="{title}"]'
        expect(guest.locator(row)).to_be_visible(timeout=30_000)
        expect(guest.locator(row)).to_contain_text(refunded)
        text = pdf_text(download(guest, row))
        for expected in (str(number), sent.number, refunded, "EUR", booking.reference):
            assert expected in text, expected
        guest.locator("#documents").scroll_into_view_if_needed()
        shot(guest, screenshot_dir / "guest-credit-note-1280.png")
        guest.set_viewport_size({"width": 390, "height": 844})
        expect(guest.locator(row)).to_be_visible()
        width = guest.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the portal is {width}px wide on a phone"
        guest.locator(row).scroll_into_view_if_needed()
        shot(guest, screenshot_dir / "guest-credit-note-390.png")
    finally:
        context.close()
