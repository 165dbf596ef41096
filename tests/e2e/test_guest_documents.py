"""The guest's documents in the browser: the guest pays an invoice through the sandbox checkout,
finds the receipt and the invoice under Documents on the Payments card and downloads both PDFs
(numbers, lines, total, currency checked with pypdf); staff download the receipt on the booking
page.
Screenshots of both at 1280 and 390 px wide."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin

import pytest
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from concierge_app.domain.formatting import format_money
from tests.e2e import test_guest_portal as portal
from tests.e2e.conftest import signed_in_page
from tests.e2e.test_guest_portal import (
    CARD_SUCCEEDS,
    TRANSFERS,
    add_confirmed_service,
    back_on_portal,
    ledger_invoices,
    link_from_outbox,
    on_checkout,
    open_booking,
    pay_button,
    pay_with_card,
    query,
    send_invoice_as_staff,
    shot,
)

if TYPE_CHECKING:
    from tests.e2e.conftest import AppServer

pytestmark = pytest.mark.e2e
# the portal tests' fixtures: a signed-in staff page, and guest pages with no session
staff, new_guest, guest = portal.staff, portal.new_guest, portal.guest


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def download(page: Page, link_holder: str) -> bytes:
    """The PDF behind a document's link, fetched with the page's own cookies (what the
    browser's download sends)."""
    link = page.locator(link_holder).locator("[data-testid=document-download]")
    expect(link).to_have_attribute("download", "")
    href = link.get_attribute("href")
    assert href, "the document has no link"
    response = page.request.get(urljoin(page.url, href))
    assert response.status == 200, (href, response.status)
    assert response.headers["content-type"] == "application/pdf"
    return response.body()


def test_guest_downloads_the_receipt_and_staff_see_it_on_the_booking_page(
    app_server: AppServer, staff: Page, guest: Page, browser: Browser, screenshot_dir: Path
) -> None:
    base, reference, currency = app_server.base_url, "AZ-24001", "EUR"
    open_booking(staff, base, reference)
    add_confirmed_service(
        staff, title="Catamaran day trip", gross="345.60", operator_name=TRANSFERS
    )
    number = send_invoice_as_staff(staff)
    link = link_from_outbox(staff, base, reference, number)
    # the booking's draft may hold earlier lines: the invoice's total is what the ledger says
    total = format_money(ledger_invoices(app_server, number)[number].total)

    guest.goto(link)
    pay_button(guest, number).click()
    on_checkout(guest, total)
    pay_with_card(guest, CARD_SUCCEEDS)
    back_on_portal(guest, reference)

    [(receipt,)] = query(
        app_server,
        "SELECT r.number FROM guest_receipt r JOIN guest_invoice i "
        "ON i.paid_by_attempt_id = r.attempt_id WHERE i.number = ?",
        number,
    )
    title = f"Receipt {receipt}"
    row = f'[data-testid=document][data-title="{title}"]'
    expect(guest.locator(row)).to_be_visible(timeout=30_000)
    expect(guest.locator(row)).to_contain_text(total)
    text = pdf_text(download(guest, row))
    for expected in (str(receipt), number, reference, total, currency, "Paid"):
        assert expected in text, expected
    invoice_row = f'[data-testid=document][data-title="Invoice {number}"]'
    invoice_text = pdf_text(download(guest, invoice_row))
    for expected in (number, "Catamaran day trip", TRANSFERS, total, currency, "Paid"):
        assert expected in invoice_text, expected
    guest.locator("#documents").scroll_into_view_if_needed()
    shot(guest, screenshot_dir / "guest-documents-1280.png")
    guest.set_viewport_size({"width": 390, "height": 844})
    expect(guest.locator(row)).to_be_visible()
    width = guest.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the portal is {width}px wide on a phone"
    shot(guest, screenshot_dir / "guest-documents-390.png")

    for viewport, name in (
        ({"width": 1280, "height": 900}, "1280"),
        ({"width": 390, "height": 844}, "390"),
    ):
        with signed_in_page(browser, base, viewport) as page:  # type: ignore[arg-type]
            open_booking(page, base, reference)
            staff_row = f'tr.document-row:has-text("{title}")'
            expect(page.locator(staff_row)).to_contain_text(total, timeout=30_000)
            staff_text = pdf_text(download(page, staff_row))
            assert str(receipt) in staff_text and total in staff_text
            page.locator("#documents-table").scroll_into_view_if_needed()
            page.screenshot(path=str(screenshot_dir / f"staff-documents-{name}.png"))
