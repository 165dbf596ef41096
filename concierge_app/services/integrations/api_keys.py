"""Staff make, list and revoke the API keys of integrations; each API request is authenticated
by its key.

A new key's secret is returned once and never stored (only its SHA-256 and a short prefix).
Revoking is final. Authentication compares hashes in constant time, refuses a revoked key or a
missing scope, and records the key's last use (at most once a minute). Creating and revoking
are audited.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select

from concierge_app.db.engine import Database
from concierge_app.db.integrations import ApiKey
from concierge_app.db.types import utcnow
from concierge_app.domain.api_keys import (
    ALPHABET,
    SECRET_LENGTH,
    KeyForbidden,
    KeyRefused,
    key_from_random,
    read_name,
    read_scopes,
    same_hash,
    scopes_of,
    scopes_text,
    secret_hash,
    shown_prefix,
)
from concierge_app.domain.errors import InvalidTransition
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import id_of, load
from concierge_app.services.shared.permissions import Permission, require

LAST_USE_EVERY = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class KeyView:
    id: int
    name: str
    prefix: str
    scopes: tuple[str, ...]
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True, slots=True)
class NewKey:
    key: KeyView
    secret: str  # shown once


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated integration."""

    key_id: int
    name: str
    scopes: tuple[str, ...]

    @property
    def actor(self) -> str:
        """Who the audit trail names for what this key does."""
        return f"api:{self.key_id}:{self.name}"


def _view(row: ApiKey) -> KeyView:
    return KeyView(
        id=id_of(row),
        name=row.name,
        prefix=row.prefix,
        scopes=scopes_of(row.scopes),
        created_by=row.created_by,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


def create_key(*, db: Database, name: str, scopes: Iterable[str], actor: str) -> NewKey:
    """A new key for the integration `name` with `scopes`; its secret is in the answer only."""
    clean_name, clean_scopes = read_name(name), read_scopes(scopes)
    secret = key_from_random("".join(secrets.choice(ALPHABET) for _ in range(SECRET_LENGTH)))
    with db.transaction() as session:
        require(session, actor, Permission.API_KEYS)
        row = ApiKey(
            name=clean_name,
            prefix=shown_prefix(secret),
            secret_hash=secret_hash(secret),
            scopes=scopes_text(clean_scopes),
            created_by=actor,
        )
        session.add(row)
        session.flush()
        record_event(
            session,
            actor=actor,
            action="api_key.created",
            subject=f"api_key:{row.id}",
            data={"name": clean_name, "prefix": row.prefix, "scopes": list(clean_scopes)},
        )
        return NewKey(_view(row), secret)


def list_keys(*, db: Database) -> list[KeyView]:
    """Every key, newest first (revoked ones too)."""
    with db.read() as session:
        rows = session.exec(select(ApiKey).order_by(col(ApiKey.id).desc())).all()
        return [_view(r) for r in rows]


def revoke_key(*, db: Database, key_id: int, actor: str) -> KeyView:
    """Revoke the key for good; a key already revoked is refused (InvalidTransition)."""
    with db.transaction() as session:
        require(session, actor, Permission.API_KEYS)
        row = load(session, ApiKey, key_id, "API key", lock=True)
        if row.revoked_at is not None:
            raise InvalidTransition(f"The key {row.prefix}… ({row.name}) is already revoked.")
        row.revoked_at, row.revoked_by = utcnow(), actor
        session.add(row)
        session.flush()
        record_event(
            session,
            actor=actor,
            action="api_key.revoked",
            subject=f"api_key:{row.id}",
            data={"name": row.name, "prefix": row.prefix},
        )
        return _view(row)


def authenticate(*, db: Database, secret: str, scope: str) -> Caller:
    """The integration of `secret` when it may use `scope`: KeyRefused (unknown key),
    KeyForbidden (revoked, or without the scope)."""
    offered = secret_hash(secret)
    with db.transaction() as session:
        row = session.exec(select(ApiKey).where(ApiKey.secret_hash == offered)).first()
        if row is None or not same_hash(row.secret_hash, offered):
            raise KeyRefused("This API key is not known.")
        if row.revoked_at is not None:
            raise KeyForbidden(f"The API key {row.prefix}… was revoked.")
        scopes = scopes_of(row.scopes)
        if scope not in scopes:
            raise KeyForbidden(
                f"The API key {row.prefix}… may not do this: it needs the scope {scope}."
            )
        now = utcnow()
        if row.last_used_at is None or now - row.last_used_at >= LAST_USE_EVERY:
            row.last_used_at = now
            session.add(row)
        return Caller(id_of(row), row.name, scopes)
