"""The partner ledger on SQLite and PostgreSQL: every document, payment and allocation in date
order with the running balance; a transfer processing is shown but not counted yet; a failed
direct debit is reversed; the closing balance is always the outstanding documents minus the
credit not applied yet; a partner sees only its own ledger."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update
from sqlmodel import select

from concierge_app.db.partner_billing import PartnerInvoice
from concierge_app.db.partner_payments import PartnerAllocation, PartnerPayment
from concierge_app.db.types import utcnow
from concierge_app.domain.money import Money
from concierge_app.services.partner.views import documents as partner_documents
from concierge_app.services.partner.views.ledger import RowKind, balance_text, ledger, signed

from .test_partner_documents import NOV, TODAY
from .test_partner_documents import ledger as documents_ledger  # noqa: F401  (fixture)
from .test_partner_notes import commission, credit_note, debit_note, two_months  # noqa: F401
from .test_partner_transfers import eur, transfer

DEC10 = date(2026, 12, 10)


def table(book):
    """(day, kind, reference, amount, balance, counted) per row, amounts as text."""
    return [
        (
            r.day.isoformat(),
            r.kind.value,
            r.reference,
            None if r.amount is None else str(r.amount),
            str(r.balance),
            r.counted,
        )
        for r in book.rows
    ]


def only(db, partner_id, today):
    (book,) = ledger(db=db, partner_id=partner_id, today=today)
    assert book.closing == book.outstanding - book.credit  # always
    total_due = partner_documents.invoices_view(db=db, partner_id=partner_id, today=today).total_due
    assert book.outstanding == (total_due[0] if total_due else Money.zero(book.currency))
    return book


def test_documents_payments_notes_and_allocations_with_the_running_balance(two_months):  # noqa: F811
    db, gross = two_months["db"], two_months["gross"]
    oct_, nov = two_months["oct"], two_months["nov"]
    transfer(db, "100.00", f"PRP-GRS01 {oct_.number}")  # Friday Dec 4, reflected Tuesday Dec 8
    dn = debit_note(db, nov.id, "25.00", date(2026, 12, 31), today=date(2026, 12, 9))
    cn = credit_note(db, nov.id, "10.00", today=date(2026, 12, 9))
    book = only(db, gross, DEC10)
    assert book.currency == "EUR"
    assert table(book) == [
        ("2026-11-03", "document", oct_.number, "60.00 EUR", "60.00 EUR", True),
        ("2026-12-02", "document", nov.number, "80.00 EUR", "140.00 EUR", True),
        ("2026-12-04", "payment", "Bank transfer", "-100.00 EUR", "40.00 EUR", True),
        ("2026-12-08", "allocation", oct_.number, None, "40.00 EUR", True),
        ("2026-12-08", "allocation", nov.number, None, "40.00 EUR", True),
        ("2026-12-09", "document", dn.number, "25.00 EUR", "65.00 EUR", True),
        ("2026-12-09", "credit_note", cn.number, "-10.00 EUR", "55.00 EUR", True),
        ("2026-12-09", "allocation", nov.number, None, "55.00 EUR", True),
    ]
    # 80 − 40 − 10 left on November, 25 on the debit note; nothing waits as credit
    assert (book.closing, book.outstanding, book.credit) == (eur("55.00"), eur("55.00"), eur("0"))
    rows = {(r.kind, r.reference, r.description) for r in book.rows}
    assert (
        RowKind.PAYMENT,
        "Bank transfer",
        f'Bank transfer — reference "PRP-GRS01 {oct_.number}"',
    ) in rows
    assert (
        RowKind.DOCUMENT,
        dn.number,
        f"Debit note to {nov.number}: Late cancellation fee",
    ) in rows
    details = [r.description for r in book.rows if r.kind is RowKind.ALLOCATION]
    assert details == [
        f"€60.00 of the bank transfer applied to {oct_.number}",
        f"€40.00 of the bank transfer applied to {nov.number}",
        f"€10.00 of credit note {cn.number} applied to {nov.number}",
    ]


def test_a_payout_deduction_and_waiting_credit(documents_ledger):  # noqa: F811
    db, villa = documents_ledger["db"], documents_ledger["villa"]
    invoice = commission(db, villa, NOV)
    cn = credit_note(db, invoice.id, "25.00")  # nothing open: it waits
    book = only(db, villa, TODAY)
    assert table(book) == [
        ("2026-12-02", "document", invoice.number, "525.00 EUR", "525.00 EUR", True),
        ("2026-12-02", "deduction", invoice.number, "-525.00 EUR", "0.00 EUR", True),
        ("2026-12-05", "credit_note", cn.number, "-25.00 EUR", "-25.00 EUR", True),
    ]
    assert book.rows[1].description == "Deducted from your payout"
    assert (book.closing, book.outstanding, book.credit) == (eur("-25.00"), eur("0"), eur("25.00"))
    assert (
        balance_text(book.closing),
        signed(book.rows[0].amount),
        signed(book.rows[1].amount),
    ) == (
        "−€25.00",
        "+€525.00",
        "−€525.00",
    )


def test_a_transfer_processing_is_shown_but_counts_from_its_day(documents_ledger):  # noqa: F811
    db, gross = documents_ledger["db"], documents_ledger["gross"]
    invoice = commission(db, gross, NOV)
    transfer(db, "100.00", f"PRP-GRS01 {invoice.number}")
    monday = only(db, gross, date(2026, 12, 7))
    assert table(monday) == [
        ("2026-12-02", "document", invoice.number, "80.00 EUR", "80.00 EUR", True),
        ("2026-12-04", "payment", "Bank transfer", "-100.00 EUR", "80.00 EUR", False),
        ("2026-12-08", "allocation", invoice.number, None, "80.00 EUR", True),
    ]
    assert monday.rows[1].note == "Processing until December 8, 2026: counts from then"
    assert monday.rows[2].note == "Counts from December 8, 2026"
    assert (monday.closing, monday.credit) == (eur("80.00"), eur("0"))
    tuesday = only(db, gross, date(2026, 12, 8))
    assert [r.balance for r in tuesday.rows] == [eur("80.00"), eur("-20.00"), eur("-20.00")]
    assert (tuesday.outstanding, tuesday.credit) == (eur("0"), eur("20.00"))  # over-payment


def test_a_failed_payment_is_shown_then_reversed(documents_ledger):  # noqa: F811
    db, gross = documents_ledger["db"], documents_ledger["gross"]
    invoice = commission(db, gross, NOV)
    outcome = transfer(db, "80.00", f"PRP-GRS01 {invoice.number}")
    # as the direct-debit job records a failure: the payment failed, its allocations reversed
    failed_at = utcnow().replace(year=2026, month=12, day=9)
    with db.transaction() as s:
        s.exec(
            update(PartnerPayment)
            .where(PartnerPayment.id == outcome.payment_id)
            .values(status="failed", failure_reason="Insufficient funds", failed_at=failed_at)
        )
        s.exec(
            update(PartnerAllocation)
            .where(PartnerAllocation.payment_id == outcome.payment_id)
            .values(reversed_at=failed_at)
        )
    book = only(db, gross, DEC10)
    assert table(book) == [
        ("2026-12-02", "document", invoice.number, "80.00 EUR", "80.00 EUR", True),
        ("2026-12-04", "payment", "Bank transfer", "-80.00 EUR", "0.00 EUR", True),
        ("2026-12-08", "allocation", invoice.number, None, "0.00 EUR", True),
        ("2026-12-09", "payment_failed", "Bank transfer", "80.00 EUR", "80.00 EUR", True),
    ]
    assert book.rows[1].note == "Failed: Insufficient funds"
    assert book.rows[2].note == "Reversed"
    assert (book.closing, book.outstanding, book.credit) == (eur("80.00"), eur("80.00"), eur("0"))


def test_a_partner_sees_only_its_own_ledger(documents_ledger):  # noqa: F811
    db = documents_ledger["db"]
    gross, villa, chef = (documents_ledger[k] for k in ("gross", "villa", "chef"))
    transfer(db, "80.00", f"PRP-GRS01 {commission(db, gross, NOV).number}")
    credit_note(db, commission(db, villa, NOV).id, "5.00")
    with db.read() as s:
        owner = {i.number: i.partner_id for i in s.exec(select(PartnerInvoice)).all()}
    for me in (gross, villa, chef):
        (book,) = ledger(db=db, partner_id=me, today=DEC10)
        documents = {r.reference for r in book.rows if r.kind is not RowKind.PAYMENT}
        assert documents and all(owner[n] == me for n in documents)
        payments = [r for r in book.rows if r.kind is RowKind.PAYMENT]
        assert len(payments) == (1 if me == gross else 0)
    assert ledger(db=db, partner_id=999_999, today=DEC10) == []
