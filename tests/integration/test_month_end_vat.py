"""VAT/GST documents from the month-end run (SQLite and PostgreSQL): one per commission invoice
of a partner in a configured country, at its rate, half up; gapless VT numbers in partner order,
also when chunks crash and resume; VAT on a deducted commission is deducted from the payout."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import col, select

from concierge_app.db.messaging import OutboxMessage
from concierge_app.db.partner_billing import PartnerInvoice, Payout
from concierge_app.domain.errors import DomainError
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import PartnerInvoiceKind
from concierge_app.services.partner import accounts as partners
from concierge_app.services.partner.billing import month_end_steps
from concierge_app.services.partner.views.documents import invoice_document

from ..factories import ACTOR, make_partner
from .test_month_end import run, stay

RUN_DATE = date(2026, 12, 2)


def documents(db, kind):
    with db.read() as s:
        return list(
            s.exec(
                select(PartnerInvoice)
                .where(PartnerInvoice.kind == kind.value)
                .order_by(col(PartnerInvoice.number))
            ).all()
        )


def partner_in(db, country, code, *, payout="net_payout"):
    return partners.create_partner(
        db=db,
        code=code,
        name=f"Villa in {country}",
        kind="property",
        category="villa",
        country=country,
        currency="EUR",
        commission_rate_bps=1500,
        finance_email=f"{code.lower()}@example.com",
        payout_method=payout,
        commission_payment_method="bank_transfer",
        actor=ACTOR,
    )


def test_a_partner_in_a_taxed_country_gets_a_separate_vat_document(db, vat_rates):
    vat_rates("ES:21,AU:10")
    spain = partner_in(db, "ES", "PRP-ES1")
    france = partner_in(db, "FR", "PRP-FR1")
    australia = partner_in(db, "AU", "PRP-AU1", payout="gross_stripe")
    # 15 % of 1,000.03 = 150.0045 → 150.00; 21 % of that = 31.50
    stay(db, spain, date(2026, 11, 2), date(2026, 11, 6), total="1000.03")
    stay(db, france, date(2026, 11, 2), date(2026, 11, 6))
    stay(db, australia, date(2026, 11, 3), date(2026, 11, 7))
    run(db)
    commission = {i.partner_id: i for i in documents(db, PartnerInvoiceKind.COMMISSION)}
    vat = {v.partner_id: v for v in documents(db, PartnerInvoiceKind.VAT)}
    assert set(commission) == {spain, france, australia}
    assert set(vat) == {spain, australia}  # France: no rate configured
    es = vat[spain]
    assert es.number == "VT-2026-000001" and vat[australia].number == "VT-2026-000002"
    assert es.related_invoice_id == commission[spain].id and es.tax_rate_bps == 2100
    assert commission[spain].amount_minor == 15000 and es.amount_minor == 3150
    assert (es.invoice_date, es.due_date) == (commission[spain].invoice_date, date(2026, 12, 16))
    assert es.period == "2026-11" and es.currency == "EUR" and es.statement_id is None
    # the platform collected the stay and pays out net: commission and its VAT are deducted
    assert es.deducted_minor == 3150
    with db.read() as s:
        payout = s.exec(select(Payout).where(Payout.partner_id == spain)).one()
        mails = s.exec(
            select(OutboxMessage.dedupe_key).where(OutboxMessage.partner_id == spain)
        ).all()
    assert (payout.gross_minor, payout.commission_minor, payout.vat_minor) == (100003, 15000, 3150)
    assert payout.net_minor == 100003 - 15000 - 3150
    assert f"partner_invoice_issued:{es.id}" in mails  # emailed like the invoice, PDF attached
    assert len(mails) == 2


def test_the_vat_document_reads_as_vat_or_gst_with_what_it_taxes(db, vat_rates):
    vat_rates("ES:21,AU:10")
    spain = partner_in(db, "ES", "PRP-ES2", payout="gross_stripe")
    australia = partner_in(db, "AU", "PRP-AU2", payout="gross_stripe")
    stay(db, spain, date(2026, 11, 2), date(2026, 11, 6), total="333.33")
    stay(db, australia, date(2026, 11, 2), date(2026, 11, 6), total="333.33")
    run(db)
    es, au = documents(db, PartnerInvoiceKind.VAT)
    doc = invoice_document(db=db, invoice_id=es.id, partner_id=spain, today=RUN_DATE)
    assert doc.title == "VAT document" and doc.tax is not None
    assert doc.tax.rate == "21 %" and doc.tax.base == Money(5000, "EUR")  # 15 % of 333.33
    assert doc.amount == Money(1050, "EUR") and doc.payable == Money(1050, "EUR")
    assert doc.tax.invoice_number == doc.related_number
    assert doc.status.text == "Due by December 16, 2026"
    gst = invoice_document(db=db, invoice_id=au.id, partner_id=australia, today=RUN_DATE)
    assert gst.title == "GST document" and gst.amount == Money(500, "EUR")


def test_without_configured_rates_no_vat_document_is_issued(db):
    villa = make_partner(db, kind="property")
    stay(db, villa, date(2026, 11, 2), date(2026, 11, 6))
    run(db)
    assert documents(db, PartnerInvoiceKind.VAT) == []
    with db.read() as s:
        assert s.exec(select(Payout)).one().vat_minor == 0


def test_a_rerun_adds_no_vat_document(db, vat_rates):
    vat_rates("ES:21")
    villa = make_partner(db, kind="property")
    stay(db, villa, date(2026, 11, 2), date(2026, 11, 6))
    run(db)
    assert run(db).already_done
    assert len(documents(db, PartnerInvoiceKind.VAT)) == 1


def test_crashed_parallel_chunks_resume_with_gapless_vat_numbers_in_partner_order(
    db, monkeypatch, vat_rates
):
    vat_rates("ES:21")
    villas = [make_partner(db, kind="property") for _ in range(5)]
    villas += [partner_in(db, "FR", f"PRP-FRX{i}") for i in range(2)]  # untaxed, in between
    villas += [make_partner(db, kind="property") for _ in range(2)]
    for i, villa in enumerate(villas):
        stay(db, villa, date(2026, 11, 1 + i), date(2026, 11, 10 + i))
    real, failing = month_end_steps.invoice_chunk, villas[3]

    def crash_on_one_chunk(session, run_id, period, lo, hi, *rest):
        made = real(session, run_id, period, lo, hi, *rest)
        if lo <= failing <= hi:
            raise RuntimeError("power cut")
        return made

    monkeypatch.setattr(month_end_steps, "invoice_chunk", crash_on_one_chunk)
    with pytest.raises(RuntimeError):
        run(db, chunk=2, workers=2)
    monkeypatch.setattr(month_end_steps, "invoice_chunk", real)
    assert run(db, chunk=3, workers=2).invoices_total == 9
    vat = {v.partner_id: v.number for v in documents(db, PartnerInvoiceKind.VAT)}
    taxed = sorted(v for v in villas if v not in villas[5:7])
    assert [vat[v] for v in taxed] == [f"VT-2026-{n:06d}" for n in range(1, 8)]
    assert len(documents(db, PartnerInvoiceKind.COMMISSION)) == 9


def test_the_rate_is_frozen_when_the_statements_are_written(db, vat_rates, monkeypatch):
    """Statements written under one configuration keep its rate if the run is resumed after
    the rates changed."""
    vat_rates("ES:21")
    villa = make_partner(db, kind="property")
    stay(db, villa, date(2026, 11, 2), date(2026, 11, 6))

    def crash(*_args):
        raise RuntimeError("power cut")

    monkeypatch.setattr(month_end_steps, "invoice_chunk", crash)
    with pytest.raises(RuntimeError):
        run(db)
    monkeypatch.undo()
    vat_rates("ES:10")
    run(db)
    (vat,) = documents(db, PartnerInvoiceKind.VAT)
    assert vat.tax_rate_bps == 2100 and vat.amount_minor == 2100  # 21 % of 100.00


def test_no_vat_document_for_a_tax_that_rounds_to_nothing(db, vat_rates):
    vat_rates("ES:21")
    tiny = partner_in(db, "ES", "PRP-TINY", payout="gross_stripe")
    villa = partner_in(db, "ES", "PRP-ES3", payout="gross_stripe")
    stay(db, tiny, date(2026, 11, 2), date(2026, 11, 6), total="0.10")  # 2 cents: VAT 0.42
    stay(db, villa, date(2026, 11, 2), date(2026, 11, 6))
    run(db)
    assert [(v.partner_id, v.number) for v in documents(db, PartnerInvoiceKind.VAT)] == [
        (villa, "VT-2026-000001")
    ]
    assert len(documents(db, PartnerInvoiceKind.COMMISSION)) == 2


def test_a_vat_document_can_be_corrected_by_a_credit_note(db, vat_rates):
    """A credit note on the commission leaves the VAT charged on it: the VAT document takes
    its own note."""
    from concierge_app.services.partner.money import notes as partner_notes
    from concierge_app.services.partner.views import documents as partner_documents

    vat_rates("ES:21")
    villa = partner_in(db, "ES", "PRP-ES4", payout="gross_stripe")
    stay(db, villa, date(2026, 11, 2), date(2026, 11, 6))  # commission 150.00, VAT 31.50
    run(db)
    (vat,) = documents(db, PartnerInvoiceKind.VAT)
    note = partner_notes.issue_credit_note(
        db=db,
        invoice_id=vat.id,
        amount=Money.parse("10.50", "EUR"),
        reason="A third of the stay was refunded",
        actor=ACTOR,
        today=RUN_DATE,
    )
    assert note.related_number == vat.number
    with pytest.raises(DomainError, match=r"at most €21\.00 more can be credited"):
        partner_notes.issue_credit_note(
            db=db,
            invoice_id=vat.id,
            amount=Money.parse("21.01", "EUR"),
            reason="Too much",
            actor=ACTOR,
            today=RUN_DATE,
        )
    (summary,) = [
        s
        for s in partner_documents.partner_invoices(db=db, partner_id=villa, today=RUN_DATE)
        if s.id == vat.id
    ]
    assert summary.can_correct
