"""The commission rate in force: typed rates, the rate of a day, the day a reservation is billed
on, and which changes are refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from concierge_app.domain.commission_rates import (
    FROM_THE_START,
    DatedRate,
    check_change,
    day_made,
    format_rate,
    parse_rate,
    rate_in_force,
)
from concierge_app.domain.errors import DomainError

HISTORY = [
    DatedRate(FROM_THE_START, 1500),
    DatedRate(date(2026, 10, 1), 1200),
    DatedRate(date(2027, 1, 1), 1000),
]
TODAY = date(2026, 12, 8)


@pytest.mark.parametrize(
    ("typed", "bps"),
    [
        ("15", 1500),
        ("12.5", 1250),
        ("7.25", 725),
        (" 15 % ", 1500),
        ("15%", 1500),
        ("0", 0),
        ("100", 10_000),
        ("100.00", 10_000),
        ("0.01", 1),
    ],
)
def test_a_typed_percentage_is_read_in_basis_points(typed, bps):
    assert parse_rate(typed) == bps


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "Enter the new commission rate"),
        ("12.345", "at most two decimals"),
        ("100.01", "at most 100 %"),
        ("150", "at most 100 %"),
        ("-5", "is not a rate"),
        ("12,5", "is not a rate"),
        ("１５", "is not a rate"),  # full-width digits are not a rate
        ("fifteen", "is not a rate"),
        ("1e1", "is not a rate"),
        (".5", "is not a rate"),
    ],
)
def test_a_bad_rate_is_refused_with_a_message_naming_the_rate_field(typed, says):
    with pytest.raises(DomainError) as refused:
        parse_rate(typed)
    assert says in refused.value.message and refused.value.field == "rate"


@given(st.integers(min_value=0, max_value=10_000))
def test_every_rate_reads_back_from_the_way_it_is_shown(bps):
    assert parse_rate(format_rate(bps)) == bps


def test_rates_are_shown_as_percentages_without_useless_zeros():
    assert [format_rate(b) for b in (1500, 1250, 725, 0, 10_000)] == [
        "15 %",
        "12.5 %",
        "7.25 %",
        "0 %",
        "100 %",
    ]


def test_the_rate_in_force_is_the_latest_that_started_on_or_before_the_day():
    assert rate_in_force(HISTORY, date(2020, 5, 1)) == 1500
    assert rate_in_force(HISTORY, date(2026, 9, 30)) == 1500
    assert rate_in_force(HISTORY, date(2026, 10, 1)) == 1200  # from its first day
    assert rate_in_force(HISTORY, date(2026, 12, 31)) == 1200
    assert rate_in_force(HISTORY, date(2027, 1, 1)) == 1000
    assert rate_in_force(list(reversed(HISTORY)), date(2026, 11, 15)) == 1200  # any order


def test_a_day_before_the_history_has_no_rate():
    with pytest.raises(DomainError):
        rate_in_force([DatedRate(date(2026, 1, 1), 1500)], date(2025, 12, 31))


def test_a_reservation_is_billed_on_the_utc_day_it_was_made():
    new_york = timezone(timedelta(hours=-5))
    late_evening = datetime(2026, 9, 30, 21, 30, tzinfo=new_york)  # 02:30 UTC on Oct 1
    assert day_made(late_evening) == date(2026, 10, 1)
    assert day_made(datetime(2026, 9, 30, 23, 59, tzinfo=UTC)) == date(2026, 9, 30)
    assert rate_in_force(HISTORY, day_made(late_evening)) == 1200
    with pytest.raises(DomainError):
        day_made(datetime(2026, 9, 30, 12, 0))  # a time without its zone is not guessed


def test_a_change_may_start_tomorrow_or_later_after_the_last_change():
    history = HISTORY[:2]
    check_change(history, rate_bps=1000, valid_from=TODAY + timedelta(days=1), today=TODAY)
    check_change(history, rate_bps=0, valid_from=date(2030, 1, 1), today=TODAY)


@pytest.mark.parametrize(
    ("history", "rate_bps", "valid_from", "field", "says"),
    [
        (HISTORY[:2], 1000, TODAY, "valid_from", "tomorrow at the earliest"),
        (HISTORY[:2], 1000, date(2026, 11, 1), "valid_from", "tomorrow at the earliest"),
        (HISTORY, 1100, date(2026, 12, 20), "valid_from", "must start after it"),
        (HISTORY, 1100, date(2027, 1, 1), "valid_from", "January 1, 2027"),
        (HISTORY[:2], 1200, date(2027, 2, 1), "rate", "already 12 %"),
        (HISTORY[:2], 10_001, date(2027, 2, 1), "rate", "between 0 % and 100 %"),
        (HISTORY[:2], -1, date(2027, 2, 1), "rate", "between 0 % and 100 %"),
    ],
)
def test_a_change_that_would_reprice_the_past_or_change_nothing_is_refused(
    history, rate_bps, valid_from, field, says
):
    with pytest.raises(DomainError) as refused:
        check_change(history, rate_bps=rate_bps, valid_from=valid_from, today=TODAY)
    assert refused.value.field == field and says in refused.value.message
