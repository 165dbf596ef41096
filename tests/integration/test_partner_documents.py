"""Partner documents read from the ledger after a month-end run, on SQLite and PostgreSQL:
totals, statement lines, status and payout; tenant isolation; the Finance → Invoices list."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import event, update

from concierge_app.adapters.documents.invoice_pdf import render_invoice_pdf
from concierge_app.adapters.documents.statement_csv import statement_csv
from concierge_app.db.parties import Partner
from concierge_app.domain.errors import NotFound
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import (
    PartnerInvoiceKind,
    PartnerInvoiceState,
    Period,
    StatusColour,
)
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services.guest import bookings, portfolio
from concierge_app.services.partner import accounts as partners
from concierge_app.services.partner.billing import month_end
from concierge_app.services.partner.views import documents as partner_documents
from concierge_app.settings import get_settings

from ..factories import ACTOR

NOV, DEC_RUN = Period(2026, 11), date(2026, 12, 2)
OCT, NOV_RUN = Period(2026, 10), date(2026, 11, 3)
TODAY = date(2026, 12, 5)


def partner(db, code, *, kind="property", rate=1500, payout="net_payout", method=None):
    pid = partners.create_partner(
        db=db,
        code=code,
        name=f"Partner {code}",
        kind=kind,
        category="villa" if kind == "property" else "private chef",
        country="ES",
        currency="EUR",
        commission_rate_bps=rate,
        finance_email=f"{code.lower()}@example.com",
        payout_method=payout,
        commission_payment_method=method or "payout_deduction",
        actor=ACTOR,
    )
    with db.transaction() as s:
        s.exec(update(Partner).where(Partner.id == pid).values(address=f"{code} street 1\nPalma"))
    return pid


def stay(db, property_id, ref, check_in, check_out, total, collected_by="platform", guest="Ana"):
    guest_id = bookings.create_guest(db=db, name=guest, email="guest@example.com")
    return bookings.create_booking(
        db=db,
        reference=ref,
        guest_id=guest_id,
        property_id=property_id,
        check_in=check_in,
        check_out=check_out,
        currency="EUR",
        accommodation_total=Money.parse(total, "EUR"),
        accommodation_collected_by=collected_by,
        actor=ACTOR,
    )


def service(db, booking_id, operator_id, day, strategy, gross, deposit=None):
    sid = portfolio.add_service_item(
        db=db,
        booking_id=booking_id,
        operator_id=operator_id,
        title="Private chef dinner",
        service_date=day,
        gross=Money.parse(gross, "EUR"),
        strategy=strategy,
        deposit=None if deposit is None else Money.parse(deposit, "EUR"),
        actor=ACTOR,
    )
    portfolio.confirm_service(db=db, service_id=sid, actor=ACTOR)


def run(db, period=NOV, run_date=DEC_RUN):
    return month_end.run_month_end(db=db, period=period, run_date=run_date, actor=ACTOR)


def only_invoice(db, partner_id):
    (summary,) = partner_documents.partner_invoices(db=db, partner_id=partner_id, today=TODAY)
    return summary.id


@pytest.fixture
def ledger(db):
    """A villa paid out net, a villa paid gross that pays by bank transfer, a chef."""
    villa = partner(db, "PRP-NET01")
    gross = partner(db, "PRP-GRS01", rate=1000, payout="gross_stripe", method="bank_transfer")
    chef = partner(db, "OPR-CHEF1", kind="operator", rate=1200, method="direct_debit")
    first = stay(
        db, villa, "BK-A1", date(2026, 11, 2), date(2026, 11, 6), "1000.00", guest="山田 太郎"
    )
    stay(db, villa, "BK-A2", date(2026, 11, 20), date(2026, 11, 24), "2500.00", guest="Zoë Müller")
    stay(db, gross, "BK-B1", date(2026, 11, 10), date(2026, 11, 12), "800.00")
    service(db, first, chef, date(2026, 11, 3), S.PLATFORM_COLLECTS_FULL, "200.00")
    service(db, first, chef, date(2026, 11, 4), S.OPERATOR_COLLECTS_FULL, "300.00")
    run(db)
    return {"db": db, "villa": villa, "gross": gross, "chef": chef}


def test_a_partner_paid_out_net_has_nothing_to_pay_and_sees_its_payout(ledger):
    db, villa = ledger["db"], ledger["villa"]
    doc = partner_documents.invoice_document(
        db=db, invoice_id=only_invoice(db, villa), partner_id=villa, today=TODAY
    )
    assert doc.kind is PartnerInvoiceKind.COMMISSION and doc.title == "Commission invoice"
    assert (doc.period, doc.period_label) == (NOV, "November 2026")
    assert (doc.invoice_date, doc.due_date) == (DEC_RUN, date(2026, 12, 16))
    assert doc.amount == doc.deducted == Money.parse("525.00", "EUR")  # 15% of 3,500.00
    assert doc.payable == Money.zero("EUR") and doc.nothing_to_pay
    assert (doc.status.text, doc.status.colour) == ("Paid", StatusColour.GREEN)
    assert doc.state is PartnerInvoiceState.ISSUED
    assert [(ln.reference, ln.guest_name, ln.rate, ln.collected_by) for ln in doc.lines] == [
        ("BK-A1", "山田 太郎", "15%", "platform"),
        ("BK-A2", "Zoë Müller", "15%", "platform"),
    ]
    assert [ln.commission.amount_text() for ln in doc.lines] == ["150.00", "375.00"]
    assert doc.lines[0].start_date == date(2026, 11, 2)
    assert doc.lines[0].end_date == date(2026, 11, 6)
    assert doc.payout is not None
    assert (doc.payout.gross, doc.payout.commission, doc.payout.net) == (
        Money.parse("3500.00", "EUR"),
        Money.parse("525.00", "EUR"),
        Money.parse("2975.00", "EUR"),
    )
    p = doc.partner
    assert (p.code, p.name, p.kind, p.country) == (
        "PRP-NET01",
        "Partner PRP-NET01",
        "property",
        "ES",
    )
    assert (p.address, p.finance_email) == ("PRP-NET01 street 1\nPalma", "prp-net01@example.com")
    assert p.payment_method_label == "Deducted from your payout"
    assert doc.payment_reference == f"PRP-NET01 {doc.number}"
    settings = get_settings()
    assert doc.platform.legal_name == settings.platform_legal_name
    assert doc.platform.iban == settings.platform_iban


def test_a_partner_paid_gross_owes_the_whole_commission_by_bank_transfer(ledger):
    db, gross = ledger["db"], ledger["gross"]
    invoice_id = only_invoice(db, gross)
    doc = partner_documents.invoice_document(
        db=db, invoice_id=invoice_id, partner_id=gross, today=TODAY
    )
    assert (doc.amount, doc.deducted, doc.payable) == (
        Money.parse("80.00", "EUR"),
        Money.zero("EUR"),
        Money.parse("80.00", "EUR"),
    )
    assert not doc.nothing_to_pay
    assert (doc.status.text, doc.status.colour) == ("Due by December 16, 2026", StatusColour.RED)
    assert doc.partner.payment_method_label == "Bank transfer"
    assert doc.payout is not None and doc.payout.commission == Money.zero("EUR")
    late = partner_documents.invoice_document(
        db=db, invoice_id=invoice_id, partner_id=gross, today=date(2026, 12, 17)
    )
    assert late.status.text == "Overdue (due by December 16, 2026)"


def test_an_operator_s_statement_has_its_services_and_a_part_deducted(ledger):
    db, chef = ledger["db"], ledger["chef"]
    doc = partner_documents.invoice_document(
        db=db, invoice_id=only_invoice(db, chef), partner_id=chef, today=TODAY
    )
    assert [(ln.description, ln.collected_by, ln.rate) for ln in doc.lines] == [
        ("Private chef dinner", "platform", "12%"),
        ("Private chef dinner", "partner", "12%"),
    ]
    assert (doc.amount, doc.deducted, doc.payable) == (
        Money.parse("60.00", "EUR"),
        Money.parse("24.00", "EUR"),
        Money.parse("36.00", "EUR"),
    )
    assert doc.status.text == "You've paid €24.00 of €60.00"
    assert doc.partner.payment_method_label == "Direct debit"
    assert doc.partner.id_label == "Partner ID"


def test_a_partner_cannot_open_another_partner_s_invoice_but_staff_can_open_both(ledger):
    db, villa, gross = ledger["db"], ledger["villa"], ledger["gross"]
    theirs = only_invoice(db, gross)
    with pytest.raises(NotFound) as other:
        partner_documents.invoice_document(db=db, invoice_id=theirs, partner_id=villa, today=TODAY)
    with pytest.raises(NotFound) as unknown:
        partner_documents.invoice_document(
            db=db, invoice_id=theirs + 1000, partner_id=villa, today=TODAY
        )
    assert str(other.value) == str(unknown.value) == "Invoice not found."
    for pid in (villa, gross):
        doc = partner_documents.invoice_document(
            db=db, invoice_id=only_invoice(db, pid), partner_id=None, today=TODAY
        )
        assert doc.partner.id == pid
    with pytest.raises(NotFound, match=r"Invoice not found\."):
        partner_documents.invoice_document(
            db=db, invoice_id=theirs + 1000, partner_id=None, today=TODAY
        )


def test_a_document_loads_in_three_statements_whatever_its_length(db):
    villa = partner(db, "PRP-MANY1")
    for n in range(12):
        stay(db, villa, f"BK-M{n:02d}", date(2026, 11, 1), date(2026, 11, 2 + n), "100.00")
    run(db)
    invoice_id = only_invoice(db, villa)
    statements = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):  # not SQLite's own BEGIN
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        doc = partner_documents.invoice_document(
            db=db, invoice_id=invoice_id, partner_id=villa, today=TODAY
        )
        # the invoice with its statement, the stays on it, the payments applied to it
        assert len(doc.lines) == 12 and len(statements) == 3
        statements.clear()
        partner_documents.partner_invoices(db=db, partner_id=villa, today=TODAY)
        assert len(statements) == 2  # the documents, then the payments applied to them
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_finance_invoices_lists_newest_first_and_outstanding_keeps_the_red_ones(db):
    villa = partner(db, "PRP-LIST1", rate=1000)
    stay(
        db, villa, "BK-O1", date(2026, 10, 1), date(2026, 10, 5), "400.00", collected_by="property"
    )
    stay(db, villa, "BK-N1", date(2026, 11, 1), date(2026, 11, 5), "600.00")
    run(db, OCT, NOV_RUN)
    run(db, NOV, DEC_RUN)
    listed = partner_documents.partner_invoices(db=db, partner_id=villa, today=TODAY)
    assert [s.period_label for s in listed] == ["November 2026", "October 2026"]
    november, october = listed
    assert november.number > october.number and november.invoice_date == DEC_RUN
    assert (november.status_text, november.status_colour, november.nothing_to_pay) == (
        "Paid",
        StatusColour.GREEN,
        True,
    )
    # October's stay was paid at the property: its commission is owed, and overdue by now
    assert (october.status_text, october.status_colour) == (
        "Overdue (due by November 17, 2026)",
        StatusColour.RED,
    )
    assert october.amount == october.payable == october.outstanding == Money.parse("40.00", "EUR")
    assert october.title == "Commission invoice" and october.kind is PartnerInvoiceKind.COMMISSION
    assert [s.id for s in partner_documents.outstanding(db=db, partner_id=villa, today=TODAY)] == [
        october.id
    ]
    assert partner_documents.partner_invoices(db=db, partner_id=villa + 1000, today=TODAY) == []


def test_the_csv_and_pdf_of_a_real_document(ledger):
    db, gross = ledger["db"], ledger["gross"]
    doc = partner_documents.invoice_document(
        db=db, invoice_id=only_invoice(db, gross), partner_id=gross, today=TODAY
    )
    assert statement_csv(doc).splitlines()[1].startswith("BK-B1,Ana,Stay,2026-11-10,2026-11-12,")
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(render_invoice_pdf(doc))).pages
    )
    assert doc.number in text and "Property ID: PRP-GRS01" in text and "BK-B1" in text
    assert f"Quote this reference: PRP-GRS01 {doc.number}" in text
    assert "Amount payable €80.00" in text
