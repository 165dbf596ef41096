"""A partner's commission rate in the browser: on Chef Marco Private Dining's staff page
(OPR-2002, 12 % from the start) staff open **Change rate**; a rate over 100 % and a start of
today are refused in the dialog and write nothing; 12.5 % from the first of next month is
recorded (audited) and shows in the history as scheduled while 12 % stays in force, on this page
and, live, on another staff page open on the same partner. Screenshots at 1280 and 390 px; at
390 px the card fits the screen. Only OPR-2002's rate history is touched (a change from next
month re-prices nothing the other tests bill)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from concierge_app.domain.partner_billing import long_date
from tests.e2e.conftest import DEMO_STAFF, sign_in
from tests.e2e.test_partner_finance import (  # noqa: F401  (fixtures)
    PageFactory,
    new_page,
    query,
    shot,
)

if TYPE_CHECKING:
    from tests.e2e.conftest import AppServer

pytestmark = pytest.mark.e2e

CHEF = "OPR-2002"
HISTORY = (
    "SELECT r.rate_bps, r.valid_from, r.changed_by FROM partner_commission_rate r "
    "JOIN partner p ON p.id = r.partner_id WHERE p.code = ? ORDER BY r.valid_from"
)
AUDITED = (
    "SELECT e.actor, e.data FROM audit_event e JOIN partner p ON e.subject = 'partner:' || p.id "
    "WHERE e.action = 'partner.rate_changed' AND p.code = ?"
)


def first_of_next_month(today: date) -> date:
    return date(today.year + today.month // 12, today.month % 12 + 1, 1)


def open_partner(page: Page, base: str) -> None:
    sign_in(page, base)
    page.goto(f"{base}/finance/partners/{CHEF}")
    expect(page.locator("#commission-rate-now")).to_have_text("12 %", timeout=30_000)


def test_staff_change_a_partners_commission_rate_and_see_it_in_the_history(
    app_server: AppServer,
    new_page: PageFactory,  # noqa: F811
    screenshot_dir: Path,
) -> None:
    base = app_server.base_url
    today = datetime.now(UTC).date()
    starts = first_of_next_month(today)
    watcher = new_page()  # another staff member has the partner open
    open_partner(watcher, base)
    staff = new_page()
    open_partner(staff, base)
    entries = staff.locator("#commission-rate-card .commission-rate-entry")
    expect(entries).to_have_count(1)
    expect(entries.first).to_have_attribute("data-state", "in force")
    expect(entries.first).to_contain_text("From the start")
    expect(entries.first).to_contain_text("Opening rate · partner created")
    before = query(app_server, HISTORY, CHEF)
    assert [row[0] for row in before] == [1200]

    staff.locator("#change-rate").click()
    dialog = staff.get_by_role("dialog")
    expect(dialog).to_contain_text("Change the commission rate")
    # the date field starts at the earliest day a new rate may start: tomorrow
    expect(staff.locator("#rate-valid-from")).to_have_value((today + timedelta(days=1)).isoformat())
    staff.locator("#rate-new").fill("150")
    staff.locator("#rate-valid-from").fill(starts.isoformat())
    staff.locator("#confirm-rate").click()
    expect(staff.locator("#rate-new-error")).to_contain_text("at most 100 %")
    staff.locator("#rate-new").fill("12.5")
    staff.locator("#rate-valid-from").fill(today.isoformat())
    staff.locator("#confirm-rate").click()
    expect(staff.locator("#rate-valid-from-error")).to_contain_text("tomorrow at the earliest")
    shot(staff, screenshot_dir / "staff-commission-rate-refused.png")
    assert query(app_server, HISTORY, CHEF) == before
    assert query(app_server, AUDITED, CHEF) == []

    staff.locator("#rate-valid-from").fill(starts.isoformat())
    staff.locator("#confirm-rate").click()
    expect(staff.locator("#staff-action-done")).to_contain_text(
        f"Commission rate 12.5 % from {long_date(starts)} recorded.", timeout=30_000
    )
    expect(dialog).to_have_count(0)
    for page in (staff, watcher):  # the other page without a reload
        shown = page.locator("#commission-rate-card .commission-rate-entry")
        expect(shown).to_have_count(2, timeout=30_000)
        expect(shown.first).to_have_attribute("data-rate", "12.5 %")
        expect(shown.first).to_have_attribute("data-state", "scheduled")
        expect(shown.first).to_contain_text(long_date(starts))
        expect(shown.first).to_contain_text(f"by {DEMO_STAFF[0]}")
        expect(shown.nth(1)).to_have_attribute("data-state", "in force")
        expect(page.locator("#commission-rate-now")).to_have_text("12 %")
    assert query(app_server, HISTORY, CHEF)[1:] == [(1250, starts.isoformat(), DEMO_STAFF[0])]
    [(actor, data)] = query(app_server, AUDITED, CHEF)
    audited = json.loads(str(data))
    assert actor == DEMO_STAFF[0]
    assert (audited["rate_bps"], audited["previous_rate_bps"]) == (1250, 1200)
    assert audited["valid_from"] == starts.isoformat()

    card = staff.locator("#commission-rate-card")
    card.scroll_into_view_if_needed()
    shot(staff, screenshot_dir / "staff-commission-rate-1280.png")
    staff.set_viewport_size({"width": 390, "height": 844})
    card.scroll_into_view_if_needed()
    box = card.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    card.screenshot(path=str(screenshot_dir / "staff-commission-rate-card-390.png"))
    shot(staff, screenshot_dir / "staff-commission-rate-390.png")
    staff.locator("#change-rate").click()  # the dialog on a phone: the next start is offered
    expect(staff.locator("#rate-valid-from")).to_have_value(
        (starts + timedelta(days=1)).isoformat()
    )
    staff.get_by_role("dialog").screenshot(
        path=str(screenshot_dir / "staff-commission-rate-dialog-390.png")
    )
