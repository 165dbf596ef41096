"""The sandbox payment provider's own records: what Stripe would keep for a Checkout Session.

Only `payments/sandbox.py` reads and writes this table; the ledger learns about payments from
the signed events the sandbox emits, exactly as it does from Stripe.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Text
from sqlmodel import Field, SQLModel

from .types import UTCDateTime, currency_check, one_of, utcnow


class SandboxSessionStatus(enum.StrEnum):
    OPEN = "open"
    COMPLETE = "complete"
    EXPIRED = "expired"


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
    status: str = Field(default=SandboxSessionStatus.OPEN.value, max_length=20)
    payment_intent: str | None = Field(default=None, max_length=80)
    declines: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
