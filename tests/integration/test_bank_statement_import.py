"""Importing a bank statement CSV, and transfers typed by staff, on SQLite and PostgreSQL: rows
matched and allocated or queued; one bad row writes nothing; the same file twice records
nothing new."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from concierge_app.db.audit import AuditEvent
from concierge_app.db.partner_billing import PartnerInvoice
from concierge_app.db.partner_payments import PartnerPayment
from concierge_app.domain.bank_statement import BankLineInvalid, StatementRefused
from concierge_app.domain.money import Money
from concierge_app.services.partner.money import transfers as partner_transfers
from concierge_app.services.partner.money.bank_statement import (
    describe_transfer,
    import_bank_statement,
    record_transfer_entry,
)
from concierge_app.services.partner.views import documents as partner_documents

from ..factories import ACTOR, add_staff, snapshot
from .test_partner_documents import ledger  # noqa: F401  (fixture)

HEADER = "Date,Amount,Currency,Reference,Payer,Transaction ID"
TUESDAY = date(2026, 12, 8)  # a transfer received on Friday 4 December is reflected then


def number_of(db, partner_id) -> str:
    with db.read() as s:
        return (
            s.exec(select(PartnerInvoice).where(PartnerInvoice.partner_id == partner_id))
            .one()
            .number
        )


def statement(number: str) -> str:
    return (
        f"{HEADER}\n"
        f"2026-12-04,30.00,EUR,PRP-GRS01 {number},Grs Villas LLC,STMT-1\n"
        "2026-12-04,12.50,EUR,December thanks,Unknown Ltd,STMT-2\n"
    )


def payments(db) -> list[PartnerPayment]:
    with db.read() as s:
        return list(s.exec(select(PartnerPayment).order_by(PartnerPayment.id)).all())


def test_a_good_statement_records_each_transfer_matched_or_queued(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    number = number_of(db, gross)
    result = import_bank_statement(db=db, csv_text=statement(number), actor=ACTOR)
    assert (result.rows, result.recorded, result.matched, result.queued, result.duplicates) == (
        2,
        2,
        1,
        1,
        0,
    )
    assert result.summary == ("2 transfers in the file: 2 recorded, 1 matched, 1 queued for staff.")
    matched, queued = result.outcomes
    assert (matched.row, matched.transaction_id, matched.status) == (2, "STMT-1", "matched")
    assert matched.outcome.partner_code == "PRP-GRS01"
    assert matched.outcome.allocated == ((number, Money(3000, "EUR")),)
    assert (queued.row, queued.status) == (3, "queued")
    assert queued.outcome.reason == "No property ID or invoice number in the reference."

    stored = payments(db)
    assert [(p.external_id, p.amount_minor, p.payer, p.status, p.created_by) for p in stored] == [
        ("STMT-1", 3000, "Grs Villas LLC", "applied", ACTOR),
        ("STMT-2", 1250, "Unknown Ltd", "queued", ACTOR),
    ]
    (waiting,) = partner_transfers.transfer_queue(db=db)
    assert (waiting.payment_id, waiting.reference, waiting.payer) == (
        queued.outcome.payment_id,
        "December thanks",
        "Unknown Ltd",
    )
    (summary,) = partner_documents.partner_invoices(db=db, partner_id=gross, today=TUESDAY)
    assert summary.status_text == "You've paid €30.00 of €80.00"
    with db.read() as s:
        actions = [e.action for e in s.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]
    assert actions[-2:] == ["partner_payment.received", "partner_payment.queued"]


def test_a_statement_with_one_bad_row_writes_nothing(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    text = statement(number_of(db, gross)) + "2026-12-04,12.345,EUR,PRP-GRS01,,STMT-3\n"
    before = snapshot(db)
    with pytest.raises(StatementRefused) as refused:
        import_bank_statement(db=db, csv_text=text, actor=ACTOR)
    assert refused.value.problems == (
        "Row 4 (amount): EUR amounts have at most 2 decimals; '12.345' has more.",
    )
    assert snapshot(db) == before
    assert payments(db) == []


def test_the_same_statement_twice_records_nothing_new(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    text = statement(number_of(db, gross))
    first = import_bank_statement(db=db, csv_text=text, actor=ACTOR)
    add_staff(db, "someone.else@test.example")
    before = snapshot(db)
    again = import_bank_statement(db=db, csv_text=text, actor="someone.else@test.example")
    assert (again.rows, again.recorded, again.matched, again.queued, again.duplicates) == (
        2,
        0,
        0,
        0,
        2,
    )
    assert [o.status for o in again.outcomes] == ["already recorded", "already recorded"]
    assert [o.outcome.payment_id for o in again.outcomes] == [
        o.outcome.payment_id for o in first.outcomes
    ]
    assert again.outcomes[0].outcome.allocated == first.outcomes[0].outcome.allocated
    assert again.summary.endswith("0 recorded, 0 matched, 0 queued for staff, 2 already recorded.")
    assert snapshot(db) == before


def test_a_transfer_typed_by_staff_then_in_the_statement_is_recorded_once(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    number = number_of(db, gross)
    typed = record_transfer_entry(
        db=db,
        fields={
            "received_on": "2026-12-04",
            "amount": "30.00",
            "currency": "EUR",
            "reference": f"PRP-GRS01 {number}",
            "payer": "Grs Villas LLC",
            "transaction_id": "STMT-1",
        },
        actor=ACTOR,
    )
    assert typed.matched and not typed.duplicate
    assert describe_transfer(typed, today=date(2026, 12, 5)) == (
        f"Matched to PRP-GRS01: {number} €30.00 — processing until Dec 8, 2026."
    )
    result = import_bank_statement(db=db, csv_text=statement(number), actor=ACTOR)
    assert [o.status for o in result.outcomes] == ["already recorded", "queued"]
    assert (result.recorded, result.duplicates) == (1, 1)
    assert len(payments(db)) == 2


def test_a_bad_typed_transfer_lists_its_problems_and_writes_nothing(ledger):  # noqa: F811
    db = ledger["db"]
    before = snapshot(db)
    with pytest.raises(BankLineInvalid) as refused:
        record_transfer_entry(
            db=db,
            fields={"received_on": "2026-12-04", "amount": "0", "currency": "EUR"},
            actor=ACTOR,
        )
    assert dict(refused.value.problems) == {
        "amount": "An incoming transfer is more than zero; '0' is not.",
        "transaction_id": "The bank's transaction id is missing.",
    }
    assert snapshot(db) == before


def test_outcomes_are_described_for_staff(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    number = number_of(db, gross)
    result = import_bank_statement(
        db=db,
        csv_text=f"{HEADER}\n2026-12-04,100.00,EUR,{number},,OVER-1\n"
        "2026-12-04,5.00,EUR,PRP-NET01 PRP-GRS01,,AMBIG-1\n",
        actor=ACTOR,
    )
    over, ambiguous = (o.outcome for o in result.outcomes)
    assert describe_transfer(over, today=date(2026, 12, 9)) == (
        f"Matched to PRP-GRS01: {number} €80.00; €20.00 kept as credit — paid from Dec 8, 2026."
    )
    assert describe_transfer(ambiguous, today=date(2026, 12, 9)) == (
        "Queued: The reference names several properties."
    )
    again = import_bank_statement(
        db=db, csv_text=f"{HEADER}\n2026-12-04,5.00,EUR,PRP-NET01 PRP-GRS01,,AMBIG-1\n", actor=ACTOR
    )
    assert describe_transfer(again.outcomes[0].outcome, today=date(2026, 12, 9)) == (
        "Already recorded — nothing changed. Queued: The reference names several properties."
    )
