"""Integrations over the JSON API: their API keys (only the SHA-256 of each secret is kept) and
the answers given to requests sent with an Idempotency-Key (replayed to a repeat)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from concierge_app.db.types import UTCDateTime, utcnow


class ApiKey(SQLModel, table=True):
    """One integration's key (a PMS, a channel manager): name, scopes, use, revocation."""

    __tablename__ = "api_key"
    __table_args__ = (CheckConstraint("length(secret_hash) = 64", name="secret_hash_sha256"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=20)  # "ck_live_ab12", to recognise the key by
    secret_hash: str = Field(unique=True, max_length=64)
    scopes: str = Field(max_length=200)  # space-separated, e.g. "bookings:read bookings:write"
    created_by: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_by: str | None = Field(default=None, max_length=254)


class ApiIdempotentRequest(SQLModel, table=True):
    """The first answer to a request sent with an Idempotency-Key, per API key."""

    __tablename__ = "api_idempotent_request"
    __table_args__ = (UniqueConstraint("api_key_id", "idempotency_key"),)

    id: int | None = Field(default=None, primary_key=True)
    api_key_id: int = Field(foreign_key="api_key.id", index=True)
    idempotency_key: str = Field(max_length=255)
    fingerprint: str = Field(max_length=64)  # domain.idempotency.fingerprint of the request
    status_code: int
    body_json: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
