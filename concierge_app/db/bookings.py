"""Bookings, what was paid for the accommodation, and the Trip Portfolio's service items."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, Text, text
from sqlalchemy import false as sa_false
from sqlmodel import Field, SQLModel

from concierge_app.db.types import UTCDateTime, currency_check, non_negative, one_of, utcnow
from concierge_app.domain.lifecycle import BookingStatus, ServiceLifecycle
from concierge_app.domain.statuses import AccommodationCollector
from concierge_app.domain.strategies import PaymentStrategy


class Booking(SQLModel, table=True):
    __tablename__ = "booking"
    __table_args__ = (
        currency_check(),
        non_negative("accommodation_total_minor"),
        one_of("status", BookingStatus, "status"),
        one_of("accommodation_collected_by", AccommodationCollector, "collector"),
        CheckConstraint("check_out > check_in", name="stay_dates"),
        # The month-end run reads stays by departure, partner by partner.
        Index("ix_booking_departure", "property_id", "check_out"),
        # The PMS's or channel's id: an import or a push of the same booking updates it.
        Index(
            "uq_booking_external_reference",
            "external_reference",
            unique=True,
            sqlite_where=text("external_reference IS NOT NULL"),
            postgresql_where=text("external_reference IS NOT NULL"),
        ),
        # One per opening of the New booking form: a repeated submit finds its booking.
        Index(
            "uq_booking_request_key",
            "request_key",
            unique=True,
            sqlite_where=text("request_key IS NOT NULL"),
            postgresql_where=text("request_key IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(unique=True, max_length=32)
    external_reference: str | None = Field(default=None, max_length=100)
    request_key: str | None = Field(default=None, max_length=64)
    guest_id: int = Field(foreign_key="guest.id", index=True)
    property_id: int = Field(foreign_key="partner.id", index=True)
    check_in: date
    check_out: date
    currency: str = Field(max_length=3)
    accommodation_total_minor: int = 0
    accommodation_collected_by: str = Field(
        default=AccommodationCollector.PLATFORM.value, max_length=20
    )
    status: str = Field(default=BookingStatus.CONFIRMED.value, max_length=20, index=True)
    # Staff paused the reminders of this booking's unpaid invoices.
    reminders_paused: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancel_reason: str | None = Field(default=None, sa_type=Text)


class AccommodationPayment(SQLModel, table=True):
    __tablename__ = "accommodation_payment"
    __table_args__ = (
        currency_check(),
        non_negative("amount_minor"),
        # A payment's reference (card or bank reference) is recorded once per booking.
        Index(
            "uq_accommodation_payment_reference",
            "booking_id",
            "reference",
            unique=True,
            sqlite_where=text("reference IS NOT NULL"),
            postgresql_where=text("reference IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id", index=True)
    amount_minor: int
    currency: str = Field(max_length=3)
    received_on: date
    method: str = Field(max_length=40)
    reference: str | None = Field(default=None, max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ServiceItem(SQLModel, table=True):
    __tablename__ = "service_item"
    __table_args__ = (
        currency_check(),
        non_negative("gross_minor"),
        CheckConstraint(
            "deposit_minor IS NULL OR (deposit_minor >= 0 AND deposit_minor <= gross_minor)",
            name="deposit_within_gross",
        ),
        CheckConstraint(
            "strategy <> 'platform_collects_deposit' "
            "OR (deposit_minor IS NOT NULL AND deposit_minor > 0)",
            name="deposit_strategy_has_deposit",
        ),
        one_of("strategy", PaymentStrategy, "strategy"),
        one_of("lifecycle", ServiceLifecycle, "lifecycle"),
        Index("ix_service_item_departure", "operator_id", "service_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id", index=True)
    operator_id: int = Field(foreign_key="partner.id", index=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_type=Text)
    service_date: date
    currency: str = Field(max_length=3)
    gross_minor: int
    deposit_minor: int | None = None
    strategy: str = Field(max_length=40)
    lifecycle: str = Field(default=ServiceLifecycle.DRAFT.value, max_length=20)
    refund_required: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class GuestLink(SQLModel, table=True):
    """A guest's way into the portal for one booking: only the token's SHA-256 is stored."""

    __tablename__ = "guest_link"

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id", index=True)
    token_hash: str = Field(unique=True, max_length=64)
    created_by: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
