"""Bookings in, in the browser: staff create a booking with the New booking form (a currency
from the list; a bad field is refused at the field first), edit its check-out on the booking
page, then import a bookings CSV on the Bookings page; both bookings are in the list.
Screenshots at 1280 and 390 px."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from concierge_app.db.bookings import Booking
from concierge_app.db.engine import Database
from tests.e2e.conftest import shot_desktop_and_phone

if TYPE_CHECKING:
    from tests.e2e.conftest import AppServer

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/i17-bookings-shots")


def test_new_booking_by_form_then_edit_then_import_a_csv(
    app_server: AppServer, staff_page: Page, tmp_path: Path
):
    page, base = staff_page, app_server.base_url
    run = secrets.token_hex(3)
    guest = f"Ana Form {run}"
    page.goto(f"{base}/")
    page.get_by_role("button", name="New booking").click(timeout=30_000)
    dialog = page.locator("#new-booking-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Guest name").fill(guest)
    dialog.get_by_label("Guest email").fill(f"ana.{run}@example.com")
    dialog.locator("#new-property").click()
    page.get_by_role("option", name=re.compile("PRP-1001")).click()
    dialog.get_by_label("Check-in").fill("2027-05-02")
    dialog.get_by_label("Check-out").fill("2027-05-01")
    dialog.locator("#new-currency").click()
    page.get_by_role("option", name="CHF", exact=True).click()
    dialog.get_by_label("Accommodation total").fill("2400.00")
    dialog.get_by_label("Already paid").fill("500")
    shot_desktop_and_phone(page, SHOTS / "new-booking-dialog")
    dialog.get_by_role("button", name="Create booking").click()
    expect(page.locator("#new-check-out-error")).to_have_text(
        re.compile("Check-out must be after check-in")
    )
    dialog.get_by_label("Check-out").fill("2027-05-09")
    dialog.get_by_role("button", name="Create booking").click()
    page.wait_for_url(re.compile(r"/bookings/BK-\d{6}$"), timeout=30_000)
    with Database(app_server.database_url).read() as s:  # the form sent its opening's key
        made = s.exec(select(Booking).where(Booking.reference == page.url.rsplit("/", 1)[1]))
        assert len(made.one().request_key or "") >= 16
    expect(page.get_by_role("heading", level=1)).to_contain_text("Booking BK-")
    expect(page.locator("#accommodation-total")).to_contain_text("2,400.00")

    page.get_by_role("button", name="Edit").click()
    edit = page.locator("#edit-booking-dialog")
    expect(edit.get_by_label("Guest name")).to_have_value(guest)
    expect(edit.locator("#edit-currency")).to_have_text("CHF")
    edit.get_by_label("Check-out").fill("2027-05-11")
    edit.get_by_label("Accommodation total").fill("100")
    shot_desktop_and_phone(page, SHOTS / "edit-booking-dialog")
    edit.get_by_role("button", name="Save changes").click()
    expect(page.locator("#edit-accommodation-total-error")).to_contain_text("already paid")
    edit.get_by_label("Accommodation total").fill("2600.00")
    edit.get_by_role("button", name="Save changes").click()
    expect(edit).to_have_count(0)
    expect(page.locator("#accommodation-total")).to_contain_text("2,600.00")

    imported = f"Bea Import {run}"
    csv_file = tmp_path / "bookings.csv"
    csv_file.write_text(
        "external_reference,guest_name,guest_email,property,check_in,check_out,currency,"
        "accommodation_total\n"
        f"HX-{run},{imported},bea.{run}@example.com,PRP-1002,2027-06-01,2027-06-05,EUR,900.00\n",
        encoding="utf-8",
    )
    page.goto(f"{base}/")
    expect(page.locator("#bookings-import-card")).to_be_visible(timeout=30_000)
    with page.expect_file_chooser() as chooser:
        page.locator("#bookings-file").click()
    chooser.value.set_files(csv_file)
    expect(page.locator("#bookings-chosen")).to_have_text(csv_file.name)
    page.get_by_role("button", name="Import bookings").click()
    expect(page.locator("#bookings-import-result")).to_have_text(
        "1 booking in the file: 1 created, 0 updated, 0 unchanged.", timeout=30_000
    )
    page.locator("#booking-search").fill(run)
    rows = page.locator("tr.booking-row")
    expect(rows).to_have_count(2, timeout=30_000)
    expect(page.locator("#bookings-table")).to_contain_text(guest)
    expect(page.locator("#bookings-table")).to_contain_text(imported)
    shot_desktop_and_phone(page, SHOTS / "bookings-page")
