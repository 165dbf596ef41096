"""Issue 17's "done when", as a new platform lives it, on the real app over an empty database
(`make run EMPTY=1`): its first admin by `concierge create-admin`; a concierge and a finance
member invited by the admin (links from the outbox); a property and an operator by the New
partner form; a booking by the form, one by the bookings API with a key made on the API keys
page, one by a CSV import; a service billed and paid by the guest through the sandbox checkout;
then zero drift on Reconciliation and a balanced journal on Books."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlmodel import select

from concierge_app.db.bookings import Booking
from concierge_app.db.engine import Database
from concierge_app.db.messaging import OutboxMessage
from concierge_app.db.parties import Partner, StaffUser
from concierge_app.domain.journal_csv import JOURNAL_COLUMNS
from tests.e2e.conftest import REPO_ROOT, sign_in
from tests.e2e.test_guest_portal import (
    CARD_SUCCEEDS,
    add_confirmed_service,
    back_on_portal,
    link_from_outbox,
    open_invoice,
    paid_invoice,
    pay_button,
    pay_with_card,
    send_invoice_as_staff,
)

if TYPE_CHECKING:
    from tests.e2e.conftest import AppServer

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/i17-new-platform-shots")
HIDE_TOASTS = "[data-sonner-toaster] { display: none !important; }"
ADMIN = ("ines@our-villas.example", "Ines Admin")
CONCIERGE = ("carl@our-villas.example", "Carl Concierge")
FINANCE = ("fiona@our-villas.example", "Fiona Finance")
PASSWORD = "granite-orchard-beacon-97"
PROPERTY = ("CASA-01", "Casa Mar S.L.")
OPERATOR = ("BOAT-01", "Ría Boats S.L.")


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(SHOTS / f"{name}.png"), full_page=True, style=HIDE_TOASTS, animations="disabled"
    )


def counts(db: Database) -> tuple[int, int, int]:
    with db.read() as s:
        return (
            len(s.exec(select(Booking.id)).all()),
            len(s.exec(select(Partner.id)).all()),
            len(s.exec(select(StaffUser.id)).all()),
        )


def create_admin(app: AppServer) -> None:
    """`concierge create-admin`, the password on standard input, as the README says."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "concierge_app.cli",
            "create-admin",
            "--password-stdin",
            "--email",
            ADMIN[0],
            "--name",
            ADMIN[1],
        ],
        cwd=REPO_ROOT,
        env={**os.environ, "DATABASE_URL": app.database_url},
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def account_link(db: Database, email: str) -> str:
    with db.read() as s:
        body = s.exec(select(OutboxMessage.body).where(OutboxMessage.recipient == email)).one()
    found = re.search(r"https?://\S+/account\?t=[\w-]+", body)
    assert found, body
    return found.group(0)


def invite(admin: Page, base: str, email: str, name: str, roles: set[str]) -> None:
    admin.goto(f"{base}/users")
    admin.get_by_role("button", name="Invite").click(timeout=30_000)
    dialog = admin.get_by_role("dialog")
    dialog.get_by_label("Email").fill(email)
    dialog.get_by_label("Name").fill(name)
    for role in ("concierge", "finance", "admin"):
        box = dialog.locator(f"#role-{role}")
        if (box.get_attribute("data-state") == "checked") != (role in roles):
            box.click()
    dialog.get_by_role("button", name="Send invitation").click()
    expect(admin.locator("#users-message")).to_contain_text(f"Invitation sent to {email}")


def accept(browser: Browser, base: str, link: str, email: str) -> Page:
    """The invited member opens the link, chooses a password and signs in."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US").new_page()
    page.goto(link)
    page.get_by_label("Password", exact=True).fill(PASSWORD, timeout=30_000)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page.locator("#account-done")).to_contain_text("Your account is ready.")
    sign_in(page, base, email=email, password=PASSWORD)
    return page


def choose(page: Page, dialog: Locator, element_id: str, option: str) -> None:
    dialog.locator(f"#{element_id}").click()
    page.get_by_role("option", name=option, exact=True).click()


def new_partner(page: Page, base: str, code: str, name: str, kind: str, category: str) -> None:
    page.goto(f"{base}/partners")
    page.get_by_role("button", name="New partner").click(timeout=30_000)
    dialog = page.locator("#new-partner-dialog")
    for label, value in {
        "Partner ID": code,
        "Legal name": name,
        "Category": category,
        "Address": "Rúa do Mar 5\n15001 A Coruña",
        "Country": "ES",
        "Time zone": "Europe/Madrid",
        "Commission rate (%)": "15",
        "Finance contact": "Lucía Pérez",
        "Finance email": f"finance@{code.lower()}.example",
    }.items():
        dialog.get_by_label(label, exact=True).fill(value)
    choose(page, dialog, "new-partner-kind", kind)
    choose(page, dialog, "new-partner-currency", "EUR")
    dialog.get_by_role("button", name="Create partner").click()
    page.wait_for_url(re.compile(rf"/finance/partners/{code}$"), timeout=30_000)
    expect(page.locator("#details-name")).to_have_text(name, timeout=30_000)


def booking_by_form(page: Page, base: str) -> str:
    page.goto(f"{base}/")
    page.get_by_role("button", name="New booking").click(timeout=30_000)
    dialog = page.locator("#new-booking-dialog")
    dialog.get_by_label("Guest name").fill("Greta Gast")
    dialog.get_by_label("Guest email").fill("greta@example.com")
    dialog.locator("#new-property").click()
    page.get_by_role("option", name=re.compile(PROPERTY[0])).click()
    dialog.get_by_label("Check-in").fill("2027-07-01")
    dialog.get_by_label("Check-out").fill("2027-07-08")
    dialog.locator("#new-currency").click()
    page.get_by_role("option", name="EUR", exact=True).click()
    dialog.get_by_label("Accommodation total").fill("3500.00")
    dialog.get_by_role("button", name="Create booking").click()
    page.wait_for_url(re.compile(r"/bookings/BK-\d{6}$"), timeout=30_000)
    return page.url.rsplit("/", 1)[1]


def new_api_key(admin: Page, base: str) -> str:
    admin.goto(f"{base}/api-keys")
    admin.get_by_role("button", name="New key").click(timeout=30_000)
    dialog = admin.locator("#create-key-dialog")
    dialog.get_by_label("Integration").fill("Our PMS")
    dialog.get_by_role("button", name="Create key").click()
    secret = admin.locator("#new-secret")
    expect(secret).to_have_text(re.compile(r"^ck_live_\w+$"), timeout=30_000)
    value = secret.inner_text()
    admin.locator("#secret-done").click()
    return value


def api(base: str, method: str, path: str, key: str, body: Any = None) -> tuple[int, Any]:
    request = urllib.request.Request(
        base + path,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        | ({"Idempotency-Key": "pms-push-0001"} if method == "POST" else {}),
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def booking_by_api(base: str, key: str) -> str:
    pushed = {
        "external_reference": "PMS-7001",
        "guest": {"name": "Hugo Huésped", "email": "hugo@example.com", "language": "es_ES"},
        "property": PROPERTY[0],
        "check_in": "2027-08-01",
        "check_out": "2027-08-05",
        "currency": "EUR",
        "accommodation_total_minor": 180000,
    }
    status, body = api(base, "POST", "/api/v1/bookings", key, pushed)
    assert status == 201, body
    again = api(base, "POST", "/api/v1/bookings", key, pushed)  # a retried push: one booking
    assert again == (status, body)
    reference = body["data"]["reference"]
    status, read = api(base, "GET", f"/api/v1/bookings/{reference}", key)
    assert status == 200 and read["data"]["external_reference"] == "PMS-7001"
    return str(reference)


def booking_by_csv(page: Page, base: str, tmp_path: Path) -> None:
    csv_file = tmp_path / "bookings.csv"
    csv_file.write_text(
        "external_reference,guest_name,guest_email,property,check_in,check_out,currency,"
        "accommodation_total\n"
        f"PMS-7002,Iris Invitada,iris@example.com,{PROPERTY[0]},2027-09-01,2027-09-04,EUR,"
        "960.00\n",
        encoding="utf-8",
    )
    page.goto(f"{base}/")
    with page.expect_file_chooser() as chooser:
        page.locator("#bookings-file").click(timeout=30_000)
    chooser.value.set_files(csv_file)
    page.get_by_role("button", name="Import bookings").click()
    expect(page.locator("#bookings-import-result")).to_have_text(
        "1 booking in the file: 1 created, 0 updated, 0 unchanged.", timeout=30_000
    )


def guest_pays(browser: Browser, link: str, reference: str, number: str) -> None:
    guest = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US").new_page()
    guest.goto(link)
    expect(open_invoice(guest, number)).to_be_visible(timeout=30_000)
    pay_button(guest, number).click()
    guest.wait_for_url(re.compile(r"/sandbox/checkout/cs_"), timeout=30_000)
    pay_with_card(guest, CARD_SUCCEEDS)
    back_on_portal(guest, reference)
    expect(paid_invoice(guest, number)).to_contain_text("Paid", timeout=30_000)
    shot(guest, "guest-paid-390")
    guest.context.close()


def no_drift(finance: Page, base: str) -> None:
    finance.goto(f"{base}/finance?tab=reconciliation")
    expect(finance.locator("#reconciliation")).to_be_visible(timeout=30_000)
    finance.locator("#reconciliation-run").click()
    expect(finance.locator("#reconciliation-title")).to_contain_text(FINANCE[0], timeout=60_000)
    expect(finance.locator("#reconciliation-drift")).to_have_text(
        "No drift: the provider and the ledger agree."
    )
    matched = finance.locator("#reconciliation-summary tr", has_text="Matched")
    expect(matched.first).to_be_visible()
    shot(finance, "reconciliation")


def balanced_journal(finance: Page, base: str) -> None:
    finance.goto(f"{base}/finance?tab=books")
    rows = finance.locator("#books-journal .books-total")
    expect(rows.first).to_be_visible(timeout=30_000)
    eur = rows.filter(has_text="EUR").first
    expect(eur.locator(".books-debit")).to_have_text(eur.locator(".books-credit").inner_text())
    with finance.expect_download() as info:
        eur.locator(".books-download-journal").click()
    lines = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    assert tuple(lines[0]) == JOURNAL_COLUMNS

    def minor(text: str) -> int:
        return int(text.replace(".", "")) if text else 0

    debits = sum(minor(r["debit"]) for r in lines)
    assert debits == sum(minor(r["credit"]) for r in lines) > 0
    shot(finance, "books")


def test_a_new_platform_goes_live_from_an_empty_database(
    empty_app_server: AppServer, browser: Browser, tmp_path: Path
) -> None:
    app, base = empty_app_server, empty_app_server.base_url
    db = Database(app.database_url)
    assert counts(db) == (0, 0, 0)  # nothing of the demo

    create_admin(app)
    admin = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US").new_page()
    sign_in(admin, base, email=ADMIN[0], password=PASSWORD)

    invite(admin, base, *CONCIERGE, roles={"concierge"})
    invite(admin, base, *FINANCE, roles={"finance"})
    concierge = accept(browser, base, account_link(db, CONCIERGE[0]), CONCIERGE[0])
    finance = accept(browser, base, account_link(db, FINANCE[0]), FINANCE[0])
    admin.reload()
    for email, _ in (CONCIERGE, FINANCE):
        expect(admin.locator(f"tr.staff-user[data-email='{email}']")).to_contain_text(
            "Active", timeout=30_000
        )
    shot(admin, "users")

    new_partner(admin, base, *PROPERTY, "Property", "villa")
    new_partner(admin, base, *OPERATOR, "Operator", "boat trip")

    by_form = booking_by_form(concierge, base)
    by_api = booking_by_api(base, new_api_key(admin, base))
    booking_by_csv(concierge, base, tmp_path)
    concierge.goto(f"{base}/")
    for reference in (by_form, by_api):
        expect(concierge.locator("#bookings-table")).to_contain_text(reference, timeout=30_000)
    expect(concierge.locator("#bookings-table")).to_contain_text("Iris Invitada")
    assert counts(db) == (3, 2, 3)
    shot(concierge, "bookings")

    concierge.goto(f"{base}/bookings/{by_form}")
    add_confirmed_service(
        concierge, title="Sunset on the ría", gross="240.00", operator_name=OPERATOR[1]
    )
    number = send_invoice_as_staff(concierge)
    guest_pays(browser, link_from_outbox(concierge, base, by_form, number), by_form, number)

    no_drift(finance, base)
    balanced_journal(finance, base)
    db.dispose()
