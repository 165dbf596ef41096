"""Emailed account links for staff and partner users: an `invitation` (the user chooses a name
and password, the account turns active) or a `reset` (a new password; every session of the
user ends). Only the SHA-256 of the random token is stored; a link works once and expires.

    issue(...)  ─→ the token, put in the message (`routes.account_link`)
    link_info(token) ─→ who it is for (the page shows it), or LinkRefused
    use_link(token, name, password, repeat) ─→ the account's email
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from concierge_app.db.engine import Database
from concierge_app.db.parties import StaffSession, StaffUser
from concierge_app.db.partner_billing import PartnerSession, PartnerUser
from concierge_app.db.security import AccountLink
from concierge_app.db.types import utcnow
from concierge_app.domain.errors import DomainError
from concierge_app.domain.sign_in import Kind
from concierge_app.services.access.passwords import check_policy, hash_password
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import table_of, token_digest

INVITATION = "invitation"
RESET = "reset"
INVITATION_TTL = timedelta(days=7)
RESET_TTL = timedelta(hours=24)

EXPIRED = "This link has expired or was already used. Ask for a new one."
MAX_NAME = 200


class LinkRefused(DomainError):
    """The link is unknown, used or expired (one message for all: nothing to guess from)."""


@dataclass(frozen=True, slots=True)
class LinkInfo:
    kind: Kind
    purpose: str
    email: str
    name: str


def clean_email(text: str) -> str:
    """An email as stored: trimmed, lower case, one @ with text on both sides, no spaces or
    control characters, at most 254 characters."""
    email = unicodedata.normalize("NFC", text.strip()).lower()
    local, at, domain = email.partition("@")
    bad = any(c.isspace() or unicodedata.category(c).startswith("C") for c in email)
    if not at or not local or "." not in domain or "@" in domain or bad or len(email) > 254:
        raise DomainError("Enter a valid email address.", field="email")
    return email


def clean_name(text: str) -> str:
    """A person's name: 1–200 characters, no control characters."""
    name = " ".join(unicodedata.normalize("NFC", text).split())
    if not name:
        raise DomainError("Enter the person's name.", field="name")
    if len(name) > MAX_NAME:
        raise DomainError(f"A name is at most {MAX_NAME} characters.", field="name")
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise DomainError("A name cannot hold control characters.", field="name")
    return name


def with_live_invitation(session: Session, kind: Kind) -> set[int]:
    """The users of `kind` whose invitation link can still be used."""
    rows = session.exec(
        select(AccountLink.user_id).where(
            AccountLink.kind == kind.value,
            AccountLink.purpose == INVITATION,
            col(AccountLink.used_at).is_(None),
            AccountLink.expires_at > utcnow(),
        )
    ).all()
    return set(rows)


def cancel(session: Session, *, kind: Kind, user_id: int, purpose: str | None = None) -> None:
    """The user's unused links (of `purpose`, or all) stop working, in the caller's
    transaction."""
    links = table_of(AccountLink)
    stmt = update(links).where(
        links.c.kind == kind.value, links.c.user_id == user_id, links.c.used_at.is_(None)
    )
    if purpose is not None:
        stmt = stmt.where(links.c.purpose == purpose)
    session.connection().execute(stmt.values(expires_at=utcnow()))


def issue(
    session: Session, *, kind: Kind, user_id: int, purpose: str, actor: str
) -> tuple[str, datetime]:
    """A new link in the caller's transaction (the user's earlier unused links of the same
    purpose stop working). Returns the token and when it expires."""
    cancel(session, kind=kind, user_id=user_id, purpose=purpose)
    now = utcnow()
    token = secrets.token_urlsafe(32)
    expires = now + (INVITATION_TTL if purpose == INVITATION else RESET_TTL)
    session.add(
        AccountLink(
            token_hash=token_digest(token),
            kind=kind.value,
            user_id=user_id,
            purpose=purpose,
            created_by=actor[:254],
            created_at=now,
            expires_at=expires,
        )
    )
    return token, expires


def _find(session: Session, token: str, *, lock: bool) -> AccountLink | None:
    if not token or len(token) > 100:
        return None
    stmt = select(AccountLink).where(AccountLink.token_hash == token_digest(token))
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    link = session.exec(stmt).first()
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        return None
    return link


def _user(session: Session, link: AccountLink) -> StaffUser | PartnerUser | None:
    if link.kind == Kind.STAFF.value:
        return session.get(StaffUser, link.user_id)
    return session.get(PartnerUser, link.user_id)


def link_info(*, db: Database, token: str) -> LinkInfo:
    """Who a link is for; LinkRefused when it is unknown, used or expired, or the account was
    disabled meanwhile (a reset) or removed."""
    with db.read() as session:
        link = _find(session, token, lock=False)
        user = None if link is None else _user(session, link)
        if link is None or user is None or (link.purpose == RESET and not user.is_active):
            raise LinkRefused(EXPIRED)
        return LinkInfo(Kind(link.kind), link.purpose, user.email, user.name)


def use_link(*, db: Database, token: str, name: str, password: str, repeat: str) -> LinkInfo:
    """Accept an invitation (name and password; the account turns active) or reset a password
    (every session of the user ends). The link is used once; bad input changes nothing."""
    info = link_info(db=db, token=token)
    name = clean_name(name) if info.purpose == INVITATION else info.name
    if password != repeat:
        raise DomainError("The two passwords are not the same.", field="repeat")
    check_policy(password, email=info.email, name=name)
    password_hash = hash_password(password)
    with db.transaction() as session:
        link = _find(session, token, lock=True)
        user = None if link is None else _user(session, link)
        if link is None or user is None or (link.purpose == RESET and not user.is_active):
            raise LinkRefused(EXPIRED)
        now = utcnow()
        link.used_at = now
        session.add(link)
        user.password_hash = password_hash
        if link.purpose == INVITATION:
            user.name, user.is_active = name, True
        session.add(user)
        end_sessions(session, info.kind, link.user_id)
        prefix = "staff" if info.kind is Kind.STAFF else "partner_user"
        done = "invitation_accepted" if link.purpose == INVITATION else "password_reset"
        record_event(
            session,
            actor=user.email,
            action=f"{prefix}.{done}",
            subject=f"{prefix}:{link.user_id}",
            data={},
        )
        return LinkInfo(info.kind, link.purpose, user.email, user.name)


def end_sessions(session: Session, kind: Kind, user_id: int) -> None:
    """Sign the user out everywhere."""
    if kind is Kind.STAFF:
        sessions, owner = table_of(StaffSession), "staff_user_id"
    else:
        sessions, owner = table_of(PartnerSession), "partner_user_id"
    session.connection().execute(
        update(sessions)
        .where(sessions.c[owner] == user_id, sessions.c.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
