"""Partner sign-in: a partner user sees only its own partner's finance pages.

Same rules as staff sign-in: Argon2 passwords, sessions stored as token hashes, expiring after
STAFF_SESSION_HOURS, ended by sign-out.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select

from ..db.engine import Database
from ..db.parties import Partner
from ..db.partner_billing import PartnerSession, PartnerUser
from ..db.types import utcnow
from ..domain.errors import Conflict, NotFound
from ..settings import get_settings
from .audit import record_event
from .auth import SignInRefused, check_password, hash_password
from .common import id_of, token_digest


@dataclass(frozen=True, slots=True)
class PartnerIdentity:
    user_id: int
    email: str
    name: str
    partner_id: int
    partner_name: str
    partner_code: str
    partner_kind: str  # property / operator
    session_expires_at: datetime


@dataclass(frozen=True, slots=True)
class PartnerSignedIn:
    token: str  # for the browser's cookie; never stored
    identity: PartnerIdentity


def create_partner_user(
    *, db: Database, partner_id: int, email: str, name: str, password: str, actor: str
) -> int:
    """A login for one partner's finance pages. Returns its id."""
    email = email.strip().lower()
    if "@" not in email:
        raise Conflict("Enter a valid email address.", field="email")
    if len(password) < 10:
        raise Conflict("Use at least 10 characters for the password.", field="password")
    with db.transaction() as session:
        if session.get(Partner, partner_id) is None:
            raise NotFound(f"Partner {partner_id} was not found.")
        if session.exec(select(PartnerUser).where(PartnerUser.email == email)).first():
            raise Conflict("There is already a login with this email.", field="email")
        user = PartnerUser(
            partner_id=partner_id,
            email=email,
            name=name.strip(),
            password_hash=hash_password(password),
        )
        session.add(user)
        session.flush()
        record_event(
            session,
            actor=actor,
            action="partner_user.created",
            subject=f"partner:{partner_id}",
            data={"email": email},
        )
        return id_of(user)


def partner_sign_in(*, db: Database, email: str, password: str) -> PartnerSignedIn:
    email = email.strip().lower()
    if not email or not password:
        raise SignInRefused("Enter your email and password.")
    with db.transaction() as session:
        row = session.exec(
            select(PartnerUser, Partner)
            .join(Partner, col(Partner.id) == PartnerUser.partner_id)
            .where(PartnerUser.email == email)
        ).first()
        valid, new_hash = check_password(password, None if row is None else row[0].password_hash)
        if row is None or not valid or not row[0].is_active:
            raise SignInRefused("The email or password is not correct.")
        user, partner = row
        if new_hash is not None:
            user.password_hash = new_hash
            session.add(user)
        token = secrets.token_urlsafe(32)
        now = utcnow()
        expires = now + timedelta(hours=get_settings().staff_session_hours)
        session.add(
            PartnerSession(
                token_hash=token_digest(token),
                partner_user_id=id_of(user),
                created_at=now,
                expires_at=expires,
            )
        )
        record_event(
            session,
            actor=user.email,
            action="partner_user.signed_in",
            subject=f"partner:{partner.id}",
            data={},
        )
        return PartnerSignedIn(token, _identity(user, partner, expires))


def current_partner_user(*, db: Database, token: str) -> PartnerIdentity | None:
    """Who a session token belongs to, or None (unknown, expired, signed out, disabled)."""
    if not token:
        return None
    with db.read() as session:
        row = session.exec(
            select(PartnerSession, PartnerUser, Partner)
            .join(PartnerUser, col(PartnerUser.id) == PartnerSession.partner_user_id)
            .join(Partner, col(Partner.id) == PartnerUser.partner_id)
            .where(PartnerSession.token_hash == token_digest(token))
        ).first()
    if row is None:
        return None
    partner_session, user, partner = row
    if partner_session.revoked_at is not None or partner_session.expires_at <= utcnow():
        return None
    if not user.is_active:
        return None
    return _identity(user, partner, partner_session.expires_at)


def partner_sign_out(*, db: Database, token: str) -> None:
    if not token:
        return
    with db.transaction() as session:
        row = session.exec(
            select(PartnerSession).where(PartnerSession.token_hash == token_digest(token))
        ).first()
        if row is not None and row.revoked_at is None:
            row.revoked_at = utcnow()
            session.add(row)


def _identity(user: PartnerUser, partner: Partner, expires: datetime) -> PartnerIdentity:
    return PartnerIdentity(
        id_of(user),
        user.email,
        user.name,
        id_of(partner),
        partner.name,
        partner.code,
        partner.kind,
        expires,
    )
