"""The partner Extranet's Finance pages in the browser: the month-end job's invoice, its
statement, PDF and CSV, and its email; the Status colours; one partner never sees another's
documents; bank details (masked, validated, audited, notified); sign-in.

Demo data (see `concierge_app/demo/partner_seed.py`): stays and services departed in the two
months before today; the older month is invoiced at seed time (so by now overdue), the newer
one is invoiced when a person runs `python -m concierge_app.cli month-end`, as the first test
does. Each test reads what it expects from the app's SQLite file (read only), except one staff
action documented where it happens: a black invoice set for the colour check and set back (the
write-off screen, which also closes the property for good, is driven in
test_partner_write_off.py).

Who is used for what, so the tests do not depend on each other's order:
- Villa Azul (PRP-1001): the new invoice, its statement, PDF, CSV and email.
- Casa Palma Miami (PRP-1002): red statuses, then one invoice written off (black).
- Kyoto Machiya House (PRP-1003, its demo login): green, deducted from its payout in full.
- Chef Marco (OPR-2002): bank details (nothing else here reads its account).
No bookings are created (other e2e files count the demo bookings).
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect
from pypdf import PdfReader
from schwifty import IBAN

from concierge_app.adapters.documents.statement_csv import HEADER as CSV_HEADER
from concierge_app.demo.partner_seed import DEMO_PARTNER_LOGINS, DEMO_PARTNER_PASSWORD
from concierge_app.domain.formatting import format_money
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import (
    InvoiceStatus,
    PartnerInvoiceState,
    Period,
    StatusColour,
    invoice_status,
)
from concierge_app.services.partner.views.finance import mask_iban
from concierge_app.settings import get_settings
from tests.e2e.conftest import run_month_end, sign_in

if TYPE_CHECKING:
    from tests.e2e.conftest import AppServer

pytestmark = pytest.mark.e2e

VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
HIDE_TOASTS = "[data-sonner-toaster] { display: none !important; }"
VILLA_AZUL, CASA_PALMA, KYOTO, CHEF_MARCO = "PRP-1001", "PRP-1002", "PRP-1003", "OPR-2002"
KYOTO_LOGIN = "kyoto.machiya@partners.demo.test"
WRONG_LOGIN = "The email or password is not correct."

# The Status column's colours (the partner guide: green paid, red due, black written off).
RGB = {
    StatusColour.GREEN: "rgb(27, 127, 59)",
    StatusColour.RED: "rgb(196, 34, 31)",
    StatusColour.BLACK: "rgb(0, 0, 0)",
}
_DAY = (
    r"(January|February|March|April|May|June|July|August|September|October|November|December)"
    r" \d{1,2}, \d{4}"
)
WORDING = {  # the guide's words, one pattern per kind of status
    "paid": re.compile(r"Paid"),
    "due": re.compile(rf"Due by {_DAY}"),
    "overdue": re.compile(rf"Overdue \(due by {_DAY}\)"),
    "part-paid": re.compile(r"You've paid \S+ of \S+"),
    # overdue and partly paid: both (issue 15)
    "overdue, part-paid": re.compile(rf"Overdue \(due by {_DAY}\) · You've paid \S+ of \S+"),
    "written off": re.compile(r"Written off"),
}

PageFactory = Callable[[], Page]


# -- fixtures -------------------------------------------------------------------------------
@pytest.fixture
def new_page(browser: Browser) -> Iterator[PageFactory]:
    """Opens pages, each in a fresh browser context (its own cookies); none may throw."""
    contexts = []
    errors: list[str] = []

    def open_page() -> Page:
        context = browser.new_context(viewport=VIEWPORT, locale="en-US", accept_downloads=True)
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


@pytest.fixture(scope="module")
def kyoto_login() -> str:
    """Kyoto Machiya House's demo login (its invoices are deducted from its payout in full)."""
    assert DEMO_PARTNER_LOGINS[KYOTO] == KYOTO_LOGIN
    return KYOTO_LOGIN


# -- the database ---------------------------------------------------------------------------
def db_path(app_server: AppServer) -> str:
    return app_server.database_url.removeprefix("sqlite:///")


def statement_of(app_server: AppServer, invoice_id: int) -> list[tuple[str, str]]:
    """(reference, guest) of each line of an invoice's reservation statement, as billed."""
    from concierge_app.db.engine import Database
    from concierge_app.services.partner.views.documents import invoice_document

    db = Database(app_server.database_url)
    try:
        doc = invoice_document(db=db, invoice_id=invoice_id, partner_id=None, today=date.today())
    finally:
        db.dispose()
    return [(ln.reference, ln.guest_name) for ln in doc.lines]


def rendered_message(app_server: AppServer, template: str, render_from: str) -> tuple[str, str]:
    """Subject and body of a message that is rendered when it is sent."""
    from concierge_app.db.engine import Database
    from concierge_app.services.outbox.pending import render_pending

    db = Database(app_server.database_url)
    try:
        with db.read() as session:
            return render_pending(session, template, render_from)
    finally:
        db.dispose()


def query(app_server: AppServer, sql: str, *params: object) -> list[tuple[object, ...]]:
    """Rows straight from the app's SQLite file, read only."""
    uri = f"file:{db_path(app_server)}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=30)) as connection:
        return connection.execute(sql, params).fetchall()


def partner_id(app_server: AppServer, code: str) -> int:
    [(found,)] = query(app_server, "SELECT id FROM partner WHERE code = ?", code)
    return int(str(found))


@dataclass(frozen=True)
class DbInvoice:
    id: int
    number: str
    period: str
    amount: Money
    deducted: Money
    due: date
    state: str

    def status(self, today: date) -> InvoiceStatus:
        """What the Status column must say, by the domain's rule, on `today`."""
        return invoice_status(
            amount=self.amount,
            paid=self.deducted,
            due=self.due,
            today=today,
            state=PartnerInvoiceState(self.state),
            format_money=format_money,
        )


def invoices_of(app_server: AppServer, code: str) -> list[DbInvoice]:
    rows = query(
        app_server,
        "SELECT i.id, i.number, i.period, i.currency, i.amount_minor, i.deducted_minor, "
        "i.due_date, i.state FROM partner_invoice i JOIN partner p ON p.id = i.partner_id "
        "WHERE p.code = ? ORDER BY i.id",
        code,
    )
    return [
        DbInvoice(
            int(str(i)),
            str(number),
            str(period),
            Money(int(str(amount)), str(cur)),
            Money(int(str(deducted)), str(cur)),
            date.fromisoformat(str(due)),
            str(state),
        )
        for i, number, period, cur, amount, deducted, due, state in rows
    ]


def set_invoice_state(app_server: AppServer, invoice_id: int, state: str) -> None:
    """An invoice's state set directly, to see the black colour and set it back: the write-off
    screen (test_partner_write_off.py) also closes the property, which cannot be undone. It
    adds no audit event, so the pages' live poll does not notice; the test reloads the page."""
    with contextlib.closing(sqlite3.connect(db_path(app_server), timeout=30)) as connection:
        with connection:
            connection.execute(
                "UPDATE partner_invoice SET state = ? WHERE id = ?", (state, invoice_id)
            )


# -- the browser ----------------------------------------------------------------------------
def partner_sign_in(page: Page, base_url: str, email: str) -> None:
    """Sign in to the Extranet through the real form."""
    page.goto(f"{base_url}/partner/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PARTNER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/partner/login" not in url, timeout=30_000)


def invoice_row(page: Page, table: str, number: str) -> Locator:
    return page.locator(f'#{table} tr.partner-invoice-row[data-number="{number}"]')


def text_colour(status: Locator, text: str) -> str:
    """The CSS colour the status words are drawn in."""
    words = status.get_by_text(text, exact=True)
    return str(words.evaluate("el => getComputedStyle(el).color"))


def kind_of(text: str) -> str:
    kinds = [kind for kind, pattern in WORDING.items() if pattern.fullmatch(text)]
    assert len(kinds) == 1, f"{text!r} is not worded as the guide words a status"
    return kinds[0]


def check_invoices_page(page: Page, invoices: list[DbInvoice]) -> dict[str, str]:
    """Every document of the partner: its status words and colour as the rule says, and in
    Outstanding balances exactly when not paid (red, or black: still owed). Returns the kind of
    status by number."""
    today = date.today()
    expect(page.locator("#all-invoices tr.partner-invoice-row")).to_have_count(
        len(invoices), timeout=30_000
    )
    kinds = {}
    for invoice in invoices:
        expected = invoice.status(today)
        row = invoice_row(page, "all-invoices", invoice.number)
        expect(row).to_have_attribute("data-colour", expected.colour.value)
        status = row.locator("[data-testid=invoice-status]")
        expect(status).to_have_text(expected.text)
        assert text_colour(status, expected.text) == RGB[expected.colour], invoice.number
        kinds[invoice.number] = kind_of(expected.text)
        listed = 0 if expected.colour is StatusColour.GREEN else 1  # red, or black: owed
        outstanding = invoice_row(page, "outstanding-balances", invoice.number)
        expect(outstanding).to_have_count(listed)
        if listed:
            expect(outstanding.locator("[data-testid=invoice-status]")).to_have_text(expected.text)
            # "To pay" is what remains of it: the rows add up to the total amount due
            expect(outstanding.locator("td").nth(5)).to_have_text(
                format_money(expected.outstanding)
            )
    due: dict[str, int] = {}
    for invoice in invoices:
        expected = invoice.status(today)
        if expected.colour is not StatusColour.GREEN:
            cur = expected.outstanding.currency
            due[cur] = due.get(cur, 0) + expected.outstanding.minor
    if due:
        total = " + ".join(format_money(Money(v, c)) for c, v in sorted(due.items()))
        expect(page.locator("body")).to_contain_text(f"Total amount due: {total}")
    else:
        expect(page.locator("#outstanding-balances")).to_have_text(
            "Nothing outstanding. Thank you!"
        )
    return kinds


_BARS_SETTLED = """() => {
    const bars = [...document.querySelectorAll('#commission-chart .recharts-bar-rectangle path')];
    const now = bars.map(b => b.getBBox().height.toFixed(1)).join(',');
    const settled = bars.length > 0 && window.__barHeights === now;
    window.__barHeights = now;
    return settled;
}"""
_CHART_GEOMETRY = """() => {
    const chart = document.querySelector('#commission-chart');
    // The y axis's tick values and their tick marks (labels at the edges are nudged inwards).
    const values = [...chart.querySelectorAll('.recharts-yAxis-tick-labels text')]
        .map(t => Number(t.textContent.replace(/,/g, '')));
    const marks = [...chart.querySelectorAll('.recharts-yAxis-tick-lines line')]
        .map(l => Number(l.getAttribute('y1')));
    const bars = [...chart.querySelectorAll('.recharts-bar-rectangle path')]
        .map(b => b.getBBox().height);
    return {ticks: values.map((v, i) => [v, marks[i]]), bars};
}"""


def check_chart(page: Page, commission_by_month: list[int]) -> None:
    """The bars, once their animation ends, are as tall as the commission (major units) on the
    chart's own scale: one bar per month with commission."""
    page.mouse.move(0, 0)  # no tooltip from where the pointer last clicked
    page.wait_for_function(_BARS_SETTLED, polling=250, timeout=10_000)
    geometry = page.evaluate(_CHART_GEOMETRY)
    ticks = sorted(geometry["ticks"])
    (v0, y0), (v1, y1) = ticks[0], ticks[-1]
    per_unit = abs(y0 - y1) / (v1 - v0)
    heights = sorted(h for h in geometry["bars"] if h > 0.5)
    wanted = sorted(v * per_unit for v in commission_by_month if v > 0)
    assert len(heights) == len(wanted), (geometry, commission_by_month)
    assert all(abs(h - w) <= 2 for h, w in zip(heights, wanted, strict=True)), (heights, wanted)


def shot(page: Page, path: Path) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(path), full_page=True, style=HIDE_TOASTS, animations="disabled")


def normalised(text: str) -> str:
    return " ".join(text.replace("\x00", "").split())


# -- tests ----------------------------------------------------------------------------------
def test_month_end_invoice_with_statement_pdf_csv_and_email(
    app_server: AppServer,
    month_end: subprocess.CompletedProcess[str],
    new_page: PageFactory,
    screenshot_dir: Path,
) -> None:
    base = app_server.base_url
    period = Period.of(date.today()).previous()
    out = month_end.stdout
    assert month_end.returncode == 0, f"month-end failed:\n{out}\n{month_end.stderr}"
    issued = query(
        app_server,
        "SELECT COUNT(*) FROM partner_invoice WHERE period = ? AND kind = 'commission'",
        str(period),
    )
    [(issued_now,)] = issued  # the summary counts commission invoices (VAT documents aside)
    assert int(str(issued_now)) > 0
    assert f"Month-end run {period}" in out, out
    for label, value in (("invoices issued now", issued_now), ("invoices in this run", issued_now)):
        found = re.search(rf"{label}\D*?(\d[\d,]*)", out)
        assert found and int(found[1].replace(",", "")) == value, f"{label}:\n{out}"
    # A second run (say, by someone unsure whether it ran) adds nothing.
    again = run_month_end(app_server)
    assert again.returncode == 0 and "already invoiced" in again.stdout, again.stdout
    assert query(
        app_server,
        "SELECT COUNT(*) FROM partner_invoice WHERE period = ? AND kind = 'commission'",
        str(period),
    )[0] == (issued_now,)

    [new] = [
        i
        for i in invoices_of(app_server, VILLA_AZUL)
        if i.period == str(period) and i.number.startswith("CM-")
    ]
    lines = statement_of(app_server, new.id)
    assert lines, "the new invoice has no statement lines"
    reference = f"{VILLA_AZUL} {new.number}"

    page = new_page()
    partner_sign_in(page, base, DEMO_PARTNER_LOGINS[VILLA_AZUL])
    # A full page load after the server sets the session cookie: the trailing slash may show.
    page.wait_for_url(re.compile(rf"^{re.escape(base)}/partner/?$"))
    expect(page.locator("#payment-method")).to_contain_text("Deducted from your payout")
    expect(page.locator("#platform-iban")).to_contain_text(
        IBAN(get_settings().platform_iban).formatted
    )
    chart = page.locator("#commission-chart")
    expect(chart.locator(".recharts-surface")).to_be_visible()
    expect(chart).to_contain_text(f"{period.label[:3]} {period.year}")
    by_month = query(
        app_server,
        "SELECT SUM(amount_minor) FROM partner_invoice i JOIN partner p ON p.id = i.partner_id "
        "WHERE p.code = ? AND i.kind = 'commission' GROUP BY i.period",
        VILLA_AZUL,
    )
    check_chart(page, [int(str(minor)) // 100 for (minor,) in by_month])  # EUR: 2 digits
    shot(page, screenshot_dir / "partner-overview.png")

    page.get_by_role("link", name="Invoices", exact=True).click()
    page.wait_for_url(f"{base}/partner/invoices")
    row = invoice_row(page, "all-invoices", new.number)
    expect(row).to_be_visible(timeout=30_000)
    expect(row).to_contain_text(period.label)
    expect(row).to_contain_text(format_money(new.amount))
    check_invoices_page(page, invoices_of(app_server, VILLA_AZUL))
    shot(page, screenshot_dir / "partner-invoices.png")

    row.get_by_role("link", name=new.number).click()
    page.wait_for_url(f"{base}/partner/invoices/{new.number}")
    statement = page.locator("tr.statement-row")
    expect(statement).to_have_count(len(lines), timeout=30_000)
    for i, (ref, guest) in enumerate(lines):
        expect(statement.nth(i).locator("td").first).to_have_text(str(ref))
        expect(statement.nth(i)).to_contain_text(str(guest))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Commission invoice {new.number}")
    expect(page.locator("#payment-reference")).to_have_text(reference)
    expect(page.locator("#document-status")).to_have_text(new.status(date.today()).text)
    shot(page, screenshot_dir / "partner-statement.png")

    with page.expect_download() as pdf_download:
        page.locator("#download-pdf").click()
    pdf = pdf_download.value
    assert pdf.suggested_filename == f"{new.number}.pdf"
    pdf_bytes = Path(pdf.path()).read_bytes()
    assert pdf_bytes.startswith(b"%PDF"), pdf_bytes[:20]
    text = normalised("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_bytes)).pages))
    for wanted in (new.number, VILLA_AZUL, reference):
        assert wanted in text, f"{wanted!r} is not in the PDF:\n{text}"

    with page.expect_download() as csv_download:
        page.locator("#download-csv").click()
    sheet = csv_download.value
    assert sheet.suggested_filename == f"{new.number}-statement.csv"
    rows = list(csv.reader(io.StringIO(Path(sheet.path()).read_text(encoding="utf-8-sig"))))
    assert len(rows) == 1 + len(lines) + 1, rows
    header, body, total = rows[0], rows[1:-1], rows[-1]
    assert tuple(header) == CSV_HEADER
    assert [r[0] for r in body] == [str(ref) for ref, _ in lines]
    column = {name: n for n, name in enumerate(CSV_HEADER)}
    assert total[0] == "Total"
    assert total[column["Commission"]] == new.amount.amount_text()
    assert total[column["Currency"]] == "EUR"
    commission = sum(Money.parse(r[column["Commission"]], "EUR").minor for r in body)
    assert commission == new.amount.minor

    # The email: Partner Invoice Issued to Villa Azul's finance contact, the PDF attached.
    [(finance_email,)] = query(
        app_server, "SELECT finance_email FROM partner WHERE code = ?", VILLA_AZUL
    )
    messages = query(
        app_server,
        "SELECT recipient, render_from, body FROM outbox_message "
        "WHERE template_key = 'partner_invoice_issued' AND attachment = ?",
        f"partner_invoice_pdf:{new.id}",
    )
    assert len(messages) == 1, messages
    [(recipient, render_from, stored)] = messages
    assert recipient == finance_email
    # Queued by the run in SQL, rendered (and kept) when it is sent; here, as it would go now.
    assert (render_from, stored) == (f"partner_invoice:{new.id}", "")
    subject, email = rendered_message(app_server, "partner_invoice_issued", str(render_from))
    assert new.number in str(subject)
    for wanted in (new.number, reference, "/partner/invoices"):
        assert wanted in str(email), f"{wanted!r} is not in the email:\n{email}"

    staff = new_page()
    sign_in(staff, base)
    staff.goto(f"{base}/outbox")
    message = staff.locator("tr.outbox-row").filter(has_text=new.number)
    expect(message).to_have_count(1, timeout=30_000)
    expect(message).to_contain_text(str(finance_email))
    message.get_by_role("button", name=re.compile(r"^Show message")).click()
    expect(staff.get_by_role("dialog")).to_contain_text(new.number)
    expect(staff.get_by_role("dialog")).to_contain_text(f"{base}/partner/invoices")
    shot(staff, screenshot_dir / "partner-invoice-outbox.png")


def test_status_colours_green_red_and_black(
    app_server: AppServer,
    month_end: subprocess.CompletedProcess[str],
    kyoto_login: str,
    new_page: PageFactory,
    screenshot_dir: Path,
) -> None:
    assert month_end.returncode == 0
    base = app_server.base_url

    # Green: Kyoto's stay was collected by us and it is paid out net, so the commission was
    # taken from the payout in full.
    kyoto = invoices_of(app_server, KYOTO)
    assert any(i.deducted == i.amount for i in kyoto), kyoto
    page = new_page()
    partner_sign_in(page, base, kyoto_login)
    page.goto(f"{base}/partner/invoices")
    kinds = check_invoices_page(page, kyoto)
    assert "paid" in kinds.values(), kinds
    shot(page, screenshot_dir / "partner-invoices-paid.png")

    # Red: Villa Azul (part deducted) and Casa Palma (paid gross: nothing deducted).
    seen: set[str] = set()
    villa = new_page()
    partner_sign_in(villa, base, DEMO_PARTNER_LOGINS[VILLA_AZUL])
    villa.goto(f"{base}/partner/invoices")
    seen |= set(check_invoices_page(villa, invoices_of(app_server, VILLA_AZUL)).values())

    casa_invoices = invoices_of(app_server, CASA_PALMA)
    assert all(i.deducted.is_zero for i in casa_invoices), casa_invoices
    casa = new_page()
    partner_sign_in(casa, base, DEMO_PARTNER_LOGINS[CASA_PALMA])
    casa.goto(f"{base}/partner/invoices")
    casa_kinds = check_invoices_page(casa, casa_invoices)
    assert set(casa_kinds.values()) <= {"due", "overdue"}, casa_kinds
    seen |= set(casa_kinds.values())
    assert {"due", "overdue", "part-paid"} <= seen, seen

    # Black: staff write off Casa Palma's oldest invoice (the overdue one).
    oldest = casa_invoices[0]
    assert casa_kinds[oldest.number] == "overdue"
    set_invoice_state(app_server, oldest.id, PartnerInvoiceState.WRITTEN_OFF.value)
    try:
        casa.reload()
        written_off = invoices_of(app_server, CASA_PALMA)
        kinds = check_invoices_page(casa, written_off)
        assert kinds[oldest.number] == "written off"
        # a written-off invoice is still owed (by bank transfer): it stays outstanding, black
        outstanding = invoice_row(casa, "outstanding-balances", oldest.number)
        expect(outstanding).to_have_attribute("data-colour", "black")
        row = invoice_row(casa, "all-invoices", oldest.number)
        expect(row).to_have_attribute("data-colour", "black")
        shot(casa, screenshot_dir / "partner-invoices-written-off.png")

        casa.goto(f"{base}/partner/invoices/{oldest.number}")
        document_status = casa.locator("#document-status")
        expect(document_status).to_have_text("Written off", timeout=30_000)
        assert text_colour(document_status, "Written off") == RGB[StatusColour.BLACK]
    finally:
        set_invoice_state(app_server, oldest.id, PartnerInvoiceState.ISSUED.value)


def test_a_partner_sees_none_of_another_partners_documents(
    app_server: AppServer, new_page: PageFactory, screenshot_dir: Path
) -> None:
    base = app_server.base_url
    villa_invoices, casa_invoices = (
        invoices_of(app_server, VILLA_AZUL),
        invoices_of(app_server, CASA_PALMA),
    )
    villa_number = villa_invoices[-1].number
    villa_lines = sorted({ln for i in villa_invoices for ln in statement_of(app_server, i.id)})
    villa_secrets = ["Villa Azul", *(str(v) for line in villa_lines for v in line)]
    villa_secrets += [format_money(i.amount) for i in villa_invoices]

    # Casa Palma, signed in, opens a Villa Azul invoice by its number.
    casa = new_page()
    partner_sign_in(casa, base, DEMO_PARTNER_LOGINS[CASA_PALMA])
    own = casa_invoices[-1].number
    casa.goto(f"{base}/partner/invoices/{own}")  # first its own, in the same tab
    expect(casa.locator("tr.statement-row").first).to_be_visible(timeout=30_000)
    casa.goto(f"{base}/partner/invoices/{villa_number}")
    expect(casa.locator("#invoice-not-found")).to_be_visible(timeout=30_000)
    expect(casa.locator("tr.statement-row")).to_have_count(0)
    expect(casa.locator("#download-pdf")).to_have_count(0)
    text = casa.locator("body").inner_text()
    leaked = [s for s in villa_secrets if s in text]
    assert leaked == [], f"Casa Palma sees {leaked}"
    shot(casa, screenshot_dir / "partner-invoice-not-found.png")

    # Villa Azul's session cookie, in a browser that never signed in, shows Villa Azul's list
    # and nothing of Casa Palma's.
    villa = new_page()
    partner_sign_in(villa, base, DEMO_PARTNER_LOGINS[VILLA_AZUL])
    cookies = [c for c in villa.context.cookies() if c["name"] == "concierge_partner"]
    assert len(cookies) == 1 and cookies[0]["value"], villa.context.cookies()
    borrowed = new_page()
    borrowed.context.add_cookies(cookies)  # type: ignore[arg-type]
    borrowed.goto(f"{base}/partner/invoices")
    rows = borrowed.locator("#all-invoices tr.partner-invoice-row")
    expect(rows).to_have_count(len(villa_invoices), timeout=30_000)
    shown = set(rows.evaluate_all("rows => rows.map(r => r.dataset.number)"))
    assert shown == {i.number for i in villa_invoices}
    text = borrowed.locator("body").inner_text()
    assert [i.number for i in casa_invoices if i.number in text] == []
    assert "Casa Palma" not in text
    borrowed.goto(f"{base}/partner/invoices/{casa_invoices[-1].number}")
    expect(borrowed.locator("#invoice-not-found")).to_be_visible(timeout=30_000)


def test_bank_details_are_masked_validated_audited_and_notified(
    app_server: AppServer, new_page: PageFactory, screenshot_dir: Path
) -> None:
    base, pid = app_server.base_url, partner_id(app_server, CHEF_MARCO)
    account_sql = (
        "SELECT account_holder, iban, bic, updated_at FROM partner_bank_account "
        "WHERE partner_id = ?"
    )
    [before] = query(app_server, account_sql, pid)
    old_iban = str(before[1])
    [(finance_email,)] = query(
        app_server, "SELECT finance_email FROM partner WHERE code = ?", CHEF_MARCO
    )

    def changes() -> tuple[int, int]:
        [(events,)] = query(
            app_server,
            "SELECT COUNT(*) FROM audit_event WHERE action = 'partner.bank_details_changed' "
            "AND subject = ?",
            f"partner:{pid}",
        )
        [(mails,)] = query(
            app_server,
            "SELECT COUNT(*) FROM outbox_message WHERE template_key = 'bank_details_changed' "
            "AND partner_id = ?",
            pid,
        )
        return int(str(events)), int(str(mails))

    page = new_page()
    partner_sign_in(page, base, DEMO_PARTNER_LOGINS[CHEF_MARCO])
    page.goto(f"{base}/partner/bank-details")
    masked = page.locator("#iban-masked").locator("p").last  # under its "IBAN" label
    expect(masked).to_have_text(mask_iban(old_iban), timeout=30_000)
    shown = masked.inner_text()
    assert old_iban[-4:] in shown and "•" in shown
    body = page.locator("body").inner_text()
    assert old_iban not in body and IBAN(old_iban).formatted not in body
    assert old_iban[4:-4] not in body.replace(" ", "")  # nothing of the middle shows
    shot(page, screenshot_dir / "partner-bank-details.png")
    counted = changes()

    # An invalid IBAN (a wrong check digit): the error at the field; nothing changes.
    page.get_by_role("button", name="Edit bank details").click()
    page.locator("#account_holder").fill("Marco Bianchi")
    page.locator("#iban").fill("DE89 3704 0044 0532 0130 01")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#iban-error")).to_contain_text("This IBAN is not valid")
    expect(page.locator("#iban")).to_be_visible()
    shot(page, screenshot_dir / "partner-bank-details-invalid.png")
    assert query(app_server, account_sql, pid) == [before]
    assert changes() == counted

    # A valid one saves: shown masked, audited, and the finance contact is told.
    new_iban = "DE89 3704 0044 0532 0130 00"
    compact = new_iban.replace(" ", "")
    page.locator("#iban").fill(new_iban)
    page.locator("#bic").fill("")
    page.get_by_role("button", name="Save").click()
    expect(masked).to_have_text(mask_iban(compact), timeout=30_000)
    expect(page.locator("#iban-error")).to_have_count(0)
    expect(page.get_by_text("Bank details saved.", exact=False)).to_be_visible()
    body = page.locator("body").inner_text()
    assert compact not in body and new_iban not in body
    shot(page, screenshot_dir / "partner-bank-details-saved.png")

    [after] = query(app_server, account_sql, pid)
    assert (after[0], after[1]) == ("Marco Bianchi", compact)
    assert changes() == (counted[0] + 1, counted[1] + 1)
    [(actor, data)] = query(
        app_server,
        "SELECT actor, data FROM audit_event WHERE action = 'partner.bank_details_changed' "
        "AND subject = ? ORDER BY id DESC LIMIT 1",
        f"partner:{pid}",
    )
    assert actor == DEMO_PARTNER_LOGINS[CHEF_MARCO]
    assert mask_iban(compact) in str(data) and compact not in str(data)
    [(recipient, message_body)] = query(
        app_server,
        "SELECT recipient, body FROM outbox_message WHERE template_key = 'bank_details_changed' "
        "AND partner_id = ? ORDER BY id DESC LIMIT 1",
        pid,
    )
    assert recipient == finance_email
    assert mask_iban(compact) in str(message_body) and compact not in str(message_body)


def test_the_extranet_needs_a_sign_in_and_refuses_a_wrong_password(
    app_server: AppServer, new_page: PageFactory, screenshot_dir: Path
) -> None:
    base = app_server.base_url
    page = new_page()
    page.goto(f"{base}/partner/invoices")
    # The prod build serves pages as folders: the path may carry a trailing slash.
    page.wait_for_url(re.compile(r"/partner/login\?next=/partner/invoices/?$"), timeout=30_000)
    expect(page.locator("tr.partner-invoice-row")).to_have_count(0)

    page.get_by_label("Email").fill(DEMO_PARTNER_LOGINS[VILLA_AZUL])
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text(WRONG_LOGIN)
    assert "/partner/login" in page.url
    shot(page, screenshot_dir / "partner-login-refused.png")

    # The right password goes on to the page that was asked for.
    page.get_by_label("Password").fill(DEMO_PARTNER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(rf"^{re.escape(base)}/partner/invoices/?$"), timeout=30_000)
    expect(page.locator("#all-invoices tr.partner-invoice-row").first).to_be_visible()


def test_a_vat_document_comes_with_the_invoice_and_says_what_it_taxes(
    app_server: AppServer,
    month_end: subprocess.CompletedProcess[str],
    new_page: PageFactory,
    screenshot_dir: Path,
) -> None:
    """Villa Azul is in Spain (VAT 21 % by default): each commission invoice has its VAT
    document, listed on Invoices, with its own page and PDF."""
    assert month_end.returncode == 0
    base = app_server.base_url
    period = str(Period.of(date.today()).previous())
    mine = [i for i in invoices_of(app_server, VILLA_AZUL) if i.period == period]
    (invoice,) = [i for i in mine if i.number.startswith("CM-")]
    (vat,) = [i for i in mine if i.number.startswith("VT-")]
    # 21 % of the commission, half up to the cent
    assert vat.amount.minor == (invoice.amount.minor * 2100 + 5000) // 10000
    page = new_page()
    partner_sign_in(page, base, DEMO_PARTNER_LOGINS[VILLA_AZUL])
    page.goto(f"{base}/partner/invoices")
    row = invoice_row(page, "all-invoices", vat.number)
    expect(row).to_contain_text(format_money(vat.amount), timeout=30_000)
    row.get_by_role("link", name=vat.number).click()
    page.wait_for_url(f"{base}/partner/invoices/{vat.number}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"VAT document {vat.number}")
    expect(page.locator("#document-subtitle")).to_contain_text(
        f"VAT 21 % on commission invoice {invoice.number}"
    )
    expect(page.locator("#download-csv")).to_have_count(0)
    with page.expect_download() as pdf_download:
        page.locator("#download-pdf").click()
    pdf = PdfReader(io.BytesIO(Path(pdf_download.value.path()).read_bytes()))
    text = normalised("\n".join(p.extract_text() for p in pdf.pages))
    for wanted in (
        f"VAT document No. {vat.number}",
        f"Commission (invoice {invoice.number}) {format_money(invoice.amount)}",
        f"VAT at 21 % {format_money(vat.amount)}",
    ):
        assert wanted in text, (wanted, text)
    shot(page, screenshot_dir / "partner-vat-document.png")
