"""Guest links: a random 256-bit token per link, stored only as its SHA-256, expiring and
revocable. A token opens exactly one booking's portal, and nothing else.

The links in the messages to the guest (Invoice Sent, Payment Received, reminders, credit
notes) are written inside the hot transactions, so they are derived instead of stored: the
booking, the moment of issue and an HMAC-SHA256 of both with SECRET_KEY (256 bits). Nobody
without the key can make one; it opens that booking only, for GUEST_LINK_DAYS after its issue,
and "revoke every link" closes them too (a per-booking revocation time, kept as a marker row
of guest_link: every message link issued up to then opens nothing). A new SECRET_KEY closes
every message link (the guest gets a fresh one with the next message, or staff issue one).

The way back from the provider's checkout never carries that token (it would be stored at the
provider and in its logs): the return URL carries the payment attempt and a return code signed
with SECRET_KEY for that attempt, which opens the attempt's booking for `RETURN_VALID_FOR`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from concierge_app import routes
from concierge_app.db.bookings import Booking, GuestLink
from concierge_app.db.engine import Database
from concierge_app.db.payments import PaymentAttempt
from concierge_app.db.types import utcnow
from concierge_app.services.shared.addresses import public_url
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import load, token_digest
from concierge_app.services.shared.permissions import Permission, require_in
from concierge_app.settings import get_settings

# The element id of the guest portal's Payments card: messages link to it (`…#payments`).
PAYMENTS_CARD = "payments"


@dataclass(frozen=True, slots=True)
class IssuedLink:
    token: str  # shown once, in the message to the guest; never stored
    url: str
    expires_at: datetime


_LINKS = GuestLink.__table__  # type: ignore[attr-defined]
_BOOKINGS = Booking.__table__  # type: ignore[attr-defined]
_NEW_LINK = _LINKS.insert().values(
    booking_id=bindparam("booking_id"),
    token_hash=bindparam("token_hash"),
    created_by=bindparam("created_by"),
    created_at=bindparam("created_at"),
    expires_at=bindparam("expires_at"),
)


# A Checkout Session lives 24 h at Stripe; the guest comes back within that (plus a margin).
RETURN_VALID_FOR = timedelta(hours=25)


def portal_url(reference: str, token: str) -> str:
    """The guest's address of the booking's portal (the Payments card)."""
    return f"{public_url(routes.portal(reference))}?t={token}"


def return_code(attempt_id: str) -> str:
    """The code in a checkout's return URL: opens that attempt's booking, for a day."""
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"checkout-return:{attempt_id}".encode(), hashlib.sha256).hexdigest()[:32]


def return_urls(reference: str, attempt_id: str) -> tuple[str, str]:
    """(success, cancel) URLs for a checkout: the attempt and its return code, no token."""
    base = public_url(routes.portal(reference))
    code = return_code(attempt_id)
    return (
        f"{base}?checkout={attempt_id}&r={code}",
        f"{base}?checkout=cancelled&attempt={attempt_id}&r={code}",
    )


def booking_for_return(
    *, db: Database, attempt_id: str, code: str, reference: str | None = None
) -> int | None:
    """The booking a checkout's return URL opens, or None (wrong code, too old, another
    booking's reference)."""
    if not attempt_id or len(attempt_id) > 40 or not code or len(code) > 64:
        return None
    if not hmac.compare_digest(return_code(attempt_id), code):
        return None
    with db.read() as session:
        row = session.exec(
            select(PaymentAttempt.booking_id, PaymentAttempt.created_at, Booking.reference)
            .join(Booking, col(Booking.id) == PaymentAttempt.booking_id)
            .where(PaymentAttempt.id == attempt_id)
        ).first()
    if row is None:
        return None
    booking_id, created_at, booking_reference = row
    if created_at <= utcnow() - RETURN_VALID_FOR:
        return None
    if reference is not None and reference.strip().upper() != booking_reference:
        return None
    return int(booking_id)


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


def _message_mac(booking_id: int, issued_us: int) -> str:
    key = get_settings().secret_key.encode()
    mac = hmac.new(key, f"guest-message-link:{booking_id}:{issued_us}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")


def message_token(booking_id: int, issued_at: datetime) -> str:
    """A message link's token: `<booking>_<issued, µs since the epoch>_<HMAC>`; nothing stored."""
    issued_us = int(issued_at.timestamp() * 1_000_000)
    return f"{booking_id}_{issued_us}_{_message_mac(booking_id, issued_us)}"


def _message_link(token: str) -> tuple[int, datetime] | None:
    """(booking id, issued at) of a well-formed message token whose HMAC is right, else None."""
    booking, _, rest = token.partition("_")
    issued, _, mac = rest.partition("_")
    if not (booking.isdigit() and issued.isdigit() and len(booking) < 19 and len(issued) < 19):
        return None
    if not hmac.compare_digest(_message_mac(int(booking), int(issued)), mac):
        return None
    return int(booking), datetime.fromtimestamp(int(issued) / 1_000_000, UTC)


def _revoked_marker(booking_id: int) -> str:
    """The token_hash of the booking's marker row: when its message links were last revoked.
    Not a SHA-256 in hex, so no token opens it (and it is stored revoked)."""
    return f"message-links-revoked:{booking_id}"


_MESSAGE_LINK_BOOKING = core_select(
    _BOOKINGS.c.reference,
    core_select(_LINKS.c.revoked_at)
    .where(_LINKS.c.token_hash == bindparam("marker"))
    .scalar_subquery()
    .label("revoked_at"),
).where(_BOOKINGS.c.id == bindparam("booking_id"))


def new_portal_link(*, booking_id: int, reference: str) -> str:
    """A link for a message to the guest; its URL. Derived, not stored (see the module's
    docstring): it costs the caller's transaction no statement."""
    return portal_url(reference, message_token(booking_id, utcnow()))


def issue_guest_link(
    *, db: Database, booking_id: int, actor: str, valid_for: timedelta | None = None
) -> IssuedLink:
    """A new link into the booking's portal, valid for GUEST_LINK_DAYS unless told otherwise."""
    require_in(db, actor, Permission.BOOKINGS)
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
    derived = _message_link(token)
    if derived is not None:
        return _message_link_booking(db, *derived, reference=reference)
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


def _message_link_booking(
    db: Database, booking_id: int, issued_at: datetime, *, reference: str | None
) -> int | None:
    now = utcnow()
    if issued_at > now + timedelta(minutes=5) or issued_at <= now - timedelta(
        days=get_settings().guest_link_days
    ):
        return None
    row = db.select_one(
        _MESSAGE_LINK_BOOKING, {"booking_id": booking_id, "marker": _revoked_marker(booking_id)}
    )
    if row is None:
        return None
    if row.revoked_at is not None and issued_at <= _aware(row.revoked_at):
        return None
    if reference is not None and reference.strip().upper() != row.reference:
        return None
    return booking_id


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def revoke_guest_links(*, db: Database, booking_id: int, actor: str) -> int:
    """Close every open link of the booking (e.g. a link was forwarded by mistake): the stored
    ones (their number is returned) and every message link issued until now (the marker)."""
    require_in(db, actor, Permission.BOOKINGS)
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
        marker = session.exec(
            select(GuestLink).where(GuestLink.token_hash == _revoked_marker(booking_id))
        ).first() or GuestLink(
            booking_id=booking_id,
            token_hash=_revoked_marker(booking_id),
            created_by=actor,
            created_at=now,
            expires_at=now,
        )
        marker.revoked_at = now
        session.add(marker)
        record_event(
            session,
            actor=actor,
            action="guest_link.revoked",
            subject=f"booking:{booking_id}",
            booking_id=booking_id,
            data={"links": len(links)},
        )
        return len(links)
