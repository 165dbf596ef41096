"""Staff two-factor sign-in (TOTP, pyotp): set up from the Security page, then a code after the
password; a code is never accepted twice; wrong codes are throttled like passwords; required in
production for staff who can refund, who enrol right after the password before any session."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from sqlmodel import select
from typer.testing import CliRunner

from concierge_app.cli import app as cli
from concierge_app.db.audit import AuditEvent
from concierge_app.db.parties import StaffSession
from concierge_app.db.security import SignInTicket, StaffTwoFactor
from concierge_app.db.types import utcnow
from concierge_app.domain.errors import Conflict, DomainError
from concierge_app.domain.sign_in import LOCK_AFTER, LOCKED_MESSAGE
from concierge_app.services.access import staff_sign_in as auth
from concierge_app.services.access import two_factor
from concierge_app.services.access.staff_sign_in import SignInRefused, SignInThrottled
from concierge_app.services.access.tickets import redeem_session
from concierge_app.settings import get_settings

from .sign_in_support import STAFF_EMAIL, STAFF_PASSWORD, add_staff, outcomes, wind_back


@pytest.fixture
def staff(db):
    return db, add_staff(db)


def enrol(db, staff_id) -> pyotp.TOTP:
    """Set two-factor up as the Security page does; returns the new authenticator."""
    enrolment = two_factor.start_enrolment(db=db, staff_id=staff_id)
    totp = pyotp.TOTP(enrolment.secret)
    assert enrolment.uri.startswith("otpauth://totp/") and "secret=" in enrolment.uri
    assert enrolment.qr_data_uri.startswith("data:image/svg+xml")
    two_factor.confirm_enrolment(db=db, staff_id=staff_id, code=totp.now(), client_address="")
    return totp


def next_code(totp: pyotp.TOTP) -> str:
    """The code of the next 30-second step (accepted for clock drift): the current step's was
    taken by the enrolment, and a code is never accepted twice."""
    return totp.at(utcnow() + timedelta(seconds=30))


def password_step(db) -> auth.SignInStep:
    return auth.sign_in(db=db, email=STAFF_EMAIL, password=STAFF_PASSWORD)


def test_with_two_factor_on_the_password_alone_opens_no_session(staff):
    db, staff_id = staff
    with pytest.raises(Conflict, match="no authenticator waiting"):
        two_factor.confirm_enrolment(db=db, staff_id=staff_id, code="000000", client_address="")
    two_factor.start_enrolment(db=db, staff_id=staff_id)
    with pytest.raises(DomainError, match="not right"):
        two_factor.confirm_enrolment(db=db, staff_id=staff_id, code="000000", client_address="")
    assert not two_factor.status(db=db, staff_id=staff_id).enabled
    totp = enrol(db, staff_id)  # a new secret replaces the unconfirmed one
    assert two_factor.status(db=db, staff_id=staff_id).enabled

    step = password_step(db)
    assert step.next == "code" and step.enrolment is None
    assert redeem_session(db=db, code=step.ticket) is None  # not a session ticket
    done = auth.second_step(db=db, ticket=step.ticket, code=next_code(totp))
    assert done.next == "session"
    opened = redeem_session(db=db, code=done.ticket)
    assert opened is not None and auth.current_staff(db=db, token=opened.token)
    assert outcomes(db) == ["totp_failed", "two_factor_on", "signed_in"]
    with db.read() as s:
        row = s.get(StaffTwoFactor, staff_id)
        assert totp.secret not in row.secret_encrypted  # stored encrypted
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "staff.two_factor_on")).one()


def test_a_code_is_never_accepted_twice(staff):
    db, staff_id = staff
    totp = enrol(db, staff_id)  # the enrolment used this step's code
    step = password_step(db)
    with pytest.raises(SignInRefused, match="not right"):
        auth.second_step(db=db, ticket=step.ticket, code=totp.now())
    with db.read() as s:
        assert s.exec(select(StaffSession)).all() == []
    assert outcomes(db)[-1] == "totp_failed"


def test_wrong_codes_are_throttled_and_then_lock_the_account(staff):
    db, staff_id = staff
    enrol(db, staff_id)
    step = password_step(db)
    for _ in range(4):
        with pytest.raises(SignInRefused, match="not right"):
            auth.second_step(db=db, ticket=step.ticket, code="000000")
    with pytest.raises(SignInThrottled, match="Try again in 2 seconds"):
        auth.second_step(db=db, ticket=step.ticket, code="123456")
    for _ in range(LOCK_AFTER - 4):
        wind_back(db, 3600)
        with pytest.raises(SignInRefused) as refused:
            auth.second_step(db=db, ticket=step.ticket, code="000000")
    assert refused.value.message == LOCKED_MESSAGE
    with pytest.raises(SignInRefused, match="locked"):
        password_step(db)  # the password no longer helps either
    assert outcomes(db)[-3:] == ["totp_failed", "locked_out", "locked"]


def test_a_waiting_sign_in_expires_and_a_malformed_code_is_not_counted(staff):
    db, staff_id = staff
    totp = enrol(db, staff_id)
    step = password_step(db)
    with pytest.raises(DomainError, match="6-digit"):
        auth.second_step(db=db, ticket=step.ticket, code="12ab")
    with db.transaction() as s:
        for ticket in s.exec(select(SignInTicket)).all():
            ticket.expires_at = utcnow() - timedelta(seconds=1)
    wind_back(db, 60)
    with pytest.raises(SignInRefused, match="expired"):
        auth.second_step(db=db, ticket=step.ticket, code=totp.now())
    with pytest.raises(SignInRefused, match="expired"):
        auth.second_step(db=db, ticket="made-up", code="123456")


def test_switching_two_factor_off_takes_a_code(staff):
    db, staff_id = staff
    totp = enrol(db, staff_id)
    with pytest.raises(DomainError, match="not right"):
        two_factor.switch_off(db=db, staff_id=staff_id, code="000000", client_address="")
    wind_back(db, 60)
    two_factor.switch_off(db=db, staff_id=staff_id, code=next_code(totp), client_address="")
    assert not two_factor.status(db=db, staff_id=staff_id).enabled
    assert password_step(db).next == "session"
    assert "two_factor_off" in outcomes(db)


@pytest.fixture
def production(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-of-at-least-32-bytes!")
    get_settings.cache_clear()


def test_in_production_staff_who_can_refund_enrol_right_after_the_password(staff, production):
    db, staff_id = staff
    step = password_step(db)
    assert step.next == "enrol" and step.enrolment is not None
    assert redeem_session(db=db, code=step.ticket) is None  # no session before the code
    totp = pyotp.TOTP(step.enrolment.secret)
    with pytest.raises(SignInRefused, match="not right"):
        auth.second_step(db=db, ticket=step.ticket, code="000000")
    done = auth.second_step(db=db, ticket=step.ticket, code=totp.now())
    assert redeem_session(db=db, code=done.ticket) is not None
    status = two_factor.status(db=db, staff_id=staff_id)
    assert (status.enabled, status.required) == (True, True)
    with pytest.raises(Conflict, match="required in production"):
        two_factor.switch_off(db=db, staff_id=staff_id, code=totp.now(), client_address="")
    assert password_step(db).next == "code"
    assert outcomes(db) == ["totp_failed", "two_factor_on", "signed_in"]


def test_an_operator_resets_a_lost_authenticator_and_the_next_sign_in_enrols_again(
    staff, production
):
    db, staff_id = staff
    enrol(db, staff_id)
    assert password_step(db).next == "code"
    result = CliRunner().invoke(cli, ["reset-two-factor", STAFF_EMAIL.upper(), "--url", db.url])
    assert result.exit_code == 0 and "reset" in result.output, result.output
    with db.read() as s:
        assert s.get(StaffTwoFactor, staff_id) is None
        audit = s.exec(
            select(AuditEvent).where(AuditEvent.action == "staff.two_factor_reset")
        ).one()
    assert audit.actor.startswith("cli:")
    assert outcomes(db)[-1] == "two_factor_off"
    again = CliRunner().invoke(cli, ["reset-two-factor", STAFF_EMAIL, "--url", db.url])
    assert again.exit_code == 0 and "nothing to reset" in again.output
    assert password_step(db).next == "enrol"  # production: a new authenticator before a session
    nobody = CliRunner().invoke(cli, ["reset-two-factor", "nobody@x.test", "--url", db.url])
    assert nobody.exit_code == 1 and "No staff member" in nobody.output
