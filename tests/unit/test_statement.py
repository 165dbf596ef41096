"""The stored form of a reservation statement and the per-line commission rule."""

from __future__ import annotations

import pytest

from concierge_app.domain.errors import DomainError
from concierge_app.domain.statement import (
    BilledLine,
    commission_minor,
    format_line,
    parse_statement,
)


def test_commission_is_half_up_per_line_in_minor_units():
    assert commission_minor(10_000, 1500) == 1500
    assert commission_minor(3, 1500) == 0  # 0.45 → 0
    assert commission_minor(7, 1500) == 1  # 1.05 → 1
    assert commission_minor(10, 1250) == 1  # 1.25 → 1
    assert commission_minor(30, 1250) == 4  # 3.75 → 4
    assert commission_minor(20, 2500) == 5  # exactly 5
    assert commission_minor(2, 2500) == 1  # 0.5 → 1 (half up)
    assert commission_minor(1_073_842, 2000) == 214_768  # past 2^31 once multiplied


def test_a_negative_base_or_a_rate_out_of_range_is_refused():
    with pytest.raises(DomainError):
        commission_minor(-1, 1500)
    with pytest.raises(DomainError):
        commission_minor(100, 10_001)


def test_lines_read_back_as_written_with_the_platform_part_implied_unless_a_deposit():
    lines = [
        BilledLine("stay", 1042, "platform", 120_000, 120_000, 1500),
        BilledLine("stay", 7, "partner", 55_000, 0, 1500),
        BilledLine("service", 31, "shared", 50_000, 10_000, 1500),
    ]
    text = "\n".join(format_line(ln) for ln in lines)
    assert text == "b1042 p 120000 r1500\nb7 o 55000 r1500\ns31 d 50000 10000 r1500"
    assert list(parse_statement(text, 0)) == lines
    assert [ln.commission_minor for ln in lines] == [18_000, 8_250, 7_500]
    assert [ln.deducted_minor(True) for ln in lines] == [18_000, 0, 1_500]
    assert [ln.deducted_minor(False) for ln in lines] == [0, 0, 0]


@pytest.mark.parametrize(
    "bad",
    [
        *("x1 p 100", "b1 z 100", "b1 p", "s1 d 100", "b1 p 100 5", "b p 1"),
        *("b1 p 100 r", "b1 p 1 r10001", "s1 d 100 r1500"),
    ],
)
def test_an_unreadable_line_is_an_error_not_a_guess(bad):
    with pytest.raises(DomainError):
        list(parse_statement(bad, 1500))


def test_an_empty_statement_has_no_lines():
    assert list(parse_statement("", 1500)) == []


def test_each_line_is_billed_at_its_own_rate_and_older_lines_at_the_statements():
    text = "b1 p 10000 r1500\ns2 d 10000 4000 r1200\nb3 o 10000"
    lines = list(parse_statement(text, 1000))
    assert [ln.rate_bps for ln in lines] == [1500, 1200, 1000]
    assert [ln.commission_minor for ln in lines] == [1500, 1200, 1000]
    assert [ln.deducted_minor(True) for ln in lines] == [1500, 480, 0]
