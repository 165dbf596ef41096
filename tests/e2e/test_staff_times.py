"""One time zone per staff page, said on the page (issue 15), in the browser.

The app runs here with PLATFORM_TIMEZONE=Asia/Kolkata (UTC+05:30, no summer time: unlike UTC and
every demo property's zone), on its own server and database. Outbox, Inbox, Audit, Payment events
and Security show every time in that zone and say so in their header; a booking's page shows its
property's zone (Europe/Madrid) and says so; Finance, which shows dates only, says whose days they
are. Each time shown is compared with the moment stored in the database, formatted in the zone
the page names.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Page, expect

from concierge_app.db.engine import Database
from concierge_app.domain.formatting import format_moment, format_moment_to_the_second
from concierge_app.domain.money import Money
from concierge_app.domain.strategies import PaymentStrategy
from concierge_app.services.access.sign_in_log import sign_in_log
from concierge_app.services.guest import bookings, invoicing, portfolio, queries
from concierge_app.services.outbox.listing import list_outbox
from concierge_app.services.partner.inbox import open_thread, staff_thread
from concierge_app.services.payments.events import list_provider_events
from concierge_app.services.shared.audit import booking_audit_log
from concierge_app.ui.staff.finance.state import DATES_NOTE
from tests.e2e.conftest import DEMO_STAFF, TOOLS, _serve_app, sign_in
from tests.factories import pay_invoices

if TYPE_CHECKING:
    from tests.e2e.conftest import AppServer

pytestmark = pytest.mark.e2e

ZONE = "Asia/Kolkata"
PROPERTY_ZONE = "Europe/Madrid"  # Villa Azul, PRP-1001
ACTOR = "e2e-times"


@pytest.fixture(scope="module")
def zoned_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """The app with PLATFORM_TIMEZONE set, in its own build folder (the session's server, when
    running, keeps its own)."""
    yield from _serve_app(
        tmp_path_factory,
        "-timezone",
        {
            "PLATFORM_TIMEZONE": ZONE,
            "REFLEX_WEB_WORKDIR": str(TOOLS / "e2e-web-timezone"),
            "REFLEX_STATES_WORKDIR": str(TOOLS / "e2e-states-timezone"),
        },
    )


@pytest.fixture(scope="module")
def db(zoned_app: AppServer) -> Iterator[Database]:
    database = Database(zoned_app.database_url)
    try:
        yield database
    finally:
        database.dispose()


@dataclass(frozen=True)
class Moments:
    reference: str
    booking_id: int
    event_id: str
    thread_id: int


@pytest.fixture(scope="module")
def moments(db: Database) -> Moments:
    """A sent and paid invoice at a Madrid property (audit, outbox, provider event) and a
    partner's message (inbox), made through the services."""
    reference = f"TZ-{secrets.token_hex(4).upper()}"
    prop = next(p for p in queries.list_partners(db=db, kind="property") if p.code == "PRP-1001")
    operator = queries.list_partners(db=db, kind="operator")[0]
    guest = bookings.create_guest(db=db, name="Ines Ferrer", email=f"{reference.lower()}@x.test")
    booking_id = bookings.create_booking(
        db=db,
        reference=reference,
        guest_id=guest,
        property_id=prop.id,
        check_in=date(2027, 3, 1),
        check_out=date(2027, 3, 4),
        currency="EUR",
        accommodation_total=Money.parse("600.00", "EUR"),
        actor=ACTOR,
    )
    service = portfolio.add_service_item(
        db=db,
        booking_id=booking_id,
        operator_id=operator.id,
        title="Sunset sailing",
        service_date=date(2027, 3, 2),
        gross=Money.parse("180.00", "EUR"),
        strategy=PaymentStrategy.PLATFORM_COLLECTS_FULL,
        actor=ACTOR,
    )
    portfolio.confirm_service(db=db, service_id=service, actor=ACTOR)
    draft = queries.payments_panel(db=db, booking_id=booking_id).draft
    assert draft is not None
    sent = invoicing.send_invoice(db=db, invoice_id=draft.id, actor=ACTOR)
    event_id = f"evt_times_{secrets.token_hex(6)}"
    pay_invoices(db, [sent.invoice_id], event_id)
    yoga = next(p for p in queries.list_partners(db=db, kind="operator") if p.code == "OPR-2004")
    thread_id = open_thread(
        db=db,
        partner_id=yoga.id,
        author="finance@yoga.example",
        subject=f"When is our invoice due? ({secrets.token_hex(3)})",
        body="Hello, when is our commission invoice due?",
    )
    return Moments(reference, booking_id, event_id, thread_id)


@pytest.fixture
def staff(zoned_app: AppServer, browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, zoned_app.base_url)
    try:
        yield page
    finally:
        context.close()
    assert errors == [], f"the page threw: {errors}"


def header(page: Page):  # type: ignore[no-untyped-def]
    """The page's title block (its h1 and the subtitle under it)."""
    return page.get_by_role("heading", level=1).locator("xpath=..")


def in_zone(moment, zone: str = ZONE) -> str:  # type: ignore[no-untyped-def]
    return format_moment(moment, zone)


def test_the_outbox_shows_times_in_the_platform_zone_and_says_so(
    zoned_app: AppServer, staff: Page, db: Database, moments: Moments, screenshot_dir: Path
) -> None:
    staff.goto(f"{zoned_app.base_url}/outbox")
    expect(header(staff)).to_contain_text(f"Times in {ZONE}.", timeout=30_000)
    message = next(
        m
        for m in list_outbox(db=db)
        if m.booking_reference == moments.reference and m.template_key == "invoice_sent"
    )
    row = (
        staff.locator("tr.outbox-row")
        .filter(has=staff.get_by_role("link", name=moments.reference, exact=True))
        .filter(has_text="Invoice Sent")
    )
    expect(row).to_contain_text(in_zone(message.created_at))
    assert in_zone(message.created_at) != in_zone(message.created_at, "UTC")
    staff.screenshot(path=str(screenshot_dir / "times-outbox-1280.png"))


def test_the_audit_log_shows_the_platform_zone_not_the_propertys(
    zoned_app: AppServer, staff: Page, db: Database, moments: Moments, screenshot_dir: Path
) -> None:
    staff.goto(f"{zoned_app.base_url}/audit?booking={moments.reference}")
    expect(header(staff)).to_contain_text(f"Times in {ZONE}.", timeout=30_000)
    sent = next(
        e
        for e in booking_audit_log(db=db, booking_id=moments.booking_id)
        if e.action == "invoice.sent"
    )
    row = staff.locator("tr.audit-row").filter(has_text="invoice.sent")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(in_zone(sent.occurred_at))
    expect(row).not_to_contain_text(in_zone(sent.occurred_at, PROPERTY_ZONE))
    staff.screenshot(path=str(screenshot_dir / "times-audit-1280.png"))


def test_payment_events_show_the_platform_zone_and_say_so(
    zoned_app: AppServer, staff: Page, db: Database, moments: Moments
) -> None:
    staff.goto(f"{zoned_app.base_url}/payments/events")
    expect(header(staff)).to_contain_text(f"Times in {ZONE}.", timeout=30_000)
    event = next(e for e in list_provider_events(db=db) if e.event_id == moments.event_id)
    row = staff.locator("#provider-events tr").filter(has_text=moments.event_id)
    expect(row).to_contain_text(in_zone(event.received_at))
    expect(staff.locator("#provider-events")).not_to_contain_text("(UTC)")


def test_the_inbox_shows_the_platform_zone_and_says_so(
    zoned_app: AppServer, staff: Page, db: Database, moments: Moments
) -> None:
    staff.goto(f"{zoned_app.base_url}/inbox?thread={moments.thread_id}")
    expect(header(staff)).to_contain_text(f"Times in {ZONE}.", timeout=30_000)
    view = staff_thread(db=db, thread_id=moments.thread_id)
    (first,) = view.messages
    expect(staff.locator(".inbox-message").first).to_contain_text(in_zone(first.created_at))
    thread = staff.locator(".inbox-thread").filter(has_text=view.summary.subject)
    expect(thread).to_contain_text(in_zone(view.summary.last_message_at))


def test_the_security_page_logs_sign_ins_in_the_platform_zone_and_says_so(
    zoned_app: AppServer, staff: Page, db: Database, screenshot_dir: Path
) -> None:
    staff.goto(f"{zoned_app.base_url}/security")
    expect(header(staff)).to_contain_text(f"Times in {ZONE}.", timeout=30_000)
    expect(staff.locator("#sign-in-log")).to_contain_text(f"Times in {ZONE}.")
    newest = sign_in_log(db=db, email=DEMO_STAFF[0])[0]  # this test's own sign-in
    expected = format_moment_to_the_second(newest.occurred_at, ZONE)
    expect(staff.locator("tr.sign-in-line").filter(has_text=expected)).not_to_have_count(0)
    expect(staff.locator("#sign-in-log")).not_to_contain_text("(UTC)")
    staff.screenshot(path=str(screenshot_dir / "times-security-1280.png"))
    staff.set_viewport_size({"width": 390, "height": 844})
    stacked = staff.locator(".sign-in-line-stacked").filter(has_text=expected)
    expect(stacked).not_to_have_count(0)  # a phone shows the log as blocks, same times
    staff.screenshot(path=str(screenshot_dir / "times-security-390.png"), full_page=True)


def test_finance_says_its_dates_are_the_platforms_business_days(
    zoned_app: AppServer, staff: Page
) -> None:
    staff.goto(f"{zoned_app.base_url}/finance")
    expect(header(staff)).to_contain_text(DATES_NOTE, timeout=30_000)


def test_a_booking_shows_its_propertys_zone_and_says_so(
    zoned_app: AppServer, staff: Page, db: Database, moments: Moments, screenshot_dir: Path
) -> None:
    staff.goto(f"{zoned_app.base_url}/bookings/{moments.reference}")
    expect(staff.locator("#booking-times-note")).to_have_text(
        f"Times in {PROPERTY_ZONE}, the property's time zone.", timeout=30_000
    )
    (invoice,) = queries.payments_panel(db=db, booking_id=moments.booking_id).invoices
    row = staff.locator(f'tr.invoice-row[data-number="{invoice.number}"]')
    expect(row).to_contain_text("Sent " + in_zone(invoice.issued_at, PROPERTY_ZONE))
    expect(row).not_to_contain_text(in_zone(invoice.issued_at))
    staff.screenshot(path=str(screenshot_dir / "times-booking-1280.png"))
