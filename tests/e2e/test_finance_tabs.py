"""The staff Finance page in tabs (issue 15): it was one 4,700 px scroll; now each job —
Overview, Month-end, Bank transfers, Direct debit, Payouts, Documents, Books (issue 17) — has
its own tab, the address names the open tab (`/finance?tab=transfers`), and a link or a reload
opens that tab.
Screenshots of every tab at 1280 and 390 px."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from concierge_app.ui.staff.finance.state import FINANCE_TABS

if TYPE_CHECKING:
    from tests.e2e.conftest import AppServer

pytestmark = pytest.mark.e2e

# What each tab shows (the element ids the other Finance tests use).
PARTS = {
    "overview": "#finance-chart",
    "month-end": "#month-end",
    "transfers": "#bank-transfers",
    "direct-debit": "#direct-debit",
    "payouts": "#payouts",
    "documents": "#latest-documents",
    "books": "#books-journal",
    "reconciliation": "#reconciliation",
}
OLD_HEIGHT = 4_700  # the one long page, at 1280 px


def address(base_url: str, tab: str) -> str:
    return f"{base_url}/finance" + ("" if tab == "overview" else f"?tab={tab}")


def shown_address(base_url: str, tab: str) -> re.Pattern[str]:
    """The address while a tab is open (the built app serves the page as `/finance/`)."""
    query = "" if tab == "overview" else re.escape(f"?tab={tab}")
    return re.compile(re.escape(f"{base_url}/finance") + "/?" + query + "$")


def expect_only(page: Page, tab: str) -> None:
    """The tab is selected and shows its part; no other tab's part is on the page."""
    expect(page.get_by_role("tab", name=FINANCE_TABS[tab])).to_have_attribute(
        "aria-selected", "true", timeout=30_000
    )
    expect(page.locator(PARTS[tab])).to_be_visible()
    for other, part in PARTS.items():
        if other != tab:
            expect(page.locator(part)).to_have_count(0)


def test_each_finance_job_has_its_own_tab_named_in_the_address(
    app_server: AppServer, staff_page: Page, screenshot_dir: Path
) -> None:
    page, base = staff_page, app_server.base_url
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/finance")
    tabs = page.get_by_role("tab")
    expect(tabs).to_have_count(len(FINANCE_TABS), timeout=30_000)
    names = [re.sub(r"\s*\d+$", "", t.strip()) for t in tabs.all_inner_texts()]
    assert names == list(FINANCE_TABS.values())
    expect_only(page, "overview")
    expect(page.locator("a.partner-link").first).to_be_visible()  # the partners' balances

    heights = {}
    for tab, label in FINANCE_TABS.items():
        page.get_by_role("tab", name=label).click()
        expect_only(page, tab)
        expect(page).to_have_url(shown_address(base, tab))
        heights[tab] = page.evaluate("document.documentElement.scrollHeight")
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(screenshot_dir / f"finance-tab-{tab}-1280.png"), full_page=True)
    assert max(heights.values()) < OLD_HEIGHT / 2, f"page heights per tab: {heights}"


def test_a_link_to_a_finance_tab_opens_it_and_a_reload_keeps_it(
    app_server: AppServer, staff_page: Page
) -> None:
    page, base = staff_page, app_server.base_url
    page.goto(f"{base}/finance?tab=documents")
    expect_only(page, "documents")
    page.get_by_role("tab", name="Payouts").click()
    expect_only(page, "payouts")
    page.reload()
    expect_only(page, "payouts")
    page.goto(f"{base}/finance?tab=no-such-tab")  # an unknown tab opens the overview
    expect_only(page, "overview")


def test_on_a_phone_every_finance_tab_is_in_reach_and_nothing_is_wider_than_the_screen(
    app_server: AppServer, staff_page: Page, screenshot_dir: Path
) -> None:
    page, base = staff_page, app_server.base_url
    page.set_viewport_size({"width": 390, "height": 844})
    for tab, label in FINANCE_TABS.items():
        page.goto(address(base, tab))
        expect_only(page, tab)
        trigger = page.get_by_role("tab", name=label)
        for each in page.get_by_role("tab").all():  # the tab list wraps: none off screen
            box = each.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert trigger.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(screenshot_dir / f"finance-tab-{tab}-390.png"), full_page=True)


def test_the_partner_balances_count_every_document_and_credit_as_the_partners_ledger_does(
    app_server: AppServer, staff_page: Page
) -> None:
    """Issue 15: SwiftRide's VAT document and notes count (it showed €0.00 outstanding while its
    ledger said €12.00 was owed); Credit and Balance sit beside Outstanding, Balance being the
    partner's own Ledger balance."""
    from concierge_app.db.engine import Database
    from concierge_app.domain.formatting import format_money
    from concierge_app.services.partner.views.finance import staff_finance_overview

    db = Database(app_server.database_url)
    try:
        balances = staff_finance_overview(db=db)
    finally:
        db.dispose()
    header = staff_page
    header.goto(f"{app_server.base_url}/finance")
    table = header.locator("#partner-balances")
    expect(table.locator("th")).to_contain_text(["Outstanding", "Credit", "Balance"])
    swiftride = [b for b in balances if b.code == "OPR-2003"]
    assert swiftride and any(not b.outstanding.is_zero for b in swiftride)
    for b in balances:
        cells = table.locator("tr", has=header.locator(f'a[href="/finance/partners/{b.code}"]'))
        row = cells.filter(has_text=b.currency)
        expect(row.locator("td")).to_contain_text(
            [format_money(b.outstanding), format_money(b.credit_left), format_money(b.balance)]
        )
