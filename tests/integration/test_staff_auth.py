"""Staff sign-in: a right password gives a one-time ticket, exchanged once for a session stored
only as a hash; wrong credentials are refused with one message and logged; sessions expire and
end at sign-out; a disabled account cannot sign in; a password change checks the current one,
applies the policy and ends the member's other sessions."""

from datetime import timedelta

import pytest
from sqlmodel import select

from concierge_app.db.audit import AuditEvent
from concierge_app.db.parties import StaffSession, StaffUser
from concierge_app.db.security import SignInTicket
from concierge_app.db.types import utcnow
from concierge_app.domain.errors import DomainError
from concierge_app.services.access import staff_sign_in as auth
from concierge_app.services.access.passwords import WeakPassword
from concierge_app.services.access.tickets import redeem_session

from .sign_in_support import (
    STAFF_EMAIL,
    STAFF_PASSWORD,
    add_staff,
    log_rows,
    outcomes,
    staff_token,
)

NEW_PASSWORD = "velvet harbour migrates sideways"


@pytest.fixture
def staff(db):
    add_staff(db, email="Clara@Example.com")
    return db


def test_a_right_password_gives_a_ticket_that_opens_one_session_stored_only_as_a_hash(staff):
    step = auth.sign_in(
        db=staff, email=" clara@example.com ", password=STAFF_PASSWORD, client_address="10.0.0.7"
    )
    assert (step.next, step.email) == ("session", "clara@example.com")
    with staff.read() as s:
        ticket = s.exec(select(SignInTicket)).one()
        assert s.exec(select(StaffSession)).all() == []  # nothing until the browser redeems it
    assert step.ticket not in ticket.code_hash and len(ticket.code_hash) == 64
    opened = redeem_session(db=staff, code=step.ticket)
    assert opened is not None and len(opened.token) >= 43
    with staff.read() as s:
        stored = s.exec(select(StaffSession)).one()
        user = s.exec(select(StaffUser).where(StaffUser.email == STAFF_EMAIL)).one()
        audited = s.exec(select(AuditEvent).where(AuditEvent.action == "staff.signed_in")).all()
    assert opened.token not in stored.token_hash and len(stored.token_hash) == 64
    assert user.password_hash.startswith("$argon2")
    assert auth.current_staff(db=staff, token=opened.token).name == "Clara"
    assert len(audited) == 1
    [line] = log_rows(staff)
    assert (line.outcome, line.email, line.client_address) == (
        "signed_in",
        "clara@example.com",
        "10.0.0.7",
    )


@pytest.mark.parametrize(
    ("email", "password", "logged"),
    [
        ("clara@example.com", "wrong password!", ["wrong_password"]),
        ("nobody@example.com", STAFF_PASSWORD, ["unknown_account"]),
        ("", "", []),
    ],
)
def test_wrong_credentials_are_refused_with_one_message_logged_and_no_session(
    staff, email, password, logged
):
    with pytest.raises(auth.SignInRefused, match=r"not correct|Enter your email"):
        auth.sign_in(db=staff, email=email, password=password)
    with staff.read() as s:
        assert s.exec(select(StaffSession)).all() == []
        assert s.exec(select(SignInTicket)).all() == []
    assert outcomes(staff) == logged


def test_sessions_expire_and_sign_out_ends_them(staff):
    first = staff_token(staff)
    second = staff_token(staff)
    auth.sign_out(db=staff, token=first)
    auth.sign_out(db=staff, token=first)  # twice is fine
    assert auth.current_staff(db=staff, token=first) is None
    assert auth.current_staff(db=staff, token=second) is not None
    with staff.transaction() as s:
        row = s.exec(select(StaffSession).where(StaffSession.revoked_at.is_(None))).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
    assert auth.current_staff(db=staff, token=second) is None
    assert auth.current_staff(db=staff, token="") is None
    assert auth.current_staff(db=staff, token="forged-token") is None


def test_a_disabled_account_cannot_sign_in_or_keep_its_session_and_the_log_says_so(staff):
    token = staff_token(staff)
    pending = auth.sign_in(db=staff, email="clara@example.com", password=STAFF_PASSWORD)
    with staff.transaction() as s:
        s.exec(select(StaffUser).where(StaffUser.email == STAFF_EMAIL)).one().is_active = False
    assert auth.current_staff(db=staff, token=token) is None
    with pytest.raises(auth.SignInRefused, match="not correct"):
        auth.sign_in(db=staff, email="clara@example.com", password=STAFF_PASSWORD)
    assert redeem_session(db=staff, code=pending.ticket) is None  # disabled meanwhile
    assert outcomes(staff) == ["signed_in", "signed_in", "disabled"]


def test_changing_the_password_checks_the_current_one_and_ends_the_other_sessions(staff):
    here, elsewhere = staff_token(staff), staff_token(staff)
    staff_id = auth.current_staff(db=staff, token=here).staff_id

    def change(current: str, new: str, repeat: str | None = None) -> None:
        auth.change_password(
            db=staff,
            staff_id=staff_id,
            current=current,
            new=new,
            repeat=new if repeat is None else repeat,
            keep_token=here,
        )

    with pytest.raises(auth.SignInRefused, match="current password is not correct"):
        change("not my password", NEW_PASSWORD)
    with pytest.raises(WeakPassword, match="at least 12"):
        change(STAFF_PASSWORD, "aaaaaaaaaa")
    with pytest.raises(DomainError, match="not the same") as mismatch:
        change(STAFF_PASSWORD, NEW_PASSWORD, "velvet harbour")
    assert mismatch.value.field == "repeat"
    change(STAFF_PASSWORD, NEW_PASSWORD)

    assert auth.current_staff(db=staff, token=here) is not None
    assert auth.current_staff(db=staff, token=elsewhere) is None
    with pytest.raises(auth.SignInRefused):
        auth.sign_in(db=staff, email="clara@example.com", password=STAFF_PASSWORD)
    assert staff_token(staff, password=NEW_PASSWORD)
    assert outcomes(staff)[-4:] == [
        "wrong_password",
        "password_changed",
        "wrong_password",
        "signed_in",
    ]
    with staff.read() as s:
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "staff.password_changed")).one()
