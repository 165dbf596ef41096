"""The sandbox payment provider's own records: what Stripe would keep for a Checkout Session.

Only `payments/sandbox.py` reads and writes this table; the ledger learns about payments from
the signed events the sandbox emits, exactly as it does from Stripe.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Text
from sqlmodel import Field, SQLModel

from concierge_app.db.types import UTCDateTime, currency_check, one_of, utcnow
from concierge_app.domain.statuses import SandboxDebitStatus, SandboxSessionStatus


class SandboxCheckoutSession(SQLModel, table=True):
    __tablename__ = "sandbox_checkout_session"
    __table_args__ = (
        currency_check(),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        one_of("status", SandboxSessionStatus, "status"),
    )

    id: str = Field(primary_key=True, max_length=80)  # "cs_test_sandbox_…"
    attempt_id: str = Field(unique=True, max_length=40)  # client_reference_id (idempotency)
    booking_reference: str = Field(max_length=40)
    currency: str = Field(max_length=3)
    amount_minor: int
    lines_json: str = Field(sa_type=Text)  # [{"name", "description", "amount_minor"}]
    customer_email: str = Field(max_length=254)
    success_url: str = Field(max_length=2000)
    cancel_url: str = Field(max_length=2000)
    # The page's language, as Stripe Checkout's `locale` ("es", "ja", "auto").
    locale: str = Field(default="auto", max_length=10, sa_column_kwargs={"server_default": "auto"})
    status: str = Field(default=SandboxSessionStatus.OPEN.value, max_length=20)
    payment_intent: str | None = Field(default=None, max_length=80)
    declines: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SandboxDebit(SQLModel, table=True):
    """A SEPA direct debit the sandbox was asked to collect (Stripe: a PaymentIntent with a
    sepa_debit payment method). The bank answers later: a debit from the configured failing
    account fails, any other succeeds."""

    __tablename__ = "sandbox_debit"
    __table_args__ = (
        currency_check(),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        one_of("status", SandboxDebitStatus, "status"),
    )

    id: str = Field(primary_key=True, max_length=80)  # "pi_sandbox_dd_…"
    idempotency_key: str = Field(unique=True, max_length=100)
    iban: str = Field(max_length=34)
    mandate_reference: str = Field(max_length=35)
    currency: str = Field(max_length=3)
    amount_minor: int
    metadata_json: str = Field(sa_type=Text)
    status: str = Field(default=SandboxDebitStatus.PENDING.value, max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
