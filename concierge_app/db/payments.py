"""Checkouts (payment attempts), provider events, refunds and commissions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from concierge_app.db.types import UTCDateTime, currency_check, non_negative, one_of, utcnow
from concierge_app.domain.checkout import CheckoutStatus
from concierge_app.domain.statuses import CommissionKind, RefundSource, RefundStatus


class PaymentAttempt(SQLModel, table=True):
    """One checkout covering one or more Active invoices of one booking, in one currency."""

    __tablename__ = "payment_attempt"
    __table_args__ = (
        currency_check(),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint(
            "unapplied_minor >= 0 AND unapplied_minor <= amount_minor", name="unapplied"
        ),
        one_of("status", CheckoutStatus, "status"),
    )

    id: str = Field(primary_key=True, max_length=40)  # "pa_" + random hex; sent to the provider
    booking_id: int = Field(foreign_key="booking.id", index=True)
    currency: str = Field(max_length=3)
    amount_minor: int
    status: str = Field(default=CheckoutStatus.OPEN.value, max_length=20)
    provider: str = Field(max_length=20)
    provider_reference: str | None = Field(default=None, unique=True, max_length=255)
    # The captured payment at the provider (Stripe: the PaymentIntent "pi_…"): what refunds use.
    provider_payment_id: str | None = Field(default=None, max_length=255, index=True)
    checkout_url: str | None = Field(default=None, max_length=2000)  # where the guest pays
    failure_reason: str | None = Field(default=None, max_length=500)
    # Money captured for invoices that were no longer payable (voided meanwhile): to refund.
    unapplied_minor: int = 0
    created_by: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PaymentAttemptInvoice(SQLModel, table=True):
    __tablename__ = "payment_attempt_invoice"
    __table_args__ = (non_negative("amount_minor"),)

    attempt_id: str = Field(foreign_key="payment_attempt.id", max_length=40, primary_key=True)
    invoice_id: int = Field(foreign_key="guest_invoice.id", primary_key=True, index=True)
    amount_minor: int


class ProviderEvent(SQLModel, table=True):
    """Each provider event id is stored once, in the transaction that applies its effects."""

    __tablename__ = "provider_event"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=20)
    event_id: str = Field(max_length=255)
    event_type: str = Field(max_length=100)
    attempt_id: str | None = Field(
        default=None, foreign_key="payment_attempt.id", max_length=40, index=True
    )
    outcome: str = Field(max_length=200)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Refund(SQLModel, table=True):
    __tablename__ = "refund"
    __table_args__ = (
        currency_check(),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("length(note) > 0", name="note_required"),
        one_of("status", RefundStatus, "status"),
        one_of("source", RefundSource, "source"),
    )

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id", index=True)
    service_item_id: int = Field(foreign_key="service_item.id", index=True)
    attempt_id: str = Field(foreign_key="payment_attempt.id", max_length=40, index=True)
    amount_minor: int
    currency: str = Field(max_length=3)
    note: str = Field(sa_type=Text)
    status: str = Field(default=RefundStatus.SUCCEEDED.value, max_length=20)
    idempotency_key: str = Field(unique=True, max_length=100)
    # The provider's refund id (re_…); one made at the provider and spread over several
    # services is on each of their rows.
    provider_reference: str | None = Field(default=None, index=True, max_length=255)
    source: str = Field(default=RefundSource.LEDGER.value, max_length=20)
    created_by: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Commission(SQLModel, table=True):
    """Commission the platform earns from a partner; a reversal is its own row, never an edit."""

    __tablename__ = "commission"
    __table_args__ = (
        currency_check(),
        non_negative("base_minor"),
        non_negative("amount_minor"),
        CheckConstraint("rate_bps BETWEEN 0 AND 10000", name="rate"),
        one_of("kind", CommissionKind, "kind"),
        # Earned once per service and payment; each refund reverses once.
        Index(
            "uq_commission_earned_once",
            "service_item_id",
            "attempt_id",
            unique=True,
            sqlite_where=text("kind = 'earned'"),
            postgresql_where=text("kind = 'earned'"),
        ),
        UniqueConstraint("refund_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    partner_id: int = Field(foreign_key="partner.id", index=True)
    booking_id: int = Field(foreign_key="booking.id", index=True)
    service_item_id: int = Field(foreign_key="service_item.id", index=True)
    attempt_id: str | None = Field(default=None, foreign_key="payment_attempt.id", max_length=40)
    refund_id: int | None = Field(default=None, foreign_key="refund.id")
    kind: str = Field(max_length=20)
    base_minor: int
    rate_bps: int
    amount_minor: int
    currency: str = Field(max_length=3)
    accrual_date: date = Field(index=True)  # the service date: the month it is invoiced for
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class GuestReceipt(SQLModel, table=True):
    """The guest's receipt for one successful checkout (a Pay or a Pay All): numbered from its
    own gapless series (RC-000001), written in the payment's transaction, never changed. The
    invoices it settled are those with `paid_by_attempt_id` = its attempt."""

    __tablename__ = "guest_receipt"
    __table_args__ = (
        currency_check(),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(unique=True, max_length=16)
    booking_id: int = Field(foreign_key="booking.id", index=True)
    attempt_id: str = Field(foreign_key="payment_attempt.id", max_length=40, unique=True)
    amount_minor: int
    currency: str = Field(max_length=3)
    provider: str = Field(max_length=20)  # how it was paid: "stripe" or "sandbox" (by card)
    paid_at: datetime = Field(sa_type=UTCDateTime)


class GuestCreditNote(SQLModel, table=True):
    """The guest's credit note for one refund (a Refund dialog's, or one made at the provider
    and spread over several services): numbered from its own gapless series (GCN-000001),
    written in the transaction that records the money as given back, never changed. The paid
    invoices it corrects stay as they are. `refund_key` names the refund: 'refund:<id>' for the
    Refund dialog's, 'provider:<re_…>' for one made at the provider — one note each."""

    __tablename__ = "guest_credit_note"
    __table_args__ = (
        currency_check(),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(unique=True, max_length=16)
    booking_id: int = Field(foreign_key="booking.id", index=True)
    refund_key: str = Field(unique=True, max_length=300)
    amount_minor: int
    currency: str = Field(max_length=3)
    reason: str = Field(default="", sa_type=Text)
    issued_at: datetime = Field(sa_type=UTCDateTime)


class GuestCreditNoteLine(SQLModel, table=True):
    """One refunded service of a credit note: the refund row and the invoice it corrects."""

    __tablename__ = "guest_credit_note_line"
    __table_args__ = (
        currency_check(),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    credit_note_id: int = Field(foreign_key="guest_credit_note.id", index=True)
    refund_id: int = Field(foreign_key="refund.id", unique=True)
    invoice_id: int = Field(foreign_key="guest_invoice.id")
    amount_minor: int
    currency: str = Field(max_length=3)
