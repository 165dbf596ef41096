"""A partner pays its commission invoices online, in the browser, through the sandbox checkout.

Aegean Sailing Co. (OPR-2001, pays online) signs in after the month-end run: its invoices are
red with "Pay online" (a black one would offer bank transfer only); it opens one checkout and
goes back (Payment cancelled, nothing changes), then "Pay all online", pays with the 4242 test
card, comes back to its Invoices page and sees them turn green, "Paid", once the webhook applied
the payment; a second tab already on the return page goes from "Payment processing…" to
"Payment received" live. Only OPR-2001 is used.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from concierge_app.demo.partner_seed import DEMO_PARTNER_LOGINS
from concierge_app.domain.formatting import format_money
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import PartnerInvoiceState, StatusColour
from tests.e2e.test_partner_finance import (  # noqa: F401  (fixtures)
    RGB,
    PageFactory,
    invoice_row,
    invoices_of,
    new_page,
    partner_sign_in,
    query,
    set_invoice_state,
    shot,
    text_colour,
)

if TYPE_CHECKING:
    import subprocess

    from tests.e2e.conftest import AppServer

pytestmark = pytest.mark.e2e

SAILING = "OPR-2001"


def test_pay_all_online_turns_the_invoices_green(
    app_server: AppServer,
    month_end: subprocess.CompletedProcess[str],
    new_page: PageFactory,  # noqa: F811
    screenshot_dir: Path,
) -> None:
    assert month_end.returncode == 0
    base, today = app_server.base_url, date.today()
    owed = [i for i in invoices_of(app_server, SAILING) if i.status(today).is_open]
    assert len(owed) >= 2, "the demo gives the sailing operator open invoices"
    total = Money(sum(i.status(today).outstanding.minor for i in owed), "EUR")

    page = new_page()
    partner_sign_in(page, base, DEMO_PARTNER_LOGINS[SAILING])
    page.goto(f"{base}/partner/invoices")
    for invoice in owed:
        row = invoice_row(page, "outstanding-balances", invoice.number)
        expect(row).to_have_attribute("data-colour", "red", timeout=30_000)
        expect(row.get_by_role("button", name="Pay online")).to_be_visible()
    pay_all = page.locator(".pay-all-online")
    expect(pay_all).to_have_count(1)
    expect(pay_all).to_have_text(f"Pay all online · {format_money(total)}")
    shot(page, screenshot_dir / "partner-online-before.png")

    # A black (written-off) invoice offers no online payment: bank transfer only, quoting the
    # reference; "Pay all online" leaves it out. (Set directly and back, as the colour check in
    # test_partner_finance.py does: the write-off screen closes the property for good.)
    black = owed[0]
    set_invoice_state(app_server, black.id, PartnerInvoiceState.WRITTEN_OFF.value)
    try:
        page.reload()
        row = invoice_row(page, "outstanding-balances", black.number)
        expect(row).to_have_attribute("data-colour", "black", timeout=30_000)
        expect(row.get_by_role("button", name="Pay online")).to_have_count(0)
        expect(row.locator(".transfer-only")).to_have_text(
            "This invoice was written off: it can only be paid by bank transfer, quoting "
            f"{SAILING} {black.number}."
        )
        rest = total - black.status(today).outstanding
        expect(pay_all).to_have_text(f"Pay all online · {format_money(rest)}")
        shot(page, screenshot_dir / "partner-online-black.png")
    finally:
        set_invoice_state(app_server, black.id, PartnerInvoiceState.ISSUED.value)
    page.reload()
    expect(pay_all).to_have_text(f"Pay all online · {format_money(total)}", timeout=30_000)

    # One invoice, then back without paying: cancelled, nothing changes.
    invoice_row(page, "outstanding-balances", owed[0].number).get_by_role(
        "button", name="Pay online"
    ).click()
    page.wait_for_url(re.compile(r"/sandbox/checkout/cs_"), timeout=30_000)
    expect(page.locator("#checkout-total")).to_have_text(
        format_money(owed[0].status(today).outstanding)
    )
    page.locator("#checkout-back").click()
    page.wait_for_url(re.compile(r"/partner/invoices\?checkout=cancelled"), timeout=30_000)
    expect(page.locator("#checkout-notice")).to_contain_text("Payment cancelled")
    expect(invoice_row(page, "outstanding-balances", owed[0].number)).to_have_attribute(
        "data-colour", "red"
    )

    # Pay all online with the test card.
    page.locator(".pay-all-online").click()
    page.wait_for_url(re.compile(r"/sandbox/checkout/cs_"), timeout=30_000)
    expect(page.locator("#test-mode-banner")).to_contain_text("TEST MODE")
    expect(page.locator("#checkout-total")).to_have_text(format_money(total))
    expect(page.get_by_text(f"Partner ID {SAILING}")).to_be_visible()
    for invoice in owed:
        expect(page.get_by_text(re.compile(rf" {invoice.number}$"))).to_be_visible()
    shot(page, screenshot_dir / "partner-online-checkout.png")

    # Another tab already back on ?checkout=<id> says "processing" until the webhook lands,
    # then turns to "received" by itself (live).
    [(checkout_id,)] = query(
        app_server,
        "SELECT c.id FROM partner_checkout c JOIN partner p ON p.id = c.partner_id "
        "WHERE p.code = ? AND c.status = 'open'",
        SAILING,
    )
    watcher = new_page()
    partner_sign_in(watcher, base, DEMO_PARTNER_LOGINS[SAILING])
    watcher.goto(f"{base}/partner/invoices?checkout={checkout_id}")
    expect(watcher.locator("#checkout-notice")).to_contain_text(
        "Payment processing…", timeout=30_000
    )
    shot(watcher, screenshot_dir / "partner-online-processing.png")
    page.locator("#card").fill("4242 4242 4242 4242")
    page.locator("#expiry").fill("12 / 34")
    page.locator("#cvc").fill("123")
    page.locator("#checkout-pay").click()

    page.wait_for_url(re.compile(r"/partner/invoices\?checkout=pc_"), timeout=30_000)
    expect(page.locator("#checkout-notice")).to_contain_text("Payment received — thank you")
    for invoice in owed:
        row = invoice_row(page, "all-invoices", invoice.number)
        expect(row).to_have_attribute("data-colour", "green", timeout=30_000)
        status = row.get_by_test_id("invoice-status")
        expect(status).to_have_text("Paid")
        assert text_colour(status, "Paid") == RGB[StatusColour.GREEN]
    expect(page.locator("#outstanding-balances")).to_contain_text("Nothing outstanding")
    expect(page.locator(".pay-all-online")).to_have_count(0)
    shot(page, screenshot_dir / "partner-online-after.png")
    expect(watcher.locator("#checkout-notice")).to_contain_text("Payment received — thank you")
    for invoice in owed:
        expect(invoice_row(watcher, "all-invoices", invoice.number)).to_have_attribute(
            "data-colour", "green"
        )

    # In the ledger: one online payment for exactly the total, allocated to these invoices.
    payments = query(
        app_server,
        "SELECT pp.id, pp.amount_minor, pp.currency FROM partner_payment pp "
        "JOIN partner p ON p.id = pp.partner_id WHERE p.code = ? AND pp.method = 'online'",
        SAILING,
    )
    assert [(m, c) for _, m, c in payments] == [(total.minor, "EUR")]
    allocated = query(
        app_server,
        "SELECT i.number, a.amount_minor FROM partner_allocation a "
        "JOIN partner_invoice i ON i.id = a.invoice_id WHERE a.payment_id = ? ORDER BY a.id",
        payments[0][0],
    )
    assert sorted(allocated) == sorted((i.number, i.status(today).outstanding.minor) for i in owed)
