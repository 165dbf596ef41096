"""Partners in the browser: staff create a property and an operator with the New partner form
(bad fields refused at their field first), edit the operator's details on its page (a new name,
a new rate from tomorrow into the rate history), and find both on the Partners list by search
and kind. Screenshots at 1280 and 390 px."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlmodel import select

from concierge_app.db.engine import Database
from concierge_app.db.parties import Partner
from tests.e2e.conftest import shot_desktop_and_phone

if TYPE_CHECKING:
    from tests.e2e.conftest import AppServer

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/i17-partners-shots")


def choose(page: Page, dialog: Locator, element_id: str, option: str) -> None:
    dialog.locator(f"#{element_id}").click()
    page.get_by_role("option", name=option, exact=True).click()


def fill_new(page: Page, dialog: Locator, values: dict[str, str]) -> None:
    for label, value in values.items():
        dialog.get_by_label(label, exact=True).fill(value)


def test_create_a_property_and_an_operator_edit_one_and_find_them(
    app_server: AppServer, staff_page: Page
) -> None:
    page, base = staff_page, app_server.base_url
    run = secrets.token_hex(3).upper()
    page.goto(f"{base}/partners")
    expect(page.locator("tr.partner-row").first).to_be_visible(timeout=30_000)
    page.locator("#partner-search").fill("PRP-1001")
    expect(page.locator("tr.partner-row")).to_have_count(1, timeout=15_000)
    page.locator("#partner-search").fill("")

    # A property, with a bank account; bad fields are refused at their field first.
    page.get_by_role("button", name="New partner").click()
    dialog = page.locator("#new-partner-dialog")
    expect(dialog).to_be_visible()
    fill_new(
        page,
        dialog,
        {
            "Partner ID": f"VS-{run}",
            "Legal name": f"Villa Sol {run} S.L.",
            "Category": "villa",
            "Address": "Calle Mayor 1\n07001 Palma",
            "Country": "XX",
            "Time zone": "Europe/Madrid",
            "Commission rate (%)": "100.001",
            "Finance contact": "Marta Ruiz",
            "Finance email": f"finance.{run.lower()}@villasol.es",
            "Account holder": f"Villa Sol {run} S.L.",
            "IBAN": "ES91 2100 0418 4502 0005 1333",
        },
    )
    shot_desktop_and_phone(page, SHOTS / "new-partner-dialog")
    dialog.get_by_role("button", name="Create partner").click()
    expect(page.locator("#new-partner-commission-rate-error")).to_contain_text("two decimals")
    expect(page.locator("#new-partner-country-error")).to_contain_text("not a country")
    expect(page.locator("#new-partner-iban-error")).to_contain_text("IBAN is not valid")
    shot_desktop_and_phone(page, SHOTS / "new-partner-refused")
    fill_new(
        page,
        dialog,
        {"Country": "ES", "Commission rate (%)": "12.5", "IBAN": "ES91 2100 0418 4502 0005 1332"},
    )
    dialog.get_by_role("button", name="Create partner").click()
    page.wait_for_url(re.compile(rf"/finance/partners/VS-{run}$"), timeout=30_000)
    expect(page.locator("#details-name")).to_have_text(f"Villa Sol {run} S.L.", timeout=30_000)
    expect(page.locator("#details-bank")).to_contain_text("1332")
    expect(page.locator("#commission-rate-now")).to_have_text("12.5 %")

    # An operator in pounds, paid gross, paying its commission by bank transfer.
    page.goto(f"{base}/partners")
    page.get_by_role("button", name="New partner").click(timeout=30_000)
    dialog = page.locator("#new-partner-dialog")
    fill_new(
        page,
        dialog,
        {
            "Partner ID": f"SAIL-{run}",
            "Legal name": f"Blue Sailing {run} Ltd",
            "Category": "sailing tour",
            "Address": "1 Harbour Road\nPlymouth PL1 2AA",
            "Country": "gb",
            "Time zone": "Europe/London",
            "Commission rate (%)": "10",
            "Finance contact": "Tom Reed",
            "Finance email": f"accounts.{run.lower()}@bluesailing.co.uk",
        },
    )
    choose(page, dialog, "new-partner-kind", "Operator")
    choose(page, dialog, "new-partner-currency", "GBP")
    choose(page, dialog, "new-partner-payout-method", "Gross (e.g. through Stripe)")
    choose(page, dialog, "new-partner-commission-payment-method", "Bank transfer")
    dialog.get_by_role("button", name="Create partner").click()
    page.wait_for_url(re.compile(rf"/finance/partners/SAIL-{run}$"), timeout=30_000)
    expect(page.locator("#details-kind")).to_have_text("Operator · sailing tour", timeout=30_000)
    expect(page.locator("#details-currency")).to_have_text("GBP")
    expect(page.locator("#details-bank")).to_have_text("None on file")
    shot_desktop_and_phone(page, SHOTS / "partner-page")

    # Edit details: a new name and a new rate from tomorrow (dated in the history).
    today = datetime.now(UTC).date().isoformat()
    tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
    page.get_by_role("button", name="Edit details").click()
    edit = page.locator("#edit-partner-dialog")
    expect(edit.get_by_label("Legal name", exact=True)).to_have_value(f"Blue Sailing {run} Ltd")
    expect(edit.locator("#edit-partner-currency")).to_have_text("GBP")
    edit.get_by_label("Legal name", exact=True).fill(f"Blue Sailing {run} Holdings Ltd")
    expect(edit.get_by_label("New rate from")).to_have_value(tomorrow)  # the earliest day
    edit.get_by_label("New commission rate (%)").fill("15")
    edit.get_by_label("New rate from").fill(today)  # a day begun is never re-priced
    shot_desktop_and_phone(page, SHOTS / "edit-partner-dialog")
    edit.get_by_role("button", name="Save details").click()
    expect(page.locator("#edit-partner-rate-valid-from-error")).to_contain_text("tomorrow")
    edit.get_by_label("New rate from").fill(tomorrow)
    edit.get_by_role("button", name="Save details").click()
    expect(edit).to_have_count(0, timeout=30_000)
    expect(page.locator("#staff-action-done")).to_contain_text("name, new commission rate")
    expect(page.locator("#details-name")).to_have_text(f"Blue Sailing {run} Holdings Ltd")
    expect(page.locator(".commission-rate-entry[data-state='scheduled']")).to_have_attribute(
        "data-rate", "15 %"
    )
    with Database(app_server.database_url).read() as s:
        saved = s.exec(select(Partner).where(Partner.code == f"SAIL-{run}")).one()
        assert (saved.name, saved.currency, saved.country) == (
            f"Blue Sailing {run} Holdings Ltd",
            "GBP",
            "GB",
        )

    # Both on the list: search by the run, then only the operators.
    page.goto(f"{base}/partners")
    page.locator("#partner-search").fill(run)
    rows = page.locator("tr.partner-row")
    expect(rows).to_have_count(2, timeout=30_000)
    expect(page.locator("#partners-table")).to_contain_text(f"Blue Sailing {run} Holdings Ltd")
    expect(page.locator("#partners-table")).to_contain_text(f"Villa Sol {run} S.L.")
    page.locator("#partner-kind").click()
    page.get_by_role("option", name="Operators").click()
    expect(rows).to_have_count(1, timeout=15_000)
    expect(rows.first).to_have_attribute("data-code", f"SAIL-{run}")
    page.locator("#partner-kind").click()
    page.get_by_role("option", name="All kinds").click()
    expect(rows).to_have_count(2, timeout=15_000)
    shot_desktop_and_phone(page, SHOTS / "partners-list")
    rows.filter(has_text="Villa Sol").get_by_role("link").first.click()
    page.wait_for_url(re.compile(rf"/finance/partners/VS-{run}$"), timeout=30_000)
