"""The Bookings page shows what the ledger holds: every demo booking, with its amounts formatted."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from concierge_app.db.engine import Database
from concierge_app.domain.formatting import format_day, format_money
from concierge_app.services.guest.queries import BookingSummary, list_bookings
from concierge_app.ui.shared.stay import format_stay

if TYPE_CHECKING:
    from tests.e2e.conftest import AppServer

# Column order of the table body cells (`td`); the reference is the row header (`th`).
GUEST, PROPERTY, STAY, CURRENCY, STATUS, INVOICED, PAID, OUTSTANDING = range(8)


def _bookings_in(database_url: str) -> list[BookingSummary]:
    db = Database(database_url)
    try:
        return list_bookings(db=db)
    finally:
        db.dispose()


@pytest.mark.e2e
def test_bookings_page_lists_the_demo_bookings(
    app_server: AppServer, staff_page: Page, console_errors: list[str], screenshot_dir: Path
) -> None:
    page = staff_page
    expected = _bookings_in(app_server.database_url)
    assert expected, "seed-demo loaded no bookings: nothing to check on the page"

    page.goto(f"{app_server.base_url}/")
    expect(page.get_by_role("heading", name="Bookings", level=1)).to_be_visible()
    rows = page.locator("tr.booking-row")
    expect(rows).to_have_count(len(expected), timeout=30_000)
    expect(page.locator("#bookings-loading")).to_have_count(0)
    page.screenshot(path=str(screenshot_dir / "bookings.png"), full_page=True)

    shown_order = rows.evaluate_all("rows => rows.map(row => row.dataset.reference)")
    assert shown_order == [booking.reference for booking in expected]

    for booking in expected:
        row = page.locator(f'tr.booking-row[data-reference="{booking.reference}"]')
        expect(row.locator("th")).to_have_text(booking.reference)
        cells = row.locator("td")
        expect(cells.nth(GUEST)).to_have_text(booking.guest_name)
        expect(cells.nth(PROPERTY)).to_have_text(booking.property_name)
        nights = (booking.check_out - booking.check_in).days
        expect(cells.nth(STAY)).to_contain_text(format_stay(booking.check_in, booking.check_out))
        expect(cells.nth(STAY)).to_contain_text(f"{nights} night")
        check_in, check_out = format_day(booking.check_in), format_day(booking.check_out)
        expect(cells.nth(STAY)).to_have_attribute(
            "title", f"Check-in {check_in} · check-out {check_out}"
        )
        expect(cells.nth(CURRENCY)).to_have_text(booking.currency)
        expect(cells.nth(STATUS)).to_have_text(booking.status, ignore_case=True)
        for column, amount in (
            (INVOICED, booking.invoiced),
            (PAID, booking.paid),
            (OUTSTANDING, booking.outstanding),
        ):
            expect(cells.nth(column)).to_have_text(format_money(amount))
            expect(cells.nth(column)).to_have_css("text-align", "right")

    assert console_errors == [], f"the page logged errors: {console_errors}"
