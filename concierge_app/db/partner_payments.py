"""Partner payments (bank transfers, online, direct debits) and their allocations to partner
documents; credit notes are allocated the same way. Paid / processing are derived from these."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from concierge_app.db.types import UTCDateTime, currency_check, one_of, utcnow
from concierge_app.domain.checkout import CheckoutStatus
from concierge_app.domain.statuses import PartnerPaymentMethod, PartnerPaymentStatus


class PartnerPayment(SQLModel, table=True):
    """Money from a partner. A bank transfer counts from `reflected_on` (received + processing
    business days); it is "processing" until then."""

    __tablename__ = "partner_payment"
    __table_args__ = (
        currency_check(),
        CheckConstraint("amount_minor > 0", name="positive"),
        CheckConstraint("reflected_on >= received_on", name="reflected_after_received"),
        # a single partner's payment or a group's, never both (a queued one is neither yet)
        CheckConstraint("partner_id IS NULL OR group_id IS NULL", name="one_payer"),
        one_of("method", PartnerPaymentMethod, "method"),
        one_of("status", PartnerPaymentStatus, "status"),
        # The same bank line, checkout or collection is recorded once.
        UniqueConstraint("method", "external_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    method: str = Field(max_length=20)
    external_id: str = Field(max_length=100)
    partner_id: int | None = Field(default=None, foreign_key="partner.id", index=True)
    # A group's payment (multiple property plan): allocated across the group's properties.
    group_id: int | None = Field(default=None, foreign_key="partner_group.id", index=True)
    currency: str = Field(max_length=3)
    amount_minor: int
    # The provider's id of the money (Stripe: the PaymentIntent "pi_…"): how its events find it.
    provider_reference: str | None = Field(default=None, max_length=255, index=True)
    reference: str = Field(default="", max_length=300)  # as the payer wrote it
    payer: str = Field(default="", max_length=200)
    received_on: date
    reflected_on: date
    status: str = Field(max_length=20, index=True)
    queue_reason: str | None = Field(default=None, sa_type=Text)
    failure_reason: str | None = Field(default=None, sa_type=Text)  # a failed direct debit
    failed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
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


class PartnerCheckout(SQLModel, table=True):
    """An online payment of one or more partner documents (one currency) through the payment
    gateway: the partner's own, or a group's across its properties. Paid exactly once: its
    fulfilment records one `PartnerPayment` (method online, external id = this id)."""

    __tablename__ = "partner_checkout"
    __table_args__ = (
        currency_check(),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("(partner_id IS NULL) <> (group_id IS NULL)", name="one_payer"),
        one_of("status", CheckoutStatus, "status"),
    )

    id: str = Field(primary_key=True, max_length=40)  # "pc_" + random hex; sent to the provider
    partner_id: int | None = Field(default=None, foreign_key="partner.id", index=True)
    group_id: int | None = Field(default=None, foreign_key="partner_group.id", index=True)
    currency: str = Field(max_length=3)
    amount_minor: int
    status: str = Field(default=CheckoutStatus.OPEN.value, max_length=20)
    provider: str = Field(max_length=20)
    provider_reference: str | None = Field(default=None, unique=True, max_length=255)
    checkout_url: str | None = Field(default=None, max_length=2000)
    failure_reason: str | None = Field(default=None, max_length=500)
    created_by: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PartnerCheckoutInvoice(SQLModel, table=True):
    """A document a checkout pays, and how much of it (its outstanding when the checkout
    opened)."""

    __tablename__ = "partner_checkout_invoice"
    __table_args__ = (CheckConstraint("amount_minor > 0", name="amount_positive"),)

    checkout_id: str = Field(foreign_key="partner_checkout.id", max_length=40, primary_key=True)
    invoice_id: int = Field(foreign_key="partner_invoice.id", primary_key=True, index=True)
    amount_minor: int
