"""The partner inbox: threads a partner opens (topic, subtopic, optionally about an invoice) and
the messages of partner and staff in them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Text
from sqlmodel import Field, SQLModel

from concierge_app.db.types import UTCDateTime, one_of, utcnow
from concierge_app.domain.statuses import ThreadAuthor


class PartnerThread(SQLModel, table=True):
    """One conversation of a partner with the platform's finance team."""

    __tablename__ = "partner_thread"
    __table_args__ = (CheckConstraint("length(subject) > 0", name="subject"),)

    id: int | None = Field(default=None, primary_key=True)
    partner_id: int = Field(foreign_key="partner.id", index=True)
    topic: str = Field(max_length=100)  # "Invoices and commission"
    subtopic: str = Field(max_length=100)  # "Other" unless chosen
    invoice_id: int | None = Field(default=None, foreign_key="partner_invoice.id")
    subject: str = Field(max_length=200)
    created_by: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_message_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    # Who has to read the latest message: set when the other side writes, cleared when read.
    unread_by_partner: bool = False
    unread_by_staff: bool = True


class PartnerThreadMessage(SQLModel, table=True):
    __tablename__ = "partner_thread_message"
    __table_args__ = (
        one_of("author_kind", ThreadAuthor, "author_kind"),
        CheckConstraint("length(body) > 0", name="body"),
    )

    id: int | None = Field(default=None, primary_key=True)
    thread_id: int = Field(foreign_key="partner_thread.id", index=True)
    author_kind: str = Field(max_length=10)
    author: str = Field(max_length=254)  # the partner user's or staff member's email
    body: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
