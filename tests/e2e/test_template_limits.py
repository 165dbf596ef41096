"""Lifecycle templates cannot hurt the app, in the browser.

On the Templates page a template that breaks a limit shows the limit instead of a preview, cannot
be saved, and the page stays responsive. A hostile template stored around the save (as an old
database may hold one) does not stop Send Invoice: the invoice becomes Active and the Outbox
shows that the message was written with the built-in text, and why.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from concierge_app.db.engine import Database
from concierge_app.db.messaging import LifecycleTemplate
from concierge_app.domain.money import Money
from concierge_app.domain.strategies import PaymentStrategy
from concierge_app.services.guest import bookings, portfolio, queries
from concierge_app.services.outbox.listing import list_outbox
from concierge_app.services.shared.messages import list_templates
from tests.e2e.conftest import signed_in_page

if TYPE_CHECKING:
    from tests.e2e.conftest import AppServer

pytestmark = pytest.mark.e2e

WIDE = {"width": 1280, "height": 900}
NARROW = {"width": 390, "height": 844}
POWER = "{{ 9**(9**9) }}"
POWER_LIMIT = "9 ** 387420489 would have about 369,693,100 digits"
HIDE_TOASTS = "[data-sonner-toaster] { display: none !important; }"


@pytest.fixture(scope="module")
def db(app_server: AppServer) -> Iterator[Database]:
    database = Database(app_server.database_url)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def staff(app_server: AppServer, browser: Browser) -> Iterator[Page]:
    with signed_in_page(browser, app_server.base_url, WIDE) as page:
        yield page


def shot(page: Page, path: Path) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(path), full_page=True, style=HIDE_TOASTS, animations="disabled")


def invoice_sent(db: Database):
    return next(t for t in list_templates(db=db) if t.key == "invoice_sent")


def test_a_template_breaking_a_limit_shows_the_limit_cannot_be_saved_and_the_page_stays_live(
    app_server: AppServer, staff: Page, db: Database, screenshot_dir: Path
) -> None:
    page = staff
    before = invoice_sent(db)
    page.goto(f"{app_server.base_url}/templates")
    expect(page.locator("#preview-body")).to_contain_text("Dear ", timeout=20_000)
    expect(page.locator("#template-limits")).to_contain_text("numbers up to 18 digits")

    started = time.monotonic()
    page.get_by_label("Body").fill(POWER)
    expect(page.locator("#preview-problem")).to_contain_text(POWER_LIMIT, timeout=10_000)
    shown_after = time.monotonic() - started
    expect(page.locator("#body-error")).to_contain_text("The body breaks a limit")
    for viewport, name in ((WIDE, "templates_limit_1280.png"), (NARROW, "templates_limit_390.png")):
        page.set_viewport_size(viewport)
        shot(page, screenshot_dir / name)
    page.set_viewport_size(WIDE)

    page.get_by_role("button", name="Save template").click()
    expect(page.locator("#body-error")).to_contain_text(POWER_LIMIT)
    expect(page.get_by_text("Invoice Sent saved")).to_have_count(0)
    assert invoice_sent(db) == before  # nothing written

    # Still responsive: the next edit previews at once, the server answers, other pages load.
    started = time.monotonic()
    page.get_by_label("Body").fill("Hello {{ guest_name }}, {{ invoice_total }}")
    expect(page.locator("#preview-body")).to_contain_text("Hello ", timeout=5_000)
    recovered_after = time.monotonic() - started
    expect(page.locator("#preview-problem")).to_have_count(0)
    assert page.request.get(f"{app_server.base_url}/ping").ok
    page.goto(f"{app_server.base_url}/outbox")
    expect(page.get_by_role("heading", level=1)).to_have_text("Outbox", timeout=10_000)
    assert invoice_sent(db) == before
    print(f"\nlimit shown after {shown_after:.2f} s, preview back after {recovered_after:.2f} s")


def test_a_stored_hostile_template_does_not_stop_send_invoice_and_the_outbox_flags_it(
    app_server: AppServer, staff: Page, db: Database, screenshot_dir: Path
) -> None:
    page = staff
    reference = f"TL-{secrets.token_hex(3).upper()}"
    prop = next(p for p in queries.list_partners(db=db, kind="property") if p.code == "PRP-1001")
    guest = bookings.create_guest(db=db, name="Ines Duarte", email=f"{reference.lower()}@x.test")
    booking_id = bookings.create_booking(
        db=db,
        reference=reference,
        guest_id=guest,
        property_id=prop.id,
        check_in=date(2027, 6, 1),
        check_out=date(2027, 6, 5),
        currency="EUR",
        accommodation_total=Money.parse("900.00", "EUR"),
        actor="e2e-setup",
    )
    service = portfolio.add_service_item(
        db=db,
        booking_id=booking_id,
        operator_id=queries.list_partners(db=db, kind="operator")[0].id,
        title="Private chef dinner",
        service_date=date(2027, 6, 2),
        gross=Money.parse("350.00", "EUR"),
        strategy=PaymentStrategy.PLATFORM_COLLECTS_FULL,
        deposit=None,
        actor="e2e-setup",
    )
    portfolio.confirm_service(db=db, service_id=service, actor="e2e-setup")

    with db.transaction() as s:  # written around the save, as an old database may hold it
        row = s.exec(
            select(LifecycleTemplate).where(
                LifecycleTemplate.key == "invoice_sent", LifecycleTemplate.language == "en"
            )
        )
        template = row.first() or LifecycleTemplate(
            key="invoice_sent", name="Invoice Sent", subject="x", body="x"
        )
        saved = (template.id, template.subject, template.body)
        template.subject, template.body = "Bill", "{% for i in range(200000) %}x{% endfor %}"
        s.add(template)
    try:
        page.goto(f"{app_server.base_url}/bookings/{reference}")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Booking {reference}")
        expect(page.locator("#booking-loading")).to_have_count(0)
        page.get_by_role("button", name="Send Invoice").click()
        expect(page.locator("tr.invoice-row .invoice-status")).to_have_text(["Active"])

        (message,) = list_outbox(db=db, booking_id=booking_id)
        assert message.template_problem is not None
        assert "Private chef dinner" in message.body  # the built-in text
        page.goto(f"{app_server.base_url}/outbox")
        row = page.locator("tr.outbox-row").filter(has_text=reference)
        expect(row).to_have_count(1, timeout=20_000)
        expect(row).to_contain_text("Built-in text")
        expect(row.locator(".template-problem")).to_have_text(
            "To be sent with the built-in text: The body breaks a limit: range() is limited to "
            "10,000 items; this one has 200,000."
        )
        for viewport, name in ((WIDE, "outbox_flag_1280"), (NARROW, "outbox_flag_390")):
            page.set_viewport_size(viewport)
            shot(page, screenshot_dir / f"{name}.png")
            row.screenshot(path=str(screenshot_dir / f"{name}_row.png"), animations="disabled")
        expect(row.get_by_text("Built-in text").first).to_be_visible()  # also on a phone
        page.set_viewport_size(WIDE)
        row.get_by_role("button", name=f"Show message {message.id}").click()
        expect(page.get_by_role("dialog")).to_contain_text("To be sent with the built-in text")
        expect(page.get_by_role("dialog")).to_contain_text("Your concierge invoice")
    finally:
        with db.transaction() as s:
            template = s.exec(
                select(LifecycleTemplate).where(
                    LifecycleTemplate.key == "invoice_sent", LifecycleTemplate.language == "en"
                )
            ).one()
            if saved[0] is None:
                s.delete(template)
            else:
                template.subject, template.body = saved[1], saved[2]
                s.add(template)
