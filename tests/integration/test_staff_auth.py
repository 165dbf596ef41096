"""Staff sign-in: Argon2 hashes, expiring sessions kept only as token hashes, sign-out."""

from datetime import timedelta

import pytest
from sqlmodel import select

from concierge_app.db.parties import StaffSession, StaffUser
from concierge_app.db.types import utcnow
from concierge_app.services import auth, partners


@pytest.fixture
def staff(db):
    partners.create_staff_user(
        db=db, email="Clara@Example.com", name="Clara", password="correct horse battery"
    )
    return db


def test_sign_in_opens_a_session_stored_only_as_a_hash(staff):
    signed = auth.sign_in(db=staff, email=" clara@example.com ", password="correct horse battery")
    assert signed.identity.email == "clara@example.com" and len(signed.token) >= 43
    with staff.read() as s:
        stored = s.exec(select(StaffSession)).one()
        user = s.exec(select(StaffUser)).one()
    assert signed.token not in stored.token_hash and len(stored.token_hash) == 64
    assert user.password_hash.startswith("$argon2")
    assert auth.current_staff(db=staff, token=signed.token).name == "Clara"


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("clara@example.com", "wrong password!"),
        ("nobody@example.com", "correct horse battery"),
        ("", ""),
    ],
)
def test_wrong_credentials_are_refused_with_one_message_and_no_session(staff, email, password):
    with pytest.raises(auth.SignInRefused, match=r"not correct|Enter your email"):
        auth.sign_in(db=staff, email=email, password=password)
    with staff.read() as s:
        assert s.exec(select(StaffSession)).all() == []


def test_sessions_expire_and_sign_out_ends_them(staff):
    first = auth.sign_in(db=staff, email="clara@example.com", password="correct horse battery")
    second = auth.sign_in(db=staff, email="clara@example.com", password="correct horse battery")
    auth.sign_out(db=staff, token=first.token)
    auth.sign_out(db=staff, token=first.token)  # twice is fine
    assert auth.current_staff(db=staff, token=first.token) is None
    assert auth.current_staff(db=staff, token=second.token) is not None
    with staff.transaction() as s:
        row = s.exec(select(StaffSession).where(StaffSession.revoked_at.is_(None))).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
    assert auth.current_staff(db=staff, token=second.token) is None
    assert auth.current_staff(db=staff, token="") is None
    assert auth.current_staff(db=staff, token="forged-token") is None


def test_a_disabled_account_cannot_sign_in_or_keep_its_session(staff):
    signed = auth.sign_in(db=staff, email="clara@example.com", password="correct horse battery")
    with staff.transaction() as s:
        s.exec(select(StaffUser)).one().is_active = False
    assert auth.current_staff(db=staff, token=signed.token) is None
    with pytest.raises(auth.SignInRefused):
        auth.sign_in(db=staff, email="clara@example.com", password="correct horse battery")
