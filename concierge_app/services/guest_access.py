"""Guest links: a random 256-bit token per link, stored only as its SHA-256, expiring and
revocable. A token opens exactly one booking's portal, and nothing else."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from ..db.bookings import Booking, GuestLink
from ..db.engine import Database
from ..db.types import utcnow
from ..settings import get_settings
from .audit import record_event
from .common import load, token_digest


@dataclass(frozen=True, slots=True)
class IssuedLink:
    token: str  # shown once, in the message to the guest; never stored
    url: str
    expires_at: datetime


_LINKS = GuestLink.__table__  # type: ignore[attr-defined]
_NEW_LINK = _LINKS.insert().values(
    booking_id=bindparam("booking_id"),
    token_hash=bindparam("token_hash"),
    created_by=bindparam("created_by"),
    created_at=bindparam("created_at"),
    expires_at=bindparam("expires_at"),
)


def portal_url(reference: str, token: str) -> str:
    """The guest's address of the booking's portal (the Payments card)."""
    base = get_settings().public_base_url.rstrip("/")
    return f"{base}/portal/{reference}?t={token}"


def _insert_link(
    session: Session, booking_id: int, actor: str, valid_for: timedelta | None = None
) -> tuple[str, datetime]:
    """Store a new link's token hash (inside the caller's transaction): (token, expiry)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    expires = now + (valid_for or timedelta(days=get_settings().guest_link_days))
    session.connection().execute(
        _NEW_LINK,
        {
            "booking_id": booking_id,
            "token_hash": token_digest(token),
            "created_by": actor,
            "created_at": now,
            "expires_at": expires,
        },
    )
    return token, expires


def new_portal_link(session: Session, *, booking_id: int, reference: str, actor: str) -> str:
    """Inside the caller's transaction: a fresh link for a message to the guest; its URL."""
    token, _ = _insert_link(session, booking_id, actor)
    return portal_url(reference, token)


def issue_guest_link(
    *, db: Database, booking_id: int, actor: str, valid_for: timedelta | None = None
) -> IssuedLink:
    """A new link into the booking's portal, valid for GUEST_LINK_DAYS unless told otherwise."""
    with db.transaction() as session:
        booking = load(session, Booking, booking_id, "Booking", lock=True)
        token, expires = _insert_link(session, booking_id, actor, valid_for)
        record_event(
            session,
            actor=actor,
            action="guest_link.issued",
            subject=f"booking:{booking_id}",
            booking_id=booking_id,
            data={"expires_at": expires.isoformat()},
        )
        return IssuedLink(token, portal_url(booking.reference, token), expires)


def booking_for_guest(*, db: Database, token: str, reference: str | None = None) -> int | None:
    """The booking a token opens, or None: unknown, expired and revoked tokens open nothing,
    and with `reference` (the one in the link's path) a token never opens another booking."""
    if not token or len(token) > 200:
        return None
    with db.read() as session:
        row = session.exec(
            select(GuestLink, Booking.reference)
            .join(Booking, col(Booking.id) == GuestLink.booking_id)
            .where(GuestLink.token_hash == token_digest(token))
        ).first()
    if row is None:
        return None
    link, booking_reference = row
    if link.revoked_at is not None or link.expires_at <= utcnow():
        return None
    if reference is not None and reference.strip().upper() != booking_reference:
        return None
    return link.booking_id


def revoke_guest_links(*, db: Database, booking_id: int, actor: str) -> int:
    """Close every open link of the booking (e.g. a link was forwarded by mistake)."""
    now = utcnow()
    with db.transaction() as session:
        load(session, Booking, booking_id, "Booking", lock=True)
        links = session.exec(
            select(GuestLink).where(
                GuestLink.booking_id == booking_id, col(GuestLink.revoked_at).is_(None)
            )
        ).all()
        for link in links:
            link.revoked_at = now
            session.add(link)
        record_event(
            session,
            actor=actor,
            action="guest_link.revoked",
            subject=f"booking:{booking_id}",
            booking_id=booking_id,
            data={"links": len(links)},
        )
        return len(links)
