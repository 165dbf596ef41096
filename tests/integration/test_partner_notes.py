"""Credit and debit notes on SQLite and PostgreSQL: a credit note is applied to the invoice it
corrects, what that one no longer needs to the oldest open document (or it waits for the next
one), never over the invoice it corrects; a debit note is payable
by its own due date; an over-payment's credit is applied the same way; a double click issues one
note; each note is audited and emailed with its PDF; concurrent applications never allocate the
same money twice."""

from __future__ import annotations

import io
import threading
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlmodel import select

from concierge_app.adapters.documents.invoice_pdf import render_invoice_pdf
from concierge_app.db.audit import AuditEvent
from concierge_app.db.messaging import OutboxMessage
from concierge_app.db.partner_billing import PartnerInvoice
from concierge_app.db.partner_payments import PartnerAllocation
from concierge_app.domain.errors import DomainError, NotFound
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import (
    PartnerInvoiceKind,
    PartnerInvoiceState,
    Period,
    StatusColour,
)
from concierge_app.services.partner.money import (
    corrections as partner_corrections,
)
from concierge_app.services.partner.money import (
    notes as partner_notes,
)
from concierge_app.services.partner.money.credit import apply_pending_credit
from concierge_app.services.partner.views import documents as partner_documents

from ..factories import ACTOR, snapshot
from .test_partner_documents import (
    NOV,
    NOV_RUN,
    OCT,
    TODAY,
    ledger,  # noqa: F401  (fixture)
    partner,
    run,
    stay,
)
from .test_partner_transfers import eur, transfer

DEC, JAN_RUN = Period(2026, 12), date(2027, 1, 4)
REASON = "Stay BK-B1 was cancelled after the run"


def documents(db, partner_id, today=TODAY):
    return {
        s.number: s
        for s in partner_documents.partner_invoices(db=db, partner_id=partner_id, today=today)
    }


def commission(db, partner_id, period):
    with db.read() as s:
        return s.exec(
            select(PartnerInvoice).where(
                PartnerInvoice.partner_id == partner_id,
                PartnerInvoice.kind == "commission",
                PartnerInvoice.period == str(period),
            )
        ).one()


def credit_note(db, invoice_id, amount, reason=REASON, today=TODAY):
    return partner_notes.issue_credit_note(
        db=db, invoice_id=invoice_id, amount=eur(amount), reason=reason, actor=ACTOR, today=today
    )


def debit_note(db, invoice_id, amount, due, reason="Late cancellation fee", today=TODAY):
    return partner_notes.issue_debit_note(
        db=db,
        invoice_id=invoice_id,
        amount=eur(amount),
        reason=reason,
        due_date=due,
        actor=ACTOR,
        today=today,
    )


def allocations(db):
    with db.read() as s:
        return s.exec(select(PartnerAllocation).order_by(PartnerAllocation.id)).all()


@pytest.fixture
def two_months(db):
    """PRP-GRS01 (paid gross, pays by bank transfer): October's 60.00 (due November 17) and
    November's 80.00 (due December 16)."""
    gross = partner(db, "PRP-GRS01", rate=1000, payout="gross_stripe", method="bank_transfer")
    stay(db, gross, "BK-O1", date(2026, 10, 10), date(2026, 10, 12), "600.00")
    run(db, OCT, NOV_RUN)
    stay(db, gross, "BK-N1", date(2026, 11, 10), date(2026, 11, 12), "800.00")
    run(db, NOV)
    return {
        "db": db,
        "gross": gross,
        "oct": commission(db, gross, OCT),
        "nov": commission(db, gross, NOV),
    }


def test_a_credit_note_pays_the_invoice_it_corrects_not_the_oldest_open_one(two_months):
    db, gross, oct_, nov = (two_months[k] for k in ("db", "gross", "oct", "nov"))
    note = credit_note(db, nov.id, "25.00")
    assert note.number == "CN-2026-000001" and not note.duplicate
    assert [(a.invoice_number, a.amount) for a in note.applied] == [(nov.number, eur("25.00"))]
    (alloc,) = allocations(db)
    assert (alloc.invoice_id, alloc.credit_note_id, alloc.payment_id) == (nov.id, note.id, None)
    assert (alloc.amount_minor, alloc.effective_on) == (2500, TODAY)
    shown = documents(db, gross)
    assert shown[oct_.number].status_text == "Overdue (due by November 17, 2026)"
    assert shown[oct_.number].outstanding == eur("60.00")
    assert shown[nov.number].status_text == "You've paid €25.00 of €80.00"
    assert shown[nov.number].outstanding == eur("55.00")
    cn = shown[note.number]
    assert (cn.kind, cn.title) == (PartnerInvoiceKind.CREDIT_NOTE, "Credit note")
    assert (cn.status_text, cn.status_colour) == (
        f"Applied in full to {nov.number}",
        StatusColour.GREEN,
    )
    view = partner_documents.invoices_view(db=db, partner_id=gross, today=TODAY)
    assert [s.number for s in view.outstanding] == [oct_.number, nov.number]  # no credit note
    assert view.total_due == (eur("115.00"),)  # 60 + 80 − 25


def test_only_what_the_corrected_invoice_no_longer_needs_pays_the_oldest_open_one(two_months):
    db, gross, oct_, nov = (two_months[k] for k in ("db", "gross", "oct", "nov"))
    transfer(db, "70.00", f"PRP-GRS01 {nov.number}")  # 10.00 of November left
    note = credit_note(db, nov.id, "25.00", today=date(2026, 12, 8))
    assert [(a.invoice_number, a.amount) for a in note.applied] == [
        (nov.number, eur("10.00")),
        (oct_.number, eur("15.00")),
    ]
    shown = documents(db, gross, date(2026, 12, 8))
    assert shown[nov.number].status_text == "Paid"
    assert shown[oct_.number].outstanding == eur("45.00")
    assert shown[note.number].status_text == (
        f"Applied in full to {nov.number} (€10.00), {oct_.number} (€15.00)"
    )


def test_you_ve_paid_x_of_y_with_the_remaining_total_due(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    invoice = commission(db, gross, NOV)
    note = credit_note(db, invoice.id, "30.00")
    shown = documents(db, gross)
    assert shown[invoice.number].status_text == "You've paid €30.00 of €80.00"
    assert shown[invoice.number].status_colour is StatusColour.RED
    view = partner_documents.invoices_view(db=db, partner_id=gross, today=TODAY)
    assert view.total_due == (eur("50.00"),)
    assert [s.number for s in view.outstanding] == [invoice.number]
    assert shown[note.number].status_text == f"Applied in full to {invoice.number}"
    assert shown[note.number].nothing_to_pay and not shown[note.number].can_announce


def test_more_than_the_invoice_is_refused_and_writes_nothing(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    invoice = commission(db, gross, NOV)
    before = snapshot(db)
    with pytest.raises(DomainError, match=r"cannot be more than invoice CM-2026-\d+ \(€80\.00\)"):
        credit_note(db, invoice.id, "80.01")
    assert snapshot(db) == before
    credit_note(db, invoice.id, "50.00")
    before = snapshot(db)
    more = r"already has €50\.00 credited: at most €30\.00 more"
    with pytest.raises(DomainError, match=more):
        credit_note(db, invoice.id, "30.01", reason="Another correction")
    for amount, reason, error in (
        ("0.00", REASON, "more than zero"),
        ("10.00", "   ", "Give the reason"),
        ("10.00", "x" * 251, "250 characters"),
    ):
        with pytest.raises(DomainError, match=error):
            credit_note(db, invoice.id, amount, reason=reason)
    with pytest.raises(DomainError, match="in EUR"):
        partner_notes.issue_credit_note(
            db=db,
            invoice_id=invoice.id,
            amount=Money.parse("10.00", "USD"),
            reason=REASON,
            actor=ACTOR,
            today=TODAY,
        )
    with pytest.raises(NotFound):
        credit_note(db, 999_999, "10.00")
    assert snapshot(db) == before
    # the last 30.00 still fits
    assert (
        credit_note(db, invoice.id, "30.00", reason="Another correction").number == "CN-2026-000002"
    )


def test_a_note_corrects_an_invoice_a_vat_document_or_a_debit_note_not_a_credit_note(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    invoice = commission(db, gross, NOV)
    note = credit_note(db, invoice.id, "10.00")
    before = snapshot(db)
    with pytest.raises(
        DomainError, match="corrects a commission invoice, its VAT/GST document or a debit note"
    ):
        credit_note(db, note.id, "1.00")
    assert snapshot(db) == before
    debit = debit_note(db, invoice.id, "20.00", date(2026, 12, 31))
    corrected = credit_note(db, debit.id, "20.00", reason="Fee waived")
    assert corrected.number == "CN-2026-000002"


def test_with_nothing_open_the_credit_waits_for_the_next_invoice(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    invoice = commission(db, gross, NOV)
    transfer(db, "80.00", f"PRP-GRS01 {invoice.number}")  # paid in full, reflected December 8
    dec10 = date(2026, 12, 10)
    note = credit_note(db, invoice.id, "20.00", today=dec10)
    assert note.applied == ()
    waiting = documents(db, gross, dec10)[note.number]
    assert (waiting.status_text, waiting.status_colour) == (
        "Credit available: €20.00",
        StatusColour.GREEN,
    )
    assert waiting.status_note == "Used to pay your open or next invoices"
    assert apply_pending_credit(db=db, today=dec10) == 0  # still nothing open
    # December's invoice is issued: the credit pays part of it
    stay(db, gross, "BK-D1", date(2026, 12, 10), date(2026, 12, 12), "500.00")
    run(db, DEC, JAN_RUN)  # the run applies waiting credit to what it issued
    january = commission(db, gross, DEC)
    shown = documents(db, gross, JAN_RUN)
    assert shown[january.number].status_text == "You've paid €20.00 of €50.00"
    assert shown[january.number].outstanding == eur("30.00")
    assert shown[note.number].status_text == f"Applied in full to {january.number}"
    before = snapshot(db)
    assert apply_pending_credit(db=db, today=JAN_RUN) == 0  # a rerun changes nothing
    assert snapshot(db) == before


def test_an_over_payment_is_applied_to_the_next_invoice(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    invoice = commission(db, gross, NOV)
    outcome = transfer(db, "100.00", f"PRP-GRS01 {invoice.number}")  # 20.00 left as credit
    assert outcome.credit_left == eur("20.00")
    stay(db, gross, "BK-D1", date(2026, 12, 10), date(2026, 12, 12), "500.00")
    run(db, DEC, JAN_RUN)  # the run applies waiting credit to what it issued
    january = commission(db, gross, DEC)
    assert apply_pending_credit(db=db, today=JAN_RUN) == 0  # nothing left to apply
    last = allocations(db)[-1]
    assert (last.invoice_id, last.payment_id, last.credit_note_id) == (
        january.id,
        outcome.payment_id,
        None,
    )
    assert (last.amount_minor, last.effective_on) == (2000, JAN_RUN)
    assert documents(db, gross, JAN_RUN)[january.number].status_text == (
        "You've paid €20.00 of €50.00"
    )
    with db.read() as s:
        actions = [e.action for e in s.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]
    assert actions[-1] == "partner_credit.applied"


def test_a_processing_over_payment_pays_from_the_day_it_is_reflected(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    invoice = commission(db, gross, NOV)
    outcome = transfer(db, "100.00", f"PRP-GRS01 {invoice.number}")  # reflected December 8
    dec5 = date(2026, 12, 5)
    debit = debit_note(db, invoice.id, "15.00", date(2026, 12, 31), today=dec5)
    assert [(a.invoice_number, a.amount, a.effective_on) for a in debit.applied] == [
        (debit.number, eur("15.00"), outcome.reflected_on)
    ]
    processing = documents(db, gross, dec5)[debit.number]
    assert processing.status_colour is StatusColour.RED
    assert processing.status_note == (
        "Payment processing — it should be reflected by December 8, 2026"
    )
    assert documents(db, gross, outcome.reflected_on)[debit.number].status_text == "Paid"


def test_a_debit_note_has_its_own_due_date_and_is_paid_by_transfer(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    invoice = commission(db, gross, NOV)
    due = date(2026, 12, 31)
    note = debit_note(db, invoice.id, "25.00", due)
    assert note.number == "DN-2026-000001" and note.applied == ()
    with db.read() as s:
        row = s.get(PartnerInvoice, note.id)
    assert (row.kind, row.related_invoice_id, row.period, row.currency) == (
        "debit_note",
        invoice.id,
        "2026-11",
        "EUR",
    )
    assert (row.invoice_date, row.due_date, row.reason) == (TODAY, due, "Late cancellation fee")
    shown = documents(db, gross)[note.number]
    assert (shown.status_text, shown.status_colour) == (
        "Due by December 31, 2026",
        StatusColour.RED,
    )
    assert shown.can_announce and shown.can_close
    view = partner_documents.invoices_view(db=db, partner_id=gross, today=TODAY)
    assert note.number in [s.number for s in view.outstanding]
    assert view.total_due == (eur("105.00"),)
    overdue = documents(db, gross, date(2027, 1, 1))[note.number]
    assert overdue.status_text == "Overdue (due by December 31, 2026)"
    # a transfer quoting the debit note pays it first
    outcome = transfer(db, "25.00", f"PRP-GRS01 {note.number}", external_id="BANK-DN")
    assert outcome.matched and outcome.allocated == ((note.number, eur("25.00")),)
    assert documents(db, gross, date(2026, 12, 8))[note.number].status_text == "Paid"


def test_a_debit_note_due_in_the_past_is_refused(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    invoice = commission(db, gross, NOV)
    before = snapshot(db)
    with pytest.raises(DomainError, match="cannot be in the past") as refused:
        debit_note(db, invoice.id, "25.00", TODAY - timedelta(days=1))
    assert refused.value.field == "due_date"
    with pytest.raises(DomainError, match="more than zero"):
        debit_note(db, invoice.id, "0", TODAY)
    assert snapshot(db) == before


def test_a_new_debit_note_is_paid_from_waiting_credit(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    invoice = commission(db, gross, NOV)
    transfer(db, "80.00", f"PRP-GRS01 {invoice.number}")
    dec10 = date(2026, 12, 10)
    credit = credit_note(db, invoice.id, "20.00", today=dec10)
    debit = debit_note(db, invoice.id, "12.00", date(2026, 12, 31), today=dec10)
    assert [(a.source, a.invoice_number, a.amount) for a in debit.applied] == [
        (credit.number, debit.number, eur("12.00"))
    ]
    shown = documents(db, gross, dec10)
    assert shown[debit.number].status_text == "Paid"
    assert (
        shown[credit.number].status_text == f"Applied €12.00 to {debit.number} · available: €8.00"
    )


def test_credit_is_never_applied_to_a_black_invoice(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    invoice = commission(db, gross, NOV)
    partner_corrections.close_invoice(
        db=db,
        invoice_id=invoice.id,
        to=PartnerInvoiceState.WRITTEN_OFF,
        reason="Unpaid",
        actor=ACTOR,
    )
    note = credit_note(db, invoice.id, "30.00")
    assert note.applied == () and allocations(db) == []
    shown = documents(db, gross)
    assert shown[invoice.number].status_text == "Written off"
    assert shown[invoice.number].outstanding == eur("80.00")
    assert shown[note.number].status_text == "Credit available: €30.00"
    assert apply_pending_credit(db=db, today=TODAY) == 0


def test_numbers_are_gapless_per_kind_and_year(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    invoice = commission(db, gross, NOV)
    numbers = [
        credit_note(db, invoice.id, "1.00", reason="first").number,
        debit_note(db, invoice.id, "1.00", date(2026, 12, 31)).number,
        credit_note(db, invoice.id, "1.00", reason="second").number,
        credit_note(db, invoice.id, "1.00", reason="next year", today=date(2027, 1, 2)).number,
        debit_note(db, invoice.id, "1.00", date(2027, 1, 31), today=date(2027, 1, 2)).number,
    ]
    assert numbers == [
        "CN-2026-000001",
        "DN-2026-000001",
        "CN-2026-000002",
        "CN-2027-000001",
        "DN-2027-000001",
    ]


def test_a_double_click_issues_one_note(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    invoice = commission(db, gross, NOV)
    first = credit_note(db, invoice.id, "10.00")
    before = snapshot(db)
    again = credit_note(db, invoice.id, "10.00")
    assert again.duplicate and (again.id, again.number) == (first.id, first.number)
    assert snapshot(db) == before
    # the same correction a minute later is a new note (staff meant it)
    with db.transaction() as s:
        row = s.get(PartnerInvoice, first.id)
        row.created_at = row.created_at - timedelta(minutes=2)
        s.add(row)
    later = credit_note(db, invoice.id, "10.00")
    assert not later.duplicate and later.number == "CN-2026-000002"


def test_each_note_is_audited_and_emailed_with_its_pdf(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    invoice = commission(db, gross, NOV)
    credit = credit_note(db, invoice.id, "30.00")
    debit = debit_note(db, invoice.id, "25.00", date(2026, 12, 31))
    with db.read() as s:
        events = s.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
        mails = {
            m.dedupe_key: m
            for m in s.exec(select(OutboxMessage).where(OutboxMessage.partner_id == gross)).all()
        }
    actions = [e.action for e in events]
    assert "partner_credit_note.issued" in actions and "partner_debit_note.issued" in actions
    assert "partner_credit.applied" in actions
    mail = mails[f"partner_note_issued:{credit.id}"]
    assert (mail.recipient, mail.attachment) == (
        "prp-grs01@example.com",
        f"partner_invoice_pdf:{credit.id}",
    )
    assert mail.subject.endswith(f"credit note {credit.number} — invoice {invoice.number}")
    assert REASON in mail.body and "not paid out to your bank account" in mail.body
    assert f"Applied to: {invoice.number} (€30.00)." in mail.body
    dmail = mails[f"partner_note_issued:{debit.id}"]
    assert f"Quote this reference: PRP-GRS01 {debit.number}" in dmail.body
    assert "Please pay €25.00 by bank transfer by December 31, 2026." in dmail.body

    pdf = _pdf_text(db, credit.id)
    assert "Credit note" in pdf and credit.number in pdf
    assert f"Corrects invoice {invoice.number}" in pdf and REASON in pdf
    assert "not paid out to your bank account" in pdf and "open or future invoices" in pdf
    assert "it pays the invoice it corrects first" in pdf
    assert "Reservation statement" not in pdf
    assert f"Invoice {invoice.number} remains valid. This credit note deducts €30.00" in pdf
    dpdf = _pdf_text(db, debit.id)
    assert debit.number in dpdf and "Due date" in dpdf and "Dec 31, 2026" in dpdf
    assert f"Quote this reference: PRP-GRS01 {debit.number}" in dpdf


def _pdf_text(db, invoice_id):
    doc = partner_documents.invoice_document(
        db=db, invoice_id=invoice_id, partner_id=None, today=TODAY
    )
    reader = PdfReader(io.BytesIO(render_invoice_pdf(doc)))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


def test_concurrent_credit_and_transfers_never_allocate_twice(ledger):  # noqa: F811
    """A credit note, a transfer and two credit applications on one invoice at once."""
    db, gross = ledger["db"], ledger["gross"]
    invoice = commission(db, gross, NOV)
    errors: list[Exception] = []
    barrier = threading.Barrier(4)

    def go(action):
        try:
            barrier.wait()
            action()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    actions = [
        lambda: credit_note(db, invoice.id, "50.00"),
        lambda: transfer(db, "60.00", f"PRP-GRS01 {invoice.number}", external_id="BANK-C"),
        lambda: apply_pending_credit(db=db, today=TODAY),
        lambda: apply_pending_credit(db=db, today=TODAY),
    ]
    threads = [threading.Thread(target=go, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rows = allocations(db)
    assert sum(a.amount_minor for a in rows if a.invoice_id == invoice.id) == 8000
    assert sum(a.amount_minor for a in rows) == 8000  # 110.00 in, 80.00 applied: 30.00 credit
    shown = documents(db, gross, date(2026, 12, 8))
    assert shown[invoice.number].status_text == "Paid"
