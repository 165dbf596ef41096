"""Staff users (SQLite and PostgreSQL): invite by emailed link, accept it once, disable (the
sessions end), enable, change roles (never the last admin), reset a password by link, and
`concierge create-admin` on an empty migrated database. Hostile input changes nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select
from typer.testing import CliRunner

from concierge_app.cli import app as cli
from concierge_app.db.messaging import OutboxMessage
from concierge_app.db.parties import StaffSession, StaffUser
from concierge_app.db.security import AccountLink
from concierge_app.db.types import utcnow
from concierge_app.domain.errors import Conflict, DomainError
from concierge_app.domain.roles import NotAllowed, Role
from concierge_app.services.access import account_links, staff_sign_in, staff_users, tickets
from concierge_app.services.access.guard import SignInRefused
from concierge_app.services.access.passwords import WeakPassword
from concierge_app.services.shared.common import table_of

from ..factories import ACTOR, snapshot

GOOD = "violet-harbour-lantern-42"
NEW = "copper-meadow-whistle-77"


def outbox_link(db, email: str) -> str:
    """The token of the newest account link emailed to `email`."""
    with db.read() as s:
        body = s.exec(
            select(OutboxMessage.body)
            .where(OutboxMessage.recipient == email)
            .order_by(OutboxMessage.id.desc())  # type: ignore[union-attr]
        ).first()
    assert body is not None
    return re.search(r"/account\?t=([\w-]+)", body).group(1)


def invite(db, email="ana@test.example", roles=(Role.CONCIERGE,), name="Ana García"):
    return staff_users.invite_staff(db=db, email=email, name=name, roles=roles, actor=ACTOR)


def user(db, email) -> StaffUser:
    with db.read() as s:
        return s.exec(select(StaffUser).where(StaffUser.email == email)).one()


def signed_in(db, email, password) -> str:
    step = staff_sign_in.sign_in(db=db, email=email, password=password)
    return tickets.redeem_session(db=db, code=step.ticket).token


def test_invite_accept_and_sign_in(db):
    invited = invite(db)
    row = user(db, "ana@test.example")
    assert (row.is_active, row.password_hash, row.roles) == (False, "", "concierge")
    token = outbox_link(db, "ana@test.example")
    assert invited.link.endswith(token)
    with db.read() as s:
        msg = s.exec(
            select(OutboxMessage).where(OutboxMessage.template_key == "staff_invitation")
        ).one()
    assert "Test Staff invited you" in msg.body and "as concierge" in msg.body
    # invited, not yet able to sign in
    with pytest.raises(SignInRefused):
        staff_sign_in.sign_in(db=db, email="ana@test.example", password=GOOD)
    info = account_links.link_info(db=db, token=token)
    assert (info.email, info.purpose) == ("ana@test.example", "invitation")
    account_links.use_link(db=db, token=token, name="Ana G.", password=GOOD, repeat=GOOD)
    assert signed_in(db, "ana@test.example", GOOD)
    assert user(db, "ana@test.example").name == "Ana G."
    rows = {r.email: r for r in staff_users.list_staff(db=db, actor=ACTOR)}
    assert rows["ana@test.example"].status == "Active"
    assert rows["ana@test.example"].roles == (Role.CONCIERGE,)
    assert rows["ana@test.example"].last_sign_in is not None
    # the link works once
    with pytest.raises(account_links.LinkRefused, match="expired or was already used"):
        account_links.use_link(db=db, token=token, name="X", password=NEW, repeat=NEW)


def test_a_new_invitation_replaces_the_old_link(db):
    invite(db)
    first = outbox_link(db, "ana@test.example")
    invite(db, roles=(Role.FINANCE,))
    second = outbox_link(db, "ana@test.example")
    assert first != second
    with pytest.raises(account_links.LinkRefused):
        account_links.link_info(db=db, token=first)
    assert account_links.link_info(db=db, token=second).email == "ana@test.example"
    assert user(db, "ana@test.example").roles == "finance"


def test_an_expired_link_is_refused(db):
    invite(db)
    token = outbox_link(db, "ana@test.example")
    with db.transaction() as s:
        s.connection().execute(
            update(table_of(AccountLink)).values(expires_at=utcnow() - timedelta(seconds=1))
        )
    before = snapshot(db)
    with pytest.raises(account_links.LinkRefused, match="expired"):
        account_links.use_link(db=db, token=token, name="Ana", password=GOOD, repeat=GOOD)
    assert snapshot(db) == before


@pytest.mark.parametrize(
    "token", ["", "x", "a" * 10_000, "../../etc/passwd", "\x00", "ñandú", "' OR 1=1 --"]
)
def test_malformed_tokens_are_refused(db, token):
    with pytest.raises(account_links.LinkRefused):
        account_links.link_info(db=db, token=token)


def test_a_weak_or_mismatched_password_changes_nothing(db):
    invite(db)
    token = outbox_link(db, "ana@test.example")
    before = snapshot(db)
    with pytest.raises(WeakPassword):
        account_links.use_link(db=db, token=token, name="Ana", password="short", repeat="short")
    with pytest.raises(DomainError, match="not the same"):
        account_links.use_link(db=db, token=token, name="Ana", password=GOOD, repeat=NEW)
    with pytest.raises(DomainError, match="at most 200"):
        account_links.use_link(db=db, token=token, name="A" * 201, password=GOOD, repeat=GOOD)
    assert snapshot(db) == before


@pytest.mark.parametrize(
    ("email", "name", "roles", "field"),
    [
        ("not-an-email", "Ana", ("concierge",), "email"),
        ("ana@test.example\nBcc: x@evil.example", "Ana", ("concierge",), "email"),
        ("a" * 250 + "@x.example", "Ana", ("concierge",), "email"),
        ("ana@test.example", "", ("concierge",), "name"),
        ("ana@test.example", "N" * 201, ("concierge",), "name"),
        ("ana@test.example", "Ana\u0000", ("concierge",), "name"),
        ("ana@test.example", "Ana", (), "roles"),
        ("ana@test.example", "Ana", ("root",), "roles"),
    ],
)
def test_bad_invitations_change_nothing(db, email, name, roles, field):
    before = snapshot(db)
    with pytest.raises(DomainError) as refused:
        staff_users.invite_staff(db=db, email=email, name=name, roles=roles, actor=ACTOR)
    assert refused.value.field == field
    assert snapshot(db) == before


def test_odd_unicode_emails_and_names_are_kept_as_typed(db):
    invite(db, email="  ZOË.Müller@Exämple.TEST ", name="  山田   太郎 🌴 ")
    row = user(db, "zoë.müller@exämple.test")
    assert row.name == "山田 太郎 🌴"


def test_an_existing_account_cannot_be_invited_again(db):
    before = snapshot(db)
    with pytest.raises(Conflict, match="already exists"):
        invite(db, email=ACTOR)
    assert snapshot(db) == before


def test_disable_ends_sessions_and_enable_lets_them_back(db):
    invite(db)
    token = outbox_link(db, "ana@test.example")
    account_links.use_link(db=db, token=token, name="Ana", password=GOOD, repeat=GOOD)
    session_token = signed_in(db, "ana@test.example", GOOD)
    staff_id = user(db, "ana@test.example").id
    staff_users.disable_staff(db=db, staff_id=staff_id, actor=ACTOR)
    staff_users.disable_staff(db=db, staff_id=staff_id, actor=ACTOR)  # idempotent
    assert staff_sign_in.current_staff(db=db, token=session_token) is None
    with pytest.raises(SignInRefused):
        staff_sign_in.sign_in(db=db, email="ana@test.example", password=GOOD)
    assert {r.email: r.status for r in staff_users.list_staff(db=db, actor=ACTOR)}[
        "ana@test.example"
    ] == "Disabled"
    staff_users.enable_staff(db=db, staff_id=staff_id, actor=ACTOR)
    assert signed_in(db, "ana@test.example", GOOD)


def test_nobody_disables_themselves_or_the_last_admin(db):
    me = user(db, ACTOR).id
    with pytest.raises(Conflict, match="yourself"):
        staff_users.disable_staff(db=db, staff_id=me, actor=ACTOR)
    before = snapshot(db)
    with pytest.raises(Conflict, match="always be an active admin"):
        staff_users.change_roles(db=db, staff_id=me, roles=[Role.FINANCE], actor=ACTOR)
    with pytest.raises(Conflict, match="always be an active admin"):
        staff_users.disable_staff(db=db, staff_id=me, actor="system:test")
    assert snapshot(db) == before
    # with a second active admin, the first may step down
    staff_users.create_admin(
        db=db, email="boss@test.example", name="Boss", password=GOOD, actor="cli:test"
    )
    staff_users.change_roles(db=db, staff_id=me, roles=["finance", "concierge"], actor=ACTOR)
    assert user(db, ACTOR).roles == "concierge,finance"
    # now no longer an admin: refused
    with pytest.raises(NotAllowed, match="managing users"):
        staff_users.change_roles(db=db, staff_id=me, roles=["admin"], actor=ACTOR)


def test_an_invited_admin_does_not_count_as_the_active_admin(db):
    invite(db, email="new.admin@test.example", roles=(Role.ADMIN,))
    me = user(db, ACTOR).id
    with pytest.raises(Conflict, match="always be an active admin"):
        staff_users.change_roles(db=db, staff_id=me, roles=[Role.FINANCE], actor=ACTOR)


def test_only_admins_manage_users(db):
    staff_users.create_admin(
        db=db, email="boss@test.example", name="Boss", password=GOOD, actor="cli:t"
    )
    invite(db, email="desk@test.example", roles=(Role.CONCIERGE, Role.FINANCE))
    token = outbox_link(db, "desk@test.example")
    account_links.use_link(db=db, token=token, name="Desk", password=GOOD, repeat=GOOD)
    before = snapshot(db)
    for call in (
        lambda: staff_users.list_staff(db=db, actor="desk@test.example"),
        lambda: invite_as(db, "desk@test.example"),
        lambda: staff_users.disable_staff(
            db=db, staff_id=user(db, ACTOR).id, actor="desk@test.example"
        ),
        lambda: staff_users.send_password_reset(
            db=db, staff_id=user(db, ACTOR).id, actor="desk@test.example"
        ),
    ):
        with pytest.raises(NotAllowed, match="Your role does not allow managing users"):
            call()
    assert snapshot(db) == before


def invite_as(db, actor):
    return staff_users.invite_staff(
        db=db, email="x@test.example", name="X", roles=["admin"], actor=actor
    )


def test_password_reset_link_ends_every_session(db):
    invite(db)
    account_links.use_link(
        db=db, token=outbox_link(db, "ana@test.example"), name="Ana", password=GOOD, repeat=GOOD
    )
    old_session = signed_in(db, "ana@test.example", GOOD)
    staff_id = user(db, "ana@test.example").id
    staff_users.send_password_reset(db=db, staff_id=staff_id, actor=ACTOR)
    token = outbox_link(db, "ana@test.example")
    with db.read() as s:
        msg = s.exec(
            select(OutboxMessage).where(OutboxMessage.template_key == "password_reset")
        ).one()
    assert "ana@test.example" in msg.body
    info = account_links.link_info(db=db, token=token)
    assert (info.purpose, info.name) == ("reset", "Ana")
    account_links.use_link(db=db, token=token, name="", password=NEW, repeat=NEW)
    assert staff_sign_in.current_staff(db=db, token=old_session) is None
    with pytest.raises(SignInRefused):
        staff_sign_in.sign_in(db=db, email="ana@test.example", password=GOOD)
    assert signed_in(db, "ana@test.example", NEW)
    with db.read() as s:
        open_sessions = s.exec(
            select(StaffSession).where(
                StaffSession.staff_user_id == staff_id,
                StaffSession.revoked_at.is_(None),  # type: ignore[union-attr]
            )
        ).all()
    assert len(open_sessions) == 1


def test_a_reset_link_of_a_disabled_user_stops_working(db):
    invite(db)
    account_links.use_link(
        db=db, token=outbox_link(db, "ana@test.example"), name="Ana", password=GOOD, repeat=GOOD
    )
    staff_id = user(db, "ana@test.example").id
    staff_users.send_password_reset(db=db, staff_id=staff_id, actor=ACTOR)
    token = outbox_link(db, "ana@test.example")
    staff_users.disable_staff(db=db, staff_id=staff_id, actor=ACTOR)
    with pytest.raises(account_links.LinkRefused):
        account_links.use_link(db=db, token=token, name="", password=NEW, repeat=NEW)


def test_create_admin_on_an_empty_database(db):
    with db.transaction() as s:  # no staff at all, as after `migrate`
        s.connection().execute(table_of(StaffUser).delete())
    args = ["create-admin", "--email", "Root@Example.com", "--name", "Root", "--password-stdin"]
    result = CliRunner().invoke(cli, [*args, "--url", db.url], input=GOOD + "\n")
    assert result.exit_code == 0, result.output
    assert "Admin root@example.com created" in result.output
    assert user(db, "root@example.com").roles == "admin,concierge,finance"
    assert signed_in(db, "root@example.com", GOOD)
    again = CliRunner().invoke(cli, [*args, "--url", db.url], input=GOOD + "\n")
    assert again.exit_code == 1 and "already exists" in again.output
    weak = CliRunner().invoke(
        cli,
        [
            "create-admin",
            "--email",
            "b@example.com",
            "--name",
            "B",
            "--password-stdin",
            "--url",
            db.url,
        ],
        input="password\n",
    )
    assert weak.exit_code == 1
    with db.read() as s:
        assert s.exec(select(StaffUser).where(StaffUser.email == "b@example.com")).first() is None


def test_disabling_an_invited_user_cancels_the_invitation(db):
    invite(db)
    token = outbox_link(db, "ana@test.example")
    staff_users.disable_staff(db=db, staff_id=user(db, "ana@test.example").id, actor=ACTOR)
    with pytest.raises(account_links.LinkRefused):
        account_links.use_link(db=db, token=token, name="Ana", password=GOOD, repeat=GOOD)
    rows = {r.email: r for r in staff_users.list_staff(db=db, actor=ACTOR)}
    assert rows["ana@test.example"].status == "Invitation expired"
    invite(db)  # invited again: a new link
    rows = {r.email: r for r in staff_users.list_staff(db=db, actor=ACTOR)}
    assert rows["ana@test.example"].status == "Invited"
