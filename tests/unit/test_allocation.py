"""Allocation of partner payments and credit (the quoted or chosen documents first, then oldest
due first — across a group's properties too, ties by the lower number), and business-day
arithmetic."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from concierge_app.domain.allocation import (
    Allocation,
    OpenItem,
    add_business_days,
    allocate,
    oldest_due_first,
)
from concierge_app.domain.errors import CurrencyMismatch, DomainError
from concierge_app.domain.money import Money


def eur(minor: int) -> Money:
    return Money(minor, "EUR")


ITEMS = [
    OpenItem(2, date(2026, 12, 16), "CM-2026-000002", eur(5000)),
    OpenItem(1, date(2026, 11, 17), "CM-2026-000001", eur(3000)),
]


def test_a_partial_payment_goes_to_the_oldest_due_invoice():
    plan = allocate(eur(2000), ITEMS)
    assert plan.allocations == (Allocation(1, eur(2000)),) and plan.credit_left == eur(0)


def test_a_payment_spills_over_to_the_next_invoice():
    plan = allocate(eur(4000), ITEMS)
    assert plan.allocations == (Allocation(1, eur(3000)), Allocation(2, eur(1000)))


def test_an_over_payment_becomes_credit():
    plan = allocate(eur(9000), ITEMS)
    assert plan.allocated == eur(8000) and plan.credit_left == eur(1000)


def test_nothing_open_makes_everything_credit():
    assert allocate(eur(500), []).credit_left == eur(500)


def test_a_payment_in_another_currency_is_refused():
    with pytest.raises(CurrencyMismatch):
        allocate(Money(100, "USD"), ITEMS)


@pytest.mark.parametrize("minor", [0, -1])
def test_a_payment_must_be_positive(minor):
    with pytest.raises(DomainError):
        allocate(eur(minor), ITEMS)


@given(
    amount=st.integers(min_value=1, max_value=10**9),
    outstanding=st.lists(st.integers(min_value=0, max_value=10**8), max_size=8),
)
def test_allocation_never_loses_or_invents_money(amount, outstanding):
    items = [OpenItem(i, date(2026, 1, 1 + i), f"N{i}", eur(o)) for i, o in enumerate(outstanding)]
    plan = allocate(eur(amount), items)
    assert (plan.allocated + plan.credit_left) == eur(amount)
    for a in plan.allocations:
        assert eur(0) < a.amount <= items[a.invoice_id].outstanding
    # a later item only gets money when every earlier one is fully paid
    paid = {a.invoice_id: a.amount for a in plan.allocations}
    for i, item in enumerate(items[:-1]):
        if items[i + 1].invoice_id in paid:
            assert paid.get(i, eur(0)) == item.outstanding


# A group's documents across two properties: October's due first, November's tie on the date.
OCT_SOL = OpenItem(1, date(2026, 11, 16), "CM-2026-000020", eur(10000))
NOV_MAR = OpenItem(2, date(2026, 12, 16), "CM-2026-000031", eur(5000))
NOV_SOL = OpenItem(3, date(2026, 12, 16), "CM-2026-000030", eur(8000))
OCT_MAR = OpenItem(4, date(2026, 11, 10), "CM-2026-000019", eur(4000))
GROUP = [NOV_SOL, NOV_MAR, OCT_SOL, OCT_MAR]


def paid(plan):
    return [(a.invoice_id, a.amount.minor) for a in plan.allocations]


def test_oldest_due_first_ties_by_the_lower_number():
    assert [i.number for i in oldest_due_first(GROUP)] == [
        "CM-2026-000019",  # due Nov 10
        "CM-2026-000020",  # due Nov 16
        "CM-2026-000030",  # Dec 16: the lower number first
        "CM-2026-000031",
    ]


def test_a_partial_payment_part_pays_the_next_document_and_leaves_the_newer_ones():
    plan = allocate(eur(15000), GROUP)
    assert paid(plan) == [(4, 4000), (1, 10000), (3, 1000)] and plan.credit_left == eur(0)


def test_the_quoted_documents_come_first_then_oldest_due_first():
    plan = allocate(eur(10000), GROUP, first={2})
    assert paid(plan) == [(2, 5000), (4, 4000), (1, 1000)] and plan.credit_left == eur(0)
    # several quoted: oldest due first among them, before every other one
    plan = allocate(eur(30000), GROUP, first={2, 1})
    assert paid(plan) == [(1, 10000), (2, 5000), (4, 4000), (3, 8000)]
    assert plan.credit_left == eur(3000)
    # a quoted id with nothing open changes nothing
    assert allocate(eur(4000), GROUP, first={99}).allocations == (Allocation(4, eur(4000)),)


@given(
    amount=st.integers(min_value=1, max_value=10**9),
    outstanding=st.lists(st.integers(min_value=1, max_value=10**8), max_size=8),
    chosen=st.sets(st.integers(min_value=0, max_value=7)),
)
def test_the_chosen_documents_are_paid_in_full_before_any_other(amount, outstanding, chosen):
    items = [OpenItem(i, date(2026, 1, 8 - i), f"N{i}", eur(o)) for i, o in enumerate(outstanding)]
    plan = allocate(eur(amount), items, first=chosen)
    assert (plan.allocated + plan.credit_left) == eur(amount)
    got = {a.invoice_id: a.amount for a in plan.allocations}
    if any(i not in chosen for i in got):  # money reached the others: the chosen are all paid
        assert all(got.get(i.invoice_id) == i.outstanding for i in items if i.invoice_id in chosen)


def test_business_days_skip_weekends_and_holidays():
    friday = date(2026, 11, 20)
    assert add_business_days(friday, 2) == date(2026, 11, 24)  # Tuesday
    assert add_business_days(friday, 0) == friday
    assert add_business_days(date(2026, 12, 23), 3, holidays=[date(2026, 12, 25)]) == date(
        2026, 12, 29
    )
