"""The append-only, hash-chained audit trail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from concierge_app.db.types import UTCDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    """Never updated nor deleted (triggers refuse it); `hash` chains to the previous event."""

    __tablename__ = "audit_event"

    id: int = Field(primary_key=True)  # the chain position, 1, 2, 3…
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor: str = Field(max_length=254)
    action: str = Field(max_length=64, index=True)
    subject: str = Field(max_length=100)  # e.g. "invoice:12"
    booking_id: int | None = Field(default=None, foreign_key="booking.id", index=True)
    data: str = Field(sa_type=Text)  # canonical JSON
    prev_hash: str = Field(max_length=64)
    hash: str = Field(unique=True, max_length=64)


class AuditChainHead(SQLModel, table=True):
    """A single row locked by each append, so concurrent appends never fork the chain."""

    __tablename__ = "audit_chain_head"

    name: str = Field(primary_key=True, max_length=20)
    last_sequence: int = 0
    last_hash: str = Field(max_length=64)
