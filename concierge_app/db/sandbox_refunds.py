"""The sandbox provider's own record of the refunds it made (Stripe: Refund objects)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from concierge_app.db.types import UTCDateTime, currency_check, utcnow


class SandboxRefund(SQLModel, table=True):
    __tablename__ = "sandbox_refund"
    __table_args__ = (
        currency_check(),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
    )

    id: str = Field(primary_key=True, max_length=80)  # "re_sandbox_…"
    idempotency_key: str = Field(unique=True, max_length=100)
    payment_intent: str | None = Field(default=None, max_length=80)
    currency: str = Field(max_length=3)
    amount_minor: int
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
