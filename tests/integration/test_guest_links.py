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


def _message_link_token(db, booking_id: int, issued_at=None) -> str:
    from concierge_app.services.guest.links import message_token

    return message_token(booking_id, issued_at or utcnow())


def test_a_message_link_opens_its_booking_only_and_stores_nothing(db):
    from concierge_app.db.bookings import Booking

    a, b = make_world(db), make_world(db)
    with db.read() as s:
        before = len(s.exec(select(GuestLink)).all())
        ref_a = s.get(Booking, a.booking_id).reference
        ref_b = s.get(Booking, b.booking_id).reference
    token = _message_link_token(db, a.booking_id)
    assert len(token.split("_", 2)[2]) >= 43  # an HMAC-SHA256: 256 bits
    assert booking_for_guest(db=db, token=token) == a.booking_id
    assert booking_for_guest(db=db, token=token, reference=ref_a.lower()) == a.booking_id
    assert booking_for_guest(db=db, token=token, reference=ref_b) is None
    booking, issued, mac = token.split("_", 2)
    forged = f"{b.booking_id}_{issued}_{mac}"  # another booking with a's HMAC
    assert booking_for_guest(db=db, token=forged) is None
    assert booking_for_guest(db=db, token=f"{booking}_{int(issued) + 1}_{mac}") is None
    assert booking_for_guest(db=db, token=token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    with db.read() as s:
        assert len(s.exec(select(GuestLink)).all()) == before


def test_a_message_link_expires_and_is_closed_by_revoking_the_bookings_links(db, monkeypatch):
    from concierge_app.settings import get_settings

    w = make_world(db)
    days = get_settings().guest_link_days
    old = _message_link_token(db, w.booking_id, utcnow() - timedelta(days=days, seconds=1))
    assert booking_for_guest(db=db, token=old) is None  # expired
    token = _message_link_token(db, w.booking_id)
    assert booking_for_guest(db=db, token=token) == w.booking_id
    assert revoke_guest_links(db=db, booking_id=w.booking_id, actor=ACTOR) == 0
    assert booking_for_guest(db=db, token=token) is None
    after = _message_link_token(db, w.booking_id)
    assert booking_for_guest(db=db, token=after) == w.booking_id  # issued after: opens
    assert revoke_guest_links(db=db, booking_id=w.booking_id, actor=ACTOR) == 0  # again
    assert booking_for_guest(db=db, token=after) is None
    # the marker row is no token: nothing opens it
    assert booking_for_guest(db=db, token=f"message-links-revoked:{w.booking_id}") is None
    monkeypatch.setenv("SECRET_KEY", "another-secret-key-of-enough-length-0123456789")
    get_settings.cache_clear()
    try:
        fresh = _message_link_token(db, w.booking_id, utcnow() + timedelta(seconds=2))
        assert booking_for_guest(db=db, token=fresh) == w.booking_id
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert booking_for_guest(db=db, token=fresh) is None  # made with another key
