"""The direct debit's pure rules: what a collection takes and leaves (black, failed this month, a
transfer processing), its ids, its day, a new mandate's reference, the bank's reason; and
reading the bank's answer from a Stripe event."""

from __future__ import annotations

from datetime import date

import pytest

from concierge_app.adapters.payments.stripe_events import parse
from concierge_app.domain.allocation import OpenItem
from concierge_app.domain.direct_debit import (
    BANK_REFUSED,
    COLLECTION_DAY,
    collection_day,
    debit_external_id,
    failure_reason,
    month_prefix,
    new_mandate_reference,
    plan_collection,
    scheduled_collection_due,
)
from concierge_app.domain.errors import DomainError
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import PartnerInvoiceState as St
from concierge_app.domain.partner_billing import Period


def item(invoice_id: int, due: date, minor: int) -> OpenItem:
    return OpenItem(invoice_id, due, f"CM-2026-{invoice_id:06d}", Money(minor, "EUR"))


def test_a_collection_takes_every_open_issued_document_oldest_due_first():
    items = [item(2, date(2026, 12, 16), 3600), item(1, date(2026, 11, 16), 720)]
    plan = plan_collection(items, {1: St.ISSUED, 2: St.ISSUED}, failed_this_month=())
    assert [i.invoice_id for i in plan.collect] == [1, 2]
    assert plan.amount == Money(4320, "EUR")
    assert plan.black == plan.failed_this_month == ()


def test_black_documents_and_those_whose_debit_failed_this_month_are_left():
    items = [
        item(1, date(2026, 10, 16), 500),
        item(2, date(2026, 11, 16), 600),
        item(3, date(2026, 12, 16), 700),
        item(4, date(2026, 12, 16), 800),
    ]
    states = {1: St.WRITTEN_OFF, 2: St.LEGAL, 3: St.ISSUED, 4: St.ISSUED}
    plan = plan_collection(items, states, failed_this_month={3})
    assert [i.invoice_id for i in plan.black] == [1, 2]
    assert [i.invoice_id for i in plan.failed_this_month] == [3]
    assert [i.invoice_id for i in plan.collect] == [4]
    assert plan.amount == Money(800, "EUR")


def test_documents_with_a_bank_transfer_processing_are_left():
    items = [item(1, date(2026, 11, 16), 500), item(2, date(2026, 12, 16), 700)]
    plan = plan_collection(items, {1: St.ISSUED, 2: St.ISSUED}, (), processing={1})
    assert [i.invoice_id for i in plan.processing] == [1]
    assert [i.invoice_id for i in plan.collect] == [2]
    assert plan.amount == Money(700, "EUR")
    # black or failed this month is the reason given first
    plan = plan_collection(items, {1: St.LEGAL, 2: St.ISSUED}, {2}, processing={1, 2})
    assert ([i.invoice_id for i in plan.black], [i.invoice_id for i in plan.failed_this_month]) == (
        [1],
        [2],
    )
    assert plan.processing == plan.collect == () and plan.amount is None


def test_the_collection_day_of_a_month():
    assert collection_day(Period(2026, 12)) == date(2026, 12, COLLECTION_DAY)
    assert scheduled_collection_due(collection_day(Period(2027, 2)))


def test_nothing_to_collect_has_no_amount():
    plan = plan_collection([item(1, date(2026, 12, 16), 0)], {1: St.ISSUED}, ())
    assert plan.collect == () and plan.amount is None
    only_black = plan_collection([item(1, date(2026, 12, 16), 10)], {1: St.WRITTEN_OFF}, ())
    assert only_black.amount is None and len(only_black.black) == 1


def test_a_collection_id_is_stable_per_partner_currency_month_and_attempt():
    dec = Period(2026, 12)
    assert debit_external_id("OPR-2003", "EUR", dec, 1) == "DD-OPR-2003-EUR-2026-12-1"
    assert debit_external_id("OPR-2003", "EUR", dec, 2).startswith(
        month_prefix("OPR-2003", "EUR", dec)
    )
    assert not debit_external_id("OPR-2003", "EUR", dec.next(), 1).startswith(
        month_prefix("OPR-2003", "EUR", dec)
    )
    with pytest.raises(ValueError):
        debit_external_id("OPR-2003", "EUR", dec, 0)


@pytest.mark.parametrize(
    ("day", "due"),
    [(1, False), (COLLECTION_DAY - 1, False), (COLLECTION_DAY, True), (28, True), (31, True)],
)
def test_the_schedule_collects_from_the_collection_day_of_the_month(day, due):
    assert scheduled_collection_due(date(2026, 12, day)) is due


def test_a_new_mandate_reference_is_a_valid_sepa_reference():
    assert new_mandate_reference("OPR-2003", "7f3a2c") == "MNDT-OPR-2003-7F3A2C"
    with pytest.raises(DomainError, match="cannot be a SEPA mandate reference"):
        new_mandate_reference("OPR_2003", "7f3a2c")  # "_" is not a SEPA character
    with pytest.raises(DomainError, match="cannot be a SEPA mandate reference"):
        new_mandate_reference("X" * 30, "7f3a2c")  # longer than 35


def test_the_bank_s_reason_is_its_message_else_its_code_else_a_default():
    assert failure_reason("  Account  closed. ") == "Account closed."
    assert failure_reason(None, "insufficient_funds") == (
        "The bank refused the direct debit (insufficient funds)."
    )
    assert failure_reason("", None) == BANK_REFUSED


def _intent_event(kind: str, metadata: object) -> dict:
    return {
        "id": "evt_1",
        "type": kind,
        "data": {
            "object": {
                "id": "pi_1",
                "object": "payment_intent",
                "amount": 1440,
                "currency": "eur",
                "metadata": metadata,
                "last_payment_error": {"code": "insufficient_funds", "message": "No money."},
            }
        },
    }


def test_a_payment_intent_event_of_a_partner_direct_debit_is_read():
    event = parse(
        _intent_event(
            "payment_intent.payment_failed",
            {"kind": "partner_direct_debit", "partner_payment_id": "12"},
        )
    )
    assert event.is_direct_debit_answer and event.direct_debit_payment_id == 12
    assert (event.object_id, event.amount) == ("pi_1", Money(1440, "EUR"))
    assert (event.failure_reason, event.failure_code) == ("No money.", "insufficient_funds")


@pytest.mark.parametrize(
    ("kind", "metadata"),
    [
        ("payment_intent.payment_failed", {"attempt_id": "pa_1"}),  # a guest checkout's
        ("payment_intent.payment_failed", {"kind": "partner_direct_debit"}),  # no payment id
        ("payment_intent.processing", {"kind": "partner_direct_debit", "partner_payment_id": "1"}),
        ("payment_intent.payment_failed", ["not", "a", "dict"]),
    ],
)
def test_other_payment_intent_events_are_not_direct_debit_answers(kind, metadata):
    assert not parse(_intent_event(kind, metadata)).is_direct_debit_answer
