"""Throttling and lockout, on SQLite and PostgreSQL: per account (3 free failures, then growing
waits, locked at the 10th), per client address (30 free failures in 15 minutes), for staff and
partners alike; a refused attempt checks no password; staff unlock (audited, logged)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import select

from concierge_app.db.audit import AuditEvent
from concierge_app.domain.errors import Conflict
from concierge_app.domain.sign_in import LOCK_AFTER, LOCKED_MESSAGE
from concierge_app.services.access import (
    guard as sign_in_guard,
)
from concierge_app.services.access import (
    partner_sign_in as partner_auth,
)
from concierge_app.services.access import (
    passwords,
    sign_in_log,
)
from concierge_app.services.access import (
    staff_sign_in as auth,
)
from concierge_app.services.access.staff_sign_in import SignInRefused, SignInThrottled

from .sign_in_support import (
    PARTNER_EMAIL,
    PARTNER_PASSWORD,
    STAFF_EMAIL,
    STAFF_PASSWORD,
    account_row,
    add_partner_login,
    add_staff,
    log_rows,
    outcomes,
    staff_token,
    wind_back,
)

WRONG = "not the password at all"


@pytest.fixture(autouse=True)
def still_clock(monkeypatch):
    """The guard's clock stands still: only `wind_back` lets time pass, so a slow Argon2 check on
    a loaded machine cannot end a wait the test is asserting."""
    now = sign_in_guard.utcnow()
    monkeypatch.setattr(sign_in_guard, "utcnow", lambda: now)


@pytest.fixture
def staff(db):
    add_staff(db)
    return db


@pytest.fixture
def checks(monkeypatch):
    """Counts the password checks that really ran (Argon2 verifications)."""
    counted: list[str] = []
    real = passwords.check_password

    def counting(password, password_hash):
        counted.append(password)
        return real(password, password_hash)

    monkeypatch.setattr(sign_in_guard, "check_password", counting)
    return counted


def fail(db, email=STAFF_EMAIL, address="203.0.113.9", password=WRONG):
    with pytest.raises(SignInRefused) as refused:
        auth.sign_in(db=db, email=email, password=password, client_address=address)
    return refused.value


def test_after_three_failures_each_attempt_waits_longer_even_with_the_right_password(staff, checks):
    for _ in range(4):
        assert not isinstance(fail(staff), SignInThrottled)
    throttled = fail(staff, password=STAFF_PASSWORD)  # 2 s after the 4th failure
    assert isinstance(throttled, SignInThrottled)
    assert throttled.message.startswith("Too many failed sign-ins. Try again in 2 seconds")
    assert len(checks) == 4  # the throttled attempt checked nothing
    wind_back(staff, 2)
    assert not isinstance(fail(staff), SignInThrottled)  # the 5th failure: now 4 s
    wind_back(staff, 3)
    assert "Try again in 1 second " in fail(staff, password=STAFF_PASSWORD).message
    wind_back(staff, 1)
    assert staff_token(staff)  # the right password, once the wait is over
    assert account_row(staff, STAFF_EMAIL).failures == 0  # a sign-in starts the count again
    assert outcomes(staff) == ["wrong_password"] * 4 + ["throttled", "wrong_password"] + [
        "throttled",
        "signed_in",
    ]


def test_the_tenth_failure_locks_the_account_until_staff_unlock_it(staff, checks):
    add_staff(staff, email="ana@example.com", password="seven quiet lanterns drifting")
    for _ in range(LOCK_AFTER):
        refused = fail(staff)
        wind_back(staff, 3600)
    assert refused.message == LOCKED_MESSAGE
    assert fail(staff, password=STAFF_PASSWORD).message == LOCKED_MESSAGE  # right, but locked
    assert len(checks) == LOCK_AFTER
    assert outcomes(staff, STAFF_EMAIL)[-3:] == ["wrong_password", "locked_out", "locked"]

    [locked] = sign_in_log.locked_accounts(db=staff)
    assert (locked.email, locked.kind.value, locked.failures) == (STAFF_EMAIL, "staff", LOCK_AFTER)
    sign_in_guard.unlock(db=staff, account_id=locked.id, actor="ana@example.com")
    with pytest.raises(Conflict, match="not locked"):
        sign_in_guard.unlock(db=staff, account_id=locked.id, actor="ana@example.com")
    assert sign_in_log.locked_accounts(db=staff) == []
    assert staff_token(staff)

    unlocked = [r for r in log_rows(staff) if r.outcome == "unlocked"]
    assert [(r.email, r.actor) for r in unlocked] == [(STAFF_EMAIL, "ana@example.com")]
    newest = sign_in_log.sign_in_log(db=staff)
    assert newest[0].what == "Signed in" and newest[1].what == "Unlocked by ana@example.com"
    with staff.read() as s:
        actions = [
            (e.action, e.actor)
            for e in s.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
            if e.action.startswith("sign_in.")
        ]
    assert actions == [("sign_in.locked", "sign-in"), ("sign_in.unlocked", "ana@example.com")]


def test_an_unknown_email_is_throttled_and_locked_like_a_real_one(staff):
    for _ in range(LOCK_AFTER):
        fail(staff, email="nobody@example.com")
        wind_back(staff, 3600)
    assert fail(staff, email="Nobody@Example.com").message == LOCKED_MESSAGE
    assert outcomes(staff)[-3:] == ["unknown_account", "locked_out", "locked"]


def test_one_address_gets_thirty_free_failures_in_fifteen_minutes_over_any_accounts(staff, checks):
    for n in range(31):  # 30 free, and the 31st is let through as an account's 4th is
        fail(staff, email=f"guess{n}@example.com", address="198.51.100.4")
    refused = fail(staff, email=STAFF_EMAIL, address="198.51.100.4", password=STAFF_PASSWORD)
    assert isinstance(refused, SignInThrottled)  # a fresh account, from that address
    assert len(checks) == 31
    assert staff_token(staff, address="192.0.2.1")  # another address is not held back
    wind_back(staff, 2)
    assert staff_token(staff, address="198.51.100.4")


def test_partner_sign_in_is_throttled_and_locked_too(db, checks):
    add_partner_login(db)

    def partner_fail(password=WRONG):
        with pytest.raises(SignInRefused) as refused:
            partner_auth.partner_sign_in(
                db=db, email=PARTNER_EMAIL, password=password, client_address="203.0.113.5"
            )
        return refused.value

    for _ in range(4):
        partner_fail()
    assert isinstance(partner_fail(PARTNER_PASSWORD), SignInThrottled)
    for _ in range(LOCK_AFTER - 4):
        wind_back(db, 3600)
        partner_fail()
    wind_back(db, 3600)
    assert partner_fail(PARTNER_PASSWORD).message == LOCKED_MESSAGE
    assert len(checks) == LOCK_AFTER
    row = account_row(db, PARTNER_EMAIL, kind="partner")
    assert row.locked_at is not None
    assert {r.kind for r in log_rows(db)} == {"partner"}


def test_a_burst_of_parallel_guesses_gets_only_four_passwords_checked(staff, checks):
    def guess(n: int) -> str:
        try:
            auth.sign_in(db=staff, email=STAFF_EMAIL, password=f"{WRONG} {n}")
        except SignInThrottled:
            return "throttled"
        except SignInRefused:
            return "checked"
        return "signed in"

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(guess, range(12)))
    assert sorted(results).count("checked") == 4
    assert results.count("throttled") == 8
    assert len(checks) == 4


def test_a_disabled_account_is_refused_and_logged_as_disabled(staff):
    from concierge_app.db.parties import StaffUser

    with staff.transaction() as s:
        s.exec(select(StaffUser).where(StaffUser.email == STAFF_EMAIL)).one().is_active = False
    assert "not correct" in fail(staff, password=STAFF_PASSWORD).message
    assert outcomes(staff) == ["disabled"]
    assert account_row(staff, STAFF_EMAIL).failures == 1
