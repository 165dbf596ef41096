"""One-time sign-in tickets: stored as hashes, redeemed once, within their minute, only for an
account still active; a waiting second step is not a session ticket."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from concierge_app.db.parties import StaffSession, StaffUser
from concierge_app.db.security import SignInTicket
from concierge_app.db.types import utcnow
from concierge_app.domain.sign_in import Kind
from concierge_app.services.access import partner_sign_in as partner_auth
from concierge_app.services.access import staff_sign_in as auth
from concierge_app.services.access import tickets as tickets

from .sign_in_support import (
    PARTNER_EMAIL,
    PARTNER_PASSWORD,
    STAFF_EMAIL,
    STAFF_PASSWORD,
    add_partner_login,
    add_staff,
)


def test_a_ticket_opens_one_session_once(db):
    add_staff(db)
    step = auth.sign_in(db=db, email=STAFF_EMAIL, password=STAFF_PASSWORD)
    first = tickets.redeem_session(db=db, code=step.ticket)
    assert first is not None and first.kind is Kind.STAFF
    assert first.max_age_seconds == 12 * 3600
    assert tickets.redeem_session(db=db, code=step.ticket) is None
    assert tickets.redeem_session(db=db, code="") is None
    assert tickets.redeem_session(db=db, code="x" * 500) is None
    with db.read() as s:
        assert len(s.exec(select(StaffSession)).all()) == 1
        stored = s.exec(select(SignInTicket)).one()
    assert stored.used_at is not None and step.ticket not in stored.code_hash


def test_a_ticket_expires_after_a_minute(db):
    add_staff(db)
    step = auth.sign_in(db=db, email=STAFF_EMAIL, password=STAFF_PASSWORD)
    with db.transaction() as s:
        ticket = s.exec(select(SignInTicket)).one()
        assert ticket.expires_at - ticket.created_at == timedelta(seconds=60)
        ticket.expires_at = utcnow() - timedelta(milliseconds=1)
    assert tickets.redeem_session(db=db, code=step.ticket) is None


def test_a_ticket_of_a_disabled_account_opens_nothing(db):
    add_staff(db)
    step = auth.sign_in(db=db, email=STAFF_EMAIL, password=STAFF_PASSWORD)
    with db.transaction() as s:
        s.exec(select(StaffUser).where(StaffUser.email == STAFF_EMAIL)).one().is_active = False
    assert tickets.redeem_session(db=db, code=step.ticket) is None


def test_a_partner_ticket_opens_a_partner_session(db):
    add_partner_login(db)
    signed = partner_auth.partner_sign_in(db=db, email=PARTNER_EMAIL, password=PARTNER_PASSWORD)
    opened = tickets.redeem_session(db=db, code=signed.ticket)
    assert opened is not None and opened.kind is Kind.PARTNER
    who = partner_auth.current_partner_user(db=db, token=opened.token)
    assert who is not None and who.email == PARTNER_EMAIL


def test_old_tickets_are_cleared_when_new_ones_are_issued(db):
    add_staff(db)
    auth.sign_in(db=db, email=STAFF_EMAIL, password=STAFF_PASSWORD)
    with db.transaction() as s:
        s.exec(select(SignInTicket)).one().expires_at = utcnow() - timedelta(hours=2)
    auth.sign_in(db=db, email=STAFF_EMAIL, password=STAFF_PASSWORD)
    with db.read() as s:
        assert len(s.exec(select(SignInTicket)).all()) == 1
