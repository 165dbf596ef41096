"""Bank transfers from partners on SQLite and PostgreSQL: matched by reference (property ID +
invoice number) or queued for staff, processing business days before the invoice turns Paid,
recorded once per bank line, over-payment kept as credit, "I've paid"."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlmodel import select

from concierge_app.db.partner_billing import PartnerInvoice
from concierge_app.db.partner_payments import PartnerAllocation, PartnerPayment
from concierge_app.domain.errors import DomainError, NotFound
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import StatusColour
from concierge_app.services.partner.money import transfers as partner_transfers
from concierge_app.services.partner.views import documents as partner_documents

from ..factories import ACTOR, snapshot
from .test_partner_documents import ledger  # noqa: F401  (fixture)

FRIDAY = date(2026, 12, 4)  # received on a Friday: 2 business days → Tuesday
TUESDAY = date(2026, 12, 8)


def eur(text: str) -> Money:
    return Money.parse(text, "EUR")


def invoice_of(db, partner_id) -> PartnerInvoice:
    with db.read() as s:
        return s.exec(select(PartnerInvoice).where(PartnerInvoice.partner_id == partner_id)).one()


def status(db, partner_id, today):
    (summary,) = partner_documents.partner_invoices(db=db, partner_id=partner_id, today=today)
    return summary


def transfer(db, amount, reference, external_id="BANK-1", received_on=FRIDAY):
    return partner_transfers.record_bank_transfer(
        db=db,
        amount=eur(amount),
        reference=reference,
        received_on=received_on,
        external_id=external_id,
        actor=ACTOR,
    )


def test_a_transfer_quoting_property_and_number_is_processing_then_paid(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    invoice = invoice_of(db, gross)
    outcome = transfer(db, "80.00", f"PRP-GRS01 {invoice.number}")
    assert outcome.matched and outcome.partner_code == "PRP-GRS01"
    assert outcome.allocated == ((invoice.number, eur("80.00")),)
    assert outcome.credit_left.is_zero and outcome.reflected_on == TUESDAY
    processing = status(db, gross, date(2026, 12, 7))  # Monday: still processing
    assert processing.status_colour is StatusColour.RED
    assert processing.status_text == "Due by December 16, 2026"
    assert processing.status_note == (
        "Payment processing — it should be reflected by December 8, 2026"
    )
    paid = status(db, gross, TUESDAY)
    assert (paid.status_text, paid.status_colour, paid.status_note) == (
        "Paid",
        StatusColour.GREEN,
        "",
    )
    assert partner_documents.outstanding(db=db, partner_id=gross, today=TUESDAY) == []


def test_the_same_bank_line_twice_changes_nothing(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    number = invoice_of(db, gross).number
    first = transfer(db, "30.00", f"PRP-GRS01 {number}")
    before = snapshot(db)
    again = transfer(db, "30.00", f"PRP-GRS01 {number}")
    assert again.duplicate and again.payment_id == first.payment_id
    assert again.allocated == first.allocated
    assert snapshot(db) == before
    part = status(db, gross, TUESDAY)
    assert part.status_text == "You've paid €30.00 of €80.00"
    assert part.outstanding == eur("50.00")


def test_an_over_payment_is_kept_as_credit_not_lost(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    outcome = transfer(db, "100.00", f"Commission {invoice_of(db, gross).number}")
    assert outcome.matched and outcome.credit_left == eur("20.00")
    with db.read() as s:
        allocated = sum(a.amount_minor for a in s.exec(select(PartnerAllocation)).all())
    assert allocated == 8000


@pytest.mark.parametrize(
    ("reference", "reason"),
    [
        ("thanks for everything", "No property ID or invoice number in the reference."),
        ("PRP-GRS01 CM-2026-999999", "No invoice CM-2026-999999."),
        ("PRP-NET01 {gross_number}", "The property ID and the invoice number belong to"),
        ("PRP-NET01 PRP-GRS01", "The reference names several properties."),
    ],
)
def test_an_unmatched_or_ambiguous_transfer_waits_for_staff(ledger, reference, reason):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    reference = reference.format(gross_number=invoice_of(db, gross).number)
    outcome = transfer(db, "80.00", reference)
    assert not outcome.matched and outcome.allocated == () and outcome.reason.startswith(reason)
    (queued,) = partner_transfers.transfer_queue(db=db)
    assert (queued.payment_id, queued.amount, queued.reference) == (
        outcome.payment_id,
        eur("80.00"),
        reference,
    )
    assert status(db, gross, TUESDAY).status_text == "Due by December 16, 2026"
    assigned = partner_transfers.assign_transfer(
        db=db, payment_id=outcome.payment_id, partner_code="prp-grs01", actor=ACTOR
    )
    assert assigned.allocated == ((invoice_of(db, gross).number, eur("80.00")),)
    assert partner_transfers.transfer_queue(db=db) == []
    assert status(db, gross, TUESDAY).status_text == "Paid"
    with pytest.raises(DomainError):  # not twice
        partner_transfers.assign_transfer(
            db=db, payment_id=outcome.payment_id, partner_code="PRP-GRS01", actor=ACTOR
        )


def test_bad_input_is_refused_and_writes_nothing(ledger):  # noqa: F811
    db = ledger["db"]
    before = snapshot(db)
    with pytest.raises(DomainError, match="more than zero"):
        transfer(db, "0.00", "PRP-GRS01")
    with pytest.raises(DomainError, match="transaction id"):
        transfer(db, "10.00", "PRP-GRS01", external_id="  ")
    with pytest.raises(NotFound, match="Transfer not found"):
        partner_transfers.assign_transfer(db=db, payment_id=1, partner_code="X", actor=ACTOR)
    assert snapshot(db) == before


def test_i_ve_paid_keeps_the_invoice_red_and_says_when_it_should_be_reflected(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    invoice = invoice_of(db, gross)
    expected = partner_transfers.announce_payment(
        db=db, invoice_id=invoice.id, partner_id=gross, today=FRIDAY
    )
    assert expected == TUESDAY
    shown = status(db, gross, FRIDAY)
    assert shown.status_colour is StatusColour.RED
    assert shown.status_note.endswith("December 8, 2026")
    with pytest.raises(NotFound, match="Invoice not found"):  # another partner's invoice
        partner_transfers.announce_payment(
            db=db, invoice_id=invoice.id, partner_id=ledger["villa"], today=FRIDAY
        )
    # said again the same day (a double click): nothing more is written
    before = snapshot(db)
    assert (
        partner_transfers.announce_payment(
            db=db, invoice_id=invoice.id, partner_id=gross, today=FRIDAY
        )
        == TUESDAY
    )
    assert snapshot(db) == before
    # the day it should count, no money came: plain red again, and it can be said again
    later = status(db, gross, TUESDAY)
    assert (later.status_colour, later.status_note, later.processing) == (
        StatusColour.RED,
        "",
        False,
    )
    assert later.can_announce


def test_two_imports_of_the_same_statement_at_once_record_it_once(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    number = invoice_of(db, gross).number
    results, errors = [], []

    def run():
        try:
            results.append(transfer(db, "80.00", f"PRP-GRS01 {number}", external_id="BANK-9"))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(r.duplicate for r in results) == [False, True]
    with db.read() as s:
        assert len(s.exec(select(PartnerPayment)).all()) == 1
        assert sum(a.amount_minor for a in s.exec(select(PartnerAllocation)).all()) == 8000


def test_the_staff_overview_counts_reflected_transfers_as_paid(ledger):  # noqa: F811
    from concierge_app.services.partner.views.finance import staff_finance_overview

    db, gross = ledger["db"], ledger["gross"]
    transfer(db, "30.00", f"PRP-GRS01 {invoice_of(db, gross).number}")

    def balance(today):
        (row,) = [b for b in staff_finance_overview(db=db, today=today) if b.partner_id == gross]
        return row.paid, row.outstanding

    assert balance(date(2026, 12, 7)) == (eur("0.00"), eur("80.00"))  # still processing
    assert balance(TUESDAY) == (eur("30.00"), eur("50.00"))


def test_one_bank_id_with_another_amount_is_refused_not_taken_for_a_duplicate(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    number = invoice_of(db, gross).number
    transfer(db, "30.00", f"PRP-GRS01 {number}", external_id="BANK-7")
    before = snapshot(db)
    with pytest.raises(DomainError, match=r"BANK-7 is already recorded, for 30\.00 EUR, not 45"):
        transfer(db, "45.00", f"PRP-GRS01 {number}", external_id="BANK-7")
    assert snapshot(db) == before
