"""A group's payment spread over its properties' documents: quoted first, then oldest due first
across properties (ties by number), partial, over-payment kept as credit, currencies never
mixed."""

from __future__ import annotations

from datetime import date

import pytest

from concierge_app.domain.errors import DomainError
from concierge_app.domain.group_allocation import GroupItem, group_order, plan_group_payment
from concierge_app.domain.money import Money

SOL, MAR = ("PRP-1004", "Villa Sol Ibiza"), ("PRP-1005", "Casa Mar Mallorca")


def eur(text: str) -> Money:
    return Money.parse(text, "EUR")


def item(invoice_id, due, number, amount, prop=SOL, currency="EUR") -> GroupItem:
    return GroupItem(invoice_id, due, number, Money.parse(amount, currency), *prop)


OCT_SOL = item(1, date(2026, 11, 16), "CM-2026-000020", "100.00", SOL)
NOV_MAR = item(2, date(2026, 12, 16), "CM-2026-000031", "50.00", MAR)
NOV_SOL = item(3, date(2026, 12, 16), "CM-2026-000030", "80.00", SOL)
OCT_MAR = item(4, date(2026, 11, 10), "CM-2026-000019", "40.00", MAR)
ITEMS = [NOV_SOL, NOV_MAR, OCT_SOL, OCT_MAR]


def lines(plan):
    return [
        (ln.number, ln.property_code, ln.applied.amount_text(), ln.still_due.amount_text())
        for ln in plan.lines
    ]


def test_oldest_due_first_across_properties_ties_by_number():
    assert [i.number for i in group_order(ITEMS)] == [
        "CM-2026-000019",  # Casa Mar, due Nov 10
        "CM-2026-000020",  # Villa Sol, due Nov 16
        "CM-2026-000030",  # Dec 16: the lower number first
        "CM-2026-000031",
    ]


def test_a_payment_for_everything_pays_every_document_in_that_order():
    plan = plan_group_payment(eur("270.00"), ITEMS)
    assert lines(plan) == [
        ("CM-2026-000019", "PRP-1005", "40.00", "0.00"),
        ("CM-2026-000020", "PRP-1004", "100.00", "0.00"),
        ("CM-2026-000030", "PRP-1004", "80.00", "0.00"),
        ("CM-2026-000031", "PRP-1005", "50.00", "0.00"),
    ]
    assert plan.credit_left.is_zero and plan.allocated == eur("270.00")


def test_a_partial_payment_part_pays_the_next_document_and_leaves_the_newer_ones():
    plan = plan_group_payment(eur("150.00"), ITEMS)
    assert lines(plan) == [
        ("CM-2026-000019", "PRP-1005", "40.00", "0.00"),
        ("CM-2026-000020", "PRP-1004", "100.00", "0.00"),
        ("CM-2026-000030", "PRP-1004", "10.00", "70.00"),
    ]
    assert plan.credit_left.is_zero


def test_quoted_documents_come_first_then_oldest_due_first():
    plan = plan_group_payment(eur("100.00"), ITEMS, first={2})
    assert lines(plan) == [
        ("CM-2026-000031", "PRP-1005", "50.00", "0.00"),
        ("CM-2026-000019", "PRP-1005", "40.00", "0.00"),
        ("CM-2026-000020", "PRP-1004", "10.00", "90.00"),
    ]


def test_an_over_payment_is_kept_as_credit():
    plan = plan_group_payment(eur("300.01"), ITEMS)
    assert plan.credit_left == eur("30.01") and plan.allocated == eur("270.00")
    nothing_due = plan_group_payment(eur("12.00"), [])
    assert nothing_due.lines == () and nothing_due.credit_left == eur("12.00")


def test_currencies_are_never_mixed():
    usd = item(5, date(2026, 10, 1), "CM-2026-000001", "500.00", MAR, currency="USD")
    plan = plan_group_payment(eur("60.00"), [usd, *ITEMS])
    assert [ln.number for ln in plan.lines] == ["CM-2026-000019", "CM-2026-000020"]
    assert {ln.applied.currency for ln in plan.lines} == {"EUR"}
    in_dollars = plan_group_payment(Money.parse("600.00", "USD"), [usd, *ITEMS])
    assert lines(in_dollars) == [("CM-2026-000001", "PRP-1005", "500.00", "0.00")]
    assert in_dollars.credit_left == Money.parse("100.00", "USD")


def test_a_payment_of_nothing_is_refused():
    with pytest.raises(DomainError, match="more than zero"):
        plan_group_payment(eur("0.00"), ITEMS)
