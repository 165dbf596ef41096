"""The guest's side in the guest's language, in the browser (issue 18): for a booking whose
guest is Spanish, French, German, Italian, Portuguese, Dutch or Japanese, the portal, the sandbox
checkout, the messages (Invoice Sent, Payment Received, Refund Issued) and the PDFs (invoice,
receipt, credit note) carry no English word left over; the guest switches language on the portal
and it is remembered (saved on the guest).

"English leftover" means a word of the app's English source strings (the msgids of the catalogs)
that the language's own translations never use; the booking's proper names (guest, villa,
operator, service titles), the language's month and day names and references are allowed. Each
language has a booking of its own, made through the services on the app's database.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import pytest
from babel.dates import get_day_names, get_month_names
from babel.messages.pofile import read_po
from playwright.sync_api import Browser, Page, ViewportSize, expect
from pypdf import PdfReader
from sqlmodel import select

from concierge_app.db.engine import Database
from concierge_app.db.messaging import OutboxMessage
from concierge_app.domain import i18n
from concierge_app.domain.formatting import format_money
from concierge_app.domain.money import Money
from concierge_app.domain.strategies import PaymentStrategy
from concierge_app.services.guest.links import issue_guest_link
from concierge_app.services.guest.queries import booking_by_reference
from concierge_app.services.guest.refunds import issue_refund
from concierge_app.services.partner.platform import platform_details
from concierge_app.settings import get_settings
from tests.e2e import test_trip_portfolio as trip
from tests.e2e.test_guest_portal import CARD_SUCCEEDS, pay_with_card, shot

if TYPE_CHECKING:
    from tests.e2e.conftest import AppServer

pytestmark = pytest.mark.e2e

ACTOR = "e2e-languages"
WIDE: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
LOCALES = {
    "es": "es_ES",
    "fr": "fr_FR",
    "de": "de_DE",
    "it": "it_IT",
    "pt": "pt_PT",
    "nl": "nl_NL",
    "ja": "ja_JP",
}
GUESTS = {
    "es": "Lucía Fernández",
    "fr": "Camille Moreau",
    "de": "Jonas Becker",
    "it": "Giulia Conti",
    "pt": "Inês Carvalho",
    "nl": "Daan de Vries",
    "ja": "佐藤 花子",
}
_P = platform_details()
# The platform's own names and addresses, printed as they are in every language.
PLATFORM = " ".join((get_settings().platform_name, _P.legal_name, _P.address, _P.email))
NOTE = "Chef Mateo arrived late"  # the staff's words on the refund, printed as written
CHEF, BOAT = "Chef Mateo's tasting menu", "Formentera catamaran"
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]{2,}")


def _catalog_words(path: Path, translations: bool) -> set[str]:
    with path.open("rb") as source:
        catalog = read_po(source)
    words: set[str] = set()
    for message in catalog:
        if not message.id:
            continue
        texts = message.string if translations else message.id
        for text in texts if isinstance(texts, tuple) else (texts,):
            # placeholders are not words of the text
            text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{\w+\}", " ", text or "")
            words |= {w.lower() for w in WORD.findall(text)}
    return words


def _calendar_words(language: str) -> set[str]:
    """The language's month and day names as Babel writes dates ('may' is Spanish for May)."""
    names: set[str] = set()
    for width in ("abbreviated", "wide"):
        for table in (
            get_month_names(width, locale=language),
            get_month_names(width, context="stand-alone", locale=language),
            get_day_names(width, locale=language),
        ):
            names |= {w.lower() for value in table.values() for w in WORD.findall(value)}
    return names


def english_leftovers(text: str, language: str, allowed: str) -> list[str]:
    """Words of `text` that are English source words the language's catalogs never use."""
    english = set().union(
        *(_catalog_words(i18n.LOCALE_DIR / f"{d}.pot", False) for d in i18n.DOMAINS)
    )
    own = set().union(
        *(
            _catalog_words(i18n.LOCALE_DIR / language / "LC_MESSAGES" / f"{d}.po", True)
            for d in i18n.DOMAINS
        )
    )
    names = {w.lower() for w in WORD.findall(allowed)} | _calendar_words(language)
    text = re.sub(r"https?://\S+", " ", text)  # links are addresses, not words
    found = {w.lower() for w in WORD.findall(text)}
    return sorted((found & english) - own - names)


@dataclass(frozen=True)
class GuestBooking:
    language: str
    reference: str
    link: str
    numbers: tuple[str, ...]
    totals: tuple[Money, ...]
    services: tuple[int, ...]
    names: str  # the proper names a page may show in any language


db = trip.db  # the app's database (a module fixture)


def _booking(db: Database, language: str) -> GuestBooking:
    """A booking of a guest in `language`: two invoices sent (one with a deposit service)."""
    booking = trip.new_booking(db, guest_name=GUESTS[language], locale=LOCALES[language])
    numbers, totals, services = [], [], []
    for title, gross, deposit, strategy in (
        (CHEF, "1250.50", None, PaymentStrategy.PLATFORM_COLLECTS_FULL),
        (BOAT, "900.00", "300.00", PaymentStrategy.PLATFORM_COLLECTS_DEPOSIT),
    ):
        services.append(trip.add_service(db, booking, title, gross, strategy, deposit=deposit))
        sent = trip.send_draft(db, booking)
        numbers.append(sent.number)
        totals.append(sent.total)
    url = urlsplit(issue_guest_link(db=db, booking_id=booking.id, actor=ACTOR).url)
    prop = booking_by_reference(db=db, reference=booking.reference).property_name
    names = " ".join(
        (GUESTS[language], prop, trip.operator(db).name, CHEF, BOAT, booking.reference)
    )
    return GuestBooking(
        language,
        booking.reference,
        f"{url.path}?{url.query}",
        tuple(numbers),
        tuple(totals),
        tuple(services),
        f"{names} {PLATFORM} {NOTE}",
    )


def _guest_page(browser: Browser, viewport: ViewportSize) -> Page:
    # The browser itself says English: the page's language is the guest's, not the browser's.
    return browser.new_context(viewport=viewport, locale="en-US").new_page()


def _visible_text(page: Page) -> str:
    return page.locator("body").inner_text()


def _pdf(page: Page, title_part: str) -> str:
    row = page.locator("[data-testid=document]").filter(has_text=title_part).first
    href = row.locator("[data-testid=document-download]").get_attribute("href")
    assert href, f"no link for {title_part}"
    response = page.request.get(urljoin(page.url, href))
    assert response.status == 200 and response.body().startswith(b"%PDF")
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)


def _messages(db: Database, reference: str) -> list[OutboxMessage]:
    from concierge_app.db.bookings import Booking

    with db.read() as session:
        booking_id = session.exec(select(Booking.id).where(Booking.reference == reference)).one()
        return list(
            session.exec(select(OutboxMessage).where(OutboxMessage.booking_id == booking_id)).all()
        )


@pytest.mark.parametrize("language", sorted(LOCALES))
def test_the_guest_side_has_no_english_leftovers(
    app_server: AppServer, browser: Browser, db: Database, screenshot_dir: Path, language: str
) -> None:
    world = _booking(db, language)
    locale = LOCALES[language]
    base = app_server.base_url
    page = _guest_page(browser, WIDE)
    try:
        # -- the portal, with Pay All open ------------------------------------------------
        page.goto(base + world.link)
        expect(page.locator("#payments")).to_be_visible(timeout=30_000)
        expect(page.locator("[data-testid=open-invoice]")).to_have_count(2)
        page.locator("#pay-all-toggle").click()
        expect(page.locator("[data-testid=pay-all]")).to_have_count(1)
        total_due = format_money(world.totals[0] + world.totals[1], locale)
        expect(page.locator("#total-due")).to_have_text(total_due)
        text = _visible_text(page)
        assert english_leftovers(text, language, world.names) == [], text
        assert i18n.gettext(locale, "Invoice {number}", number=world.numbers[0]) in text
        if language in ("es", "ja"):
            shot(page, screenshot_dir / f"portal-{language}.png")
        page.locator("#pay-all-toggle").click()

        # -- the checkout, in the same language ---------------------------------------------
        first = page.locator(f'[data-testid=pay-invoice][data-invoice="{world.numbers[0]}"]')
        first.click()
        page.wait_for_url(re.compile(r"/sandbox/checkout/cs_"), timeout=30_000)
        expect(page.locator("#checkout-total")).to_have_text(format_money(world.totals[0], locale))
        checkout = _visible_text(page)
        assert english_leftovers(checkout, language, world.names) == [], checkout
        if language in ("es", "ja"):
            shot(page, screenshot_dir / f"checkout-{language}.png")
        pay_with_card(page, CARD_SUCCEEDS)

        # -- back: paid, the notice and the documents in the language ------------------------
        page.wait_for_url(re.compile(rf"/portal/{world.reference}\?checkout="), timeout=30_000)
        expect(page.locator("[data-testid=paid-invoice]")).to_have_count(1, timeout=30_000)
        expect(page.locator("#checkout-notice")).to_have_attribute("data-kind", "success")
        receipt_title = i18n.gettext(locale, "Receipt {number}", number="RC-")
        expect(page.locator("[data-testid=document]").filter(has_text=receipt_title)).to_have_count(
            1, timeout=30_000
        )
        text = _visible_text(page)
        assert english_leftovers(text, language, world.names) == [], text

        # -- the PDFs -----------------------------------------------------------------------
        invoice_pdf = _pdf(page, world.numbers[0])
        receipt_pdf = _pdf(page, "RC-")
        money = format_money(world.totals[0], locale)
        for pdf in (invoice_pdf, receipt_pdf):
            assert world.numbers[0] in pdf
            assert money.replace("\xa0", " ") in pdf.replace("\xa0", " ")
        for pdf in (invoice_pdf, receipt_pdf):
            assert english_leftovers(pdf, language, world.names) == [], pdf

        # -- a refund: the credit note, on the portal and as PDF -----------------------------
        refund = Money.parse("250.00", "EUR")
        issue_refund(
            db=db,
            service_id=world.services[0],
            amount=refund,
            note=NOTE,
            actor=ACTOR,
            idempotency_key=f"e2e-{world.reference}",
        )
        page.reload()
        note_title = i18n.gettext(locale, "Credit note {number}", number="GCN-")
        expect(page.locator("[data-testid=document]").filter(has_text=note_title)).to_have_count(
            1, timeout=30_000
        )
        credit_pdf = _pdf(page, "GCN-")
        assert world.numbers[0] in credit_pdf
        amount = format_money(refund, locale).replace("\xa0", " ")
        assert amount in credit_pdf.replace("\xa0", " ")
        assert english_leftovers(credit_pdf, language, world.names) == [], credit_pdf
        if language in ("es", "ja"):
            page.set_viewport_size(PHONE)
            shot(page, screenshot_dir / f"portal-paid-{language}-390.png")
    finally:
        page.context.close()

    # -- the messages: Invoice Sent (twice), Payment Received, Refund Issued -----------------
    sent = _messages(db, world.reference)
    keys = sorted(m.template_key for m in sent)
    assert keys == ["invoice_sent", "invoice_sent", "payment_received", "refund_issued"], keys
    for message in sent:
        words = f"{message.subject}\n{message.body}"
        assert english_leftovers(words, language, world.names) == [], words


def test_the_guest_switches_language_and_it_is_remembered(
    app_server: AppServer, browser: Browser, db: Database, screenshot_dir: Path
) -> None:
    world = _booking(db, "es")
    page = _guest_page(browser, PHONE)
    try:
        page.goto(app_server.base_url + world.link)
        heading = page.get_by_role("heading", level=2).first
        expect(heading).to_have_text(i18n.portal_words("es")["Accommodation plan"])
        page.locator("#language-switcher").click()
        page.locator("[data-language=ja]").click()
        expect(heading).to_have_text(i18n.portal_words("ja")["Accommodation plan"])
        shot(page, screenshot_dir / "portal-switched-ja-390.png")
        page.reload()
        expect(heading).to_have_text(i18n.portal_words("ja")["Accommodation plan"], timeout=30_000)
        page.locator("#language-switcher").click()
        page.locator("[data-language=en]").click()
        expect(heading).to_have_text("Accommodation plan")
    finally:
        page.context.close()
