"""Guest invoices, their lines, and gapless number sequences."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from concierge_app.db.types import UTCDateTime, currency_check, non_negative, one_of, utcnow
from concierge_app.domain.lifecycle import InvoiceStatus
from concierge_app.domain.statuses import LineKind


class GuestInvoice(SQLModel, table=True):
    __tablename__ = "guest_invoice"
    __table_args__ = (
        currency_check(),
        non_negative("total_minor"),
        one_of("status", InvoiceStatus, "status"),
        # A booking has at most one Draft invoice.
        Index(
            "uq_guest_invoice_one_draft_per_booking",
            "booking_id",
            unique=True,
            sqlite_where=text("status = 'draft'"),
            postgresql_where=text("status = 'draft'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id", index=True)
    status: str = Field(default=InvoiceStatus.DRAFT.value, max_length=20)
    number: str | None = Field(default=None, unique=True, max_length=32)
    currency: str = Field(max_length=3)
    total_minor: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    issued_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    paid_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    voided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    void_reason: str | None = Field(default=None, max_length=500)
    paid_by_attempt_id: str | None = Field(
        default=None, foreign_key="payment_attempt.id", max_length=40
    )
    reissued_as_id: int | None = Field(default=None, foreign_key="guest_invoice.id")


class InvoiceLine(SQLModel, table=True):
    __tablename__ = "invoice_line"
    __table_args__ = (
        currency_check(),
        non_negative("amount_minor"),
        one_of("kind", LineKind, "kind"),
        UniqueConstraint("invoice_id", "service_item_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="guest_invoice.id", index=True)
    service_item_id: int = Field(foreign_key="service_item.id", index=True)
    description: str = Field(max_length=300)
    kind: str = Field(max_length=20)
    amount_minor: int
    currency: str = Field(max_length=3)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class NumberSequence(SQLModel, table=True):
    """One row per gapless sequence (e.g. guest invoices of a year); locked while numbering."""

    __tablename__ = "number_sequence"
    __table_args__ = (non_negative("last_value"),)

    name: str = Field(primary_key=True, max_length=64)
    last_value: int = 0
