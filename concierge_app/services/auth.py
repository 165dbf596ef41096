"""Staff sign-in: Argon2 password check, expiring sessions stored as token hashes, sign-out."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from pwdlib import PasswordHash
from sqlmodel import select

from ..db.engine import Database
from ..db.parties import StaffSession, StaffUser
from ..db.types import utcnow
from ..domain.errors import DomainError
from ..settings import get_settings
from .audit import record_event
from .common import id_of, token_digest

_hasher = PasswordHash.recommended()
# Verified when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class SignInRefused(DomainError):
    """Email or password wrong, or the account is disabled."""


@dataclass(frozen=True, slots=True)
class StaffIdentity:
    staff_id: int
    email: str
    name: str
    session_expires_at: datetime


@dataclass(frozen=True, slots=True)
class SignedIn:
    token: str  # give to the browser; never stored
    identity: StaffIdentity


def hash_password(password: str) -> str:
    """An Argon2 hash of the password (pwdlib's recommended parameters)."""
    return _hasher.hash(password)


def check_password(password: str, password_hash: str | None) -> tuple[bool, str | None]:
    """(valid, a stronger hash to store or None). An unknown account (no hash) takes as long."""
    if password_hash is None:
        _hasher.verify(password, _DUMMY_HASH)
        return False, None
    valid, new_hash = _hasher.verify_and_update(password, password_hash)
    return bool(valid), new_hash


def sign_in(*, db: Database, email: str, password: str) -> SignedIn:
    """Check the password and open a session that expires after STAFF_SESSION_HOURS."""
    refused = SignInRefused("The email or password is not correct.")
    email = email.strip().lower()
    if not email or not password:
        raise SignInRefused("Enter your email and password.")
    with db.transaction() as session:
        user = session.exec(select(StaffUser).where(StaffUser.email == email)).first()
        valid, new_hash = check_password(password, None if user is None else user.password_hash)
        if user is None or not valid or not user.is_active:
            raise refused
        if new_hash is not None:  # the recommended parameters changed: store the stronger hash
            user.password_hash = new_hash
            session.add(user)
        token = secrets.token_urlsafe(32)
        now = utcnow()
        expires = now + timedelta(hours=get_settings().staff_session_hours)
        session.add(
            StaffSession(
                token_hash=token_digest(token),
                staff_user_id=id_of(user),
                created_at=now,
                expires_at=expires,
            )
        )
        record_event(
            session, actor=user.email, action="staff.signed_in", subject=f"staff:{user.id}", data={}
        )
        return SignedIn(token, StaffIdentity(id_of(user), user.email, user.name, expires))


def current_staff(*, db: Database, token: str) -> StaffIdentity | None:
    """The staff member behind a session token, or None if unknown, expired or signed out."""
    if not token:
        return None
    with db.read() as session:
        row = session.exec(
            select(StaffSession, StaffUser)
            .join(StaffUser, StaffUser.id == StaffSession.staff_user_id)  # type: ignore[arg-type]
            .where(StaffSession.token_hash == token_digest(token))
        ).first()
    if row is None:
        return None
    staff_session, user = row
    if staff_session.revoked_at is not None or staff_session.expires_at <= utcnow():
        return None
    if not user.is_active:
        return None
    return StaffIdentity(id_of(user), user.email, user.name, staff_session.expires_at)


def sign_out(*, db: Database, token: str) -> None:
    """End the session (idempotent: signing out twice is fine)."""
    if not token:
        return
    with db.transaction() as session:
        row = session.exec(
            select(StaffSession).where(StaffSession.token_hash == token_digest(token))
        ).first()
        if row is not None and row.revoked_at is None:
            row.revoked_at = utcnow()
            session.add(row)
