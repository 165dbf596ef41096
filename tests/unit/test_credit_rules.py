"""Credit application (oldest credit first, each oldest due first, partial, kept when bigger than
everything open, never on a black document unless it is a bank transfer's), the checks on
credit and debit notes, and a credit note's status."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from concierge_app.domain.allocation import Allocation, OpenItem
from concierge_app.domain.credit import (
    CreditKind,
    CreditSource,
    CreditTarget,
    apply_credit,
    check_credit_amount,
    check_debit_note,
    clean_reason,
    credit_note_status,
)
from concierge_app.domain.errors import DomainError
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import StatusColour

TODAY = date(2026, 12, 5)


def eur(minor: int) -> Money:
    return Money(minor, "EUR")


def note(source_id: int, minor: int, since: date = TODAY) -> CreditSource:
    return CreditSource(CreditKind.CREDIT_NOTE, source_id, eur(minor), since, TODAY)


def remainder(source_id: int, minor: int, *, transfer: bool, since: date = TODAY) -> CreditSource:
    return CreditSource(
        CreditKind.PAYMENT, source_id, eur(minor), since, TODAY, pays_black=transfer
    )


def target(invoice_id: int, due: date, minor: int, *, black: bool = False) -> CreditTarget:
    return CreditTarget(OpenItem(invoice_id, due, f"CM-2026-{invoice_id:06d}", eur(minor)), black)


OPEN = [
    target(2, date(2026, 12, 16), 8000),
    target(1, date(2026, 11, 17), 6000),
]


def paid(uses):
    return [(u.source.source_id, u.allocation) for u in uses]


def test_credit_pays_the_oldest_due_document_first():
    assert paid(apply_credit([note(10, 2500)], OPEN)) == [(10, Allocation(1, eur(2500)))]


def test_credit_spills_over_to_the_next_document():
    assert paid(apply_credit([note(10, 7000)], OPEN)) == [
        (10, Allocation(1, eur(6000))),
        (10, Allocation(2, eur(1000))),
    ]


def test_credit_bigger_than_everything_open_keeps_the_rest():
    uses = apply_credit([note(10, 20000)], OPEN)
    assert sum(u.allocation.amount.minor for u in uses) == 14000  # 60.00 left: it waits


def test_nothing_open_applies_nothing():
    assert apply_credit([note(10, 500)], []) == []


def test_the_oldest_credit_is_used_first_and_each_fills_what_is_left():
    older = note(11, 5000, since=date(2026, 11, 1))
    newer = remainder(7, 5000, transfer=True, since=date(2026, 12, 1))
    assert paid(apply_credit([newer, older], OPEN)) == [
        (11, Allocation(1, eur(5000))),
        (7, Allocation(1, eur(1000))),
        (7, Allocation(2, eur(4000))),
    ]


def test_a_credit_note_is_never_applied_to_a_black_document():
    black_oldest = [target(1, date(2026, 11, 17), 6000, black=True), target(2, TODAY, 8000)]
    assert paid(apply_credit([note(10, 9000)], black_oldest)) == [(10, Allocation(2, eur(8000)))]
    assert apply_credit([note(10, 100)], black_oldest[:1]) == []


def test_a_bank_transfer_remainder_may_pay_a_black_document_other_credit_not():
    black = [target(1, date(2026, 11, 17), 6000, black=True)]
    assert paid(apply_credit([remainder(3, 1000, transfer=True)], black)) == [
        (3, Allocation(1, eur(1000)))
    ]
    assert apply_credit([remainder(4, 1000, transfer=False)], black) == []


def test_empty_credit_is_skipped():
    assert apply_credit([note(10, 0)], OPEN) == []


@given(
    st.lists(st.integers(min_value=0, max_value=50_000), max_size=5),
    st.lists(st.tuples(st.integers(1, 60), st.integers(1, 30_000), st.booleans()), max_size=6),
)
def test_never_more_than_open_nor_more_than_the_credit(credits, documents):
    sources = [note(i, minor, since=date(2026, 1, 1 + i)) for i, minor in enumerate(credits)]
    targets = [
        target(i, date(2026, 12, day % 28 + 1), minor, black=black)
        for i, (day, minor, black) in enumerate(documents)
    ]
    uses = apply_credit(sources, targets)
    for t in targets:
        applied = sum(
            u.allocation.amount.minor for u in uses if u.allocation.invoice_id == t.item.invoice_id
        )
        assert applied <= t.item.outstanding.minor
        assert applied == 0 or not t.black
    for s in sources:
        assert sum(u.allocation.amount.minor for u in uses if u.source == s) <= s.available.minor
    open_white = sum(t.item.outstanding.minor for t in targets if not t.black)
    assert sum(u.allocation.amount.minor for u in uses) == min(open_white, sum(credits))


def test_a_credit_note_is_more_than_zero_and_never_above_the_invoice():
    check_credit_amount(eur(8000), invoice_amount=eur(8000), credited=eur(0), number="CM-1")
    with pytest.raises(DomainError, match="more than zero"):
        check_credit_amount(eur(0), invoice_amount=eur(8000), credited=eur(0), number="CM-1")
    with pytest.raises(DomainError, match=r"cannot be more than invoice CM-1 \(80.00 EUR\)"):
        check_credit_amount(eur(8001), invoice_amount=eur(8000), credited=eur(0), number="CM-1")
    with pytest.raises(DomainError, match=r"at most 30\.00 EUR more") as refused:
        check_credit_amount(eur(3001), invoice_amount=eur(8000), credited=eur(5000), number="CM-1")
    assert refused.value.field == "amount"


def test_a_debit_note_is_more_than_zero_and_due_today_or_later():
    check_debit_note(eur(1), TODAY, TODAY)
    with pytest.raises(DomainError, match="more than zero"):
        check_debit_note(eur(0), TODAY, TODAY)
    with pytest.raises(DomainError, match="cannot be in the past"):
        check_debit_note(eur(1), date(2026, 12, 4), TODAY)


def test_a_reason_is_required_and_short():
    assert clean_reason("  Stay   cancelled\n after the run ") == "Stay cancelled after the run"
    assert clean_reason("x" * 250) == "x" * 250
    with pytest.raises(DomainError, match="Give the reason"):
        clean_reason(" \n ")
    with pytest.raises(DomainError, match="250 characters"):
        clean_reason("x" * 251)


def test_a_credit_note_is_green_and_says_what_is_left():
    def text(applied: int) -> tuple[str, StatusColour, Money]:
        s = credit_note_status(amount=eur(5000), applied=eur(applied))
        return s.text, s.colour, s.outstanding

    assert text(0) == ("Credit available: 50.00 EUR", StatusColour.GREEN, eur(0))
    assert text(3000) == ("Applied: 30.00 EUR · available: 20.00 EUR", StatusColour.GREEN, eur(0))
    assert text(5000) == ("Applied in full", StatusColour.GREEN, eur(0))
