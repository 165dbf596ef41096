"""Issue 15 on SQLite and PostgreSQL: the partner's money adds up wherever it is shown — staff
Finance's partner balances count every document the partner owes (VAT/GST documents and debit
notes too) and agree with the partner's Invoices page and Ledger; the "To pay" column shows
what remains of each document, so the rows add up to "Total amount due"."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from concierge_app.db.partner_billing import PartnerInvoice
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import PartnerInvoiceKind
from concierge_app.services.outbox.listing import list_outbox
from concierge_app.services.partner.money import notes as partner_notes
from concierge_app.services.partner.views import documents as partner_documents
from concierge_app.services.partner.views.finance import staff_finance_overview
from concierge_app.services.partner.views.ledger import ledger
from concierge_app.ui.shared.document_rows import invoice_row

from ..factories import ACTOR
from .test_partner_documents import NOV, partner, run, stay
from .test_partner_transfers import transfer

DEC8 = date(2026, 12, 8)  # a transfer received on Friday December 4 is reflected by then


def eur(text: str) -> Money:
    return Money.parse(text, "EUR")


def docs(db, partner_id, kind):
    with db.read() as s:
        return s.exec(
            select(PartnerInvoice).where(
                PartnerInvoice.partner_id == partner_id, PartnerInvoice.kind == kind.value
            )
        ).all()


@pytest.fixture
def taxed(db, vat_rates):
    """PRP-GRS01 (Spain: VAT 21 %, paid gross, pays by bank transfer): November's commission
    80.00 (CM-2026-000001) and its VAT document 16.80 (VT-2026-000001)."""
    vat_rates("ES:21")
    gross = partner(db, "PRP-GRS01", rate=1000, payout="gross_stripe", method="bank_transfer")
    stay(db, gross, "BK-B1", date(2026, 11, 10), date(2026, 11, 12), "800.00")
    run(db, NOV)
    (commission,) = docs(db, gross, PartnerInvoiceKind.COMMISSION)
    (vat,) = docs(db, gross, PartnerInvoiceKind.VAT)
    assert (commission.amount_minor, vat.amount_minor) == (8000, 1680)
    return db, gross, commission, vat


def balance_of(db, partner_id, today):
    (row,) = [b for b in staff_finance_overview(db=db, today=today) if b.partner_id == partner_id]
    return row


def test_staff_balances_count_vat_documents_and_debit_notes_not_only_commission(taxed):
    db, gross, commission, vat = taxed
    transfer(db, "80.00", f"PRP-GRS01 {commission.number}")  # the commission only
    debit = partner_notes.issue_debit_note(
        db=db,
        invoice_id=commission.id,
        amount=eur("12.00"),
        reason="Late cancellation fee",
        due_date=date(2026, 12, 31),
        actor=ACTOR,
        today=DEC8,
    )
    row = balance_of(db, gross, DEC8)
    assert (row.invoiced, row.paid, row.outstanding) == (
        eur("108.80"),  # 80.00 + 16.80 + 12.00
        eur("80.00"),
        eur("28.80"),
    )
    assert row.invoices == 3 and row.credit_left == eur("0.00") and row.balance == eur("28.80")
    view = partner_documents.invoices_view(db=db, partner_id=gross, today=DEC8)
    assert [s.number for s in view.outstanding] == [vat.number, debit.number]
    assert view.total_due == (row.outstanding,)
    (book,) = ledger(db=db, partner_id=gross, today=DEC8)
    assert book.closing == row.balance


def test_staff_and_partner_agree_on_credit_waiting_for_the_next_invoice(taxed):
    db, gross, commission, vat = taxed
    transfer(db, "100.00", f"PRP-GRS01 {commission.number} {vat.number}")  # 3.20 over
    row = balance_of(db, gross, DEC8)
    assert (row.outstanding, row.credit_left, row.balance) == (
        eur("0.00"),
        eur("3.20"),
        eur("-3.20"),
    )
    (book,) = ledger(db=db, partner_id=gross, today=DEC8)
    assert (book.outstanding, book.credit, book.closing) == (
        row.outstanding,
        row.credit_left,
        row.balance,
    )


def test_to_pay_shows_what_remains_so_the_rows_add_up_to_the_total_due(taxed):
    db, gross, commission, vat = taxed
    partner_notes.issue_credit_note(
        db=db,
        invoice_id=commission.id,
        amount=eur("10.00"),
        reason="One night refunded",
        actor=ACTOR,
        today=DEC8,
    )
    view = partner_documents.invoices_view(db=db, partner_id=gross, today=DEC8)
    rows = {s.number: invoice_row(s, "PRP-GRS01") for s in view.outstanding}
    assert {n: r.payable for n, r in rows.items()} == {
        commission.number: "€70.00",  # not the invoice's 80.00
        vat.number: "€16.80",
    }
    assert view.total_due == (eur("86.80"),)
    every = {s.number: invoice_row(s) for s in view.documents}
    (note,) = [n for n, r in every.items() if n.startswith("CN-")]
    assert every[note].status == f"Applied in full to {commission.number}"
    assert every[note].payable == "Nothing to pay"


def test_a_vat_document_is_emailed_as_a_vat_document_not_as_a_commission_invoice(taxed):
    db, _, commission, vat = taxed
    mails = {
        m.subject: m.body for m in list_outbox(db=db) if m.template_key == "partner_invoice_issued"
    }
    assert set(mails) == {
        f"Azure Concierge commission invoice {commission.number} — November 2026",
        f"Azure Concierge VAT document {vat.number} — November 2026",
    }
    body = mails[f"Azure Concierge VAT document {vat.number} — November 2026"]
    assert (
        f"Your VAT document {vat.number} (VAT 21 % on commission invoice {commission.number}, "
        "November 2026) is attached"
    ) in body
    assert "VAT: €16.80" in body and "commission invoice " + vat.number not in body
    invoice = mails[f"Azure Concierge commission invoice {commission.number} — November 2026"]
    assert f"Your commission invoice {commission.number} for the reservations that departed" in (
        invoice
    )
    assert "Commission: €80.00" in invoice


def test_the_ledger_says_which_documents_each_payment_and_credit_note_paid(taxed):
    db, gross, commission, vat = taxed
    transfer(db, "90.00", f"PRP-GRS01 {commission.number}")  # 80.00, then 10.00 of the VAT
    note = partner_notes.issue_credit_note(
        db=db,
        invoice_id=vat.id,
        amount=eur("10.00"),
        reason="VAT on a refunded night",
        actor=ACTOR,
        today=DEC8,
    )
    (book,) = ledger(db=db, partner_id=gross, today=DEC8)
    applied = {r.reference: r.applied for r in book.rows if r.applied}
    assert applied == {
        "Bank transfer": f"Paid {commission.number} (€80.00), {vat.number} (€10.00)",
        note.number: f"Paid {vat.number} (€6.80)",  # what the VAT document still needed
    }
    transfer(db, "5.00", "PRP-GRS01", external_id="BANK-2")  # nothing open: all of it credit
    (book,) = ledger(db=db, partner_id=gross, today=date(2026, 12, 9))
    assert [r.applied for r in book.rows if r.reference == "Bank transfer"] == [
        f"Paid {commission.number} (€80.00), {vat.number} (€10.00)",
        "Credit left: €5.00",
    ]
