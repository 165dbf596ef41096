"""Write-off → closed → pay by transfer → reopen, in the browser; and "I've paid".

Staff write Casa Palma Miami's (PRP-1002) overdue invoice off on its staff page; the partner
sees it black, the property closed and "Open your property" disabled; the transfer that pays
every outstanding invoice arrives (recorded through the service staff use — the record and
import screens are driven in test_transfer_queue.py — received a week ago, so it is
reflected); the invoices turn green and the partner opens the property again. Villa Azul
(PRP-1001) says "I've paid" and sees the payment processing.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from concierge_app.db.engine import Database
from concierge_app.demo.partner_seed import DEMO_PARTNER_LOGINS
from concierge_app.domain.money import Money
from concierge_app.services.partner.money.transfers import record_bank_transfer
from tests.e2e.conftest import sign_in
from tests.e2e.test_partner_finance import (  # noqa: F401  (fixtures)
    CASA_PALMA,
    RGB,
    VILLA_AZUL,
    PageFactory,
    invoice_row,
    invoices_of,
    new_page,
    partner_sign_in,
    shot,
    text_colour,
)

if TYPE_CHECKING:
    import subprocess

    from tests.e2e.conftest import AppServer

from concierge_app.domain.partner_billing import StatusColour

pytestmark = pytest.mark.e2e


def test_write_off_closes_the_property_then_pay_by_transfer_and_reopen(
    app_server: AppServer,
    month_end: subprocess.CompletedProcess[str],
    new_page: PageFactory,  # noqa: F811
    screenshot_dir: Path,
) -> None:
    assert month_end.returncode == 0
    base = app_server.base_url
    invoices = invoices_of(app_server, CASA_PALMA)
    oldest = invoices[0]

    staff = new_page()
    sign_in(staff, base)
    staff.goto(f"{base}/finance")
    staff.locator("a.partner-link", has_text="Casa Palma Miami").first.click()
    staff.wait_for_url(f"**/finance/partners/{CASA_PALMA}", timeout=30_000)
    row = staff.locator(f"tr.staff-partner-document[data-number='{oldest.number}']")
    expect(row).to_have_attribute("data-colour", "red", timeout=30_000)
    row.get_by_role("button", name="Write off / legal…").click()
    staff.locator("#close-reason").fill("Unpaid after three reminders")
    staff.locator("#confirm-close").click()
    expect(row).to_have_attribute("data-colour", "black", timeout=30_000)
    expect(staff.locator("#property-closed-badge")).to_be_visible()
    shot(staff, screenshot_dir / "staff-partner-written-off.png")

    casa = new_page()
    partner_sign_in(casa, base, DEMO_PARTNER_LOGINS[CASA_PALMA])
    casa.goto(f"{base}/partner/invoices")
    black = invoice_row(casa, "all-invoices", oldest.number)
    expect(black).to_have_attribute("data-colour", "black", timeout=30_000)
    status = black.get_by_test_id("invoice-status")
    expect(status).to_contain_text("Written off")
    assert text_colour(status, "Written off") == RGB[StatusColour.BLACK]
    closed = casa.locator("#property-closed")
    expect(closed).to_contain_text("Your property is closed")
    expect(closed).to_contain_text("Unpaid after three reminders")
    expect(casa.locator("#open-property")).to_be_disabled()
    shot(casa, screenshot_dir / "partner-property-closed.png")

    # The transfer for everything outstanding, quoting the property ID, a week ago.
    due = sum(i.amount.minor - i.deducted.minor for i in invoices)
    currency = oldest.amount.currency
    db = Database(app_server.database_url)
    try:
        outcome = record_bank_transfer(
            db=db,
            amount=Money(due, currency),
            reference=f"{CASA_PALMA} {oldest.number}",
            received_on=date.today() - timedelta(days=7),
            external_id="E2E-CASA-PALMA-1",
            actor="e2e:bank-import",
        )
    finally:
        db.engine.dispose()
    assert outcome.matched and outcome.credit_left.is_zero, outcome

    # Live: the page updates without a reload.
    expect(black).to_have_attribute("data-colour", "green", timeout=30_000)
    expect(casa.locator("#outstanding-balances")).to_contain_text("Nothing outstanding")
    expect(casa.locator("#open-property")).to_be_enabled(timeout=30_000)
    casa.locator("#open-property").click()
    expect(casa.locator("#action-done")).to_have_text("Your property is open again.")
    expect(casa.locator("#property-closed")).to_have_count(0)
    shot(casa, screenshot_dir / "partner-property-reopened.png")
    staff.reload()
    expect(staff.get_by_text("Open", exact=True)).to_be_visible(timeout=30_000)


def test_ive_paid_shows_the_payment_processing(
    app_server: AppServer,
    month_end: subprocess.CompletedProcess[str],
    new_page: PageFactory,  # noqa: F811
    screenshot_dir: Path,
) -> None:
    assert month_end.returncode == 0
    base = app_server.base_url
    villa = new_page()
    partner_sign_in(villa, base, DEMO_PARTNER_LOGINS[VILLA_AZUL])
    villa.goto(f"{base}/partner/invoices")
    table = villa.locator("#outstanding-balances")
    expect(table).to_be_visible(timeout=30_000)
    first = table.locator("tr.partner-invoice-row").first
    number = first.get_attribute("data-number")
    first.get_by_role("button", name="I've paid").click()
    expect(villa.locator("#action-done")).to_contain_text("Your payment is processing")
    row = invoice_row(villa, "outstanding-balances", str(number))
    expect(row).to_have_attribute("data-colour", "red")  # stays red until reflected
    expect(row.locator(".status-note")).to_contain_text(
        "Payment processing — it should be reflected by"
    )
    expect(row.get_by_role("button", name="I've paid")).to_have_count(0)
    shot(villa, screenshot_dir / "partner-ive-paid.png")
