"""Staff Finance → Books, in the browser: the month's journal totals per currency, a CSV per
currency downloaded (debit and credit columns that balance), the Xero file, and the monthly
invoiced / paid / outstanding charts for guest invoices and partner commission, at desktop and
phone widths (no horizontal overflow)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from concierge_app.domain.journal_csv import JOURNAL_COLUMNS, XERO_COLUMNS

if TYPE_CHECKING:
    from tests.e2e.conftest import AppServer

pytestmark = pytest.mark.e2e
SHOTS = Path("/tmp/i17-books-shots")
HIDE_TOASTS = "[data-sonner-toaster] { display: none !important; }"


def _minor(text: str) -> int:
    return int(text.replace(".", "")) if text else 0


def test_books_tab_downloads_the_journal_and_shows_the_charts(
    app_server: AppServer, staff_page: Page, console_errors: list[str], screenshot_dir: Path
):
    page = staff_page
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{app_server.base_url}/finance?tab=books")
    rows = page.locator("#books-journal .books-total")
    expect(rows.first).to_be_visible(timeout=30_000)
    currencies = [r.locator(".books-currency").inner_text().strip() for r in rows.all()]
    assert {"EUR", "JPY", "USD"} <= set(currencies)
    for row in rows.all():  # debits equal credits
        assert row.locator(".books-debit").inner_text() == row.locator(".books-credit").inner_text()

    eur = rows.filter(has_text="EUR").first
    with page.expect_download() as info:
        eur.locator(".books-download-journal").click()
    download = info.value
    assert download.suggested_filename.endswith("-EUR.csv")
    text = Path(download.path()).read_text(encoding="utf-8")
    lines = list(csv.DictReader(io.StringIO(text)))
    assert tuple(lines[0]) == JOURNAL_COLUMNS and {r["currency"] for r in lines} == {"EUR"}
    assert sum(_minor(r["debit"]) for r in lines) == sum(_minor(r["credit"]) for r in lines) > 0

    jpy = rows.filter(has_text="JPY").first
    with page.expect_download() as info:
        jpy.locator(".books-download-xero").click()
    xero = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    assert tuple(xero[0]) == XERO_COLUMNS
    assert sum(int(r["*Amount"]) for r in xero) == 0  # JPY: no decimals

    for chart in ("#books-guest-chart", "#books-commission-chart"):
        expect(page.locator(f"{chart} .books-chart .recharts-surface").first).to_be_visible()
    page.screenshot(path=str(SHOTS / "books-1280.png"), full_page=True, style=HIDE_TOASTS)
    page.screenshot(path=str(screenshot_dir / "finance-books.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(500)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    page.screenshot(path=str(SHOTS / "books-390.png"), full_page=True, style=HIDE_TOASTS)
    assert overflow <= 0, f"{overflow}px of horizontal overflow at 390 px"
    assert not [e for e in console_errors if "favicon" not in e]
