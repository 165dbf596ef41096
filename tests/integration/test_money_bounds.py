"""Money bounds on SQLite and PostgreSQL: every amount a person or a file enters is bounded by
what one payment can take (999,999.99 EUR: Stripe's eight digits), totals stay in 64 bits, and
each refusal says why and writes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from concierge_app.domain.bank_statement import BankLineInvalid, StatementRefused
from concierge_app.domain.charge_limits import max_charge
from concierge_app.domain.errors import DomainError, InvalidAmount
from concierge_app.domain.money import Money
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services.guest import portfolio, refunds
from concierge_app.services.guest.portal import guest_portal
from concierge_app.services.guest.queries import payments_panel
from concierge_app.services.partner.money import notes as partner_notes
from concierge_app.services.partner.money.bank_statement import (
    import_bank_statement,
    record_transfer_entry,
)
from concierge_app.services.payments import checkout

from ..factories import ACTOR, add_service, draft_id, make_world, pay, send_draft, snapshot
from .test_bank_statement_import import HEADER, number_of
from .test_partner_documents import ledger  # noqa: F401  (fixture)

TOO_BIG = "99999999999"  # 99,999,999,999 EUR: accepted before, and wedged the booking


def add(w, gross: str, strategy=S.PLATFORM_COLLECTS_FULL, deposit: str | None = None) -> int:
    return portfolio.add_service_item(
        db=w.db,
        booking_id=w.booking_id,
        operator_id=w.operator_id,
        title="Yacht week",
        service_date=date(2026, 7, 2),
        gross=Money.parse(gross, w.currency, field="gross_price"),
        strategy=strategy,
        deposit=None if deposit is None else Money.parse(deposit, w.currency),
        actor=ACTOR,
    )


@pytest.mark.parametrize(
    ("gross", "deposit", "strategy", "said"),
    [
        (TOO_BIG, None, S.PLATFORM_COLLECTS_FULL, "at most 999999.99 EUR"),
        ("100000000000000000000", None, S.PLATFORM_COLLECTS_FULL, "is not an amount"),  # 10^20
        (TOO_BIG, None, S.OPERATOR_COLLECTS_FULL, "at most 999999.99 EUR"),
        ("999999.99", "1000000.00", S.PLATFORM_COLLECTS_DEPOSIT, "at most 999999.99 EUR"),
        ("０１２３", None, S.PLATFORM_COLLECTS_FULL, "Use digits 0-9"),
        ("0", None, S.PLATFORM_COLLECTS_FULL, "needs a price above zero"),
        ("0.00", None, S.PLATFORM_COLLECTS_FULL, "needs a price above zero"),
    ],
)
def test_an_unchargeable_service_price_is_refused_and_writes_nothing(
    db, gross, deposit, strategy, said
):
    w = make_world(db)
    before = snapshot(db)
    with pytest.raises(DomainError, match=said):
        add(w, gross, strategy, deposit)
    assert snapshot(db) == before


def test_a_draft_never_grows_past_what_one_payment_can_take(db):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "600000.00")
    draft = draft_id(w)
    second = add_service(w, S.PLATFORM_COLLECTS_FULL, "400000.00", confirm=False)
    before = snapshot(db)
    with pytest.raises(InvalidAmount, match=r"would come to 1000000\.00 EUR.*Send the draft first"):
        portfolio.confirm_service(db=db, service_id=second, actor=ACTOR)
    assert snapshot(db) == before
    assert payments_panel(db=db, booking_id=w.booking_id).draft.total == w.money("600000.00")
    send_draft(w)  # the next confirmation opens a fresh draft
    portfolio.confirm_service(db=db, service_id=second, actor=ACTOR)
    assert draft_id(w) != draft


def test_pay_all_over_the_limit_is_split_and_one_checkout_over_it_refused(db):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "600000.00")
    first = send_draft(w)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "500000.00")
    second = send_draft(w)
    groups = guest_portal(db=db, booking_id=w.booking_id).pay_all
    assert [g.invoice_ids for g in groups] == [(first,), (second,)]
    before = snapshot(db)
    with pytest.raises(InvalidAmount, match=r"1100000.00 EUR, more than one payment can take"):
        checkout.start_payment_attempt(db=db, invoice_ids=[first, second], actor="guest")
    assert snapshot(db) == before


def test_a_refund_is_bounded_like_any_amount(db):
    w = make_world(db)
    service = add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00")
    pay(w, [send_draft(w)])
    before = snapshot(db)
    for amount in (Money.parse(TOO_BIG, "EUR"), Money.parse("100.01", "EUR")):
        with pytest.raises(InvalidAmount, match=r"at most 100\.00 EUR"):
            refunds.record_refund(db=db, service_id=service, amount=amount, note="x", actor=ACTOR)
    assert snapshot(db) == before


def test_a_transfer_or_statement_row_over_the_limit_is_refused(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    number = number_of(db, gross)
    before = snapshot(db)
    fields = {
        "received_on": "2026-12-04",
        "amount": TOO_BIG,
        "currency": "EUR",
        "reference": f"PRP-GRS01 {number}",
        "payer": "Grs Villas LLC",
        "transaction_id": "STMT-9",
    }
    with pytest.raises(BankLineInvalid) as refused:
        record_transfer_entry(db=db, fields=fields, actor=ACTOR)
    assert "at most 999999.99 EUR" in str(refused.value.problems)
    for amount in (TOO_BIG, "１２.００", "1" * 400):
        text = f"{HEADER}\n2026-12-04,{amount},EUR,PRP-GRS01 {number},Grs Villas LLC,STMT-8\n"
        with pytest.raises(StatementRefused) as refused:
            import_bank_statement(db=db, csv_text=text, actor=ACTOR)
        assert refused.value.problems[0].startswith("Row 2 (amount):")
    assert snapshot(db) == before


def test_a_debit_note_over_the_limit_is_refused(ledger):  # noqa: F811
    from sqlmodel import select

    from concierge_app.db.partner_billing import PartnerInvoice

    db, gross = ledger["db"], ledger["gross"]
    with db.read() as s:
        invoice = s.exec(select(PartnerInvoice).where(PartnerInvoice.partner_id == gross)).one()
    before = snapshot(db)
    with pytest.raises(DomainError, match=r"at most 999999\.99 EUR"):
        partner_notes.issue_debit_note(
            db=db,
            invoice_id=invoice.id,
            amount=max_charge("EUR") + Money(1, "EUR"),
            reason="Late fee",
            due_date=date(2026, 12, 31),
            actor=ACTOR,
            today=date(2026, 12, 4),
        )
    assert snapshot(db) == before


def test_a_credit_note_or_accommodation_payment_over_the_limit_is_refused(ledger):  # noqa: F811
    from sqlmodel import select

    from concierge_app.db.partner_billing import PartnerInvoice
    from concierge_app.services.guest import bookings

    db, gross = ledger["db"], ledger["gross"]
    with db.read() as s:
        invoice = s.exec(select(PartnerInvoice).where(PartnerInvoice.partner_id == gross)).one()
    w = make_world(db)
    before = snapshot(db)
    too_much = max_charge("EUR") + Money(1, "EUR")
    with pytest.raises(DomainError, match=r"A credit note of 1000000\.00 EUR .* at most 999999"):
        partner_notes.issue_credit_note(
            db=db,
            invoice_id=invoice.id,
            amount=too_much,
            reason="Wrong rate",
            actor=ACTOR,
            today=date(2026, 12, 4),
        )
    with pytest.raises(InvalidAmount, match=r"A payment of 1000000\.00 EUR .* at most 999999"):
        bookings.record_accommodation_payment(
            db=db,
            booking_id=w.booking_id,
            amount=too_much,
            received_on=date(2026, 12, 4),
            method="card",
            actor=ACTOR,
        )
    assert snapshot(db) == before
