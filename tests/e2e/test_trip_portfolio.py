"""The booking page in the browser: Trip Portfolio, Payments panel and live updates.

Every test makes its own booking through the services (unique reference, demo property and
operators), so the tests share the session's app server and database but not their data. The
amounts the page must show are read back through the services, not written down here.
"""

from __future__ import annotations

import secrets
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

from concierge_app.db.engine import Database
from concierge_app.domain.errors import DomainError
from concierge_app.domain.formatting import format_money
from concierge_app.domain.lifecycle import InvoiceStatus, ServiceLifecycle
from concierge_app.domain.money import Money
from concierge_app.domain.payment_status import ServicePaymentStatus
from concierge_app.domain.strategies import PaymentStrategy
from concierge_app.services.guest import bookings, invoicing, portfolio, queries
from concierge_app.services.outbox.listing import list_outbox
from concierge_app.services.payments import checkout
from tests.e2e.conftest import sign_in, signed_in_page

if TYPE_CHECKING:
    from tests.e2e.conftest import AppServer

pytestmark = pytest.mark.e2e

ACTOR = "e2e-setup"
CURRENCY = "EUR"
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}


# -- fixtures and set-up through the services -----------------------------------------------
@pytest.fixture(scope="module")
def db(app_server: AppServer) -> Iterator[Database]:
    database = Database(app_server.database_url)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture(scope="module")
def staff(app_server: AppServer, browser: Browser) -> Iterator[Page]:
    """One signed-in page for the module (each test opens its own booking on it)."""
    with signed_in_page(browser, app_server.base_url, VIEWPORT) as page:
        yield page


@dataclass(frozen=True)
class Booking:
    id: int
    reference: str


def new_booking(
    db: Database, *, guest_name: str = "Nora Lindqvist", locale: str = "en_US"
) -> Booking:
    """A fresh booking at the demo property, with an empty concierge ledger, its guest writing
    in `locale`."""
    reference = f"TP-{secrets.token_hex(4).upper()}"
    prop = next(p for p in queries.list_partners(db=db, kind="property") if p.code == "PRP-1001")
    guest = bookings.create_guest(
        db=db, name=guest_name, email=f"{reference.lower()}@guest.example", locale=locale
    )
    booking_id = bookings.create_booking(
        db=db,
        reference=reference,
        guest_id=guest,
        property_id=prop.id,
        check_in=date(2027, 5, 10),
        check_out=date(2027, 5, 14),
        currency=CURRENCY,
        accommodation_total=Money.parse("3200.00", CURRENCY),
        actor=ACTOR,
    )
    return Booking(booking_id, reference)


def operator(db: Database, index: int = 0) -> queries.PartnerOption:
    return queries.list_partners(db=db, kind="operator")[index]


def add_service(
    db: Database,
    booking: Booking,
    title: str,
    gross: str,
    strategy: PaymentStrategy = PaymentStrategy.PLATFORM_COLLECTS_FULL,
    *,
    deposit: str | None = None,
    confirm: bool = True,
) -> int:
    service_id = portfolio.add_service_item(
        db=db,
        booking_id=booking.id,
        operator_id=operator(db).id,
        title=title,
        service_date=date(2027, 5, 11),
        gross=Money.parse(gross, CURRENCY),
        strategy=strategy,
        deposit=None if deposit is None else Money.parse(deposit, CURRENCY),
        actor=ACTOR,
    )
    if confirm:
        portfolio.confirm_service(db=db, service_id=service_id, actor=ACTOR)
    return service_id


def send_draft(db: Database, booking: Booking) -> invoicing.SentInvoice:
    draft = queries.payments_panel(db=db, booking_id=booking.id).draft
    assert draft is not None
    return invoicing.send_invoice(db=db, invoice_id=draft.id, actor=ACTOR)


def pay(db: Database, invoice_id: int) -> None:
    """The guest pays through the sandbox checkout; its signed webhook is applied."""
    attempt = checkout.start_payment_attempt(db=db, invoice_ids=[invoice_id], actor="guest")
    checkout.fulfil_payment_attempt(
        db=db,
        attempt_id=attempt.id,
        provider="sandbox",
        event_id=f"evt_{secrets.token_hex(8)}",
        event_type="checkout.session.completed",
        amount=attempt.amount,
    )


def panel(db: Database, booking: Booking) -> queries.PaymentsPanel:
    return queries.payments_panel(db=db, booking_id=booking.id)


def services(db: Database, booking: Booking) -> dict[str, queries.ServiceView]:
    return {s.title: s for s in queries.trip_portfolio(db=db, booking_id=booking.id)}


def refusal(call: object) -> str:
    """The message a domain rule gives for bad input (so the test never restates it)."""
    try:
        call()  # type: ignore[operator]
    except DomainError as refused:
        return refused.message
    raise AssertionError("expected the input to be refused")


# -- driving the page -----------------------------------------------------------------------
def open_booking(page: Page, base_url: str, booking: Booking) -> None:
    page.goto(f"{base_url}/bookings/{booking.reference}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Booking {booking.reference}")
    expect(page.locator("#booking-loading")).to_have_count(0)


def service_row(page: Page, title: str) -> Locator:
    return page.locator(f'tr.service-row[data-title="{title}"]')


def invoice_row(page: Page, number: str) -> Locator:
    return page.locator(f'tr.invoice-row[data-number="{number}"]')


def choose(page: Page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def fill_service_form(
    page: Page,
    *,
    title: str,
    gross: str,
    strategy: PaymentStrategy,
    operator_name: str,
    deposit: str | None = None,
    description: str = "",
) -> None:
    dialog = page.get_by_role("dialog", name="Add service")
    dialog.get_by_label("Title").fill(title)
    dialog.get_by_label("Description").fill(description)
    choose(page, "Operator", operator_name)
    choose(page, "Payment strategy", strategy.label)
    dialog.get_by_label("Gross price").fill(gross)
    if deposit is not None:
        dialog.get_by_label("Deposit").fill(deposit)


def add_service_in_form(page: Page, **fields: object) -> None:
    page.get_by_role("button", name="Add service").click()
    dialog = page.get_by_role("dialog", name="Add service")
    expect(dialog).to_be_visible()
    fill_service_form(page, **fields)  # type: ignore[arg-type]
    dialog.get_by_role("button", name="Add service").click()
    expect(dialog).to_be_hidden()


def confirm_in_dialog(
    page: Page,
    row: Locator,
    button: str,
    action: str,
    reason: str = "",
    *,
    screenshot: Path | None = None,
) -> str:
    """Click a row's action, read what the confirmation says, then confirm it."""
    row.get_by_role("button", name=button, exact=True).click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_visible()
    said = dialog.inner_text()
    if reason:
        dialog.get_by_label("Reason").fill(reason)
    if screenshot is not None:
        shot(page, screenshot)
    dialog.get_by_role("button", name=action, exact=True).click()
    expect(dialog).to_be_hidden()
    return said


def shot(target: Page | Locator, path: Path, *, full_page: bool = False) -> None:
    """A screenshot without the transient toasts; full-page ones from the top of the page."""
    hide_toasts = "[data-sonner-toaster] { display: none !important; }"
    if isinstance(target, Locator):
        target.screenshot(path=str(path), style=hide_toasts, animations="disabled")
        return
    if full_page:
        target.evaluate("window.scrollTo(0, 0)")
    target.screenshot(path=str(path), full_page=full_page, style=hide_toasts, animations="disabled")


def draft_lines(page: Page) -> Locator:
    return page.locator("#draft-invoice tr.draft-line")


# -- tests ----------------------------------------------------------------------------------
def test_a_visitor_is_sent_to_sign_in_and_back_to_the_booking(
    app_server: AppServer, page: Page, db: Database
) -> None:
    booking = new_booking(db)
    page.goto(f"{app_server.base_url}/bookings/{booking.reference}")
    page.wait_for_url(f"**/login?next=/bookings/{booking.reference}", timeout=30_000)
    expect(page.locator("tr.service-row")).to_have_count(0)
    page.get_by_label("Email").fill("concierge@demo.test")
    page.get_by_label("Password").fill("demo-concierge")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/bookings/{booking.reference}", timeout=30_000)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Booking {booking.reference}")


def test_an_unknown_reference_says_so_and_links_back_to_the_bookings(
    app_server: AppServer, staff: Page
) -> None:
    staff.goto(f"{app_server.base_url}/bookings/NO-SUCH-REF")
    expect(staff.locator("#booking-not-found")).to_contain_text("There is no booking NO-SUCH-REF.")
    staff.get_by_role("link", name="Back to the bookings").click()
    staff.wait_for_url(f"{app_server.base_url}/")


def test_a_service_under_each_strategy_is_added_confirmed_and_billed_as_the_guide_says(
    app_server: AppServer, staff_page: Page, db: Database, screenshot_dir: Path
) -> None:
    page = staff_page
    page.set_viewport_size(VIEWPORT)
    booking = new_booking(db)
    open_booking(page, app_server.base_url, booking)

    portfolio_section = page.get_by_role("region", name="Trip Portfolio")
    expect(portfolio_section.locator("#services-empty")).to_contain_text(
        "No services yet — add the first one with Add service"
    )
    send = page.get_by_role("button", name="Send Invoice")
    expect(send).to_be_disabled()
    expect(page.locator("#send-invoice-hint")).to_have_text(
        "Confirm a platform-collects service to start the draft."
    )
    shot(page, screenshot_dir / "booking_empty.png", full_page=True)

    sail, chef, ride = (operator(db, i) for i in range(3))
    plan = [
        ("Sunset sailing tour", "1200.00", PaymentStrategy.PLATFORM_COLLECTS_FULL, None, sail),
        ("Chef's dinner", "1500.00", PaymentStrategy.PLATFORM_COLLECTS_DEPOSIT, "300.00", chef),
        ("Airport transfer", "95.00", PaymentStrategy.OPERATOR_COLLECTS_FULL, None, ride),
        ("Welcome wine tasting", "0", PaymentStrategy.INCLUDED_IN_STAY, None, sail),
    ]
    for title, gross, strategy, deposit, op in plan:
        add_service_in_form(
            page,
            title=title,
            gross=gross,
            strategy=strategy,
            deposit=deposit,
            operator_name=op.name,
            description=f"{title} for two",
        )
        row = service_row(page, title)
        expect(row).to_have_count(1)
        expect(row.locator(".lifecycle")).to_have_text("Draft")
        expect(row.locator("[data-locked]")).to_have_attribute("data-locked", "false")
        expect(row.locator(".strategy-tag")).to_have_text(strategy.label)
        expect(row).to_contain_text(op.name)
    added = services(db, booking)
    assert {s.title: s.lifecycle for s in added.values()} == {
        title: ServiceLifecycle.DRAFT for title, *_ in plan
    }
    deposit_view = added["Chef's dinner"]
    assert deposit_view.deposit is not None
    expect(service_row(page, "Chef's dinner").locator(".amount-note")).to_have_text(
        f"Deposit {format_money(deposit_view.deposit)} · balance "
        f"{format_money(deposit_view.provider_collects)} to the provider"
    )

    for title, *_ in plan:
        said = confirm_in_dialog(page, service_row(page, title), "Confirm", "Confirm service")
        assert "locked" in said
        expect(service_row(page, title).locator(".lifecycle")).to_have_text("Confirmed")

    confirmed = services(db, booking)
    for title, *_ in plan:
        view = confirmed[title]
        assert view.lifecycle is ServiceLifecycle.CONFIRMED
        assert view.payment_status is not None
        row = service_row(page, title)
        expect(row.locator(".payment-status")).to_have_text(view.payment_status.value)
        expect(row.locator("[data-locked]")).to_have_attribute("data-locked", "true")
        expect(row.get_by_role("button", name="Confirm")).to_have_count(0)
    assert [confirmed[t].payment_status for t, *_ in plan] == [
        ServicePaymentStatus.PENDING_INVOICE,
        ServicePaymentStatus.PENDING_INVOICE,
        ServicePaymentStatus.PAY_PROVIDER,
        ServicePaymentStatus.INCLUDED_IN_STAY,
    ]
    # One colour per status: the badge carries the status's own colour.
    badge = service_row(page, "Airport transfer").locator(".payment-status [data-status]")
    expect(badge).to_have_attribute("data-accent-color", ServicePaymentStatus.PAY_PROVIDER.colour)

    # The draft holds only the platform-collects lines; the deposit line only the deposit.
    draft = panel(db, booking).draft
    assert draft is not None
    assert [line.description for line in draft.lines] == ["Sunset sailing tour", "Chef's dinner"]
    assert draft.lines[1].amount == deposit_view.deposit
    lines = draft_lines(page)
    expect(lines).to_have_count(len(draft.lines))
    for shown, line in zip(lines.all(), draft.lines, strict=True):
        expect(shown).to_contain_text(line.description)
        expect(shown.locator("td").last).to_have_text(format_money(line.amount))
        expect(shown.locator("td").last).to_have_css("text-align", "right")
    expect(page.locator("#draft-total")).to_have_text(format_money(draft.total))
    expect(send).to_be_enabled()

    shot(page, screenshot_dir / "trip_portfolio.png", full_page=True)
    shot(
        page.get_by_role("region", name="Payments panel"),
        screenshot_dir / "payments_panel_draft.png",
    )


def test_send_invoice_makes_it_active_notifies_the_guest_and_a_later_service_opens_a_new_draft(
    app_server: AppServer, staff: Page, db: Database, screenshot_dir: Path
) -> None:
    page = staff
    booking = new_booking(db)
    first = add_service(db, booking, "Sunset sailing tour", "1200.00")
    add_service(db, booking, "Yacht charter", "2400.00", confirm=False)
    open_booking(page, app_server.base_url, booking)

    page.get_by_role("button", name="Send Invoice").click()
    expect(page.locator("tr.invoice-row .invoice-status")).to_have_text(["Active"])
    sent = next(i for i in panel(db, booking).invoices if i.status is InvoiceStatus.ACTIVE)
    assert sent.number is not None
    expect(page.get_by_text(f"Invoice {sent.number} sent")).to_be_visible()
    row = invoice_row(page, sent.number)
    expect(row.locator(".invoice-status")).to_have_text("Active")
    expect(row.locator("td").nth(3)).to_have_text(format_money(sent.total))
    expect(row).to_contain_text(CURRENCY)
    expect(row).to_contain_text("Sent ")
    expect(page.get_by_role("button", name="Send Invoice")).to_be_disabled()
    expect(draft_lines(page)).to_have_count(0)
    expect(service_row(page, "Sunset sailing tour").locator(".payment-status")).to_have_text(
        ServicePaymentStatus.PAYMENT_PENDING.value
    )
    sent_messages = [
        m for m in list_outbox(db=db, booking_id=booking.id) if m.template_key == "invoice_sent"
    ]
    assert len(sent_messages) == 1
    assert sent.number in sent_messages[0].subject + sent_messages[0].body

    # A service confirmed after the send lands on a fresh draft, not on the sent invoice.
    confirm_in_dialog(page, service_row(page, "Yacht charter"), "Confirm", "Confirm service")
    after = panel(db, booking)
    assert after.draft is not None and after.draft.id != sent.id
    assert [line.description for line in after.draft.lines] == ["Yacht charter"]
    expect(draft_lines(page)).to_have_count(1)
    expect(draft_lines(page).first).to_contain_text("Yacht charter")
    expect(page.get_by_role("button", name="Send Invoice")).to_be_enabled()
    expect(page.locator("tr.invoice-row")).to_have_count(2)
    assert services(db, booking)["Sunset sailing tour"].invoice_number == sent.number
    assert first in {line.service_id for line in sent.lines}
    shot(page.get_by_role("region", name="Payments panel"), screenshot_dir / "payments_panel.png")


def test_cancelling_a_service_before_the_send_removes_its_line_from_the_draft(
    app_server: AppServer, staff: Page, db: Database
) -> None:
    page = staff
    booking = new_booking(db)
    add_service(db, booking, "Sunset sailing tour", "1200.00")
    add_service(db, booking, "Private chef", "800.00")
    open_booking(page, app_server.base_url, booking)
    expect(draft_lines(page)).to_have_count(2)

    said = confirm_in_dialog(
        page, service_row(page, "Private chef"), "Cancel", "Cancel service", reason="Guest ill"
    )
    assert "removed from the draft" in said

    after = panel(db, booking)
    assert after.draft is not None
    assert [line.description for line in after.draft.lines] == ["Sunset sailing tour"]
    expect(draft_lines(page)).to_have_count(1)
    expect(page.locator("#draft-total")).to_have_text(format_money(after.draft.total))
    expect(service_row(page, "Private chef").locator(".lifecycle")).to_have_text("Cancelled")
    expect(service_row(page, "Private chef").get_by_role("button")).to_have_count(0)


def test_void_and_reissue_needs_a_reason_and_moves_the_lines_to_a_new_draft(
    app_server: AppServer, staff: Page, db: Database, screenshot_dir: Path
) -> None:
    page = staff
    booking = new_booking(db)
    add_service(db, booking, "Sunset sailing tour", "1200.00")
    add_service(db, booking, "Private chef", "800.00")
    sent = send_draft(db, booking)
    open_booking(page, app_server.base_url, booking)

    invoice_row(page, sent.number).get_by_role("button", name="Void and re-issue").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text(f"Void invoice {sent.number} and re-issue?")
    dialog.get_by_role("button", name="Void and re-issue").click()
    expected = refusal(
        lambda: invoicing.void_invoice(db=db, invoice_id=sent.invoice_id, actor=ACTOR, reason="")
    )
    expect(dialog.locator("#confirm-reason-error")).to_have_text(expected)
    expect(dialog.get_by_label("Reason")).to_have_attribute("aria-invalid", "true")
    shot(page, screenshot_dir / "void_dialog_error.png")
    assert panel(db, booking).invoices[0].status is InvoiceStatus.ACTIVE

    dialog.get_by_label("Reason").fill("Guest asked for one invoice per couple")
    dialog.get_by_role("button", name="Void and re-issue").click()
    expect(dialog).to_be_hidden()

    after = panel(db, booking)
    voided = next(i for i in after.invoices if i.id == sent.invoice_id)
    assert voided.status is InvoiceStatus.VOIDED
    assert after.draft is not None
    assert sorted(line.description for line in after.draft.lines) == [
        "Private chef",
        "Sunset sailing tour",
    ]
    row = invoice_row(page, sent.number)
    expect(row.locator(".invoice-status")).to_have_text("Voided")
    expect(row).to_contain_text("Guest asked for one invoice per couple")
    expect(row.get_by_role("button", name="Void and re-issue")).to_have_count(0)
    expect(draft_lines(page)).to_have_count(2)
    expect(page.get_by_role("button", name="Send Invoice")).to_be_enabled()


def test_cancelling_a_service_on_a_sent_unpaid_invoice_voids_it_and_reissues_the_rest(
    app_server: AppServer, staff: Page, db: Database, screenshot_dir: Path
) -> None:
    page = staff
    booking = new_booking(db)
    add_service(db, booking, "Sunset sailing tour", "1200.00")
    add_service(db, booking, "Private chef", "800.00")
    sent = send_draft(db, booking)
    open_booking(page, app_server.base_url, booking)

    said = confirm_in_dialog(
        page,
        service_row(page, "Private chef"),
        "Cancel",
        "Cancel service",
        screenshot=screenshot_dir / "cancel_service_on_active_invoice.png",
    )
    assert f"Invoice {sent.number}" in said and "voided" in said

    after = panel(db, booking)
    assert next(i for i in after.invoices if i.id == sent.invoice_id).status is (
        InvoiceStatus.VOIDED
    )
    assert after.draft is not None
    assert [line.description for line in after.draft.lines] == ["Sunset sailing tour"]
    expect(invoice_row(page, sent.number).locator(".invoice-status")).to_have_text("Voided")
    expect(draft_lines(page)).to_have_count(1)
    expect(service_row(page, "Sunset sailing tour").locator(".payment-status")).to_have_text(
        ServicePaymentStatus.PENDING_INVOICE.value
    )


def test_cancelling_the_booking_voids_the_draft_and_keeps_the_sent_invoice(
    app_server: AppServer, staff: Page, db: Database, screenshot_dir: Path
) -> None:
    page = staff
    booking = new_booking(db)
    add_service(db, booking, "Sunset sailing tour", "1200.00")
    sent = send_draft(db, booking)
    add_service(db, booking, "Private chef", "800.00")
    draft = panel(db, booking).draft
    assert draft is not None
    open_booking(page, app_server.base_url, booking)

    page.get_by_role("button", name="Cancel booking").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("draft invoice is voided")
    dialog.get_by_label("Reason").fill("Flights cancelled")
    dialog.get_by_role("button", name="Cancel booking").click()
    expect(dialog).to_be_hidden()

    expect(page.locator("#booking-cancelled")).to_contain_text("Flights cancelled")
    expect(page.locator("#booking-status")).to_contain_text("Cancelled")
    after = panel(db, booking)
    statuses = {i.id: i.status for i in after.invoices}
    assert statuses == {sent.invoice_id: InvoiceStatus.ACTIVE, draft.id: InvoiceStatus.VOIDED}
    assert after.draft is None
    expect(invoice_row(page, sent.number).locator(".invoice-status")).to_have_text("Active")
    expect(
        page.locator(f'tr.invoice-row[data-invoice-id="{draft.id}"] .invoice-status')
    ).to_have_text("Voided")
    expect(page.locator(".lifecycle")).to_have_text(["Cancelled", "Cancelled"])
    expect(page.get_by_role("button", name="Add service")).to_be_disabled()
    expect(page.get_by_role("button", name="Send Invoice")).to_be_disabled()
    expect(page.get_by_role("button", name="Cancel booking")).to_have_count(0)
    shot(page, screenshot_dir / "booking_cancelled.png", full_page=True)


def test_invalid_service_input_is_shown_at_its_field_and_saves_nothing(
    app_server: AppServer, staff: Page, db: Database, screenshot_dir: Path
) -> None:
    page = staff
    booking = new_booking(db)
    open_booking(page, app_server.base_url, booking)
    before = len(services(db, booking))
    chef = operator(db, 1)
    eur = lambda text: Money.parse(text, CURRENCY)  # noqa: E731
    deposit = PaymentStrategy.PLATFORM_COLLECTS_DEPOSIT

    page.get_by_role("button", name="Add service").click()
    dialog = page.get_by_role("dialog", name="Add service")
    cases = [
        (
            dict(gross="-50.00", strategy=PaymentStrategy.PLATFORM_COLLECTS_FULL),
            "Gross price",
            "#service-gross-error",
            refusal(
                lambda: PaymentStrategy.PLATFORM_COLLECTS_FULL.validate_prices(eur("-50"), None)
            ),
        ),
        (
            dict(gross="100.00", strategy=deposit, deposit="150.00"),
            "Deposit",
            "#service-deposit-error",
            refusal(lambda: deposit.validate_prices(eur("100"), eur("150"))),
        ),
        (
            dict(gross="100.00", strategy=deposit, deposit=""),
            "Deposit",
            "#service-deposit-error",
            refusal(lambda: deposit.validate_prices(eur("100"), None)),
        ),
        (
            dict(gross="12.345", strategy=PaymentStrategy.PLATFORM_COLLECTS_FULL),
            "Gross price",
            "#service-gross-error",
            refusal(lambda: Money.parse("12.345", CURRENCY)),
        ),
    ]
    for fields, label, error_id, message in cases:
        fill_service_form(page, title="Boat trip", operator_name=chef.name, **fields)  # type: ignore[arg-type]
        dialog.get_by_role("button", name="Add service").click()
        expect(dialog.locator(error_id)).to_have_text(message)
        field = dialog.get_by_label(label, exact=True)
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_accessible_description(message)
        expect(dialog).to_be_visible()
        assert len(services(db, booking)) == before
        if label == "Deposit" and "cannot be more" in message:
            shot(page, screenshot_dir / "add_service_errors.png")

    # An empty title is refused by the service, at the title field.
    fill_service_form(
        page, title="   ", operator_name=chef.name, gross="100.00", strategy=deposit, deposit="30"
    )
    dialog.get_by_role("button", name="Add service").click()
    expect(dialog.locator("#service-title-error")).to_be_visible()
    expect(dialog.get_by_label("Title")).to_have_attribute("aria-invalid", "true")
    assert len(services(db, booking)) == before

    # Fixed, it saves exactly one service and closes the form.
    dialog.get_by_label("Title").fill("Boat trip")
    dialog.get_by_role("button", name="Add service").click()
    expect(dialog).to_be_hidden()
    expect(service_row(page, "Boat trip")).to_have_count(1)
    assert len(services(db, booking)) == before + 1


def test_a_second_browser_sees_a_change_made_in_the_first_within_a_second(
    app_server: AppServer, staff: Page, browser: Browser, db: Database, screenshot_dir: Path
) -> None:
    booking = new_booking(db)
    add_service(db, booking, "Sunset sailing tour", "1200.00", confirm=False)
    open_booking(staff, app_server.base_url, booking)

    other = browser.new_context(viewport=VIEWPORT, locale="en-US")
    try:
        watcher = other.new_page()
        sign_in(watcher, app_server.base_url)
        open_booking(watcher, app_server.base_url, booking)
        watcher.evaluate("window.__sameDocument = true")
        status = service_row(watcher, "Sunset sailing tour").locator(".lifecycle")
        expect(status).to_have_text("Draft")

        row = service_row(staff, "Sunset sailing tour")
        row.get_by_role("button", name="Confirm", exact=True).click()
        started = time.monotonic()
        staff.get_by_role("alertdialog").get_by_role("button", name="Confirm service").click()
        expect(status).to_have_text("Confirmed", timeout=5_000)
        elapsed = time.monotonic() - started
        expect(draft_lines(watcher)).to_have_count(1)
        assert watcher.evaluate("window.__sameDocument === true"), "the page was reloaded"
        sys.stderr.write(f"\n[e2e] second browser showed the confirmation after {elapsed:.2f}s\n")
        assert elapsed <= 1.5, f"the second browser showed the change after {elapsed:.2f}s"

        # A change from outside any browser (a payment webhook) shows up the same way.
        sent = send_draft(db, booking)
        started = time.monotonic()
        pay(db, sent.invoice_id)
        expect(invoice_row(watcher, sent.number).locator(".invoice-status")).to_have_text(
            "Paid", timeout=5_000
        )
        webhook_elapsed = time.monotonic() - started
        sys.stderr.write(f"[e2e] the payment (webhook) showed after {webhook_elapsed:.2f}s\n")
        assert webhook_elapsed <= 1.5, f"the payment showed after {webhook_elapsed:.2f}s"
        shot(watcher, screenshot_dir / "live_second_browser.png", full_page=True)
    finally:
        other.close()


def test_a_cancelled_paid_service_is_refunded_through_the_refund_dialog(
    app_server: AppServer, staff: Page, db: Database, screenshot_dir: Path
) -> None:
    page = staff
    booking = new_booking(db)
    add_service(db, booking, "Sunset sailing tour", "1200.00")
    add_service(db, booking, "Private chef", "800.00")
    sent = send_draft(db, booking)
    pay(db, sent.invoice_id)
    open_booking(page, app_server.base_url, booking)
    paid_totals = panel(db, booking).totals
    expect(page.locator("#total-concierge")).to_have_text(format_money(paid_totals.concierge_paid))
    expect(page.locator("#total-overall")).to_have_text(format_money(paid_totals.overall_paid))

    said = confirm_in_dialog(page, service_row(page, "Private chef"), "Cancel", "Cancel service")
    assert "does not refund" in said
    row = service_row(page, "Private chef")
    expect(row.locator(".refund-required")).to_have_text("Refund required")
    expect(row.locator(".payment-status")).to_have_text(ServicePaymentStatus.PAID.value)
    expect(page.locator("#refunds-due")).to_contain_text("Private chef")
    assert services(db, booking)["Private chef"].refund_required

    row.get_by_role("button", name="Refund").click()
    dialog = page.get_by_role("dialog", name="Refund 'Private chef'")
    billed = services(db, booking)["Private chef"].billed
    assert billed is not None
    expect(dialog.get_by_label("Amount")).to_have_value(billed.amount_text())
    dialog.get_by_role("button", name="Issue refund").click()
    expect(dialog.locator("#refund-note-error")).to_be_visible()
    expect(dialog.get_by_label("Note")).to_have_attribute("aria-invalid", "true")
    assert panel(db, booking).totals.refunded.is_zero

    dialog.get_by_label("Note").fill("Chef unavailable; refunded in full")
    shot(page, screenshot_dir / "refund_dialog.png")
    dialog.get_by_role("button", name="Issue refund").click()
    expect(dialog).to_be_hidden()

    totals = panel(db, booking).totals
    assert totals.refunded == billed
    expect(page.locator("#total-refunded")).to_have_text(format_money(totals.refunded))
    expect(page.locator("#total-overall")).to_have_text(format_money(totals.overall_paid))
    expect(service_row(page, "Private chef").locator(".refund-required")).to_have_count(0)
    expect(page.locator("#refunds-due")).to_have_count(0)
    assert not services(db, booking)["Private chef"].refund_required
    shot(page, screenshot_dir / "refunded.png", full_page=True)


def test_the_demo_booking_shows_every_service_status_and_invoice_from_the_ledger(
    app_server: AppServer, staff: Page, db: Database, screenshot_dir: Path
) -> None:
    """Read-only: the richest demo booking, compared with what the services say about it."""
    page = staff
    header = queries.booking_by_reference(db=db, reference="AZ-24001")
    demo = Booking(header.id, header.reference)
    open_booking(page, app_server.base_url, demo)
    expected = queries.trip_portfolio(db=db, booking_id=demo.id)
    rows = page.locator("tr.service-row")
    expect(rows).to_have_count(len(expected))
    for view in expected:
        row = page.locator(f'tr.service-row[data-service-id="{view.id}"]')
        expect(row.locator(".lifecycle")).to_have_text(view.lifecycle.label)
        expect(row.locator(".strategy-tag")).to_have_text(view.strategy.label)
        status = "—" if view.payment_status is None else view.payment_status.value
        expect(row.locator(".payment-status")).to_have_text(status)
        expect(row.locator("td").nth(3)).to_contain_text(format_money(view.gross))
        expect(row.locator("td").nth(3)).to_have_css("text-align", "right")
    payments = panel(db, demo)
    expect(page.locator("tr.invoice-row")).to_have_count(len(payments.invoices))
    for invoice in payments.invoices:
        row = page.locator(f'tr.invoice-row[data-invoice-id="{invoice.id}"]')
        expect(row.locator(".invoice-status")).to_have_text(invoice.status.label)
        expect(row.locator("td").nth(3)).to_have_text(format_money(invoice.total))
    totals = payments.totals
    for element, amount in (
        ("#total-concierge", totals.concierge_paid),
        ("#total-refunded", totals.refunded),
        ("#total-accommodation", totals.accommodation_paid),
        ("#total-overall", totals.overall_paid),
        ("#total-outstanding", totals.outstanding),
    ):
        expect(page.locator(element)).to_have_text(format_money(amount))
    assert totals.overall_paid == totals.concierge_net_paid + totals.accommodation_paid
    shot(page, screenshot_dir / "booking_demo_viewport.png")
    shot(page, screenshot_dir / "booking_demo.png", full_page=True)
