"""API keys on SQLite and PostgreSQL: made with the secret returned once and only its hash
kept, listed, revoked once, each audited; authentication refuses unknown, revoked and unscoped
keys and records the last use at most once a minute; `concierge api-key …`."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from concierge_app.cli import app
from concierge_app.db.audit import AuditEvent
from concierge_app.db.engine import Database
from concierge_app.db.integrations import ApiKey
from concierge_app.domain.api_keys import KeyForbidden, KeyRefused, secret_hash
from concierge_app.domain.errors import DomainError, InvalidTransition, NotFound
from concierge_app.services.integrations import api_keys

from ..factories import ACTOR, snapshot


def audit(db: Database, action: str) -> list[AuditEvent]:
    with db.read() as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def test_a_key_is_made_with_its_secret_once_and_only_its_hash_is_kept(db) -> None:
    made = api_keys.create_key(
        db=db, name=" Guesty ", scopes=["bookings:write", "bookings:read"], actor=ACTOR
    )
    assert made.secret.startswith(made.key.prefix) and made.key.prefix.startswith("ck_live_")
    assert made.key.name == "Guesty" and made.key.scopes == ("bookings:read", "bookings:write")
    with db.read() as s:
        row = s.get(ApiKey, made.key.id)
    assert row is not None and row.secret_hash == secret_hash(made.secret)
    assert made.secret not in repr(row.model_dump())
    [event] = audit(db, "api_key.created")
    assert event.actor == ACTOR and made.secret not in event.data
    assert api_keys.list_keys(db=db) == [made.key]
    second = api_keys.create_key(db=db, name="Guesty", scopes=["bookings:read"], actor=ACTOR)
    assert second.secret != made.secret
    assert [k.id for k in api_keys.list_keys(db=db)] == [second.key.id, made.key.id]


@pytest.mark.parametrize(
    ("name", "scopes"),
    [
        ("", ["bookings:read"]),
        ("x" * 101, ["bookings:read"]),
        ("Guesty", []),
        ("Guesty", ["admin"]),
        ("Gue\u202esty", ["bookings:read"]),
    ],
)
def test_a_bad_key_request_writes_nothing(db, name, scopes) -> None:
    before = snapshot(db)
    with pytest.raises(DomainError):
        api_keys.create_key(db=db, name=name, scopes=scopes, actor=ACTOR)
    assert snapshot(db) == before


def test_authentication_checks_the_key_its_scope_and_revocation(db) -> None:
    made = api_keys.create_key(db=db, name="PMS", scopes=["bookings:read"], actor=ACTOR)
    caller = api_keys.authenticate(db=db, secret=made.secret, scope="bookings:read")
    assert caller.key_id == made.key.id and caller.actor == f"api:{made.key.id}:PMS"
    with pytest.raises(KeyRefused):
        api_keys.authenticate(db=db, secret=made.secret[:-1] + "Q", scope="bookings:read")
    with pytest.raises(KeyForbidden, match="bookings:write"):
        api_keys.authenticate(db=db, secret=made.secret, scope="bookings:write")
    revoked = api_keys.revoke_key(db=db, key_id=made.key.id, actor=ACTOR)
    assert not revoked.active
    with pytest.raises(KeyForbidden, match="revoked"):
        api_keys.authenticate(db=db, secret=made.secret, scope="bookings:read")
    with pytest.raises(InvalidTransition):
        api_keys.revoke_key(db=db, key_id=made.key.id, actor=ACTOR)
    with pytest.raises(NotFound):
        api_keys.revoke_key(db=db, key_id=999, actor=ACTOR)
    [event] = audit(db, "api_key.revoked")
    assert event.subject == f"api_key:{made.key.id}"


def test_the_last_use_moves_at_most_once_a_minute(db) -> None:
    made = api_keys.create_key(db=db, name="PMS", scopes=["bookings:read"], actor=ACTOR)
    api_keys.authenticate(db=db, secret=made.secret, scope="bookings:read")
    [first] = [k.last_used_at for k in api_keys.list_keys(db=db)]
    api_keys.authenticate(db=db, secret=made.secret, scope="bookings:read")
    assert [k.last_used_at for k in api_keys.list_keys(db=db)] == [first]
    assert first is not None
    with db.transaction() as s:
        row = s.get(ApiKey, made.key.id)
        assert row is not None
        row.last_used_at = first - timedelta(minutes=2)
        s.add(row)
    api_keys.authenticate(db=db, secret=made.secret, scope="bookings:read")
    [later] = [k.last_used_at for k in api_keys.list_keys(db=db)]
    assert later is not None and later >= first


def test_the_api_key_commands(db, sqlite_db) -> None:
    if db is not sqlite_db:
        pytest.skip("the command is the same on PostgreSQL")
    url = str(sqlite_db.engine.url)
    runner = CliRunner()
    made = runner.invoke(
        app,
        [
            "api-key",
            "create",
            "--name",
            "Guesty",
            "--scope",
            "bookings:write",
            "--scope",
            "bookings:read",
            "--url",
            url,
        ],
    )
    assert made.exit_code == 0, made.output
    secret = next(w for w in made.output.split() if w.startswith("ck_live_"))
    [key] = api_keys.list_keys(db=sqlite_db)
    assert secret_hash(secret) and key.prefix == secret[:12]
    listed = runner.invoke(app, ["api-key", "list", "--url", url])
    assert listed.exit_code == 0 and key.prefix in listed.output and secret not in listed.output
    assert "active" in listed.output
    revoked = runner.invoke(app, ["api-key", "revoke", str(key.id), "--url", url])
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    again = runner.invoke(app, ["api-key", "revoke", str(key.id), "--url", url])
    assert again.exit_code == 1 and "already revoked" in again.output
    bad = runner.invoke(app, ["api-key", "create", "--name", "X", "--scope", "root", "--url", url])
    assert bad.exit_code == 1 and "Unknown scope" in bad.output
