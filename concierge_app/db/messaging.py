"""Lifecycle templates and the outbox of messages to people."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from concierge_app.db.types import UTCDateTime, non_negative, one_of, utcnow
from concierge_app.domain.statuses import OutboxStatus


class LifecycleTemplate(SQLModel, table=True):
    """A template's text as staff saved it, per language (a language without one uses the
    catalog's translation of the built-in text, or else English)."""

    __tablename__ = "lifecycle_template"
    __table_args__ = (UniqueConstraint("key", "language"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64)  # invoice_sent, payment_received, …
    language: str = Field(
        default="en", max_length=10, sa_column_kwargs={"server_default": "en"}
    )  # "en", "es", …
    name: str = Field(max_length=100)  # "Invoice Sent"
    subject: str = Field(max_length=300)
    body: str = Field(sa_type=Text)
    updated_by: str = Field(default="system", max_length=254)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"
    __table_args__ = (one_of("status", OutboxStatus, "status"), non_negative("attempts"))

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(
        unique=True, max_length=200
    )  # queueing the same message twice is a no-op
    template_key: str = Field(max_length=64)
    recipient: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    body: str = Field(sa_type=Text)
    booking_id: int | None = Field(default=None, foreign_key="booking.id", index=True)
    partner_id: int | None = Field(default=None, foreign_key="partner.id", index=True)
    # A document rendered when the message is sent, e.g. "partner_invoice_pdf:42".
    attachment: str | None = Field(default=None, max_length=100)
    # Rendered when sent (subject and body empty until then), from e.g. "partner_invoice:42":
    # a message queued by a bulk job in SQL, with the template and values of the moment it goes.
    render_from: str | None = Field(default=None, max_length=100)
    status: str = Field(default=OutboxStatus.QUEUED.value, max_length=20, index=True)
    attempts: int = 0
    # The stored template could not be used (it failed or broke its limits): the built-in text
    # was sent instead, and this says why (shown on the Outbox).
    template_problem: str | None = Field(default=None, sa_type=Text)
    last_error: str | None = Field(default=None, sa_type=Text)
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
