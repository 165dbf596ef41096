"""One-time sign-in tickets, stored only as SHA-256 hashes.

- `session` (valid 60 s, used once): the browser exchanges it at GET /api/auth/session for a
  new session, whose token only ever travels in that response's HttpOnly cookie.
- `second_factor` / `enrolment` (valid 10 minutes): the password was right; the sign-in waits
  for a TOTP code (enrolment: the first code of a new authenticator).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from concierge_app.db.engine import Database
from concierge_app.db.parties import StaffSession, StaffUser
from concierge_app.db.partner_billing import PartnerSession, PartnerUser
from concierge_app.db.security import SignInTicket
from concierge_app.db.types import utcnow
from concierge_app.domain.sign_in import Kind
from concierge_app.services.shared.common import token_digest
from concierge_app.settings import get_settings

SESSION = "session"  # exchanged for the session cookie
SECOND_FACTOR = "second_factor"  # waits for the authenticator's code
ENROLMENT = "enrolment"  # waits for a new authenticator's first code
SECOND_STEPS = (SECOND_FACTOR, ENROLMENT)

SESSION_TICKET_TTL = timedelta(seconds=60)
SECOND_STEP_TTL = timedelta(minutes=10)
_KEEP_USED = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class NewSession:
    """A session opened by a redeemed ticket: the token goes into the cookie, never stored."""

    kind: Kind
    token: str
    expires_at: datetime
    max_age_seconds: int


def session_length() -> timedelta:
    return timedelta(hours=get_settings().staff_session_hours)


def issue(session: Session, *, kind: Kind, user_id: int, purpose: str) -> str:
    """A new ticket in the caller's transaction; returns its code (given to the browser once)."""
    now = utcnow()
    stale = delete(SignInTicket).where(col(SignInTicket.expires_at) < now - _KEEP_USED)
    session.execute(stale)  # old tickets are of no use: keep the table small
    code = secrets.token_urlsafe(32)
    ttl = SESSION_TICKET_TTL if purpose == SESSION else SECOND_STEP_TTL
    session.add(
        SignInTicket(
            code_hash=token_digest(code),
            kind=kind.value,
            user_id=user_id,
            purpose=purpose,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    return code


def find(
    session: Session, *, code: str, purposes: tuple[str, ...], lock: bool = True
) -> SignInTicket | None:
    """The unused, unexpired ticket with this code and one of `purposes` (locked on PostgreSQL
    unless `lock` is False)."""
    if not code or len(code) > 100:
        return None
    stmt = select(SignInTicket).where(SignInTicket.code_hash == token_digest(code))
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    ticket = session.exec(stmt).first()
    if ticket is None or ticket.used_at is not None or ticket.purpose not in purposes:
        return None
    return ticket if ticket.expires_at > utcnow() else None


def peek(session: Session, *, code: str, purposes: tuple[str, ...]) -> SignInTicket | None:
    """`find` for a read: nothing locked."""
    return find(session, code=code, purposes=purposes, lock=False)


def open_session(session: Session, *, kind: Kind, user_id: int) -> NewSession:
    """A new session of the user, in the caller's transaction: only its token's hash is kept."""
    token, now = secrets.token_urlsafe(32), utcnow()
    length = session_length()
    expires = now + length
    digest = token_digest(token)
    if kind is Kind.STAFF:
        session.add(
            StaffSession(
                token_hash=digest, staff_user_id=user_id, created_at=now, expires_at=expires
            )
        )
    else:
        session.add(
            PartnerSession(
                token_hash=digest, partner_user_id=user_id, created_at=now, expires_at=expires
            )
        )
    return NewSession(kind, token, expires, int(length.total_seconds()))


def _active(session: Session, kind: Kind, user_id: int) -> bool:
    """Whether the ticket's account may still sign in (not disabled meanwhile)."""
    if kind is Kind.STAFF:
        staff = session.get(StaffUser, user_id)
        return staff is not None and staff.is_active
    partner_user = session.get(PartnerUser, user_id)
    return partner_user is not None and partner_user.is_active


def redeem_session(*, db: Database, code: str) -> NewSession | None:
    """Exchange a `session` ticket (once, within its minute) for a new session of its user;
    None when the code is unknown, used, expired, or its account was disabled meanwhile."""
    with db.transaction() as session:
        ticket = find(session, code=code, purposes=(SESSION,))
        if ticket is None:
            return None
        ticket.used_at = utcnow()
        session.add(ticket)
        kind = Kind(ticket.kind)
        if not _active(session, kind, ticket.user_id):
            return None
        return open_session(session, kind=kind, user_id=ticket.user_id)
