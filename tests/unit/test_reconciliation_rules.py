"""The reconciliation matcher (domain/reconciliation.py): each outcome, duplicates, currencies,
zero and huge amounts, payouts and fees."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from concierge_app.domain.errors import DomainError
from concierge_app.domain.money import MAX_MINOR, Money
from concierge_app.domain.partner_billing import Period
from concierge_app.domain.reconciliation import (
    TOO_LARGE,
    Drift,
    Item,
    ItemKind,
    reconcile,
    summarise,
)

P, R = ItemKind.PAYMENT, ItemKind.REFUND


def item(kind: ItemKind, ref: str, minor: int, cur: str = "EUR") -> Item:
    return Item(kind, ref, Money(minor, cur))


def outcome(provider: list[Item], ledger: list[Item]) -> dict[str, Drift]:
    return {r.reference: r.drift for r in reconcile(provider, ledger)}


def test_each_outcome_once():
    provider = [
        item(P, "pi_same", 1000),
        item(P, "pi_theirs", 500),
        item(P, "pi_amount", 999),
        item(P, "pi_cur", 1000, "USD"),
        item(R, "re_same", 250),
    ]
    ledger = [
        item(P, "pi_same", 1000),
        item(P, "pi_ours", 700),
        item(P, "pi_amount", 1000),
        item(P, "pi_cur", 1000, "EUR"),
        item(R, "re_same", 250),
    ]
    assert outcome(provider, ledger) == {
        "pi_same": Drift.MATCHED,
        "pi_theirs": Drift.PROVIDER_ONLY,
        "pi_ours": Drift.LEDGER_ONLY,
        "pi_amount": Drift.AMOUNT_DIFFERS,
        "pi_cur": Drift.CURRENCY_DIFFERS,
        "re_same": Drift.MATCHED,
    }
    summary = summarise(reconcile(provider, ledger))
    assert summary.drift_count == 4
    assert summary.count(Drift.MATCHED) == 2 and summary.count(Drift.MATCHED, R) == 1


def test_a_refund_spread_over_services_is_one_key_added_up():
    ledger = [item(R, "re_1", 100), item(R, "re_1", 150)]
    assert outcome([item(R, "re_1", 250)], ledger) == {"re_1": Drift.MATCHED}


def test_a_duplicate_at_the_provider_doubles_its_total():
    provider = [item(P, "pi_1", 1000), item(P, "pi_1", 1000)]
    [result] = reconcile(provider, [item(P, "pi_1", 1000)])
    assert result.drift is Drift.AMOUNT_DIFFERS
    assert result.provider == (Money(2000, "EUR"),) and result.ledger == (Money(1000, "EUR"),)


def test_same_id_as_payment_and_refund_are_different_keys():
    kinds = {(r.kind, r.drift) for r in reconcile([item(P, "x_1", 10)], [item(R, "x_1", 10)])}
    assert kinds == {(P, Drift.PROVIDER_ONLY), (R, Drift.LEDGER_ONLY)}


def test_one_key_in_two_currencies_on_one_side():
    provider = [item(P, "pi_1", 10, "EUR"), item(P, "pi_1", 10, "USD")]
    assert outcome(provider, [item(P, "pi_1", 10, "EUR")]) == {"pi_1": Drift.CURRENCY_DIFFERS}
    ledger = [item(P, "pi_1", 10, "USD"), item(P, "pi_1", 10, "EUR")]
    assert outcome(provider, ledger) == {"pi_1": Drift.MATCHED}


def test_zero_decimal_and_three_decimal_currencies_compare_in_minor_units():
    assert outcome([item(P, "pi_j", 15000, "JPY")], [item(P, "pi_j", 15000, "JPY")]) == {
        "pi_j": Drift.MATCHED
    }
    assert outcome([item(P, "pi_k", 1000, "KWD")], [item(P, "pi_k", 100, "KWD")]) == {
        "pi_k": Drift.AMOUNT_DIFFERS
    }


def test_zero_amounts_still_need_their_counterpart():
    assert outcome([item(P, "pi_0", 0)], []) == {"pi_0": Drift.PROVIDER_ONLY}
    assert outcome([item(P, "pi_0", 0)], [item(P, "pi_0", 0)]) == {"pi_0": Drift.MATCHED}


def test_huge_amounts_and_a_total_beyond_the_bound():
    assert outcome([item(P, "pi_h", MAX_MINOR)], [item(P, "pi_h", MAX_MINOR)]) == {
        "pi_h": Drift.MATCHED
    }
    [result] = reconcile([item(P, "pi_h", MAX_MINOR)] * 2, [item(P, "pi_h", MAX_MINOR)])
    assert result.drift is Drift.AMOUNT_DIFFERS and result.note == TOO_LARGE
    assert result.provider == ()  # never a rounded or wrapped total


def test_payouts_and_fees_are_reported_never_drift():
    provider = [item(ItemKind.PAYOUT, "po_1", 5000), item(ItemKind.FEE, "txn_1", 30)]
    results = reconcile(provider, [])
    assert {r.drift for r in results} == {Drift.REPORTED}
    assert summarise(results).drift_count == 0


def test_odd_unicode_and_long_references_are_kept_as_given():
    ref = "pi_\u202e\u0000ẞ" + "x" * 5000
    assert outcome([item(P, ref, 1)], [item(P, ref, 1)]) == {ref: Drift.MATCHED}


def test_nothing_on_either_side_is_no_drift():
    assert reconcile([], []) == ()


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c"]),
            st.integers(0, 10**12),
            st.sampled_from(["EUR", "JPY"]),
        ),
        max_size=20,
    )
)
def test_a_side_always_matches_itself_in_any_order(rows):
    items = [item(P, ref, minor, cur) for ref, minor, cur in rows]
    results = reconcile(items, list(reversed(items)))
    assert all(r.drift is Drift.MATCHED for r in results)
    assert len(results) == len({ref for ref, _, _ in rows})


def test_a_period_takes_ascii_digits_only():
    assert Period.parse(" 2026-11 ") == Period(2026, 11)
    for bad in ("２０２６-１１", "٢٠٢٦-١١", "2026-1", "2026/11", "", "9" * 5000):
        with pytest.raises(DomainError):
            Period.parse(bad)
