"""Long text on the staff pages, in the browser (issue 15): a 10 kB service description is refused
at its field; text at the limits — a 200-character title that is one unbroken word, a 2,000-
character description ending in a long pasted link, a long guest email, a long event id, a long
inbox subject — wraps inside every staff table instead of stretching it off the screen, and the
description is clamped to three lines with "Show all".

The data is made through the services on a fresh booking and a fresh inbox thread (Ibiza Yoga
Retreats, whose inbox no other browser test reads).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from concierge_app.db.engine import Database
from concierge_app.domain.errors import DomainError
from concierge_app.domain.money import Money
from concierge_app.domain.service_text import (
    DESCRIPTION_MAX_CHARS,
    TITLE_MAX_CHARS,
    clean_description,
)
from concierge_app.domain.strategies import PaymentStrategy
from concierge_app.services.guest import bookings, invoicing, portfolio, queries
from concierge_app.services.partner.inbox import SUBJECT_MAX, open_thread
from tests.e2e.conftest import signed_in_page
from tests.factories import pay_invoices

if TYPE_CHECKING:
    from tests.e2e.conftest import AppServer

pytestmark = pytest.mark.e2e

ACTOR = "e2e-long-text"
WIDE: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
LINK = "https://menus.example/ibiza/" + "tasting-menu-" * 24  # one unbroken word, 340 characters
TITLE = "Sunset" + "x" * (TITLE_MAX_CHARS - len("Sunset"))  # the longest title: one word
DESCRIPTION = ("Seven courses on the terrace, wine pairing included. " * 40)[
    : DESCRIPTION_MAX_CHARS - len(LINK) - 1
] + f" {LINK}"
EMAIL = (
    f"{'guest.with.a.very.long.address.' * 3}{secrets.token_hex(3)}"
    f"@{'long-domain-' * 6}example.test"
)
EVENT_ID = "evt_" + "Z" * 200


@dataclass(frozen=True)
class LongWorld:
    reference: str
    subject: str
    event_id: str
    thread_id: int


@pytest.fixture(scope="module")
def db(app_server: AppServer) -> Iterator[Database]:
    database = Database(app_server.database_url)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture(scope="module")
def world(db: Database) -> LongWorld:
    """A booking whose service, email and payment event carry text at the limits; a thread."""
    reference = f"LT-{secrets.token_hex(4).upper()}"
    prop = next(p for p in queries.list_partners(db=db, kind="property") if p.code == "PRP-1001")
    operator = queries.list_partners(db=db, kind="operator")[0]
    guest = bookings.create_guest(db=db, name="Guest " + "W" * 120, email=EMAIL)
    booking_id = bookings.create_booking(
        db=db,
        reference=reference,
        guest_id=guest,
        property_id=prop.id,
        check_in=date(2027, 6, 1),
        check_out=date(2027, 6, 5),
        currency="EUR",
        accommodation_total=Money.parse("900.00", "EUR"),
        actor=ACTOR,
    )
    service = portfolio.add_service_item(
        db=db,
        booking_id=booking_id,
        operator_id=operator.id,
        title=TITLE,
        description=DESCRIPTION,
        service_date=date(2027, 6, 2),
        gross=Money.parse("640.00", "EUR"),
        strategy=PaymentStrategy.PLATFORM_COLLECTS_FULL,
        actor=ACTOR,
    )
    portfolio.confirm_service(db=db, service_id=service, actor=ACTOR)
    draft = queries.payments_panel(db=db, booking_id=booking_id).draft
    assert draft is not None
    sent = invoicing.send_invoice(db=db, invoice_id=draft.id, actor=ACTOR)
    event_id = f"{EVENT_ID}{secrets.token_hex(4)}"
    pay_invoices(db, [sent.invoice_id], event_id)
    # A new booking for the same guest, still unpaid, keeps the bookings list interesting.
    yoga = next(p for p in queries.list_partners(db=db, kind="operator") if p.code == "OPR-2004")
    subject = ("Remittance-" + secrets.token_hex(3) + "-" + "Q" * SUBJECT_MAX)[:SUBJECT_MAX]
    thread_id = open_thread(
        db=db,
        partner_id=yoga.id,
        author="finance@yoga.example",
        subject=subject,
        body=f"Our remittance advice is at {LINK}{LINK} — please confirm.",
    )
    return LongWorld(reference, subject, event_id, thread_id)


@pytest.fixture
def staff(app_server: AppServer, browser: Browser) -> Iterator[Page]:
    with signed_in_page(browser, app_server.base_url, WIDE) as page:
        yield page


# Every visible table on the page: how wide it is drawn against the box that holds it.
TABLE_WIDTHS = """() => [...document.querySelectorAll('.rt-TableRoot')]
    .filter((root) => root.offsetParent !== null)
    .map((root) => ({
        id: root.id || root.closest('[id]')?.id || '',
        table: Math.round(root.querySelector('table').getBoundingClientRect().width),
        box: Math.round(root.getBoundingClientRect().width),
    }))"""
PAGE_OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
# The innermost elements that reach past the window's right edge (to say what is too wide).
TOO_WIDE = """() => [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
    .filter((el) => ![...el.children].some(
        (c) => c.getBoundingClientRect().right > window.innerWidth + 1))
    .slice(0, 5)
    .map((el) => `${el.tagName}.${el.className} ${Math.round(el.getBoundingClientRect().right)}px`
        + `: ${(el.textContent || '').slice(0, 60)}`)"""


def fits_the_window(page: Page) -> None:
    overflow = page.evaluate(PAGE_OVERFLOW)
    assert overflow <= 0, f"{overflow}px wider than the window: {page.evaluate(TOO_WIDE)}"


def tables_fit(page: Page) -> None:
    """No table is wider than its box (nothing to scroll sideways) and the page is not wider
    than the window."""
    widths = page.evaluate(TABLE_WIDTHS)
    assert widths, "no table on the page"
    too_wide = [w for w in widths if w["table"] > w["box"] + 1]
    assert too_wide == [], f"tables wider than their box: {too_wide}"
    fits_the_window(page)


def shot(page: Page, path: Path) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(
        path=str(path),
        full_page=True,
        animations="disabled",
        style="[data-sonner-toaster] { display: none !important; }",
    )


def refusal(call: object) -> str:
    try:
        call()  # type: ignore[operator]
    except DomainError as refused:
        return refused.message
    raise AssertionError("expected a refusal")


# -- tests ------------------------------------------------------------------------------------
def test_a_ten_kilobyte_description_is_refused_at_its_field_and_nothing_is_added(
    app_server: AppServer, staff: Page, db: Database, world: LongWorld, screenshot_dir: Path
) -> None:
    page = staff
    page.goto(f"{app_server.base_url}/bookings/{world.reference}")
    expect(page.locator("tr.service-row")).to_have_count(1, timeout=30_000)
    booking = queries.booking_by_reference(db=db, reference=world.reference)
    before = len(queries.trip_portfolio(db=db, booking_id=booking.id))
    ten_kb = "Private chef, market menu. " * 380  # 10,260 characters
    message = refusal(lambda: clean_description(ten_kb))
    assert "10,259 characters" in message and "2,000" in message

    page.get_by_role("button", name="Add service").click()
    dialog = page.get_by_role("dialog", name="Add service")
    expect(dialog.locator("#service-description-hint")).to_have_text(
        "Optional; up to 2,000 characters."
    )
    dialog.get_by_label("Title").fill("Private chef")
    dialog.get_by_label("Description").fill(ten_kb)
    dialog.get_by_label("Operator", exact=True).click()
    page.get_by_role("option").first.click()
    dialog.get_by_label("Payment strategy", exact=True).click()
    page.get_by_role("option", name="Platform Collects Full", exact=True).click()
    dialog.get_by_label("Gross price").fill("300.00")
    dialog.get_by_role("button", name="Add service").click()

    expect(dialog.locator("#service-description-error")).to_have_text(message)
    field = dialog.get_by_label("Description", exact=True)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(message)
    expect(dialog).to_be_visible()
    shot(page, screenshot_dir / "long-text-description-refused.png")
    assert len(queries.trip_portfolio(db=db, booking_id=booking.id)) == before


def test_long_text_wraps_inside_the_trip_portfolio_and_invoices_and_the_description_is_clamped(
    app_server: AppServer, staff: Page, world: LongWorld, screenshot_dir: Path
) -> None:
    page = staff
    page.goto(f"{app_server.base_url}/bookings/{world.reference}")
    row = page.locator("tr.service-row")
    expect(row).to_have_count(1, timeout=30_000)
    expect(page.locator("tr.invoice-row")).to_have_count(1)
    tables_fit(page)

    description = row.locator(".service-description")
    lines = description.evaluate(
        "(el) => el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight)"
    )
    assert lines <= 3.05, f"the description shows {lines:.1f} lines"
    expect(description).to_have_attribute("title", DESCRIPTION)  # the whole of it on hover
    shot(page, screenshot_dir / "long-text-booking-1280.png")

    row.get_by_role("button", name="Show the whole description").click()
    whole = page.get_by_role("dialog").filter(has_text="wine pairing")
    expect(whole).to_be_visible()
    expect(whole).to_contain_text(LINK)
    box = whole.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= WIDE["height"]
    page.screenshot(path=str(screenshot_dir / "long-text-show-all-1280.png"), animations="disabled")
    page.keyboard.press("Escape")

    page.set_viewport_size(PHONE)
    page.reload()
    expect(row).to_have_count(1, timeout=30_000)
    fits_the_window(page)
    lines = description.evaluate(
        "(el) => el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight)"
    )
    assert lines <= 3.05, f"on a phone the description shows {lines:.1f} lines"
    shot(page, screenshot_dir / "long-text-booking-390.png")


@pytest.mark.parametrize(
    ("path", "wait_for"),
    [
        ("/", "tr.booking-row"),
        ("/outbox", "tr.outbox-row"),
        ("/audit?booking={reference}", "tr.audit-row"),
        ("/payments/events", "#provider-events"),
    ],
    ids=["bookings", "outbox", "audit", "payment-events"],
)
def test_long_text_wraps_inside_the_staff_tables(
    app_server: AppServer,
    staff: Page,
    world: LongWorld,
    screenshot_dir: Path,
    path: str,
    wait_for: str,
) -> None:
    page = staff
    page.goto(app_server.base_url + path.format(reference=world.reference))
    expect(page.locator(wait_for).first).to_be_visible(timeout=30_000)
    long_text = {
        "/": "W" * 120,
        "/outbox": EMAIL,
        "/audit": TITLE,
        "/payments/events": world.event_id,
    }[path.split("?")[0]]
    expect(page.locator("table").get_by_text(long_text).first).to_be_visible()
    tables_fit(page)
    name = path.split("?")[0].strip("/").replace("/", "-") or "bookings"
    shot(page, screenshot_dir / f"long-text-{name}-1280.png")
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator(wait_for).first).to_be_attached(timeout=30_000)
    fits_the_window(page)
    shot(page, screenshot_dir / f"long-text-{name}-390.png")


def test_a_long_subject_and_link_in_the_inbox_wrap_instead_of_widening_the_page(
    app_server: AppServer, staff: Page, world: LongWorld, screenshot_dir: Path
) -> None:
    page = staff
    page.goto(f"{app_server.base_url}/inbox?thread={world.thread_id}")
    expect(page.locator("#thread-subject")).to_have_text(world.subject, timeout=30_000)
    expect(page.locator(".inbox-message").first).to_contain_text(LINK)
    fits_the_window(page)
    grid = page.locator("#staff-inbox").bounding_box()
    view = page.locator("#inbox-thread-view").bounding_box()
    assert grid is not None and view is not None
    assert view["x"] + view["width"] <= grid["x"] + grid["width"] + 1
    shot(page, screenshot_dir / "long-text-inbox-1280.png")
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator("#thread-subject")).to_have_text(world.subject, timeout=30_000)
    fits_the_window(page)
    shot(page, screenshot_dir / "long-text-inbox-390.png")
