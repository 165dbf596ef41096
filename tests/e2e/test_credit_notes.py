"""Credit and debit notes in the browser: staff issue a credit note on Ibiza Yoga Retreats'
(OPR-2004) staff page for part of its newest commission invoice; the partner, whose Invoices page
is open, sees the credit note and "You've paid X of Y" with the remaining total amount due
(live), then its ledger with the running balance. A refused amount shows its message in the
dialog and issues nothing. Then a debit note with its own due date: red, and owed.

OPR-2004 (EUR, bank transfer, Spain: each commission invoice comes with a VAT document) has the
older month's documents from the seed and the newest from the month-end run. A bank transfer
received a week ago pays the older VAT document and €5.00 of the older commission invoice,
which stays open and overdue: "Overdue (due by …) · You've paid €5.00 of …" (issue 15: both).
The credit note then pays the invoice it corrects, not that older, overdue one (issue 15), and
every Outstanding balances row's "To pay" is what remains of it, so the rows add up to "Total
amount due". The transfer is recorded through the service staff use (the record and import
screens are driven in test_transfer_queue.py). Only OPR-2004 is touched.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from concierge_app.db.engine import Database
from concierge_app.demo.partner_seed import DEMO_PARTNER_LOGINS
from concierge_app.domain.formatting import format_money
from concierge_app.domain.money import Money
from concierge_app.services.partner.money.transfers import record_bank_transfer
from tests.e2e.conftest import sign_in
from tests.e2e.test_partner_finance import (  # noqa: F401  (fixtures)
    RGB,
    PageFactory,
    invoice_row,
    invoices_of,
    new_page,
    normalised,
    partner_sign_in,
    query,
    shot,
    text_colour,
)

if TYPE_CHECKING:
    import subprocess

    from tests.e2e.conftest import AppServer

from concierge_app.domain.partner_billing import StatusColour, long_date

pytestmark = pytest.mark.e2e

YOGA = "OPR-2004"
CREDIT = Money(1000, "EUR")
FEE = Money(500, "EUR")
PART = Money(500, "EUR")  # of the older commission invoice, paid by the transfer
REASON = "Private yoga session of the 5th was cancelled after the run"


def test_staff_issue_a_credit_note_and_the_partner_sees_it_applied(
    app_server: AppServer,
    month_end: subprocess.CompletedProcess[str],
    new_page: PageFactory,  # noqa: F811
    screenshot_dir: Path,
) -> None:
    assert month_end.returncode == 0
    base = app_server.base_url
    documents = invoices_of(app_server, YOGA)
    newest_period = max(d.period for d in documents)
    older = [d for d in documents if d.period != newest_period]
    newest = [d for d in documents if d.period == newest_period]
    (invoice,) = [d for d in newest if d.number.startswith("CM-")]
    assert older and invoice.amount > CREDIT, documents

    # A transfer received a week ago (reflected by now): the older VAT document, and €5.00 of
    # the older commission invoice, which stays open (and overdue).
    (older_invoice,) = [d for d in older if d.number.startswith("CM-")]
    older_vat = [d for d in older if d != older_invoice]
    paid = sum(d.amount.minor - d.deducted.minor for d in older_vat) + PART.minor
    db = Database(app_server.database_url)
    try:
        outcome = record_bank_transfer(
            db=db,
            amount=Money(paid, "EUR"),
            reference=f"{YOGA} " + " ".join(d.number for d in older_vat),
            received_on=date.today() - timedelta(days=7),
            external_id="E2E-YOGA-OLDER",
            actor="e2e:bank-import",
        )
    finally:
        db.engine.dispose()
    assert outcome.matched and outcome.credit_left.is_zero, outcome
    assert dict(outcome.allocated)[older_invoice.number] == PART, outcome

    # The partner's Invoices page is open while staff issue the note.
    yoga = new_page()
    partner_sign_in(yoga, base, DEMO_PARTNER_LOGINS[YOGA])
    yoga.goto(f"{base}/partner/invoices")
    row = invoice_row(yoga, "all-invoices", invoice.number)
    expect(row.get_by_test_id("invoice-status")).to_have_text(
        re.compile(r"Due by .+"), timeout=30_000
    )
    # overdue and partly paid: it says both
    late = invoice_row(yoga, "outstanding-balances", older_invoice.number)
    expect(late.get_by_test_id("invoice-status")).to_have_text(
        f"Overdue (due by {long_date(older_invoice.due)}) · You've paid {format_money(PART)} "
        f"of {format_money(older_invoice.amount)}"
    )
    expect(late).to_have_attribute("data-colour", "red")
    # Ibiza Yoga pays by bank transfer: no "Pay online", and the row says how to pay
    expect(late.get_by_role("button", name="Pay online")).to_have_count(0)
    expect(yoga.locator("#how-you-pay")).to_have_text(
        f"You pay by bank transfer, quoting {YOGA} and the invoice number (e.g. {YOGA} CM-…). "
        "To pay online instead, ask us through the Inbox (Invoices and commission → Other)."
    )
    expect(yoga.locator(".pay-all-online")).to_have_count(0)

    staff = new_page()
    sign_in(staff, base)
    staff.goto(f"{base}/finance/partners/{YOGA}")
    document = staff.locator(f"tr.staff-partner-document[data-number='{invoice.number}']")
    expect(document).to_have_attribute("data-colour", "red", timeout=30_000)
    document.get_by_role("button", name="Credit note").click()
    dialog = staff.get_by_role("dialog")
    expect(dialog).to_contain_text(f"Credit note for {invoice.number}")
    # more than the invoice: refused in the dialog, nothing issued
    staff.locator("#note-amount").fill("9999.00")
    staff.locator("#note-reason").fill(REASON)
    staff.locator("#confirm-note").click()
    expect(staff.locator("#note-amount-error")).to_contain_text("cannot be more than invoice")
    shot(staff, screenshot_dir / "staff-credit-note-refused.png")
    assert query(
        app_server,
        "SELECT count(*) FROM partner_invoice i JOIN partner p ON p.id = i.partner_id "
        "WHERE i.kind = 'credit_note' AND p.code = ?",
        YOGA,
    ) == [(0,)]
    staff.locator("#note-amount").fill(CREDIT.amount_text())
    staff.locator("#confirm-note").click()
    done = staff.locator("#staff-action-done")
    expect(done).to_contain_text(
        f"issued for {format_money(CREDIT)} ({invoice.number}). Credit applied: "
        f"{invoice.number} ({format_money(CREDIT)}).",
        timeout=30_000,
    )
    [(number,)] = query(
        app_server,
        "SELECT n.number FROM partner_invoice n JOIN partner p ON p.id = n.partner_id "
        "WHERE p.code = ? AND n.kind = 'credit_note'",
        YOGA,
    )
    assert re.fullmatch(r"CN-\d{4}-\d{6}", str(number))
    note_row = staff.locator(f"tr.staff-partner-document[data-number='{number}']")
    expect(note_row).to_have_attribute("data-colour", "green")
    expect(note_row).to_contain_text("Applied in full")
    ledger = staff.locator("#staff-partner-ledger")
    expect(ledger.locator(f"tr.ledger-row[data-reference='{number}']")).to_contain_text(
        f"−{format_money(CREDIT)}"
    )
    shot(staff, screenshot_dir / "staff-credit-note-issued.png")
    staff.set_viewport_size({"width": 390, "height": 844})
    shot(staff, screenshot_dir / "staff-credit-note-issued-390.png")
    staff.set_viewport_size({"width": 1280, "height": 800})

    # The partner's page updates without a reload.
    remaining = invoice.amount - CREDIT
    status = row.get_by_test_id("invoice-status")
    expect(status).to_have_text(
        f"You've paid {format_money(CREDIT)} of {format_money(invoice.amount)}", timeout=30_000
    )
    assert text_colour(status, status.inner_text()) == RGB[StatusColour.RED]
    note = invoice_row(yoga, "all-invoices", str(number))
    expect(note).to_have_attribute("data-colour", "green")
    expect(note.get_by_test_id("invoice-status")).to_have_text(
        f"Applied in full to {invoice.number}"
    )
    expect(invoice_row(yoga, "outstanding-balances", str(number))).to_have_count(0)
    due = [d for d in newest if d.number != invoice.number]  # the newest VAT document
    left_of_older = older_invoice.amount - PART
    total = remaining + left_of_older + Money(sum(d.amount.minor for d in due), "EUR")
    expect(yoga.locator("body")).to_contain_text(f"Total amount due: {format_money(total)}")
    # "To pay" is what remains of each document, and the rows add up to the total
    to_pay = invoice_row(yoga, "outstanding-balances", invoice.number).locator("td").nth(5)
    expect(to_pay).to_have_text(format_money(remaining))
    expect(late.get_by_test_id("invoice-status")).to_contain_text(  # the credit went elsewhere
        f"You've paid {format_money(PART)} of"
    )
    column = yoga.locator("#outstanding-balances tr.partner-invoice-row").evaluate_all(TO_PAY)
    assert sum(cents(amount) for amount in column) == total.minor, column
    shot(yoga, screenshot_dir / "partner-credit-note-applied.png")
    yoga.set_viewport_size({"width": 390, "height": 844})
    shot(yoga, screenshot_dir / "partner-credit-note-applied-390.png")
    yoga.set_viewport_size({"width": 1280, "height": 800})

    # The credit note's own page and PDF: what it corrects, why, and that it is never paid out.
    note.get_by_role("link", name=str(number)).click()
    yoga.wait_for_url(f"**/partner/invoices/{number}")
    expect(yoga.locator("#document-status")).to_contain_text("Applied in full", timeout=30_000)
    with yoga.expect_download() as download:
        yoga.locator("#download-pdf").click()
    pdf = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    text = normalised(" ".join(p.extract_text() for p in pdf.pages))
    for words in (
        f"Credit note No. {number}",
        f"Corrects invoice {invoice.number}",
        REASON,
        f"Invoice {invoice.number} remains valid. This credit note deducts {format_money(CREDIT)}",
        "not paid out to your bank account: it pays the invoice it corrects first; what that "
        "invoice no longer needs pays your open or future invoices",
    ):
        assert words in text, (words, text)
    # the page reads as a note: what it corrects and why; no statement, nothing to pay
    expect(yoga.locator("#document-subtitle")).to_have_text(
        f"Correction to invoice {invoice.number}: {REASON}"
    )
    expect(yoga.locator("#credit-note-use")).to_contain_text("not paid out to your bank account")
    expect(yoga.locator("#download-csv")).to_have_count(0)
    expect(yoga.get_by_text("Reservation statement")).to_have_count(0)
    shot(yoga, screenshot_dir / "partner-credit-note-page.png")

    # The corrected invoice's own page: "To pay" is what remains, and so are the instructions.
    yoga.goto(f"{base}/partner/invoices/{invoice.number}")
    expect(yoga.locator("#document-to-pay")).to_contain_text(
        format_money(remaining), timeout=30_000
    )
    expect(yoga.locator("#payment-instructions")).to_contain_text(
        f"Please pay {format_money(remaining)} by bank transfer"
    )
    shot(yoga, screenshot_dir / "partner-corrected-invoice-page.png")
    yoga.set_viewport_size({"width": 390, "height": 844})
    shot(yoga, screenshot_dir / "partner-corrected-invoice-page-390.png")
    yoga.set_viewport_size({"width": 1280, "height": 800})
    yoga.goto(f"{base}/partner/invoices")

    # The ledger: every row with the running balance; the closing balance is what is due.
    yoga.get_by_role("link", name="Ledger").click()
    yoga.wait_for_url(f"{base}/partner/ledger")
    credit_row = yoga.locator(f"tr.ledger-row[data-reference='{number}']")
    expect(credit_row).to_contain_text(REASON)
    expect(credit_row.locator(".ledger-applied")).to_have_text(
        f"Paid {invoice.number} ({format_money(CREDIT)})"
    )
    expect(
        yoga.locator("tr.ledger-row[data-kind='payment'] .ledger-applied").first
    ).to_contain_text(f"{older_invoice.number} ({format_money(PART)})")
    expect(yoga.locator(".ledger-closing")).to_have_text(format_money(total))
    table = yoga.locator("tr.ledger-row").evaluate_all(LEDGER_ROWS)
    running = 0
    for kind, counted, amount, balance in table:
        if kind != "allocation" and counted == "yes":  # details do not move the balance
            running += cents(amount)
        assert cents(balance) == running, table
    assert running == total.minor, table
    kinds = [kind for kind, *_ in table]
    assert kinds.count("credit_note") == 1 and "payment" in kinds and "allocation" in kinds
    shot(yoga, screenshot_dir / "partner-ledger.png")
    yoga.set_viewport_size({"width": 390, "height": 844})
    shot(yoga, screenshot_dir / "partner-ledger-390.png")
    yoga.set_viewport_size({"width": 1280, "height": 800})

    # A debit note on the same invoice, with its own due date: red, payable, on the way to
    # pay it (Outstanding balances, the total due).
    document.get_by_role("button", name="Debit note").click()
    expect(dialog).to_contain_text(f"Debit note for {invoice.number}")
    due = date.today() + timedelta(days=14)
    expect(staff.locator("#note-due")).to_have_value(due.isoformat())
    staff.locator("#note-amount").fill(FEE.amount_text())
    staff.locator("#note-reason").fill("Late cancellation fee")
    shot(staff, screenshot_dir / "staff-debit-note-dialog.png")
    staff.locator("#confirm-note").click()
    expect(done).to_contain_text(
        f"issued for {format_money(FEE)} ({invoice.number}). Due by {long_date(due)}.",
        timeout=30_000,
    )
    [(debit,)] = query(
        app_server,
        "SELECT n.number FROM partner_invoice n JOIN partner p ON p.id = n.partner_id "
        "WHERE p.code = ? AND n.kind = 'debit_note'",
        YOGA,
    )
    yoga.get_by_role("link", name="Invoices").click()
    owed = invoice_row(yoga, "outstanding-balances", str(debit))
    expect(owed).to_have_attribute("data-colour", "red", timeout=30_000)
    expect(owed.get_by_test_id("invoice-status")).to_have_text(f"Due by {long_date(due)}")
    expect(yoga.locator("body")).to_contain_text(f"Total amount due: {format_money(total + FEE)}")
    shot(yoga, screenshot_dir / "partner-debit-note.png")


TO_PAY = """rows => rows.map(r => r.querySelectorAll('td')[5].innerText.trim())"""
LEDGER_ROWS = """rows => rows.map(r => [
    r.dataset.kind, r.dataset.counted,
    r.querySelectorAll('td')[3].innerText.trim(), r.querySelectorAll('td')[4].innerText.trim(),
])"""


def cents(text: str) -> int:
    """ "+€12.00" / "−€10.00" / "€2.00" in minor units (EUR)."""
    digits = re.sub(r"\D", "", text)
    return (-1 if text.startswith(("−", "-")) else 1) * int(digits or 0)
