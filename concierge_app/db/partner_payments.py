"""Partner payments (bank transfers, online, direct debits) and their allocations to partner
documents; credit notes are allocated the same way. Paid / processing are derived from these."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .types import UTCDateTime, currency_check, one_of, utcnow


class PartnerPaymentMethod(enum.StrEnum):
    BANK_TRANSFER = "bank_transfer"
    ONLINE = "online"
    DIRECT_DEBIT = "direct_debit"


class PartnerPaymentStatus(enum.StrEnum):
    QUEUED = "queued"  # not matched to a partner: waits for staff
    APPLIED = "applied"  # allocated (what is left over is the partner's credit)
    FAILED = "failed"  # a direct debit that bounced: its allocations are reversed


class PartnerPayment(SQLModel, table=True):
    """Money from a partner. A bank transfer counts from `reflected_on` (received + processing
    business days); it is "processing" until then."""

    __tablename__ = "partner_payment"
    __table_args__ = (
        currency_check(),
        CheckConstraint("amount_minor > 0", name="positive"),
        CheckConstraint("reflected_on >= received_on", name="reflected_after_received"),
        one_of("method", PartnerPaymentMethod, "method"),
        one_of("status", PartnerPaymentStatus, "status"),
        # The same bank line, checkout or collection is recorded once.
        UniqueConstraint("method", "external_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    method: str = Field(max_length=20)
    external_id: str = Field(max_length=100)
    partner_id: int | None = Field(default=None, foreign_key="partner.id", index=True)
    currency: str = Field(max_length=3)
    amount_minor: int
    reference: str = Field(default="", max_length=300)  # as the payer wrote it
    payer: str = Field(default="", max_length=200)
    received_on: date
    reflected_on: date
    status: str = Field(max_length=20, index=True)
    queue_reason: str | None = Field(default=None, sa_type=Text)
    created_by: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PartnerAllocation(SQLModel, table=True):
    """Part of a payment, or of a credit note, applied to one document."""

    __tablename__ = "partner_allocation"
    __table_args__ = (
        currency_check(),
        CheckConstraint("amount_minor > 0", name="positive"),
        CheckConstraint("(payment_id IS NULL) <> (credit_note_id IS NULL)", name="one_source"),
    )

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="partner_invoice.id", index=True)
    payment_id: int | None = Field(default=None, foreign_key="partner_payment.id", index=True)
    credit_note_id: int | None = Field(default=None, foreign_key="partner_invoice.id", index=True)
    currency: str = Field(max_length=3)
    amount_minor: int
    effective_on: date  # counts as paid from this day (a transfer's reflected date)
    reversed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
