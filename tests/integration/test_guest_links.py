"""Guest links open exactly one booking, only while valid; tokens are never stored."""

from datetime import timedelta

from sqlmodel import select

from concierge_app.db.bookings import GuestLink
from concierge_app.db.types import utcnow
from concierge_app.services.guest.links import (
    booking_for_guest,
    issue_guest_link,
    revoke_guest_links,
)

from ..factories import ACTOR, make_world


def test_a_link_opens_its_own_booking_and_no_other(db):
    a, b = make_world(db), make_world(db)
    link_a = issue_guest_link(db=db, booking_id=a.booking_id, actor=ACTOR)
    link_b = issue_guest_link(db=db, booking_id=b.booking_id, actor=ACTOR)
    assert len(link_a.token) >= 43  # 32 random bytes: 256 bits
    assert link_a.url.endswith(f"?t={link_a.token}") and "/portal/" in link_a.url
    assert booking_for_guest(db=db, token=link_a.token) == a.booking_id
    assert booking_for_guest(db=db, token=link_b.token) == b.booking_id
    with db.read() as s:
        stored = [link.token_hash for link in s.exec(select(GuestLink)).all()]
    assert link_a.token not in stored and link_b.token not in stored
    assert all(len(h) == 64 for h in stored)


def test_wrong_expired_and_revoked_tokens_open_nothing(db):
    w = make_world(db)
    link = issue_guest_link(db=db, booking_id=w.booking_id, actor=ACTOR)
    assert booking_for_guest(db=db, token=link.token[:-1] + "x") is None
    assert booking_for_guest(db=db, token="") is None
    assert booking_for_guest(db=db, token="a" * 500) is None
    with db.transaction() as s:
        s.exec(select(GuestLink)).one().expires_at = utcnow() - timedelta(seconds=1)
    assert booking_for_guest(db=db, token=link.token) is None

    fresh = issue_guest_link(db=db, booking_id=w.booking_id, actor=ACTOR)
    assert booking_for_guest(db=db, token=fresh.token) == w.booking_id
    assert revoke_guest_links(db=db, booking_id=w.booking_id, actor=ACTOR) == 2
    assert booking_for_guest(db=db, token=fresh.token) is None


def test_a_token_used_with_another_bookings_reference_opens_nothing(db):
    from concierge_app.db.bookings import Booking

    a, b = make_world(db), make_world(db)
    link_a = issue_guest_link(db=db, booking_id=a.booking_id, actor=ACTOR)
    with db.read() as s:
        ref_a = s.get(Booking, a.booking_id).reference
        ref_b = s.get(Booking, b.booking_id).reference
    assert booking_for_guest(db=db, token=link_a.token, reference=ref_a) == a.booking_id
    assert booking_for_guest(db=db, token=link_a.token, reference=ref_a.lower()) == a.booking_id
    assert booking_for_guest(db=db, token=link_a.token, reference=ref_b) is None
