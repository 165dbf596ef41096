"""How a refund made at the provider is spread over the services its payment paid for."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from concierge_app.domain.errors import CurrencyMismatch
from concierge_app.domain.money import Money
from concierge_app.domain.provider_refunds import RefundableService, split_refund


def eur(minor: int) -> Money:
    return Money(minor, "EUR")


def svc(service_id: int, left: int, *, required: bool = False, order: int | None = None):
    return RefundableService(
        service_id, eur(left), required, service_id if order is None else order
    )


def test_an_exact_match_takes_the_refund_required_service_before_the_latest():
    split = split_refund(eur(5000), [svc(1, 5000, required=True), svc(2, 5000), svc(3, 9000)])
    assert (split.parts, split.leftover, split.exact) == (((1, eur(5000)),), eur(0), True)


def test_an_exact_match_without_refund_required_takes_the_latest_line():
    split = split_refund(eur(5000), [svc(1, 5000), svc(2, 5000)])
    assert split.parts == ((2, eur(5000)),) and split.exact


def test_a_partial_refund_of_the_only_service_is_no_assumption():
    split = split_refund(eur(100), [svc(1, 5000), svc(2, 0)])
    assert (split.parts, split.exact) == (((1, eur(100)),), True)


def test_otherwise_it_is_spread_refund_required_first_then_latest_first_and_flagged():
    split = split_refund(eur(9000), [svc(1, 4000), svc(2, 3000), svc(3, 1000, required=True)])
    assert split.parts == ((3, eur(1000)), (2, eur(3000)), (1, eur(4000)))
    assert split.leftover == eur(1000) and not split.exact


def test_nothing_left_to_give_back_leaves_it_all_over():
    split = split_refund(eur(700), [svc(1, 0)])
    assert (split.parts, split.leftover, split.exact) == ((), eur(700), False)


def test_a_service_paid_in_another_currency_is_refused():
    with pytest.raises(CurrencyMismatch):
        split_refund(eur(1), [RefundableService(1, Money(1, "USD"), False, 1)])


@given(
    amount=st.integers(1, 10**8),
    lefts=st.lists(st.tuples(st.integers(0, 10**7), st.booleans()), max_size=6),
)
def test_the_parts_and_the_leftover_add_up_to_the_refund_and_no_part_exceeds_its_service(
    amount, lefts
):
    services = [svc(i + 1, left, required=req) for i, (left, req) in enumerate(lefts)]
    split = split_refund(eur(amount), services)
    assert sum(m.minor for _, m in split.parts) + split.leftover.minor == amount
    limit = {s.service_id: s.refundable.minor for s in services}
    assert all(0 < m.minor <= limit[sid] for sid, m in split.parts)
    assert len({sid for sid, _ in split.parts}) == len(split.parts)
    assert split.leftover.minor >= 0
