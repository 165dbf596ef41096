"""Sign-in throttling rules (domain/sign_in.py): growing waits, the cap, the lockout, the
per-address window, and where a sign-in may send the browser."""

from datetime import UTC, datetime, timedelta

import pytest

from concierge_app import routes
from concierge_app.domain import sign_in as rules
from concierge_app.domain.sign_in import AccountCount, AddressCount, Outcome

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
NO_ADDRESS = AddressCount()


def after_failures(n: int, at: datetime = NOW) -> AccountCount:
    """An account whose n-th consecutive failure happened at `at`."""
    return AccountCount(failures=n, last_failure_at=at if n else None)


@pytest.mark.parametrize(
    ("failures", "wait"),
    [(0, 0), (1, 0), (3, 0), (4, 2), (5, 4), (6, 8), (9, 64), (12, 512), (13, 900), (40, 900)],
)
def test_the_first_three_failures_are_free_then_the_wait_doubles_up_to_fifteen_minutes(
    failures, wait
):
    assert rules.delay_after(failures) == timedelta(seconds=wait)


def test_a_throttled_attempt_is_refused_until_the_wait_is_over():
    account = after_failures(5)
    early = rules.judge(account, NO_ADDRESS, NOW + timedelta(seconds=3))
    assert (early.allowed, early.refusal) == (False, Outcome.THROTTLED)
    assert early.retry_at == NOW + timedelta(seconds=4)
    assert rules.judge(account, NO_ADDRESS, NOW + timedelta(seconds=4)).allowed


def test_the_tenth_failure_locks_the_account_and_a_locked_account_is_refused_even_later():
    ninth = rules.confirm_failure(after_failures(9), NOW)
    assert ninth.locked_at is None
    tenth = rules.confirm_failure(after_failures(10), NOW)
    assert tenth.locked_at == NOW
    much_later = rules.judge(tenth, NO_ADDRESS, NOW + timedelta(days=30))
    assert (much_later.allowed, much_later.refusal, much_later.retry_at) == (
        False,
        Outcome.LOCKED,
        None,
    )
    assert rules.judge(rules.unlocked(), NO_ADDRESS, NOW).allowed


def test_parallel_guesses_see_each_other_because_each_is_counted_before_it_is_checked():
    account = after_failures(3)
    assert rules.judge(account, NO_ADDRESS, NOW).allowed
    in_flight = rules.reserve(account, NOW)  # the 4th guess, still being checked
    assert not rules.judge(in_flight, NO_ADDRESS, NOW).allowed  # a 5th, at the same moment
    assert rules.give_back(in_flight).failures == 3  # the 4th was a right password
    assert rules.signed_in() == AccountCount()


def test_an_address_has_thirty_free_failures_in_fifteen_minutes_then_waits_too():
    address = AddressCount()
    moment = NOW
    for _ in range(30):
        assert rules.judge(AccountCount(), address, moment).allowed
        address = rules.reserve_address(address, moment)
        moment += timedelta(seconds=1)
    refused = rules.judge(AccountCount(), rules.reserve_address(address, moment), moment)
    assert (refused.allowed, refused.retry_at) == (False, moment + timedelta(seconds=2))
    # A new window starts once fifteen minutes have passed since the first failure.
    fresh = NOW + rules.ADDRESS_WINDOW
    assert rules.window_failures(address, fresh) == 0
    assert rules.reserve_address(address, fresh) == AddressCount(1, fresh, fresh)


def test_the_later_of_the_two_waits_wins_and_the_message_says_how_long():
    address = AddressCount(40, NOW, NOW)  # 10 past the free 30: 2^10 s, capped at 15 min
    verdict = rules.judge(after_failures(4), address, NOW + timedelta(seconds=1))
    assert verdict.retry_at == NOW + timedelta(minutes=15)
    assert rules.retry_message(NOW + timedelta(seconds=4), NOW) == (
        "Too many failed sign-ins. Try again in 4 seconds (at 09:00:04 UTC)."
    )
    assert "15 minutes" in rules.retry_message(verdict.retry_at, NOW)


@pytest.mark.parametrize(
    ("target", "within", "expected"),
    [
        ("/bookings/AZ-24001?tab=payments", "/", "/bookings/AZ-24001?tab=payments"),
        ("/partner/invoices", "/partner", "/partner/invoices"),
        ("/partner", "/partner", "/partner"),
        ("/partnerfoo", "/partner", "/partner"),
        ("/finance", "/partner", "/partner"),
        ("https://evil.example/", "/", "/"),
        ("//evil.example/", "/", "/"),
        ("/\\evil.example", "/", "/"),
        ("javascript:alert(1)", "/", "/"),
        ("/api/auth/session?code=x", "/", "/"),
        ("/login", "/", "/"),
        ("/partner/login?expired=1", "/partner", "/partner"),
        ("", "/", "/"),
    ],
)
def test_a_sign_in_only_goes_on_to_a_page_of_this_site(target, within, expected):
    default = "/partner" if within == "/partner" else "/"
    refused = routes.NOT_AFTER_SIGN_IN
    assert rules.safe_next(target, default=default, within=within, refused=refused) == expected


def test_two_factor_is_required_in_production_for_staff_who_can_refund():
    assert rules.two_factor_required(app_env="production", can_refund=True)
    assert not rules.two_factor_required(app_env="production", can_refund=False)
    assert not rules.two_factor_required(app_env="development", can_refund=True)
