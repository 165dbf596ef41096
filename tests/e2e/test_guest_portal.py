"""The guest portal in the browser: the link from the Invoice Sent message, Pay and Pay All
through the sandbox checkout, a declined card, the live flip on the staff page, bad links.

Staff work goes through the staff pages (add and confirm a service, Send Invoice, read the
message in the Outbox); the guest is a separate browser context that is never signed in and
only has the link. The tests add their own services to the demo bookings instead of creating
bookings (other e2e files count the demo bookings) and each pays only the invoices it sent or
found open, so they do not depend on one another's order:

- KY-24003 (JPY, everything paid at seed): the single-invoice Pay flow.
- MI-24002 (USD, two Active invoices at seed): Pay All.
- AZ-24001 (EUR): the declined card and the live staff page, each on its own invoice.
- Bad links: a link to KY-24003 from the Outbox, used wrongly; nothing is paid.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

from concierge_app.domain.formatting import format_money
from concierge_app.domain.money import Money
from concierge_app.domain.payment_status import DEPOSIT_PAID, ServicePaymentStatus
from concierge_app.domain.strategies import PaymentStrategy
from tests.e2e.conftest import sign_in

if TYPE_CHECKING:
    from tests.e2e.conftest import AppServer

pytestmark = pytest.mark.e2e

VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
CARD_SUCCEEDS = "4242 4242 4242 4242"
CARD_DECLINED = "4000 0000 0000 0002"
SAILING, CHEF, TRANSFERS = (
    "Aegean Sailing Co.",
    "Chef Marco Private Dining",
    "SwiftRide Airport Transfers",
)
PAID_NOTICE = "Thank you — your payment was received."
CANCELLED_NOTICE = "Payment cancelled — nothing was charged."
HIDE_TOASTS = "[data-sonner-toaster] { display: none !important; }"

GuestFactory = Callable[[], Page]


# -- fixtures -------------------------------------------------------------------------------
def _watch_errors(page: Page, errors: list[str]) -> None:
    page.on("pageerror", lambda exc: errors.append(str(exc)))


@pytest.fixture(scope="module")
def staff(app_server: AppServer, browser: Browser) -> Iterator[Page]:
    """One signed-in staff page for the module, in its own browser context."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-US")
    page = context.new_page()
    errors: list[str] = []
    _watch_errors(page, errors)
    sign_in(page, app_server.base_url)
    try:
        yield page
    finally:
        context.close()
    assert errors == [], f"the staff page threw: {errors}"


@pytest.fixture
def new_guest(browser: Browser) -> Iterator[GuestFactory]:
    """Opens guest pages, each in a fresh browser context with no staff session."""
    contexts = []
    errors: list[str] = []

    def open_page() -> Page:
        context = browser.new_context(viewport=VIEWPORT, locale="en-US")
        contexts.append(context)
        page = context.new_page()
        _watch_errors(page, errors)
        return page

    try:
        yield open_page
    finally:
        for context in contexts:
            context.close()
    assert errors == [], f"a guest page threw: {errors}"


@pytest.fixture
def guest(new_guest: GuestFactory) -> Page:
    return new_guest()


# -- the database, read only ----------------------------------------------------------------
def query(app_server: AppServer, sql: str, *params: object) -> list[tuple[object, ...]]:
    """Rows straight from the app's SQLite file (what the ledger really holds)."""
    path = app_server.database_url.removeprefix("sqlite:///")
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return connection.execute(sql, params).fetchall()


@dataclass(frozen=True)
class LedgerInvoice:
    status: str
    paid_by_attempt_id: str | None
    total: Money


def ledger_invoices(app_server: AppServer, *numbers: str) -> dict[str, LedgerInvoice]:
    """The invoices as the database holds them, by number."""
    marks = ",".join("?" * len(numbers))
    rows = query(
        app_server,
        "SELECT number, status, paid_by_attempt_id, total_minor, currency FROM guest_invoice "
        f"WHERE number IN ({marks})",
        *numbers,
    )
    return {
        str(number): LedgerInvoice(
            str(status),
            None if attempt is None else str(attempt),
            Money(int(str(minor)), str(currency)),
        )
        for number, status, attempt, minor, currency in rows
    }


def active_invoice_numbers(app_server: AppServer, reference: str) -> set[str]:
    rows = query(
        app_server,
        "SELECT i.number FROM guest_invoice i JOIN booking b ON b.id = i.booking_id "
        "WHERE b.reference = ? AND i.status = 'active'",
        reference,
    )
    return {str(number) for (number,) in rows}


def booking_details(app_server: AppServer, reference: str) -> list[str]:
    """What would identify the booking on a page: its reference, guest and property."""
    [(guest_name, property_name)] = query(
        app_server,
        "SELECT g.name, p.name FROM booking b JOIN guest g ON g.id = b.guest_id "
        "JOIN partner p ON p.id = b.property_id WHERE b.reference = ?",
        reference,
    )
    return [reference, str(guest_name), str(property_name)]


def money(amount: str, currency: str) -> str:
    return format_money(Money.parse(amount, currency))


# -- staff pages ----------------------------------------------------------------------------
def open_booking(page: Page, base_url: str, reference: str) -> None:
    page.goto(f"{base_url}/bookings/{reference}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Booking {reference}")
    expect(page.locator("#booking-loading")).to_have_count(0)


def invoice_status(page: Page, number: str) -> Locator:
    return page.locator(f'tr.invoice-row[data-number="{number}"] .invoice-status')


def choose(page: Page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def add_confirmed_service(
    page: Page,
    *,
    title: str,
    gross: str,
    operator_name: str,
    strategy: PaymentStrategy = PaymentStrategy.PLATFORM_COLLECTS_FULL,
) -> None:
    """On the open booking page: Add service, then Confirm it, as staff do."""
    page.get_by_role("button", name="Add service").click()
    dialog = page.get_by_role("dialog", name="Add service")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Title").fill(title)
    dialog.get_by_label("Description").fill(f"{title} for two")
    choose(page, "Operator", operator_name)
    choose(page, "Payment strategy", strategy.label)
    dialog.get_by_label("Gross price").fill(gross)
    dialog.get_by_role("button", name="Add service").click()
    expect(dialog).to_be_hidden()

    row = page.locator(f'tr.service-row[data-title="{title}"]')
    row.get_by_role("button", name="Confirm", exact=True).click()
    confirm = page.get_by_role("alertdialog")
    confirm.get_by_role("button", name="Confirm service", exact=True).click()
    expect(confirm).to_be_hidden()
    expect(row.locator(".lifecycle")).to_have_text("Confirmed")


def send_invoice_as_staff(page: Page) -> str:
    """On the open booking page: Send Invoice; the number of the invoice it made Active."""
    numbered = page.locator("tr.invoice-row[data-number^='CI-']")
    before = set(numbered.evaluate_all("rows => rows.map(r => r.dataset.number)"))
    send = page.get_by_role("button", name="Send Invoice")
    expect(send).to_be_enabled()
    send.click()
    expect(numbered).to_have_count(len(before) + 1)
    after = set(numbered.evaluate_all("rows => rows.map(r => r.dataset.number)"))
    [number] = after - before
    expect(invoice_status(page, number)).to_have_text("Active")
    expect(page.get_by_text(f"Invoice {number} sent")).to_be_visible()
    return str(number)


def link_from_outbox(page: Page, base_url: str, reference: str, number: str = "") -> str:
    """Open the Outbox, open the booking's newest Invoice Sent message (for `number` when
    given) and read the guest's link from its body, as a person copying it would."""
    page.goto(f"{base_url}/outbox")
    rows = (
        page.locator("tr.outbox-row")
        .filter(has=page.get_by_role("link", name=reference, exact=True))
        .filter(has_text="Invoice Sent")
    )
    if number:
        rows = rows.filter(has_text=number)
    message = rows.first
    expect(message).to_be_visible(timeout=20_000)
    message.get_by_role("button", name=re.compile(r"^Show message")).click()
    body = page.get_by_role("dialog")
    expect(body).to_contain_text("/portal/")
    pattern = re.escape(f"{base_url}/portal/{reference}?t=") + r"[A-Za-z0-9_\-]+"
    found = re.search(pattern, body.inner_text())
    assert found, f"no guest link to {reference} in the message:\n{body.inner_text()}"
    page.keyboard.press("Escape")
    expect(body).to_be_hidden()
    return found.group(0)


# -- the guest's pages ----------------------------------------------------------------------
def open_invoice(page: Page, number: str) -> Locator:
    return page.locator(f'[data-testid=open-invoice][data-invoice="{number}"]')


def pay_button(page: Page, number: str) -> Locator:
    return page.locator(f'[data-testid=pay-invoice][data-invoice="{number}"]')


def paid_invoice(page: Page, number: str) -> Locator:
    return page.locator(f'[data-testid=paid-invoice][data-invoice="{number}"]')


def service_badge(page: Page, title: str) -> Locator:
    return page.locator(
        f'[data-testid=guest-service][data-title="{title}"] [data-testid=service-badge]'
    )


def on_checkout(page: Page, total: str) -> None:
    """The sandbox's hosted checkout: clearly in test mode, for the expected amount."""
    page.wait_for_url(re.compile(r"/sandbox/checkout/cs_"), timeout=30_000)
    expect(page.locator("#test-mode-banner")).to_contain_text("TEST MODE")
    expect(page.locator("#checkout-total")).to_have_text(total)


def pay_with_card(page: Page, card: str) -> None:
    page.locator("#card").fill(card)
    page.locator("#expiry").fill("12 / 34")
    page.locator("#cvc").fill("123")
    page.locator("#checkout-pay").click()


def back_on_portal(page: Page, reference: str) -> None:
    """Back from the checkout: the return URL carries the attempt and a return code, never
    the guest's link token."""
    page.wait_for_url(re.compile(rf"/portal/{reference}\?checkout="), timeout=30_000)
    assert "t" not in parse_qs(urlsplit(page.url).query), page.url
    assert "r" in parse_qs(urlsplit(page.url).query), page.url
    expect(page.locator("#payments")).to_be_visible()


def shot(page: Page, path: Path) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(path), full_page=True, style=HIDE_TOASTS, animations="disabled")


# -- tests ----------------------------------------------------------------------------------
def test_a_guest_pays_the_invoice_from_the_link_in_the_invoice_sent_message(
    app_server: AppServer, staff: Page, guest: Page, screenshot_dir: Path
) -> None:
    base, reference, currency = app_server.base_url, "KY-24003", "JPY"
    tour, included = "Sake brewery tour in Fushimi", "Welcome matcha tasting"
    open_booking(staff, base, reference)
    add_confirmed_service(staff, title=tour, gross="24000", operator_name=TRANSFERS)
    add_confirmed_service(
        staff,
        title=included,
        gross="0",
        operator_name=CHEF,
        strategy=PaymentStrategy.INCLUDED_IN_STAY,
    )
    number = send_invoice_as_staff(staff)
    link = link_from_outbox(staff, base, reference, number)

    total = money("24000", currency)
    guest.goto(link)
    invoice = open_invoice(guest, number)
    expect(invoice).to_be_visible(timeout=30_000)
    expect(invoice).to_contain_text(f"Invoice {number}")
    rows = invoice.locator("tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(tour)
    expect(rows.nth(0).locator("td").last).to_have_text(total)
    expect(rows.nth(1)).to_contain_text("Total")
    expect(rows.nth(1).locator("td").last).to_have_text(total)
    expect(guest.locator("[data-testid=open-invoice]")).to_have_count(1)
    expect(guest.locator("#total-due")).to_have_text(total)
    expect(guest.locator("#pay-all-toggle")).to_have_count(0)  # one invoice: no Pay All
    expect(service_badge(guest, tour)).to_have_text(ServicePaymentStatus.PAYMENT_PENDING.value)
    expect(service_badge(guest, included)).to_have_text("Included in Stay")
    # The seeded services of the booking, as the guest sees them.
    expect(service_badge(guest, "Kansai airport transfer")).to_have_text("Pay Provider")
    expect(service_badge(guest, "Kaiseki dinner with chef")).to_have_text(DEPOSIT_PAID)
    shot(guest, screenshot_dir / "guest-portal.png")

    button = pay_button(guest, number)
    expect(button).to_have_text(f"Pay {total}")
    button.click()
    on_checkout(guest, total)
    expect(guest.get_by_text(f"Booking {reference}")).to_be_visible()
    expect(guest.get_by_text(f"Invoice {number} · {reference}")).to_be_visible()
    shot(guest, screenshot_dir / "guest-checkout.png")
    pay_with_card(guest, CARD_SUCCEEDS)

    back_on_portal(guest, reference)
    expect(guest.locator("#checkout-notice")).to_have_text(PAID_NOTICE)
    expect(paid_invoice(guest, number)).to_contain_text("Paid")
    expect(paid_invoice(guest, number)).to_contain_text(total)
    expect(open_invoice(guest, number)).to_have_count(0)
    expect(service_badge(guest, tour)).to_have_text(ServicePaymentStatus.PAID.value)
    expect(guest.locator("#total-due")).to_have_text("Nothing to pay")
    shot(guest, screenshot_dir / "guest-paid.png")

    paid = ledger_invoices(app_server, number)[number]
    assert paid.status == "paid" and paid.paid_by_attempt_id is not None


def test_pay_all_settles_every_open_invoice_of_the_booking_in_one_payment(
    app_server: AppServer, staff: Page, guest: Page, screenshot_dir: Path
) -> None:
    base, reference, currency = app_server.base_url, "MI-24002", "USD"
    open_booking(staff, base, reference)
    add_confirmed_service(
        staff, title="Everglades airboat tour", gross="300.00", operator_name=SAILING
    )
    number = send_invoice_as_staff(staff)
    link = link_from_outbox(staff, base, reference, number)

    guest.goto(link)
    expect(open_invoice(guest, number)).to_be_visible(timeout=30_000)
    open_ = guest.locator("[data-testid=open-invoice]")
    numbers = open_.evaluate_all("boxes => boxes.map(b => b.dataset.invoice)")
    assert set(numbers) == active_invoice_numbers(app_server, reference)
    assert len(numbers) >= 2, f"Pay All needs two open invoices, the portal shows {numbers}"
    total_minor = sum(i.total.minor for i in ledger_invoices(app_server, *numbers).values())
    total = format_money(Money(total_minor, currency))
    expect(guest.locator("#total-due")).to_have_text(total)

    guest.locator("#pay-all-toggle").click()
    expect(guest.locator("#pay-all-toggle")).to_have_attribute("data-state", "checked")
    expect(guest.locator("[data-testid=pay-invoice]")).to_have_count(0)
    expect(guest.locator("[data-testid=pay-all]")).to_have_count(1)
    pay_all = guest.locator("[data-testid=pay-all][data-currency=USD]")
    expect(pay_all).to_have_text(f"Pay all {len(numbers)} invoices · {total}")
    shot(guest, screenshot_dir / "guest-pay-all.png")
    pay_all.click()

    on_checkout(guest, total)
    for shown in numbers:
        expect(guest.get_by_text(f"Invoice {shown} · {reference}")).to_be_visible()
    pay_with_card(guest, CARD_SUCCEEDS)
    back_on_portal(guest, reference)
    expect(guest.locator("#checkout-notice")).to_have_text(PAID_NOTICE)
    for paid in numbers:
        expect(paid_invoice(guest, paid)).to_contain_text("Paid")
    expect(open_).to_have_count(0)
    expect(guest.locator("#pay-all-toggle")).to_have_count(0)
    expect(guest.locator("#total-due")).to_have_text("Nothing to pay")
    shot(guest, screenshot_dir / "guest-pay-all-paid.png")

    open_booking(staff, base, reference)
    for paid in numbers:
        expect(invoice_status(staff, paid).locator("[data-status]")).to_have_attribute(
            "data-status", "Paid"
        )
    ledger = ledger_invoices(app_server, *numbers).values()
    assert {i.status for i in ledger} == {"paid"}
    attempts = {i.paid_by_attempt_id for i in ledger}
    assert len(attempts) == 1 and None not in attempts, f"paid by {attempts}"
    [(status, amount_minor, covered)] = query(
        app_server,
        "SELECT a.status, a.amount_minor, COUNT(*) FROM payment_attempt a "
        "JOIN payment_attempt_invoice l ON l.attempt_id = a.id WHERE a.id = ? GROUP BY a.id",
        *attempts,
    )
    assert (status, amount_minor, covered) == ("succeeded", total_minor, len(numbers))


def test_a_declined_card_says_so_and_leaves_the_invoice_open(
    app_server: AppServer, staff: Page, guest: Page, screenshot_dir: Path
) -> None:
    base, reference = app_server.base_url, "AZ-24001"
    title = "Ibiza old town walking tour"
    open_booking(staff, base, reference)
    add_confirmed_service(staff, title=title, gross="180.00", operator_name=SAILING)
    number = send_invoice_as_staff(staff)
    link = link_from_outbox(staff, base, reference, number)
    total = format_money(ledger_invoices(app_server, number)[number].total)

    guest.goto(link)
    pay_button(guest, number).click(timeout=30_000)
    on_checkout(guest, total)
    pay_with_card(guest, CARD_DECLINED)
    expect(guest.locator("#card-error")).to_have_text("Your card was declined.")
    expect(guest.locator("#checkout-pay")).to_be_enabled()
    assert "/sandbox/checkout/" in guest.url
    shot(guest, screenshot_dir / "guest-declined.png")

    guest.locator("#checkout-back").click()
    back_on_portal(guest, reference)
    expect(guest.locator("#checkout-notice")).to_have_text(CANCELLED_NOTICE)
    expect(pay_button(guest, number)).to_be_visible()
    expect(paid_invoice(guest, number)).to_have_count(0)
    expect(service_badge(guest, title)).to_have_text(ServicePaymentStatus.PAYMENT_PENDING.value)
    still = ledger_invoices(app_server, number)[number]
    assert (still.status, still.paid_by_attempt_id) == ("active", None)
    charged = query(
        app_server,
        "SELECT a.status FROM payment_attempt a JOIN payment_attempt_invoice l "
        "ON l.attempt_id = a.id JOIN guest_invoice i ON i.id = l.invoice_id WHERE i.number = ?",
        number,
    )
    assert ("succeeded",) not in charged, f"the declined card was charged: {charged}"
    open_booking(staff, base, reference)
    expect(invoice_status(staff, number)).to_have_text("Active")


def test_the_staff_booking_page_shows_the_guests_payment_without_a_reload(
    app_server: AppServer, staff: Page, guest: Page, screenshot_dir: Path
) -> None:
    base, reference = app_server.base_url, "AZ-24001"
    open_booking(staff, base, reference)
    add_confirmed_service(
        staff, title="Formentera paddle-board lesson", gross="240.00", operator_name=SAILING
    )
    number = send_invoice_as_staff(staff)
    link = link_from_outbox(staff, base, reference, number)
    total = format_money(ledger_invoices(app_server, number)[number].total)

    open_booking(staff, base, reference)
    staff.evaluate("window.__sameDocument = true")
    status = invoice_status(staff, number).locator("[data-status]")
    expect(status).to_have_attribute("data-status", "Active")

    guest.goto(link)
    pay_button(guest, number).click(timeout=30_000)
    on_checkout(guest, total)
    started = time.monotonic()
    pay_with_card(guest, CARD_SUCCEEDS)
    expect(invoice_status(staff, number).locator('[data-status="Paid"]')).to_be_visible(
        timeout=5_000
    )
    elapsed = time.monotonic() - started
    sys.stderr.write(f"\n[e2e] the staff page showed the guest's payment after {elapsed:.2f}s\n")
    assert staff.evaluate("window.__sameDocument === true"), "the staff page was reloaded"
    back_on_portal(guest, reference)
    expect(paid_invoice(guest, number)).to_contain_text("Paid")
    staff.locator(f'tr.invoice-row[data-number="{number}"]').scroll_into_view_if_needed()
    staff.screenshot(
        path=str(screenshot_dir / "staff-live-paid.png"), style=HIDE_TOASTS, animations="disabled"
    )


def test_a_wrong_missing_or_borrowed_token_shows_nothing_of_any_booking(
    app_server: AppServer, staff: Page, new_guest: GuestFactory, screenshot_dir: Path
) -> None:
    base, own, other = app_server.base_url, "KY-24003", "MI-24002"
    link = link_from_outbox(staff, base, own)
    token = link.split("?t=", 1)[1]
    secrets_of = booking_details(app_server, own) + booking_details(app_server, other)

    # The link itself opens its booking (so what the bad links hide is really there).
    valid = new_guest()
    valid.goto(link)
    expect(valid.locator("#payments")).to_be_visible(timeout=30_000)
    for detail in booking_details(app_server, own):
        expect(valid.locator("body")).to_contain_text(detail)

    bad_links = {
        "wrong token": f"{base}/portal/{own}?t={secrets.token_urlsafe(32)}",
        "no token": f"{base}/portal/{own}",
        "another booking's token": f"{base}/portal/{other}?t={token}",
    }
    for case, url in bad_links.items():
        page = new_guest()
        page.goto(url)
        expect(page.locator("#portal-invalid")).to_contain_text(
            "This link is not valid", timeout=30_000
        )
        expect(page.locator("#payments")).to_have_count(0)
        expect(page.locator("#guest-services")).to_have_count(0)
        text = page.locator("body").inner_text()
        leaked = [detail for detail in secrets_of if detail in text]
        assert leaked == [], f"{case}: the page shows {leaked}"
        if case == "wrong token":
            shot(page, screenshot_dir / "guest-invalid-link.png")


def test_a_tab_that_showed_the_booking_shows_nothing_of_it_after_a_bad_link(
    app_server: AppServer, staff: Page, guest: Page, screenshot_dir: Path
) -> None:
    """A tab keeps its Reflex state across page loads: a bad link opened in the tab that
    showed the booking must not show what the last link did."""
    base, own, other = app_server.base_url, "KY-24003", "MI-24002"
    link = link_from_outbox(staff, base, own)
    token = link.split("?t=", 1)[1]
    secrets_of = booking_details(app_server, own) + booking_details(app_server, other)
    for case, url in {
        "wrong token": f"{base}/portal/{own}?t={secrets.token_urlsafe(32)}",
        "no token": f"{base}/portal/{own}",
        "another booking's token": f"{base}/portal/{other}?t={token}",
    }.items():
        guest.goto(link)
        expect(guest.locator("#payments")).to_be_visible(timeout=30_000)
        guest.goto(url)
        expect(guest.locator("#portal-invalid")).to_be_visible(timeout=30_000)
        text = guest.locator("body").inner_text()
        leaked = [detail for detail in secrets_of if detail in text]
        shot(guest, screenshot_dir / f"guest-invalid-same-tab-{case.split()[0]}.png")
        assert leaked == [], f"{case}: the page shows {leaked}"


def test_staff_issue_a_new_guest_link_and_revoke_every_link(
    app_server: AppServer, staff: Page, new_guest: GuestFactory, screenshot_dir: Path
) -> None:
    """Guest link → New guest link shows a working link; Revoke all makes every link dead."""
    reference = "AZ-24004"  # the cancelled booking: nothing else here uses its links
    open_booking(staff, app_server.base_url, reference)
    staff.get_by_role("button", name="Guest link").click()
    staff.get_by_role("menuitem", name="New guest link").click()
    link = staff.locator("#new-guest-link")
    expect(link).to_contain_text(f"/portal/{reference}?t=")
    url = link.inner_text()
    shot(staff, screenshot_dir / "staff-new-guest-link.png")
    first = new_guest()
    first.goto(url)
    expect(first.locator("#payments")).to_be_visible()
    expect(first.locator("#cancelled-booking-notice")).to_be_visible()
    expect(first.locator('[data-testid="pay-invoice"]')).to_have_count(0)

    staff.get_by_role("button", name="Guest link").click()
    staff.get_by_role("menuitem", name="Revoke all guest links").click()
    staff.get_by_role("alertdialog").get_by_role("button", name="Revoke links").click()
    expect(staff.locator("#new-guest-link")).to_have_count(0)
    later = new_guest()
    later.goto(url)
    expect(later.locator("#portal-invalid")).to_be_visible()


def test_the_link_to_the_payments_card_opens_the_portal_at_the_card(
    app_server: AppServer, staff: Page, guest: Page, screenshot_dir: Path
) -> None:
    """The Invoice Sent message links to `…#payments`: the card is drawn only once the booking
    has loaded, and the portal then scrolls to it (on a phone it is far below the top)."""
    link = link_from_outbox(staff, app_server.base_url, "KY-24003")
    guest.set_viewport_size({"width": 390, "height": 844})
    card_at_top = (
        "() => { const r = document.getElementById('payments')?.getBoundingClientRect();"
        " return !!r && window.scrollY > 0 && r.top >= 0 && r.top < 40; }"
    )
    guest.goto(f"{link}#payments")
    expect(guest.locator("#payments")).to_be_visible(timeout=30_000)
    guest.wait_for_function(card_at_top, timeout=10_000)
    expect(guest.get_by_role("heading", name="Payments")).to_be_in_viewport()
    guest.screenshot(
        path=str(screenshot_dir / "guest-payments-anchor-390.png"),
        style=HIDE_TOASTS,
        animations="disabled",
    )

    guest.goto(link)  # without the anchor the portal opens at its top
    expect(guest.locator("#payments")).to_be_visible(timeout=30_000)
    expect(guest.get_by_role("heading", level=1)).to_be_in_viewport()
    assert guest.evaluate("window.scrollY") == 0
