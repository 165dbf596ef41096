"""Staff sign-in: throttled password check (Argon2, never inside a transaction), then — for
staff with two-factor sign-in, or who must have it — a TOTP step, then a one-time `session`
ticket the browser exchanges for its HttpOnly session cookie. Sessions are stored as token
hashes, expire after STAFF_SESSION_HOURS and end at sign-out.

    sign_in(email, password) ─┬─ SignInStep(next="session", ticket)   ─→ /api/auth/session
                              ├─ SignInStep(next="code", ticket)      ─→ second_step(ticket, code)
                              └─ SignInStep(next="enrol", ticket, QR) ─→ second_step(ticket, code)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Unpack

from sqlmodel import Session

from concierge_app.db.engine import Database
from concierge_app.db.parties import StaffSession, StaffUser
from concierge_app.db.types import utcnow
from concierge_app.domain import sign_in as rules
from concierge_app.domain.roles import Role, parse_roles
from concierge_app.domain.sign_in import Kind, Outcome
from concierge_app.services.access import login as login
from concierge_app.services.access import tickets as tickets
from concierge_app.services.access import two_factor
from concierge_app.services.access.guard import (
    Attempt,
    SignInRefused,
    SignInThrottled,
    admit,
    record_failure,
    record_success,
)
from concierge_app.services.access.login import Login, PasswordChange
from concierge_app.services.shared.common import id_of

__all__ = ["SignInRefused", "SignInThrottled"]

EXPIRED_STEP = "This sign-in has expired. Enter your email and password again."


@dataclass(frozen=True, slots=True)
class StaffIdentity:
    staff_id: int
    email: str
    name: str
    session_expires_at: datetime
    roles: frozenset[Role] = frozenset()


@dataclass(frozen=True, slots=True)
class SignInStep:
    """What follows a right password (or code).

    - `session`: done; `ticket` is exchanged once, within a minute, for the session cookie.
    - `code`: two-factor is on; `ticket` waits (10 minutes) for the authenticator's code.
    - `enrol`: two-factor is required but not set up; `enrolment` is the new authenticator's
      secret and QR code, `ticket` waits for its first code.
    """

    next: Literal["session", "code", "enrol"]
    ticket: str
    email: str
    enrolment: two_factor.Enrolment | None = None


STAFF_LOGIN: Login[StaffUser] = Login(
    kind=Kind.STAFF,
    users=StaffUser,
    sessions=StaffSession,
    owner="staff_user_id",
    signed_in="staff.signed_in",
    password_changed="staff.password_changed",
    subject=lambda user: f"staff:{user.id}",
    missing="Staff member not found.",
)


def sign_in(*, db: Database, email: str, password: str, client_address: str = "") -> SignInStep:
    """Check the password (throttled per account and per address); say what comes next."""
    checked = login.check_password(
        db=db, login=STAFF_LOGIN, email=email, password=password, client_address=client_address
    )
    attempt = checked.attempt
    with db.transaction() as session:
        user = login.active_user(session, STAFF_LOGIN, checked)
        staff_id = id_of(user)
        if two_factor.enabled_row(session, staff_id) is not None:
            record_success(session, attempt=attempt, outcome=None, complete=False)
            ticket = tickets.issue(
                session, kind=Kind.STAFF, user_id=staff_id, purpose=tickets.SECOND_FACTOR
            )
            return SignInStep("code", ticket, user.email)
        if two_factor.required_for(user):
            record_success(session, attempt=attempt, outcome=None, complete=False)
            enrolment = two_factor.new_pending(session, user)
            ticket = tickets.issue(
                session, kind=Kind.STAFF, user_id=staff_id, purpose=tickets.ENROLMENT
            )
            return SignInStep("enrol", ticket, user.email, enrolment)
        return _signed_in(session, user, attempt)


def second_step(*, db: Database, ticket: str, code: str, client_address: str = "") -> SignInStep:
    """The authenticator's code after a right password (or, at enrolment, the new
    authenticator's first code, which switches two-factor on). Throttled like a password; a
    code is never accepted twice. Returns the `session` step."""
    digits = two_factor.clean_code(code)
    with db.read() as session:
        pending = tickets.peek(session, code=ticket, purposes=tickets.SECOND_STEPS)
        user = None if pending is None else session.get(StaffUser, pending.user_id)
    if pending is None or user is None:
        raise SignInRefused(EXPIRED_STEP)
    attempt = Attempt(Kind.STAFF, user.email, client_address)
    admit(db=db, attempt=attempt)
    with db.transaction() as session:
        done = _take_second_step(session, ticket, digits, pending.user_id, attempt)
    if done is not None:
        return done
    count = record_failure(db=db, attempt=attempt, outcome=Outcome.TOTP_FAILED)
    if count.locked_at is not None:
        raise SignInRefused(rules.LOCKED_MESSAGE)
    raise SignInRefused(two_factor.WRONG_CODE)


def _take_second_step(
    session: Session, ticket: str, digits: str, staff_id: int, attempt: Attempt
) -> SignInStep | None:
    """In one transaction: the waiting ticket, the secret and the code; None when any of them
    is not right (the caller records the failure)."""
    held = tickets.find(session, code=ticket, purposes=tickets.SECOND_STEPS)
    row = two_factor.pending_or_enabled(session, staff_id)
    user = session.get(StaffUser, staff_id)
    if held is None or row is None or user is None or not user.is_active:
        return None
    enrolling = held.purpose == tickets.ENROLMENT
    # An enrolment's code is checked against the waiting secret; a sign-in's only against a
    # secret in use.
    usable = (row.enabled_at is None) if enrolling else (row.enabled_at is not None)
    if not usable or not two_factor.take_code(row, digits, utcnow()):
        return None
    held.used_at = utcnow()
    session.add(held)
    session.add(row)
    if enrolling:
        two_factor.switched_on(session, row, user, attempt)
    return _signed_in(session, user, attempt)


def _signed_in(session: Session, user: StaffUser, attempt: Attempt) -> SignInStep:
    ticket = login.complete(session, STAFF_LOGIN, user, attempt)
    return SignInStep("session", ticket, user.email)


def current_staff(*, db: Database, token: str) -> StaffIdentity | None:
    """The staff member behind a session token, or None if unknown, expired or signed out."""
    with db.read() as session:
        found = login.live_session(session, STAFF_LOGIN, token)
    if found is None:
        return None
    staff_session, user = found
    return StaffIdentity(
        id_of(user), user.email, user.name, staff_session.expires_at, parse_roles(user.roles)
    )


def sign_out(*, db: Database, token: str) -> None:
    """End the session (idempotent: signing out twice is fine)."""
    login.sign_out(db=db, login=STAFF_LOGIN, token=token)


def change_password(*, staff_id: int, **change: Unpack[PasswordChange]) -> None:
    """A staff member sets a new password: the current one is checked (throttled like a
    sign-in), the new one must pass the policy; hashing happens outside any transaction. The
    member's other sessions end; the one with `keep_token` stays."""
    login.change_password(login=STAFF_LOGIN, user_id=staff_id, **change)
