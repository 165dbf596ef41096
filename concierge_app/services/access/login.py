"""One sign-in and session mechanism for staff and partner logins.

Each kind of login is a `Login`: where its users and sessions are kept and how it is audited.
Both kinds go through the same steps:

    check_password ─→ (staff only: a TOTP step) ─→ complete ─→ one-time `session` ticket
                                                             ─→ /api/auth/session sets the cookie
    live_session(token) ─→ the user behind a session cookie (or None)
    sign_out(token)       ─→ the session ends
    change_password       ─→ the current password is checked, the other sessions end

Passwords are checked throttled (per account and per address) with Argon2, never inside a
transaction; sessions are stored as token hashes and expire after STAFF_SESSION_HOURS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, NotRequired, TypedDict, TypeVar, Unpack, cast

from sqlalchemy import update
from sqlmodel import Session, select

from concierge_app.db.engine import Database
from concierge_app.db.parties import StaffSession, StaffUser
from concierge_app.db.partner_billing import PartnerSession, PartnerUser
from concierge_app.db.types import utcnow
from concierge_app.domain.errors import DomainError, NotFound
from concierge_app.domain.sign_in import Kind, Outcome
from concierge_app.services.access import tickets as tickets
from concierge_app.services.access.guard import (
    Attempt,
    Credentials,
    SignInRefused,
    check_credentials,
    record_success,
)
from concierge_app.services.access.passwords import check_policy, hash_password
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import id_of, table_of, token_digest

Sessions = StaffSession | PartnerSession
U = TypeVar("U", StaffUser, PartnerUser)

NOT_CORRECT = "The email or password is not correct."


@dataclass(frozen=True, slots=True)
class Login(Generic[U]):
    """Where one kind of login keeps its users and sessions, and how it is audited."""

    kind: Kind
    users: type[U]
    sessions: type[StaffSession] | type[PartnerSession]
    owner: str  # the sessions' column naming the user, e.g. "staff_user_id"
    signed_in: str  # the audit action of a completed sign-in, e.g. "staff.signed_in"
    password_changed: str  # the audit action of a password change
    subject: Callable[[U], str]  # the audit subject
    missing: str  # said when the user is gone

    def lookup(self, session: Session, email: str) -> Credentials | None:
        """The account behind an email (already trimmed and lower-cased), for the guard."""
        user = session.exec(select(self.users).where(self.users.email == email)).first()
        if user is None:
            return None
        return Credentials(id_of(user), user.password_hash, user.is_active)


@dataclass(frozen=True, slots=True)
class Checked:
    """A right password: the attempt (to complete), the user and a stronger hash (or None)."""

    attempt: Attempt
    user_id: int
    new_hash: str | None


class PasswordChange(TypedDict):
    db: Database
    current: str
    new: str
    repeat: str
    keep_token: NotRequired[str]  # the session it is changed from: stays open
    client_address: NotRequired[str]


def check_password(
    *, db: Database, login: Login[U], email: str, password: str, client_address: str
) -> Checked:
    """The first step of every sign-in: the password, throttled; a wrong one is refused."""
    if not email.strip() or not password:
        raise SignInRefused("Enter your email and password.")
    attempt = Attempt(login.kind, email, client_address)
    found, new_hash = check_credentials(
        db=db, attempt=attempt, password=password, lookup=login.lookup
    )
    return Checked(attempt, found.user_id, new_hash)


def active_user(session: Session, login: Login[U], checked: Checked) -> U:
    """In the sign-in's transaction: the checked user, with the stronger hash stored. A login
    disabled meanwhile stays counted as a failure and is refused."""
    user = session.get(login.users, checked.user_id)
    if user is None or not user.is_active:
        raise SignInRefused(NOT_CORRECT)
    if checked.new_hash is not None:  # the recommended parameters changed: store it
        user.password_hash = checked.new_hash
        session.add(user)
    return user


def complete(session: Session, login: Login[U], user: U, attempt: Attempt) -> str:
    """The sign-in is complete: start the account's count again, log it, audit it, and return
    the one-time ticket for the session cookie."""
    record_success(session, attempt=attempt, outcome=Outcome.SIGNED_IN, complete=True)
    record_event(
        session, actor=user.email, action=login.signed_in, subject=login.subject(user), data={}
    )
    return tickets.issue(session, kind=login.kind, user_id=id_of(user), purpose=tickets.SESSION)


def live_session(session: Session, login: Login[U], token: str) -> tuple[Sessions, U] | None:
    """The open, unexpired session behind a token and its active user, or None."""
    if not token:
        return None
    row = _session_row(session, login, token)
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    user = session.get(login.users, getattr(row, login.owner))
    if user is None or not user.is_active:
        return None
    return row, user


def _session_row(session: Session, login: Login[U], token: str) -> Sessions | None:
    stmt = select(login.sessions).where(login.sessions.token_hash == token_digest(token))
    return cast("Sessions | None", session.exec(stmt).first())


def sign_out(*, db: Database, login: Login[U], token: str) -> None:
    """End the session (idempotent: signing out twice is fine)."""
    if not token:
        return
    with db.transaction() as session:
        row = _session_row(session, login, token)
        if row is not None and row.revoked_at is None:
            row.revoked_at = utcnow()
            session.add(row)


def change_password(*, login: Login[U], user_id: int, **change: Unpack[PasswordChange]) -> None:
    """A user sets a new password: the current one is checked (throttled like a sign-in), the
    new one must pass the policy and is hashed outside any transaction; the user's other
    sessions end (the one with `keep_token` stays)."""
    db = change["db"]
    with db.read() as session:
        user = session.get(login.users, user_id)
    if user is None:
        raise NotFound(login.missing)
    if change["new"] != change["repeat"]:
        raise DomainError("The two new passwords are not the same.", field="repeat")
    check_policy(change["new"], email=user.email, name=user.name)
    attempt = Attempt(login.kind, user.email, change.get("client_address", ""))
    check_credentials(
        db=db,
        attempt=attempt,
        password=change["current"],
        lookup=login.lookup,
        wrong_message="The current password is not correct.",
    )
    new_hash = hash_password(change["new"])
    sessions = table_of(login.sessions)
    with db.transaction() as session:
        stored = session.get(login.users, user_id)
        if stored is None:
            raise NotFound(login.missing)
        stored.password_hash = new_hash
        session.add(stored)
        others = (
            update(sessions)
            .where(
                sessions.c[login.owner] == user_id,
                sessions.c.revoked_at.is_(None),
                sessions.c.token_hash != token_digest(change.get("keep_token", "")),
            )
            .values(revoked_at=utcnow())
        )
        session.connection().execute(others)
        record_success(session, attempt=attempt, outcome=Outcome.PASSWORD_CHANGED, complete=True)
        record_event(
            session,
            actor=stored.email,
            action=login.password_changed,
            subject=login.subject(stored),
            data={},
        )
