"""Who takes part: partners (properties and operators), guests and staff users."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from concierge_app.db.types import UTCDateTime, currency_check, one_of, utcnow
from concierge_app.domain.statuses import CommissionPaymentMethod, PartnerKind, PayoutMethod


class PartnerGroup(SQLModel, table=True):
    """A group account over several properties (the multiple property payment plan): one total
    due across them; one payment is allocated across their invoices, oldest due first."""

    __tablename__ = "partner_group"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=20)  # quoted on a group transfer, e.g. "GRP-7001"
    name: str = Field(max_length=200)
    finance_email: str = Field(max_length=254)  # where allocation breakdowns go
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Partner(SQLModel, table=True):
    __tablename__ = "partner"
    __table_args__ = (
        one_of("kind", PartnerKind, "kind"),
        one_of("payout_method", PayoutMethod, "payout_method"),
        one_of("commission_payment_method", CommissionPaymentMethod, "commission_method"),
        currency_check(),
        CheckConstraint("commission_rate_bps BETWEEN 0 AND 10000", name="commission_rate"),
        CheckConstraint("length(country) = 2", name="country"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=20)  # the "property ID" quoted on transfers
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20)
    category: str = Field(max_length=50)  # villa, sailing tour, private chef, airport transfer…
    country: str = Field(max_length=2)
    timezone: str = Field(default="UTC", max_length=64)
    currency: str = Field(max_length=3)
    # The rate the partner is created with: the database copies it into the rate history as
    # the opening rate (in force from the start). Billing never reads it here: the rate of a
    # reservation is the one in force when it was made (PartnerCommissionRate).
    commission_rate_bps: int
    payout_method: str = Field(default=PayoutMethod.NET_PAYOUT.value, max_length=20)
    commission_payment_method: str = Field(
        default=CommissionPaymentMethod.PAYOUT_DEDUCTION.value, max_length=20
    )
    finance_email: str = Field(max_length=254)
    finance_contact: str = Field(default="", max_length=200)  # the person at finance_email
    # The locale its notices are written in ("es_ES"), one of domain.booking_input.LOCALES.
    language: str = Field(default="en_US", max_length=10)
    address: str = Field(default="", max_length=500)  # postal address, lines separated by \n
    # On the multiple property payment plan of this group (None: pays on its own).
    group_id: int | None = Field(default=None, foreign_key="partner_group.id", index=True)
    # Closed by staff when an invoice is written off or sent to legal; reopened by the partner
    # once nothing is outstanding.
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_reason: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PartnerCommissionRate(SQLModel, table=True):
    """A partner's commission rate history: each rate is in force from `valid_from` until the
    next one starts (see `domain.commission_rates`). Rows are only added: the opening rate, by
    a trigger when the partner is created (valid from 0001-01-01, "from the start"); each change
    by staff (audited as `partner.rate_changed`)."""

    __tablename__ = "partner_commission_rate"
    __table_args__ = (
        CheckConstraint("rate_bps BETWEEN 0 AND 10000", name="rate"),
        # one rate per day; the month-end run and payments look rates up by partner and day
        UniqueConstraint("partner_id", "valid_from"),
    )

    id: int | None = Field(default=None, primary_key=True)
    partner_id: int = Field(foreign_key="partner.id")
    rate_bps: int
    valid_from: date
    changed_by: str = Field(max_length=254)
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Guest(SQLModel, table=True):
    __tablename__ = "guest"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    email: str = Field(max_length=254, index=True)
    locale: str = Field(default="en_US", max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StaffUser(SQLModel, table=True):
    __tablename__ = "staff_user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, max_length=254)
    name: str = Field(max_length=200)
    # Empty until an invited user accepts the invitation and sets a password.
    password_hash: str = Field(max_length=255)
    is_active: bool = Field(default=True)
    # The roles held, sorted and comma-separated ("admin,finance"): domain.roles.
    roles: str = Field(default="", max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StaffSession(SQLModel, table=True):
    """A signed-in browser: only the SHA-256 of its random token is stored."""

    __tablename__ = "staff_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    staff_user_id: int = Field(foreign_key="staff_user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
