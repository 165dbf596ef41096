"""Direct debit in the browser: SwiftRide Airport Transfers (OPR-2003) pays by direct debit with
the mandate MNDT-OPR-2003 on its account (demo data, accepted by its login): its invoices say
they are collected by direct debit, with no "Pay online". Its finance team moves the account to
the sandbox bank's failing IBAN on Bank details: a new mandate, waiting for its acceptance —
staff's "Collect direct debits" collects nothing from it — until the partner ticks "I accept"
and presses "Accept mandate" (who and from where are shown). Staff collect; SwiftRide's open
invoices turn green the same day; staff ask the sandbox bank for its answers; the debit fails,
the invoices turn red again (live, no reload), the Invoices page says the debit failed, why and
what to do, and offers "Pay online" for them, and the "Direct debit failed" email is in the
staff Outbox.

Only SwiftRide (OPR-2003) is touched: it is the demo's only partner on direct debit, and no
other browser test reads its invoices or its account. The test does not ask for the month-end
run (the session-wide `month_end` fixture): it may have run before this test or not — the
invoices issued at seed time are enough either way — so the test reads whichever documents
SwiftRide has from the database.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect
from schwifty import IBAN

from concierge_app.demo.partner_seed import DEMO_PARTNER_LOGINS
from concierge_app.domain.formatting import format_money
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import StatusColour, long_date
from concierge_app.services.partner.views.finance import mask_iban
from concierge_app.settings import get_settings
from tests.e2e.conftest import sign_in
from tests.e2e.test_partner_finance import (  # noqa: F401  (fixtures)
    RGB,
    DbInvoice,
    PageFactory,
    invoice_row,
    invoices_of,
    new_page,
    partner_sign_in,
    query,
    shot,
    text_colour,
)

if TYPE_CHECKING:
    from tests.e2e.conftest import AppServer

pytestmark = pytest.mark.e2e

SWIFTRIDE = "OPR-2003"
DEMO_MANDATE = "MNDT-OPR-2003"
# The spinner appears for a moment only: remember whether it was ever on the page.
WATCH_SPINNER = """() => {
    window.__sawSpinner = false;
    new MutationObserver(() => {
        const spinner = document.querySelector('#direct-debit-progress .rt-Spinner');
        if (spinner) window.__sawSpinner = true;
    }).observe(document.body, {subtree: true, childList: true});
}"""


def open_documents(app_server: AppServer) -> list[DbInvoice]:
    """SwiftRide's issued documents with money still to pay (nothing allocated yet)."""
    return [
        i
        for i in invoices_of(app_server, SWIFTRIDE)
        if i.state == "issued" and i.amount.minor > i.deducted.minor
    ]


SKIPPED = " {n} document(s) skipped: direct debit collects EUR only (by transfer or online)."


def expect_colour(page: Page, invoices: list[DbInvoice], colour: StatusColour, text: str) -> None:
    for invoice in invoices:
        row = invoice_row(page, "all-invoices", invoice.number)
        expect(row).to_have_attribute("data-colour", colour.value, timeout=30_000)
        status = row.get_by_test_id("invoice-status")
        expect(status).to_have_text(text)
        assert text_colour(status, text) == RGB[colour], invoice.number


def test_direct_debit_turns_green_then_red_again_when_the_bank_refuses(
    app_server: AppServer,
    new_page: PageFactory,  # noqa: F811
    screenshot_dir: Path,
) -> None:
    base = app_server.base_url
    [(signed_on,)] = query(
        app_server,
        "SELECT a.mandate_signed_on FROM partner_bank_account a JOIN partner p "
        "ON p.id = a.partner_id WHERE p.code = ? AND a.mandate_reference = ?",
        SWIFTRIDE,
        DEMO_MANDATE,
    )
    documents = [i for i in open_documents(app_server) if i.amount.currency == "EUR"]
    assert documents, "SwiftRide has no euro invoice to collect in the demo data"
    # SEPA takes euros only: SwiftRide's yen documents (a yen booking) are left.
    others = [i for i in open_documents(app_server) if i.amount.currency != "EUR"]
    skipped = SKIPPED.format(n=len(others)) if others else ""
    total = Money(sum(i.amount.minor - i.deducted.minor for i in documents), "EUR")

    # SwiftRide's Bank details show its mandate.
    ride = new_page()
    partner_sign_in(ride, base, DEMO_PARTNER_LOGINS[SWIFTRIDE])
    ride.goto(f"{base}/partner/bank-details")
    mandate = ride.locator("#direct-debit-mandate")
    expect(mandate).to_have_text(
        f"Direct debit mandate {DEMO_MANDATE}, signed "
        f"{long_date(date.fromisoformat(str(signed_on)))} by "
        f"{DEMO_PARTNER_LOGINS[SWIFTRIDE]} from demo data, collected from "
        f"{mask_iban('ES6000491500051234567892')}",
        timeout=30_000,
    )
    shot(ride, screenshot_dir / "partner-bank-details-mandate.png")

    # Its invoices are collected by direct debit: no "Pay online", and the page says so.
    ride.goto(f"{base}/partner/invoices")
    expect(ride.locator("#how-you-pay")).to_have_text(
        f"Your invoices in EUR are collected by direct debit from your account (mandate "
        f"{DEMO_MANDATE}) once a month: nothing to do. If a debit fails, you can pay those "
        "invoices online.",
        timeout=30_000,
    )
    for invoice in documents:
        owed = invoice_row(ride, "outstanding-balances", invoice.number)
        expect(owed.get_by_role("button", name="Pay online")).to_have_count(0)
    for invoice in others:  # SEPA collects euros only: the yen documents are paid online
        owed = invoice_row(ride, "outstanding-balances", invoice.number)
        expect(owed.get_by_role("button", name="Pay online")).to_be_visible()

    # It moves the account to the sandbox bank's failing IBAN: a new account, a new mandate,
    # which waits for the partner's acceptance (saving the IBAN signs nothing).
    failing = get_settings().sandbox_failing_iban
    ride.goto(f"{base}/partner/bank-details")
    ride.get_by_role("button", name="Edit bank details").click()
    ride.locator("#iban").fill(IBAN(failing).formatted)
    ride.get_by_role("button", name="Save").click()
    expect(ride.locator("#iban-masked")).to_contain_text(mask_iban(failing), timeout=30_000)
    new_mandate = r"MNDT-OPR-2003-[0-9A-F]{6}"
    expect(mandate).to_have_text(
        re.compile(
            rf"Direct debit mandate {new_mandate} for {re.escape(mask_iban(failing))} is "
            r"waiting for your acceptance: nothing is debited until you accept it\."
        ),
        timeout=30_000,
    )
    terms = ride.locator("#mandate-terms")
    expect(terms).to_contain_text("SEPA Direct Debit Mandate MNDT-OPR-2003-")
    expect(terms).to_contain_text(f"account {mask_iban(failing)}")
    expect(terms).to_contain_text("A refund must be claimed within 8 weeks")
    accept = ride.locator("#accept-mandate")
    expect(accept).to_be_disabled()
    shot(ride, screenshot_dir / "partner-bank-details-mandate-to-accept.png")
    ride.set_viewport_size({"width": 390, "height": 844})
    shot(ride, screenshot_dir / "partner-bank-details-mandate-to-accept-390.png")
    ride.set_viewport_size({"width": 1280, "height": 800})

    # Staff collect at once: nothing is requested from a mandate not accepted (below, the
    # partner accepts it; then staff collect again).
    early = new_page()
    sign_in(early, base)
    early.goto(f"{base}/finance?tab=direct-debit")
    early_card = early.locator("#direct-debit")
    early_card.get_by_role("button", name="Collect direct debits").click()
    expect(early.locator("#direct-debit-summary")).to_have_text(
        "Nothing new to collect.", timeout=30_000
    )
    expect(early.locator("#pending-debits")).to_have_text("0")

    # The partner reads the mandate and accepts it: who, when and from where are kept.
    ride.locator("#mandate-agree").click()
    expect(accept).to_be_enabled()
    accept.click()
    expect(mandate).to_have_text(
        re.compile(
            rf"Direct debit mandate {new_mandate}, signed "
            rf"{re.escape(long_date(date.today()))} by "
            rf"{re.escape(DEMO_PARTNER_LOGINS[SWIFTRIDE])} from \S+, collected from "
            + re.escape(mask_iban(failing))
        ),
        timeout=30_000,
    )
    expect(ride.locator("#mandate-terms")).to_have_count(0)
    shot(ride, screenshot_dir / "partner-bank-details-new-mandate.png")
    ride.set_viewport_size({"width": 390, "height": 844})
    shot(ride, screenshot_dir / "partner-bank-details-new-mandate-390.png")
    ride.set_viewport_size({"width": 1280, "height": 800})

    ride.goto(f"{base}/partner/invoices")
    for invoice in documents:
        expect(invoice_row(ride, "all-invoices", invoice.number)).to_have_attribute(
            "data-colour", "red", timeout=30_000
        )

    # Staff collect the direct debits.
    staff = new_page()
    sign_in(staff, base)
    staff.goto(f"{base}/finance?tab=direct-debit")  # a link to Finance's Direct debit tab
    expect(staff.get_by_role("tab", name="Direct debit")).to_have_attribute(
        "aria-selected", "true", timeout=30_000
    )
    card = staff.locator("#direct-debit")
    expect(card).to_be_visible(timeout=30_000)
    expect(staff.locator("#pending-debits")).to_have_text("0")
    expect(staff.locator("#sandbox-bank-note")).to_contain_text(IBAN(failing).formatted)
    staff.evaluate(WATCH_SPINNER)
    card.get_by_role("button", name="Collect direct debits").click()
    expect(staff.locator("#direct-debit-summary")).to_have_text(
        f"1 direct debit(s) requested, {format_money(total)}.{skipped}", timeout=30_000
    )
    assert staff.evaluate("window.__sawSpinner"), "no spinner while the debits were collected"
    expect(staff.locator("#direct-debit-progress")).to_have_count(0)
    expect(staff.locator("tr.debit-row")).to_have_count(1 + len(others))
    row = staff.locator("tr.debit-row").filter(has_text="Requested from the bank")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(f"{SWIFTRIDE} SwiftRide Airport Transfers")
    expect(row).to_contain_text(", ".join(i.number for i in documents))
    expect(staff.locator("#pending-debits")).to_have_text("1")
    shot(staff, screenshot_dir / "finance-direct-debits-collected.png")

    # Green on the day the request is sent — live, on the open page.
    expect_colour(ride, documents, StatusColour.GREEN, "Paid")
    for invoice in others:
        row = invoice_row(ride, "all-invoices", invoice.number)
        expect(row).to_have_attribute("data-colour", "red")
    shot(ride, screenshot_dir / "partner-invoices-direct-debit-green.png")

    # Collecting again requests nothing.
    card.get_by_role("button", name="Collect direct debits").click()
    expect(staff.locator("#direct-debit-summary")).to_have_text(
        f"Nothing new to collect.{skipped}", timeout=30_000
    )

    # The sandbox bank answers: the debit from the failing IBAN fails.
    card.get_by_role("button", name="Bank answers (sandbox)").click()
    expect(staff.locator("#bank-answers")).to_have_text(
        "The bank answered 1 debit(s): 0 paid, 1 failed (invoices red again; partners emailed).",
        timeout=30_000,
    )
    expect(staff.locator("#pending-debits")).to_have_text("0")
    shot(staff, screenshot_dir / "finance-direct-debit-bank-answers.png")

    # Red again — live; the page says the debit failed, why, and what to do.
    reason = "The customer's account has insufficient funds to cover this payment."
    for invoice in documents:
        row = invoice_row(ride, "all-invoices", invoice.number)
        expect(row).to_have_attribute("data-colour", "red", timeout=30_000)
        owed = invoice_row(ride, "outstanding-balances", invoice.number)
        expect(owed).to_have_count(1)
        expect(owed.locator(".debit-failed")).to_have_text(
            re.compile(rf"Direct debit failed on .+: {re.escape(reason)}")
        )
        # pay it another way: online too, now
        expect(owed.get_by_role("button", name="Pay online")).to_be_visible()
    notice = ride.locator(".direct-debit-failed")
    expect(notice).to_have_count(1)
    for words in (
        f"Your direct debit of {format_money(total)} requested on {long_date(date.today())} "
        "failed on ",
        f"Your bank's reason: {reason}",
        "1. Contact your bank to see why the payment failed.",
        f"2. Pay {format_money(total)} as soon as possible: by bank transfer to ",
        f"quoting {SWIFTRIDE} " + " ".join(i.number for i in documents),
        "or online with Pay online below.",
    ):
        expect(notice).to_contain_text(words)
    shot(ride, screenshot_dir / "partner-invoices-direct-debit-red-again.png")
    ride.set_viewport_size({"width": 390, "height": 844})
    shot(ride, screenshot_dir / "partner-invoices-direct-debit-red-again-390.png")
    ride.set_viewport_size({"width": 1280, "height": 800})

    # The "Direct debit failed" email, in the staff Outbox.
    [(finance_email,)] = query(
        app_server, "SELECT finance_email FROM partner WHERE code = ?", SWIFTRIDE
    )
    staff.goto(f"{base}/outbox")
    message = staff.locator("tr.outbox-row").filter(
        has_text=f"your direct debit of {format_money(total)} failed"
    )
    expect(message).to_have_count(1, timeout=30_000)
    expect(message).to_contain_text(str(finance_email))
    message.get_by_role("button", name=re.compile(r"^Show message")).click()
    body = staff.get_by_role("dialog")
    expect(body).to_contain_text(
        "Your bank's reason: The customer's account has insufficient funds to cover this payment."
    )
    for invoice in documents:
        expect(body).to_contain_text(invoice.number)
    expect(body).to_contain_text("1. Contact your bank to see why the payment failed.")
    expect(body).to_contain_text(f"2. Pay {format_money(total)} as soon as possible:")
    expect(body).to_contain_text(f"quoting {SWIFTRIDE} ")
    expect(body).to_contain_text("or online, under Finance → Invoices.")
    shot(staff, screenshot_dir / "staff-outbox-direct-debit-failed.png")
