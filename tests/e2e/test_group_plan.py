"""The multiple property payment plan in the browser: the Balearic Homes Group (GRP-7001, over
Villa Sol Ibiza PRP-1004 and Casa Mar Mallorca PRP-1005) signs in with its group login and sees
both properties' outstanding documents and the total due; a transfer quoting the group code
arrives (recorded through the service staff use, as in test_partner_write_off.py, received a
week ago so it is reflected) and the page updates live: the oldest document is paid, the next
one part-paid, the payment's breakdown listed; the property switcher shows the paid invoice
green on its Invoices page; the group pays the rest with "Pay all online" (the sandbox's test
card) and nothing is outstanding; staff read both "Payment Allocation" emails in the Outbox.
An ordinary login has neither the group page nor the switcher.

Only GRP-7001's properties are touched.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from concierge_app.db.engine import Database
from concierge_app.demo.partner_seed import DEMO_PARTNER_LOGINS
from concierge_app.domain.documents import group_iban
from concierge_app.domain.formatting import format_money
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import (
    PartnerInvoiceState,
    StatusColour,
    invoice_status,
)
from concierge_app.services.partner.money.transfers import record_bank_transfer
from concierge_app.settings import get_settings
from tests.e2e.conftest import sign_in
from tests.e2e.test_partner_finance import (  # noqa: F401  (fixtures)
    RGB,
    VILLA_AZUL,
    DbInvoice,
    PageFactory,
    invoice_row,
    invoices_of,
    new_page,
    partner_sign_in,
    shot,
    text_colour,
)

if TYPE_CHECKING:
    import subprocess

    from tests.e2e.conftest import AppServer

pytestmark = pytest.mark.e2e

GROUP, GROUP_LOGIN = "GRP-7001", "group@partners.demo.test"
SOL, MAR = "PRP-1004", "PRP-1005"
NAMES = {SOL: "Villa Sol Ibiza", MAR: "Casa Mar Mallorca"}


def outstanding(app_server: AppServer) -> list[tuple[str, DbInvoice]]:
    """Both properties' documents to pay (all unpaid so far), oldest due first, ties by
    number: the order a group payment is applied in."""
    docs = [
        (code, i)
        for code in (SOL, MAR)
        for i in invoices_of(app_server, code)
        if not i.number.startswith("CN-") and i.amount.minor > i.deducted.minor
    ]
    return sorted(docs, key=lambda d: (d[1].due, d[1].number))


def due(invoice: DbInvoice) -> Money:
    return invoice.amount - invoice.deducted


def group_row(page, number: str):  # type: ignore[no-untyped-def]
    return page.locator(f'#group-outstanding tr.group-invoice-row[data-number="{number}"]')


def switch_to(page: Page, code: str) -> None:
    """Choose a property in the header's switcher menu (once the last menu has closed)."""
    expect(page.get_by_role("menu")).to_have_count(0)
    page.locator("#switch-property").click()
    expect(page.get_by_role("menu")).to_be_visible()
    page.get_by_role("menuitem", name=f"{NAMES[code]} · {code}").click()
    expect(page.get_by_text(f"Property ID {code}")).to_be_visible(timeout=30_000)


def test_group_sees_every_property_and_one_transfer_is_applied_oldest_due_first(
    app_server: AppServer,
    month_end: subprocess.CompletedProcess[str],
    new_page: PageFactory,  # noqa: F811
    screenshot_dir: Path,
) -> None:
    assert month_end.returncode == 0, month_end.stderr
    base = app_server.base_url
    docs = outstanding(app_server)
    assert {code for code, _ in docs} == {SOL, MAR}, docs
    total = sum((due(i) for _, i in docs), Money.zero("EUR"))

    group = new_page()
    partner_sign_in(group, base, GROUP_LOGIN)
    nav = group.locator("#group-nav")
    expect(nav.get_by_role("link", name="All properties")).to_be_visible(timeout=30_000)
    nav.get_by_role("link", name="All properties").click()
    group.wait_for_url("**/partner/group", timeout=30_000)
    expect(group.locator("#group-name")).to_have_text("Balearic Homes Group", timeout=30_000)
    expect(group.locator("#group-reference")).to_contain_text(GROUP)
    cards = group.locator("#group-properties .group-property")
    expect(cards).to_have_count(2)
    for code in (SOL, MAR):
        card = group.locator(f'#group-properties .group-property[data-code="{code}"]')
        expect(card).to_contain_text(NAMES[code])
        owed = sum((due(i) for c, i in docs if c == code), Money.zero("EUR"))
        expect(card).to_contain_text(f"{format_money(owed)} due")
    rows = group.locator("#group-outstanding tr.group-invoice-row")
    expect(rows).to_have_count(len(docs))
    assert rows.evaluate_all("rs => rs.map(r => r.dataset.number)") == [i.number for _, i in docs]
    for code, invoice in docs:
        row = group_row(group, invoice.number)
        expect(row).to_have_attribute("data-property", code)
        expect(row).to_have_attribute("data-colour", "red")
        expect(row).to_contain_text(NAMES[code])
    expect(group.locator("#group-total")).to_have_text(f"Total amount due: {format_money(total)}")
    expect(group.locator(".group-pay-online")).to_have_text(
        f"Pay all online · {format_money(total)}"
    )
    expect(group.locator("#group-payments")).to_contain_text("No group payment yet")
    # the transfer details: our IBAN in groups of four, as on the invoices
    expect(group.locator("#group-iban")).to_have_text(
        "IBAN" + group_iban(get_settings().platform_iban)  # the label, then the figure
    )
    shot(group, screenshot_dir / "partner-group-before.png")

    # One transfer quoting the group code: the oldest document in full, half of the next one.
    (first_code, first), (second_code, second) = docs[0], docs[1]
    half = Money(due(second).minor // 2, "EUR")
    amount = due(first) + half
    db = Database(app_server.database_url)
    try:
        outcome = record_bank_transfer(
            db=db,
            amount=amount,
            reference=f"Balearic Homes {GROUP}",
            received_on=date.today() - timedelta(days=7),
            external_id="E2E-GROUP-7001-1",
            actor="e2e:bank-import",
        )
    finally:
        db.engine.dispose()
    assert outcome.matched and outcome.partner_code == GROUP, outcome
    assert outcome.allocated == ((first.number, due(first)), (second.number, half))

    # Live: the paid document leaves the list, the next one is part-paid, the total drops.
    expect(group_row(group, first.number)).to_have_count(0, timeout=30_000)
    part = group_row(group, second.number)
    expect(part).to_have_attribute("data-colour", "red")
    # Its words as the Invoices page's rule says them with half of it paid (overdue or not).
    expected = invoice_status(
        amount=second.amount,
        paid=second.deducted + half,
        due=second.due,
        today=date.today(),
        state=PartnerInvoiceState(second.state),
        format_money=format_money,
    )
    assert expected.colour is StatusColour.RED and expected.outstanding == due(second) - half
    expect(part.get_by_test_id("invoice-status")).to_have_text(expected.text)
    expect(group.locator("#group-total")).to_have_text(
        f"Total amount due: {format_money(total - amount)}"
    )
    payment = group.locator("#group-payments tr.group-payment")
    expect(payment).to_have_count(1)
    expect(payment).to_contain_text("Bank transfer")
    lines = payment.locator(".group-allocation")
    expect(lines).to_have_count(2)
    expect(lines.nth(0)).to_contain_text(f"{NAMES[first_code]} · {first_code}")
    expect(lines.nth(0)).to_contain_text(first.number)
    expect(lines.nth(0)).to_contain_text(format_money(due(first)))
    expect(lines.nth(1)).to_contain_text(f"{NAMES[second_code]} · {second_code}")
    expect(lines.nth(1)).to_contain_text(format_money(half))
    shot(group, screenshot_dir / "partner-group-after-transfer.png")

    # The property switcher: each property's own Invoices page — the paid one green, the
    # part-paid one red with the same words; never the other property's documents.
    group.goto(f"{base}/partner/invoices")
    expect(group.get_by_text(f"Property ID {SOL}")).to_be_visible(timeout=30_000)  # home
    for code, invoice, colour in ((first_code, first, "green"), (second_code, second, "red")):
        switch_to(group, code)
        row = invoice_row(group, "all-invoices", invoice.number)
        expect(row).to_have_attribute("data-colour", colour, timeout=30_000)
        others = [i.number for c, i in docs if c != code]
        for number in others:
            expect(invoice_row(group, "all-invoices", number)).to_have_count(0)
    part_status = invoice_row(group, "all-invoices", second.number).get_by_test_id("invoice-status")
    expect(part_status).to_have_text(expected.text)
    switch_to(group, first_code)
    paid_status = invoice_row(group, "all-invoices", first.number).get_by_test_id("invoice-status")
    expect(paid_status).to_have_text("Paid", timeout=30_000)
    assert text_colour(paid_status, "Paid") == RGB[StatusColour.GREEN]
    shot(group, screenshot_dir / "partner-group-switched-invoices.png")

    # The rest, online: "Pay all online" on the group page, the sandbox's test card.
    rest = total - amount
    group.goto(f"{base}/partner/group")
    expect(group.locator(".group-pay-online")).to_have_text(
        f"Pay all online · {format_money(rest)}", timeout=30_000
    )
    group.locator(".group-pay-online").click()
    group.wait_for_url(re.compile(r"/sandbox/checkout/cs_"), timeout=30_000)
    expect(group.locator("#checkout-total")).to_have_text(format_money(rest))
    group.locator("#card").fill("4242 4242 4242 4242")
    group.locator("#expiry").fill("12 / 34")
    group.locator("#cvc").fill("123")
    group.locator("#checkout-pay").click()
    group.wait_for_url(re.compile(r"/partner/group\?checkout=pc_"), timeout=30_000)
    expect(group.locator("#checkout-notice")).to_contain_text("Payment received — thank you")
    expect(group.locator("#group-outstanding")).to_contain_text(
        "Nothing outstanding on any property", timeout=30_000
    )
    expect(group.locator("#group-total")).to_have_count(0)
    payments = group.locator("#group-payments tr.group-payment")
    expect(payments).to_have_count(2)
    expect(payments.first).to_contain_text("Online payment")
    expect(payments.first.locator(".group-allocation")).to_have_count(len(docs) - 1)
    shot(group, screenshot_dir / "partner-group-paid-online.png")

    # Staff: each payment's breakdown email to the group's finance address, in the Outbox.
    staff = new_page()
    sign_in(staff, base)
    staff.goto(f"{base}/outbox")
    mails = staff.locator("tr.outbox-row").filter(has_text="Payment Allocation")
    expect(mails).to_have_count(2, timeout=30_000)
    by_transfer = mails.filter(has_text=format_money(amount))
    expect(by_transfer).to_contain_text("finance@balearichomes.demo.test")
    by_transfer.get_by_role("button", name="Show message").click()
    body = staff.get_by_role("dialog")
    expect(body).to_contain_text(f"Amount: {format_money(amount)}")
    expect(body).to_contain_text("Method: Bank transfer")
    expect(body).to_contain_text(
        f"{NAMES[first_code]} ({first_code}), {first.number}: {format_money(due(first))} "
        f"applied, {format_money(Money.zero('EUR'))} still due"
    )
    expect(body).to_contain_text(
        f"{NAMES[second_code]} ({second_code}), {second.number}: {format_money(half)} applied, "
        f"{format_money(due(second) - half)} still due"
    )
    expect(body).to_contain_text(f"Credit left: {format_money(Money.zero('EUR'))}")
    shot(staff, screenshot_dir / "staff-outbox-payment-allocation.png")
    staff.keyboard.press("Escape")
    expect(body).to_be_hidden()
    online = mails.filter(has_text=format_money(rest))
    online.get_by_role("button", name="Show message").click()
    expect(body).to_contain_text("Method: Online payment")
    expect(body).to_contain_text(
        f"{NAMES[second_code]} ({second_code}), {second.number}: "
        f"{format_money(due(second) - half)} applied"
    )


def test_an_ordinary_login_has_no_group_page(
    app_server: AppServer,
    new_page: PageFactory,  # noqa: F811
    screenshot_dir: Path,
) -> None:
    villa = new_page()
    partner_sign_in(villa, app_server.base_url, DEMO_PARTNER_LOGINS[VILLA_AZUL])
    villa.goto(f"{app_server.base_url}/partner/group")
    expect(villa.locator("#not-a-group")).to_be_visible(timeout=30_000)
    expect(villa.locator("#group-nav")).to_have_count(0)
    expect(villa.get_by_text(GROUP)).to_have_count(0)
    expect(villa.get_by_text("Villa Sol Ibiza")).to_have_count(0)
