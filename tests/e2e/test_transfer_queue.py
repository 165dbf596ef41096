"""Staff handle incoming bank transfers on `/finance`, in the browser: a transfer typed with a
reference that names no property waits in the transfer queue until staff assign it to a property
ID; a bank statement CSV is imported (one row matched by property ID + invoice number, one
queued), a second import of the same file records nothing, and a bad file is refused whole.

Demo data: Chef Marco Private Dining (OPR-2002) has a commission invoice, issued at seed time,
with money still to pay; these tests pay small parts of it (never all of it). Nothing else in
the browser tests reads Chef Marco's invoices (see test_partner_finance.py). Transaction ids
carry a random suffix so the tests do not depend on each other's order.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from concierge_app.db.engine import Database
from concierge_app.services.partner.money.transfers import transfer_queue

if TYPE_CHECKING:
    from tests.e2e.conftest import AppServer

pytestmark = pytest.mark.e2e

CHEF_MARCO = "OPR-2002"
HIDE_TOASTS = "[data-sonner-toaster] { display: none !important; }"
PROCESSING = re.compile(r"processing until [A-Z][a-z]{2} \d{1,2}, \d{4}\.")
# The import is quick on two rows: remember whether its spinner was ever on the page.
WATCH_PROGRESS = """() => {
    window.__sawProgress = false;
    new MutationObserver(() => {
        if (document.querySelector('#statement-progress .rt-Spinner')) window.__sawProgress = true;
    }).observe(document.body, {subtree: true, childList: true});
}"""


@pytest.fixture
def db(app_server: AppServer) -> Iterator[Database]:
    database = Database(app_server.database_url)
    yield database
    database.dispose()


def query(app_server: AppServer, sql: str, *params: object) -> list[tuple[object, ...]]:
    """Rows straight from the app's SQLite file, read only."""
    path = app_server.database_url.removeprefix("sqlite:///")
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)) as c:
        return c.execute(sql, params).fetchall()


def payment(app_server: AppServer, transaction_id: str) -> tuple[object, ...] | None:
    """(status, partner code, amount_minor) of a recorded bank transfer, or None."""
    rows = query(
        app_server,
        "SELECT pay.status, p.code, pay.amount_minor FROM partner_payment pay "
        "LEFT JOIN partner p ON p.id = pay.partner_id WHERE pay.external_id = ?",
        transaction_id,
    )
    return rows[0] if rows else None


def open_invoice(app_server: AppServer, code: str) -> str:
    """The number of the partner's oldest commission invoice with money still to pay."""
    rows = query(
        app_server,
        "SELECT i.number FROM partner_invoice i JOIN partner p ON p.id = i.partner_id "
        "WHERE p.code = ? AND i.kind = 'commission' AND i.state = 'issued' "
        "AND i.amount_minor - i.deducted_minor - COALESCE((SELECT SUM(a.amount_minor) FROM "
        "partner_allocation a WHERE a.invoice_id = i.id AND a.reversed_at IS NULL), 0) > 5000 "
        "ORDER BY i.due_date, i.id",
        code,
    )
    assert rows, f"{code} has no commission invoice with at least 50.00 to pay in the demo data"
    return str(rows[0][0])


def open_finance(page: Page, base_url: str) -> None:
    """Finance, then its Bank transfers tab, as a person clicks it."""
    page.goto(f"{base_url}/finance")
    page.get_by_role("tab", name="Bank transfers").click(timeout=30_000)
    expect(page.locator("#bank-transfers")).to_be_visible(timeout=30_000)
    expect(page).to_have_url(re.compile(re.escape(base_url) + r"/finance/?\?tab=transfers$"))


def choose_file(page: Page, path: Path) -> None:
    """Click the drop zone and pick the file in the browser's file dialog, as a person does."""
    with page.expect_file_chooser() as chooser:
        page.locator("#bank-statement").click()
    chooser.value.set_files(path)
    expect(page.locator("#statement-chosen")).to_have_text(path.name)


def shot(page: Page, path: Path) -> None:
    page.evaluate("window.scrollTo(0, 0)")  # the sticky top bar stays at the top of the shot
    page.screenshot(path=str(path), full_page=True, style=HIDE_TOASTS, animations="disabled")


def test_an_unmatched_transfer_waits_in_the_queue_until_staff_assign_it(
    app_server: AppServer,
    console_errors: list[str],
    staff_page: Page,
    db: Database,
    screenshot_dir: Path,
) -> None:
    page, tx = staff_page, f"E2E-TYPED-{secrets.token_hex(4)}"
    reference = f"Dinner commission {tx[-8:]}"  # names no property ID and no invoice number
    open_finance(page, app_server.base_url)
    queued_before = len(transfer_queue(db=db))
    if queued_before == 0:
        expect(page.locator("#transfer-queue-empty")).to_contain_text("No transfers waiting.")
    today = datetime.now(UTC).date().isoformat()
    expect(page.get_by_label("Received on")).to_have_value(today)

    # A mistake first: too many decimals. The field says so and nothing is recorded.
    page.get_by_label("Amount").fill("15.001")
    page.get_by_label("Currency").fill("EUR")
    page.get_by_label("Reference").fill(reference)
    page.get_by_label("Payer").fill("M. Bianchi")
    page.get_by_label("Bank transaction id").fill(tx)
    page.get_by_role("button", name="Record transfer").click()
    expect(page.locator("#transfer-amount-error")).to_have_text(
        "EUR amounts have at most 2 decimals; '15.001' has more."
    )
    expect(page.get_by_label("Amount")).to_have_attribute("aria-invalid", "true")
    assert payment(app_server, tx) is None
    shot(page, screenshot_dir / "finance-transfer-refused.png")

    page.get_by_label("Amount").fill("15.00")
    page.get_by_role("button", name="Record transfer").click()
    expect(page.locator("#transfer-result")).to_have_text(
        "Queued: No property ID or invoice number in the reference."
    )
    expect(page.locator("#transfer-amount-error")).to_have_count(0)
    expect(page.get_by_label("Bank transaction id")).to_have_value("")  # ready for the next
    assert payment(app_server, tx) == ("queued", None, 1500)

    row = page.locator("tr.queue-row", has_text=reference)
    expect(row).to_have_count(1)
    for text in ("€15.00", "M. Bianchi", "No property ID or invoice number in the reference."):
        expect(row).to_contain_text(text)
    expect(page.locator("#queue-count")).to_have_text(str(queued_before + 1))
    shot(page, screenshot_dir / "finance-transfer-queued.png")

    # An unknown property ID is refused and the transfer stays queued.
    row.get_by_label("Property or group ID").fill("PRP-9999")
    row.get_by_role("button", name="Assign").click()
    expect(page.locator("#queue-error")).to_have_text("No property 'PRP-9999'.")
    expect(row).to_have_count(1)
    assert payment(app_server, tx) == ("queued", None, 1500)

    number = open_invoice(app_server, CHEF_MARCO)
    row.get_by_label("Property or group ID").fill(CHEF_MARCO.lower())
    row.get_by_role("button", name="Assign").click()
    expect(page.locator("#queue-notice")).to_contain_text(
        f"Matched to {CHEF_MARCO}: {number} €15.00"
    )
    expect(page.locator("#queue-notice")).to_contain_text(PROCESSING)
    expect(page.locator("#queue-error")).to_have_count(0)
    expect(row).to_have_count(0)
    assert payment(app_server, tx) == ("applied", CHEF_MARCO, 1500)
    if queued_before == 0:
        expect(page.locator("#transfer-queue-empty")).to_contain_text("No transfers waiting.")
    shot(page, screenshot_dir / "finance-transfer-assigned.png")
    assert console_errors == [], f"the page logged errors: {console_errors}"


def test_a_bank_statement_csv_is_imported_matched_queued_once_and_a_bad_file_refused(
    app_server: AppServer,
    console_errors: list[str],
    staff_page: Page,
    tmp_path: Path,
    screenshot_dir: Path,
) -> None:
    page, run = staff_page, secrets.token_hex(4)
    number = open_invoice(app_server, CHEF_MARCO)
    today = datetime.now(UTC).date().isoformat()
    matched_tx, queued_tx = f"E2E-CSV-{run}-1", f"E2E-CSV-{run}-2"
    statement = tmp_path / "bank-statement.csv"
    statement.write_text(
        "Date,Amount,Currency,Reference,Payer,Transaction ID\n"
        f"{today},20.00,EUR,{CHEF_MARCO} {number},Marco Bianchi,{matched_tx}\n"
        f'{today},7.50,EUR,"Thank you, dinner {run}",A. Guest,{queued_tx}\n',
        encoding="utf-8",
    )
    open_finance(page, app_server.base_url)
    expect(page.locator("#statement-example")).to_contain_text(
        "date,amount,currency,reference,payer,transaction id"
    )
    import_button = page.get_by_role("button", name="Import statement")
    expect(import_button).to_be_disabled()

    choose_file(page, statement)
    page.evaluate(WATCH_PROGRESS)
    import_button.click()
    expect(page.locator("#statement-result")).to_have_text(
        "2 transfers in the file: 2 recorded, 1 matched, 1 queued for staff.", timeout=30_000
    )
    assert page.evaluate("window.__sawProgress"), "no spinner while the statement was imported"
    expect(page.locator("#statement-progress")).to_have_count(0)
    rows = page.locator("tr.import-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(matched_tx)
    expect(rows.nth(0)).to_contain_text(f"Matched to {CHEF_MARCO}: {number} €20.00")
    expect(rows.nth(0)).to_contain_text(PROCESSING)
    expect(rows.nth(1)).to_contain_text("queued")
    expect(rows.nth(1)).to_contain_text("Queued: No property ID or invoice number")
    expect(page.locator("tr.queue-row", has_text=f"Thank you, dinner {run}")).to_have_count(1)
    expect(page.locator("#statement-chosen")).to_have_count(0)  # the choice is cleared
    assert payment(app_server, matched_tx) == ("applied", CHEF_MARCO, 2000)
    assert payment(app_server, queued_tx) == ("queued", None, 750)
    shot(page, screenshot_dir / "finance-statement-imported.png")

    # The same file again: both already recorded, nothing new.
    choose_file(page, statement)
    import_button.click()
    expect(page.locator("#statement-result")).to_have_text(
        "2 transfers in the file: 0 recorded, 0 matched, 0 queued for staff, 2 already recorded.",
        timeout=30_000,
    )
    expect(page.locator("tr.queue-row", has_text=f"Thank you, dinner {run}")).to_have_count(1)
    [(count,)] = query(
        app_server,
        "SELECT COUNT(*) FROM partner_payment WHERE external_id IN (?, ?)",
        matched_tx,
        queued_tx,
    )
    assert count == 2

    # A file with one bad row is refused whole: the rows and reasons are listed.
    bad = tmp_path / "bad-statement.csv"
    bad.write_text(
        "date,amount,currency,reference,transaction id\n"
        f"{today},5.00,EUR,{CHEF_MARCO},E2E-BAD-{run}-1\n"
        f"{today},5.001,EUR,{CHEF_MARCO},E2E-BAD-{run}-2\n",
        encoding="utf-8",
    )
    choose_file(page, bad)
    import_button.click()
    error = page.locator("#statement-error")
    expect(error).to_contain_text("Nothing was imported: 1 row of the file has problems.")
    expect(error).to_contain_text(
        "Row 3 (amount): EUR amounts have at most 2 decimals; '5.001' has more."
    )
    expect(page.locator("#statement-result")).to_have_count(0)
    assert payment(app_server, f"E2E-BAD-{run}-1") is None
    shot(page, screenshot_dir / "finance-statement-refused.png")
    assert console_errors == [], f"the page logged errors: {console_errors}"
