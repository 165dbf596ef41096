"""Partner users (SQLite and PostgreSQL): staff invite one to a property or a group, the link
is used once, staff disable it (its sessions end); a partner's own users invite and disable
colleagues of their property only — another partner's users are "not found"."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from concierge_app.db.messaging import OutboxMessage
from concierge_app.db.partner_billing import PartnerUser
from concierge_app.domain.errors import Conflict, DomainError, NotFound
from concierge_app.domain.roles import NotAllowed, Role
from concierge_app.services.access import account_links, partner_users, tickets
from concierge_app.services.access.guard import SignInRefused
from concierge_app.services.access.partner_sign_in import current_partner_user, partner_sign_in
from concierge_app.services.partner.money import groups

from ..factories import ACTOR, add_staff, make_partner, snapshot

GOOD = "violet-harbour-lantern-42"


def token_for(db, email: str) -> str:
    with db.read() as s:
        body = s.exec(
            select(OutboxMessage.body)
            .where(OutboxMessage.recipient == email)
            .order_by(OutboxMessage.id.desc())  # type: ignore[union-attr]
        ).first()
    return re.search(r"/account\?t=([\w-]+)", body).group(1)


def accepted(db, partner_id, email, *, group_login=False) -> int:
    invited = partner_users.invite_partner_user(
        db=db,
        partner_id=partner_id,
        email=email,
        name=email.split("@")[0],
        actor=ACTOR,
        group_login=group_login,
    )
    account_links.use_link(
        db=db, token=token_for(db, email), name="Ana", password=GOOD, repeat=GOOD
    )
    return invited.user_id


def session_token(db, email) -> str:
    signed = partner_sign_in(db=db, email=email, password=GOOD)
    return tickets.redeem_session(db=db, code=signed.ticket).token


def test_staff_invite_a_partner_user_who_signs_in(db):
    villa = make_partner(db, kind="property")
    partner_users.invite_partner_user(
        db=db, partner_id=villa, email="Ana@Villa.example", name="Ana", actor=ACTOR
    )
    with db.read() as s:
        msg = s.exec(
            select(OutboxMessage).where(OutboxMessage.template_key == "partner_invitation")
        ).one()
    assert msg.recipient == "ana@villa.example" and msg.partner_id == villa
    assert "Test Staff invited you" in msg.body
    with pytest.raises(SignInRefused):
        partner_sign_in(db=db, email="ana@villa.example", password=GOOD)
    [row] = partner_users.partner_users_for_staff(db=db, partner_id=villa, actor=ACTOR)
    assert (row.email, row.status, row.group_login) == ("ana@villa.example", "Invited", False)
    token = token_for(db, "ana@villa.example")
    info = account_links.use_link(db=db, token=token, name="Ana M.", password=GOOD, repeat=GOOD)
    assert info.kind.value == "partner"
    who = current_partner_user(db=db, token=session_token(db, "ana@villa.example"))
    assert who is not None and who.partner_id == villa and who.name == "Ana M."
    with pytest.raises(account_links.LinkRefused):
        account_links.use_link(db=db, token=token, name="X", password=GOOD, repeat=GOOD)


def test_a_group_login_sees_the_group(db):
    a = make_partner(db, kind="property")
    b = make_partner(db, kind="property")
    group = groups.create_group(
        db=db, code="GRP-9001", name="Isles", finance_email="f@isles.example", actor=ACTOR
    )
    for member in (a, b):
        groups.join_group(db=db, group_id=group, partner_id=member, actor=ACTOR)
    accepted(db, a, "group@isles.example", group_login=True)
    who = current_partner_user(db=db, token=session_token(db, "group@isles.example"))
    assert who is not None and who.group_id == group
    lone = make_partner(db, kind="property")
    before = snapshot(db)
    with pytest.raises(Conflict, match="not in a group"):
        partner_users.invite_partner_user(
            db=db, partner_id=lone, email="x@y.example", name="X", actor=ACTOR, group_login=True
        )
    assert snapshot(db) == before


def test_staff_disable_ends_the_partner_sessions(db):
    villa = make_partner(db, kind="property")
    user_id = accepted(db, villa, "ana@villa.example")
    token = session_token(db, "ana@villa.example")
    partner_users.set_partner_user_active(db=db, user_id=user_id, active=False, actor=ACTOR)
    assert current_partner_user(db=db, token=token) is None
    with pytest.raises(SignInRefused):
        partner_sign_in(db=db, email="ana@villa.example", password=GOOD)
    partner_users.set_partner_user_active(db=db, user_id=user_id, active=True, actor=ACTOR)
    assert session_token(db, "ana@villa.example")


def test_only_admins_manage_partner_users(db):
    villa = make_partner(db, kind="property")
    add_staff(db, "money@test.example", Role.FINANCE)
    before = snapshot(db)
    with pytest.raises(NotAllowed, match="managing users"):
        partner_users.invite_partner_user(
            db=db, partner_id=villa, email="a@b.example", name="A", actor="money@test.example"
        )
    with pytest.raises(NotAllowed):
        partner_users.partner_users_for_staff(db=db, partner_id=villa, actor="money@test.example")
    assert snapshot(db) == before


def test_partners_manage_their_own_colleagues_only(db):
    villa = make_partner(db, kind="property")
    other = make_partner(db, kind="property")
    me = accepted(db, villa, "ana@villa.example")
    stranger = accepted(db, other, "bob@other.example")
    invited = partner_users.invite_colleague(
        db=db, partner_user_id=me, email="carla@villa.example", name="Carla"
    )
    with db.read() as s:
        carla = s.get(PartnerUser, invited.user_id)
    assert carla.partner_id == villa and carla.group_id is None
    with db.read() as s:
        msg = s.exec(
            select(OutboxMessage).where(OutboxMessage.recipient == "carla@villa.example")
        ).one()
    assert "Ana invited you" in msg.body
    emails = [r.email for r in partner_users.my_colleagues(db=db, partner_user_id=me)]
    assert emails == ["ana@villa.example", "carla@villa.example"]
    before = snapshot(db)
    with pytest.raises(NotFound, match="not found"):
        partner_users.set_colleague_active(
            db=db, partner_user_id=me, user_id=stranger, active=False
        )
    with pytest.raises(Conflict, match="yourself"):
        partner_users.set_colleague_active(db=db, partner_user_id=me, user_id=me, active=False)
    # an email that already has a login elsewhere is not taken over
    with pytest.raises(Conflict, match="already exists"):
        partner_users.invite_colleague(
            db=db, partner_user_id=me, email="bob@other.example", name="Bob"
        )
    assert snapshot(db) == before
    partner_users.set_colleague_active(
        db=db, partner_user_id=me, user_id=invited.user_id, active=False
    )
    with pytest.raises(account_links.LinkRefused):
        account_links.link_info(db=db, token=token_for(db, "carla@villa.example"))


def test_a_disabled_partner_user_cannot_invite(db):
    villa = make_partner(db, kind="property")
    me = accepted(db, villa, "ana@villa.example")
    partner_users.set_partner_user_active(db=db, user_id=me, active=False, actor=ACTOR)
    before = snapshot(db)
    with pytest.raises(Conflict, match="signed out"):
        partner_users.invite_colleague(db=db, partner_user_id=me, email="c@v.example", name="C")
    assert snapshot(db) == before


@pytest.mark.parametrize(
    ("email", "name"),
    [("no-at-sign", "X"), ("x@y.example", "\u202e" * 3), ("x@y.example", "x" * 5000), ("", "X")],
)
def test_hostile_invitations_change_nothing(db, email, name):
    villa = make_partner(db, kind="property")
    before = snapshot(db)
    with pytest.raises(DomainError):
        partner_users.invite_partner_user(
            db=db, partner_id=villa, email=email, name=name, actor=ACTOR
        )
    assert snapshot(db) == before
