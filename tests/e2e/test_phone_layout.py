"""Every guest and partner page works on a phone (issue 15): at 390 × 844 nothing is wider than
the screen, and the navigation collapses behind a Menu button that opens every link.

What "fits" means here (`problems`), strictly:
- the page does not scroll sideways (`document.documentElement.scrollWidth <= innerWidth`);
- no visible element reaches past the screen's left or right edge, unless an element between it
  and <body> clips or scrolls sideways (that element is then judged by the next rule);
- no scroll area has content wider than itself (`scrollWidth > clientWidth` with overflow-x
  auto/scroll): a table cut after "Period", whose Status needs a sideways swipe, does not fit.
Content clipped by `overflow: hidden` (an ellipsis) is allowed.

The partner tables become stacked rows on a phone (components/stacked_table.py): the same rows
and buttons, each row a block of its figures under their column's name.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

from concierge_app.db.engine import Database
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import StatusColour
from concierge_app.domain.strategies import PaymentStrategy
from concierge_app.services.guest import invoicing, portfolio
from concierge_app.services.guest.links import issue_guest_link
from concierge_app.services.guest.queries import payments_panel
from concierge_app.services.partner.views.documents import invoices_view
from concierge_app.services.shared.common import today
from concierge_app.ui.partner.invoices.state import outstanding_rows
from concierge_app.ui.partner.shell import PARTNER_NAV_WIDE
from concierge_app.ui.shared.document_rows import InvoiceRow
from concierge_app.ui.staff.shell import NAV_ITEMS, STAFF_NAV_WIDE
from tests.e2e.conftest import sign_in
from tests.e2e.test_partner_finance import RGB

if TYPE_CHECKING:
    from tests.e2e.conftest import AppServer

pytestmark = pytest.mark.e2e

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PARTNER_PASSWORD = "demo-partner"
VILLA_AZUL = "villa.azul@partners.demo.test"
GROUP_LOGIN = "group@partners.demo.test"
HIDE_TOASTS = "[data-sonner-toaster] { display: none !important; }"

PageFactory = Callable[[ViewportSize], Page]

# The three rules of the module docstring, in the browser; a list of what breaks them.
# With a CSS selector, only the elements it names (and inside them) are judged, not the page.
PROBLEMS_JS = """
(scope) => {
  const width = document.documentElement.clientWidth;
  const found = [];
  const name = (el) => {
    let s = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '');
    const classes = (el.getAttribute('class') || '').split(/\\s+/).filter(Boolean).slice(0, 2);
    if (classes.length) s += '.' + classes.join('.');
    const text = (el.innerText || '').trim().replace(/\\s+/g, ' ').slice(0, 50);
    return text ? `${s} "${text}"` : s;
  };
  const clipped = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  const doc = document.documentElement;
  if (!scope && doc.scrollWidth > window.innerWidth) {
    found.push(`the page is ${doc.scrollWidth} px wide in a ${window.innerWidth} px window`);
  }
  const roots = scope ? [...document.querySelectorAll(scope)] : [document.body];
  const elements = roots.flatMap((root) => [root, ...root.querySelectorAll('*')]);
  const reported = new Set();
  for (const el of elements) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden') continue;
    let inside = false;
    for (let a = el.parentElement; a; a = a.parentElement) if (reported.has(a)) inside = true;
    if (inside) continue;
    if ((r.right > width + 1 || r.left < -1) && !clipped(el)) {
      found.push(`${name(el)} spans ${Math.round(r.left)} to ${Math.round(r.right)} px`);
      reported.add(el);
    } else if (['auto', 'scroll'].includes(style.overflowX)
               && el.scrollWidth > el.clientWidth + 1) {
      found.push(`${name(el)} scrolls sideways: ${el.scrollWidth} px in ${el.clientWidth} px`);
      reported.add(el);
    }
  }
  return found;
}
"""


def problems(page: Page, scope: str = "") -> list[str]:
    return list(page.evaluate(PROBLEMS_JS, scope))


def assert_fits(page: Page, what: str, scope: str = "") -> None:
    found = problems(page, scope)
    width = page.viewport_size["width"] if page.viewport_size else "?"
    assert found == [], f"{what} does not fit {width} px:\n  " + "\n  ".join(found[:12])


CHROME = "#top-bar, #nav-menu"  # the bar, and its menu when open


def shot(page: Page, path: Path, *, full_page: bool = True) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(path), full_page=full_page, style=HIDE_TOASTS, animations="disabled")


def loaded(page: Page) -> None:
    """The page's data is on screen: its heading, and no loading card or spinner left."""
    expect(page.locator("h1").first).to_be_visible(timeout=30_000)
    expect(page.locator(".page-loading")).to_have_count(0, timeout=30_000)
    expect(page.locator("#portal-loading")).to_have_count(0, timeout=30_000)


# -- fixtures -------------------------------------------------------------------------------
@pytest.fixture
def new_page(browser: Browser) -> Iterator[PageFactory]:
    """Pages in fresh browser contexts (no session), at the size asked for; none may throw."""
    contexts = []
    errors: list[str] = []

    def open_page(viewport: ViewportSize) -> Page:
        context = browser.new_context(viewport=viewport, locale="en-US")
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    try:
        yield open_page
    finally:
        for context in contexts:
            context.close()
    assert errors == [], f"a page threw: {errors}"


@pytest.fixture
def phone(new_page: PageFactory) -> Page:
    return new_page(PHONE)


@pytest.fixture(scope="module")
def app_db(app_server: AppServer) -> Iterator[Database]:
    db = Database(app_server.database_url)
    try:
        yield db
    finally:
        db.dispose()


def query(app_server: AppServer, sql: str, *params: object) -> list[tuple[object, ...]]:
    """Rows straight from the app's SQLite file, read only."""
    path = app_server.database_url.removeprefix("sqlite:///")
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        return connection.execute(sql, params).fetchall()


def booking_id(app_server: AppServer, reference: str) -> int:
    [(found,)] = query(app_server, "SELECT id FROM booking WHERE reference = ?", reference)
    return int(str(found))


def guest_link(app_server: AppServer, app_db: Database, reference: str) -> str:
    """A fresh guest link to the booking's portal (as Guest link → New guest link gives)."""
    issued = issue_guest_link(
        db=app_db, booking_id=booking_id(app_server, reference), actor="test:phone-layout"
    )
    return f"{app_server.base_url}/portal/{reference}?t={issued.token}"


def with_an_open_invoice(app_server: AppServer, app_db: Database, reference: str) -> None:
    """The booking has an Active invoice to pay (other tests may have paid the demo's): if
    not, a confirmed service is invoiced, as staff would (Add service, Confirm, Send)."""
    active = query(
        app_server,
        "SELECT COUNT(*) FROM guest_invoice i JOIN booking b ON b.id = i.booking_id "
        "WHERE b.reference = ? AND i.status = 'active'",
        reference,
    )
    if active[0][0]:
        return
    [(operator,)] = query(app_server, "SELECT id FROM partner WHERE code = 'OPR-2001'")
    bid = booking_id(app_server, reference)
    service = portfolio.add_service_item(
        db=app_db,
        booking_id=bid,
        operator_id=int(str(operator)),
        title="Sunset catamaran cruise",
        service_date=date.today() + timedelta(days=30),
        gross=Money.parse("260.00", "USD"),
        strategy=PaymentStrategy.PLATFORM_COLLECTS_FULL,
        actor="test:phone-layout",
    )
    portfolio.confirm_service(db=app_db, service_id=service, actor="test:phone-layout")
    draft = payments_panel(db=app_db, booking_id=bid).draft
    assert draft is not None
    invoicing.send_invoice(db=app_db, invoice_id=draft.id, actor="test:phone-layout")


def partner_sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/partner/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PARTNER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/partner/login" not in url, timeout=30_000)


def first_document(app_server: AppServer, code: str) -> str:
    """The number of the partner's first invoice (its statement page)."""
    rows = query(
        app_server,
        "SELECT i.number FROM partner_invoice i JOIN partner p ON p.id = i.partner_id "
        "WHERE p.code = ? AND i.kind = 'commission' ORDER BY i.id LIMIT 1",
        code,
    )
    assert rows, f"the demo has no invoice for {code}"
    return str(rows[0][0])


# -- guest pages ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "reference",
    [
        "MI-24002",  # open invoices in USD: Pay, Pay All
        "AZ-24001",  # a paid invoice, every strategy's badge, the longest notes
        "KY-24003",  # JPY, paid and partly refunded
        "AZ-24004",  # cancelled: an invoice left open, no Pay
    ],
)
def test_the_guest_portal_fits_a_phone(
    reference: str, app_server: AppServer, app_db: Database, phone: Page, screenshot_dir: Path
) -> None:
    phone.goto(guest_link(app_server, app_db, reference))
    expect(phone.locator("#payments")).to_be_visible(timeout=30_000)
    loaded(phone)
    assert_fits(phone, f"the portal of {reference}")
    if phone.locator("#pay-all-toggle").count():
        phone.locator("#pay-all-toggle").click()
        expect(phone.locator("[data-testid=pay-all]").first).to_be_visible()
        assert_fits(phone, f"the portal of {reference} with Pay All on")
    shot(phone, screenshot_dir / f"phone-portal-{reference}-390.png")
    phone.set_viewport_size(DESKTOP)
    shot(phone, screenshot_dir / f"phone-portal-{reference}-1280.png")


def test_the_sandbox_checkout_and_the_way_back_fit_a_phone(
    app_server: AppServer, app_db: Database, phone: Page, screenshot_dir: Path
) -> None:
    reference = "MI-24002"
    with_an_open_invoice(app_server, app_db, reference)
    phone.goto(guest_link(app_server, app_db, reference))
    pay = phone.locator("[data-testid=pay-invoice]").first
    expect(pay).to_be_visible(timeout=30_000)
    box = pay.bounding_box()
    assert box is not None and box["width"] <= PHONE["width"] - 24, box
    pay.click()

    phone.wait_for_url(re.compile(r"/sandbox/checkout/cs_"), timeout=30_000)
    expect(phone.locator("#checkout-total")).to_be_visible(timeout=30_000)
    assert_fits(phone, "the sandbox checkout")
    phone.locator("#card").fill("4000 0000 0000 0002")
    phone.locator("#expiry").fill("12 / 34")
    phone.locator("#cvc").fill("123")
    phone.locator("#checkout-pay").click()
    expect(phone.locator("#card-error")).to_have_text("Your card was declined.")
    assert_fits(phone, "the sandbox checkout with a declined card")
    shot(phone, screenshot_dir / "phone-checkout-390.png")

    phone.locator("#checkout-back").click()
    phone.wait_for_url(re.compile(rf"/portal/{reference}\?checkout=cancelled"), timeout=30_000)
    expect(phone.locator("#checkout-notice")).to_contain_text("Payment cancelled")
    loaded(phone)
    assert_fits(phone, "the portal back from a cancelled checkout")
    shot(phone, screenshot_dir / "phone-portal-cancelled-390.png")


def test_the_sign_in_pages_and_a_bad_guest_link_fit_a_phone(
    app_server: AppServer, phone: Page, screenshot_dir: Path
) -> None:
    base = app_server.base_url
    for path, ready in (
        ("/login", "#sign-in-form"),
        ("/partner/login", "#sign-in-form"),
        ("/portal/AZ-24001?t=not-a-link", "#portal-invalid"),
    ):
        phone.goto(base + path)
        expect(phone.locator(ready)).to_be_visible(timeout=30_000)
        assert_fits(phone, path)
    shot(phone, screenshot_dir / "phone-invalid-link-390.png")


# -- partner pages --------------------------------------------------------------------------
PARTNER_PAGES = [
    pytest.param("/partner", id="financial-overview"),
    pytest.param("/partner/invoices", id="invoices"),
    # also its Download PDF / CSV buttons, under the title
    pytest.param("/partner/invoices/{number}", id="invoice-statement"),
    pytest.param("/partner/ledger", id="ledger"),
    pytest.param("/partner/bank-details", id="bank-details"),
    pytest.param("/partner/inbox", id="inbox"),
    pytest.param("/partner/account", id="account"),
]


@pytest.fixture(scope="module")
def villa_azul(app_server: AppServer, browser: Browser) -> Iterator[Page]:
    """Villa Azul's Extranet on a phone, signed in once for the module."""
    context = browser.new_context(viewport=PHONE, locale="en-US")
    page = context.new_page()
    partner_sign_in(page, app_server.base_url, VILLA_AZUL)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture(scope="module")
def group(app_server: AppServer, browser: Browser) -> Iterator[Page]:
    """The Balearic Homes Group's login on a phone."""
    context = browser.new_context(viewport=PHONE, locale="en-US")
    page = context.new_page()
    partner_sign_in(page, app_server.base_url, GROUP_LOGIN)
    try:
        yield page
    finally:
        context.close()


def open_partner_page(page: Page, app_server: AppServer, path: str, code: str) -> None:
    page.set_viewport_size(PHONE)
    page.goto(app_server.base_url + path.format(number=first_document(app_server, code)))
    loaded(page)


@pytest.mark.parametrize("path", PARTNER_PAGES)
def test_every_partner_page_fits_a_phone(
    path: str, app_server: AppServer, villa_azul: Page, screenshot_dir: Path
) -> None:
    open_partner_page(villa_azul, app_server, path, "PRP-1001")
    name = path.strip("/").replace("/", "-").replace("{number}", "statement")
    shot(villa_azul, screenshot_dir / f"phone-{name}-390.png")
    assert_fits(villa_azul, path)


@pytest.mark.parametrize("path", [pytest.param("/partner/group", id="group"), *PARTNER_PAGES[:2]])
def test_every_page_of_a_group_login_fits_a_phone(
    path: str, app_server: AppServer, group: Page, screenshot_dir: Path
) -> None:
    open_partner_page(group, app_server, path, "PRP-1004")
    name = path.strip("/").replace("/", "-")
    shot(group, screenshot_dir / f"phone-group-{name}-390.png")
    assert_fits(group, f"{path} of a group login")


# -- stacked rows ---------------------------------------------------------------------------
SWIFTRIDE = "swiftride@partners.demo.test"

# The name a stacked cell is shown under (its `data-label`, drawn by CSS before it); "none" in
# a table, where the column's header says it.
LABEL_JS = "el => getComputedStyle(el, '::before').content"


def outstanding(app_server: AppServer, app_db: Database, code: str) -> list[InvoiceRow]:
    """The Outstanding balances rows the partner's Invoices page shows, from the service."""
    [(pid,)] = query(app_server, "SELECT id FROM partner WHERE code = ?", code)
    view = invoices_view(db=app_db, partner_id=int(str(pid)), today=today())
    return outstanding_rows(view, code)


def outstanding_row(page: Page, number: str) -> Locator:
    return page.locator(f'#outstanding-balances tr.partner-invoice-row[data-number="{number}"]')


def within_the_screen(page: Page, element: Locator) -> None:
    box = element.bounding_box()
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, box


def test_a_stacked_invoice_row_shows_its_figures_and_pays_online_on_a_phone(
    app_server: AppServer, app_db: Database, new_page: PageFactory, screenshot_dir: Path
) -> None:
    # SwiftRide's yen documents are paid online (SEPA debits euros only), whatever its direct
    # debit did to the euro ones.
    rows = [r for r in outstanding(app_server, app_db, "OPR-2003") if r.pay_online]
    assert rows, "SwiftRide has no document to pay online in the demo data"
    expected = rows[0]
    page = new_page(PHONE)
    partner_sign_in(page, app_server.base_url, SWIFTRIDE)
    page.goto(f"{app_server.base_url}/partner/invoices")
    loaded(page)
    row = outstanding_row(page, expected.number)

    # A block, not a table row: no column headers; the number across the row, then the
    # figures under their names, To pay below the number; nothing past the screen's edge.
    expect(page.locator("#outstanding-balances thead")).to_be_hidden()
    number, to_pay = row.locator("td").nth(0), row.locator("td").nth(5)
    expect(number).to_have_text(expected.number)
    expect(number.get_by_role("link")).to_have_attribute(
        "href", f"/partner/invoices/{expected.number}"
    )
    expect(to_pay).to_have_text(expected.payable)
    assert to_pay.evaluate(LABEL_JS) == '"To pay"'
    for cell, name in ((1, "none"), (2, '"Period"'), (3, '"Invoice date"'), (4, '"Amount"')):
        assert row.locator("td").nth(cell).evaluate(LABEL_JS) == name
    number_box, to_pay_box = number.bounding_box(), to_pay.bounding_box()
    assert number_box and to_pay_box and to_pay_box["y"] > number_box["y"] + number_box["height"]
    status = row.get_by_test_id("invoice-status")
    expect(status).to_have_text(expected.status)
    expect(status).to_have_attribute("data-colour", expected.colour)
    expect(status.get_by_text(expected.status, exact=True)).to_have_css(
        "color", RGB[StatusColour(expected.colour)]
    )
    for element in (row, number, to_pay, status):
        within_the_screen(page, element)
    assert_fits(page, "SwiftRide's Invoices page")
    row.screenshot(path=str(screenshot_dir / "phone-stacked-invoice-row-390.png"))

    # Its Pay online: a finger's size, and it opens the checkout for what the row says is to
    # pay; back without paying, nothing has changed.
    pay = row.get_by_role("button", name="Pay online")
    expect(pay).to_be_visible()
    within_the_screen(page, pay)
    box = pay.bounding_box()
    assert box is not None and box["height"] >= 32, box
    pay.click()
    page.wait_for_url(re.compile(r"/sandbox/checkout/cs_"), timeout=30_000)
    expect(page.locator("#checkout-total")).to_have_text(expected.outstanding, timeout=30_000)
    page.locator("#checkout-back").click()
    page.wait_for_url(re.compile(r"/partner/invoices\?checkout=cancelled"), timeout=30_000)
    expect(page.locator("#checkout-notice")).to_contain_text("Payment cancelled")
    expect(row.locator("td").nth(5)).to_have_text(expected.payable, timeout=30_000)
    expect(row).to_have_attribute("data-colour", expected.colour)

    # A tablet's widths fit too (the table needs more than they have: stacked as well), and on
    # a desktop it is the table again: headers, the figures on the number's line, no labels.
    for width in (768, 1024):
        page.set_viewport_size({"width": width, "height": 900})
        assert_fits(page, f"SwiftRide's Invoices page at {width} px")
    page.set_viewport_size(DESKTOP)
    expect(page.locator("#outstanding-balances thead")).to_be_visible()
    number_box, to_pay_box = number.bounding_box(), to_pay.bounding_box()
    assert number_box and to_pay_box and to_pay_box["y"] == number_box["y"]
    assert to_pay.evaluate(LABEL_JS) == "none"
    expect(row.get_by_role("button", name="Pay online")).to_be_visible()
    assert_fits(page, "SwiftRide's Invoices page on a desktop")


def test_ive_paid_in_a_stacked_invoice_row_works_on_a_phone(
    app_server: AppServer, app_db: Database, villa_azul: Page, screenshot_dir: Path
) -> None:
    # The last row offering it (test_partner_write_off presses the first row's).
    rows = [r for r in outstanding(app_server, app_db, "PRP-1001") if r.can_announce]
    assert len(rows) >= 2, "Villa Azul has fewer than two documents to announce in the demo"
    expected = rows[-1]
    open_partner_page(villa_azul, app_server, "/partner/invoices", "PRP-1001")
    row = outstanding_row(villa_azul, expected.number)
    expect(row.locator("td").nth(5)).to_have_text(expected.payable)
    expect(row.get_by_test_id("invoice-status")).to_have_text(expected.status)
    paid = row.get_by_role("button", name="I've paid")
    within_the_screen(villa_azul, paid)
    paid.click()
    expect(villa_azul.locator("#action-done")).to_contain_text(
        "Your payment is processing", timeout=30_000
    )
    expect(row).to_have_attribute("data-colour", "red")  # stays red until reflected
    expect(row.locator(".status-note")).to_contain_text(
        "Payment processing — it should be reflected by"
    )
    expect(row.get_by_role("button", name="I've paid")).to_have_count(0)
    within_the_screen(villa_azul, row)
    assert_fits(villa_azul, "Villa Azul's Invoices page after I've paid")
    shot(villa_azul, screenshot_dir / "phone-ive-paid-390.png")


# -- the navigation -------------------------------------------------------------------------
def open_menu(page: Page) -> None:
    page.get_by_role("button", name="Menu").click()
    expect(page.locator("#nav-menu")).to_be_visible()


def narrowest_row(page: Page, wide_from: str, link: str) -> None:
    """At the narrowest width that shows the links in a row, they fit; one pixel less, the
    Menu button takes their place."""
    width = int(wide_from.removesuffix("px"))
    page.set_viewport_size({"width": width, "height": 900})
    expect(page.get_by_role("link", name=link, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    assert_fits(page, "the row of links", CHROME)
    page.set_viewport_size({"width": width - 1, "height": 900})
    expect(page.get_by_role("button", name="Menu")).to_be_visible()
    expect(page.get_by_role("link", name=link, exact=True)).to_have_count(0)


def test_the_staff_navigation_is_a_menu_on_a_phone_and_a_row_on_a_desktop(
    app_server: AppServer, new_page: PageFactory, screenshot_dir: Path
) -> None:
    page = new_page(PHONE)
    sign_in(page, app_server.base_url)
    expect(page.locator("tr.booking-row").first).to_be_visible(timeout=30_000)
    expect(page.get_by_role("link", name="Outbox")).to_have_count(0)  # folded away
    shot(page, screenshot_dir / "phone-staff-bar-390.png", full_page=False)
    open_menu(page)
    menu = page.locator("#nav-menu")
    expect(menu.get_by_role("link")).to_have_count(len(NAV_ITEMS))  # the demo admin: every link
    expect(menu.get_by_role("link", name="Bookings")).to_have_attribute("aria-current", "page")
    expect(menu.get_by_role("button", name="Sign out")).to_be_visible()
    assert_fits(page, "the staff bar with its menu open", CHROME)
    shot(page, screenshot_dir / "phone-staff-menu-390.png", full_page=False)
    menu.get_by_role("link", name="Outbox").click()
    page.wait_for_url(re.compile(r"/outbox/?$"), timeout=30_000)
    expect(page.locator("#nav-menu")).to_have_count(0)  # the menu closes on the way
    expect(page.get_by_role("heading", level=1)).to_have_text("Outbox")

    open_menu(page)
    page.locator("#nav-menu").get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login/?$"), timeout=30_000)

    wide = new_page(DESKTOP)
    sign_in(wide, app_server.base_url)
    expect(wide.get_by_role("link", name="Outbox")).to_be_visible(timeout=30_000)
    expect(wide.get_by_role("button", name="Menu")).to_be_hidden()
    expect(wide.get_by_role("button", name="Sign out")).to_be_visible()
    shot(wide, screenshot_dir / "phone-staff-bar-1280.png", full_page=False)
    narrowest_row(wide, STAFF_NAV_WIDE, "Outbox")


def test_the_partner_navigation_is_a_menu_on_a_phone_and_a_row_on_a_desktop(
    app_server: AppServer, new_page: PageFactory, screenshot_dir: Path
) -> None:
    page = new_page(PHONE)
    partner_sign_in(page, app_server.base_url, VILLA_AZUL)
    loaded(page)
    expect(page.get_by_role("link", name="Invoices", exact=True)).to_have_count(0)
    shot(page, screenshot_dir / "phone-partner-bar-390.png", full_page=False)
    open_menu(page)
    menu = page.locator("#nav-menu")
    expect(menu).to_contain_text("Villa Azul")
    expect(menu).to_contain_text("Property ID PRP-1001")
    for link in (
        "Financial Overview",
        "Invoices",
        "Ledger",
        "Bank details",
        "Inbox",
        "Users",
        "Account",
    ):
        expect(menu.get_by_role("link", name=link, exact=True)).to_be_visible()
    expect(menu.get_by_role("link", name="All properties")).to_have_count(0)  # not a group
    assert_fits(page, "the partner bar with its menu open", CHROME)
    shot(page, screenshot_dir / "phone-partner-menu-390.png", full_page=False)
    menu.get_by_role("link", name="Invoices", exact=True).click()
    page.wait_for_url(re.compile(r"/partner/invoices/?$"), timeout=30_000)
    expect(page.get_by_role("heading", name="Invoices", level=1)).to_be_visible(timeout=30_000)

    open_menu(page)
    page.locator("#nav-menu").get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/partner/login/?$"), timeout=30_000)
    assert [c for c in page.context.cookies() if c["name"] == "concierge_partner"] == []

    wide = new_page(DESKTOP)
    partner_sign_in(wide, app_server.base_url, VILLA_AZUL)
    loaded(wide)
    expect(wide.get_by_role("link", name="Invoices", exact=True)).to_be_visible()
    expect(wide.get_by_role("button", name="Menu")).to_be_hidden()
    expect(wide.get_by_text("Property ID PRP-1001")).to_be_visible()
    assert_fits(wide, "the partner bar", CHROME)
    shot(wide, screenshot_dir / "phone-partner-bar-1280.png", full_page=False)
    narrowest_row(wide, PARTNER_NAV_WIDE, "Invoices")


def test_a_group_login_switches_property_from_the_phone_menu(
    app_server: AppServer, new_page: PageFactory, screenshot_dir: Path
) -> None:
    page = new_page(PHONE)
    partner_sign_in(page, app_server.base_url, GROUP_LOGIN)
    loaded(page)
    open_menu(page)
    menu = page.locator("#nav-menu")
    expect(menu.get_by_role("link", name="All properties")).to_be_visible()
    choices = menu.locator("#nav-menu-properties").get_by_role("button")
    expect(choices).to_have_count(2)
    shown = menu.get_by_text(re.compile(r"^Property ID PRP-100[45]$"))
    code = shown.inner_text().rsplit(" ", 1)[1]
    other = "PRP-1005" if code == "PRP-1004" else "PRP-1004"
    expect(menu.get_by_role("button", name=code)).to_have_attribute("aria-pressed", "true")
    assert_fits(page, "the group login's menu", CHROME)
    shot(page, screenshot_dir / "phone-group-menu-390.png", full_page=False)
    menu.get_by_role("button", name=other).click()
    expect(page.locator("#nav-menu")).to_have_count(0)
    open_menu(page)
    expect(page.locator("#nav-menu").get_by_text(f"Property ID {other}")).to_be_visible(
        timeout=30_000
    )
    page.locator("#nav-menu").get_by_role("link", name="All properties").click()
    page.wait_for_url(re.compile(r"/partner/group/?$"), timeout=30_000)
    loaded(page)

    wide = new_page(DESKTOP)
    partner_sign_in(wide, app_server.base_url, GROUP_LOGIN)
    loaded(wide)
    expect(wide.locator("#group-nav").get_by_role("link", name="All properties")).to_be_visible()
    expect(wide.get_by_role("button", name="Menu")).to_be_hidden()
    assert_fits(wide, "the group login's bar", CHROME)
    shot(wide, screenshot_dir / "phone-group-bar-1280.png", full_page=False)
    narrowest_row(wide, PARTNER_NAV_WIDE, "All properties")
