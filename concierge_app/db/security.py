"""Sign-in security: the sign-in log, throttling counts, one-time sign-in tickets, staff TOTP."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from concierge_app.db.types import UTCDateTime, one_of, utcnow
from concierge_app.domain.sign_in import Kind, Outcome

TICKET_PURPOSES = ("session", "second_factor", "enrolment")


class SignInAttempt(SQLModel, table=True):
    """One line of the sign-in log: every sign-in, failure, refusal, unlock and change."""

    __tablename__ = "sign_in_attempt"
    __table_args__ = (
        one_of("kind", Kind, "kind"),
        one_of("outcome", Outcome, "outcome"),
        Index("ix_sign_in_attempt_occurred_at", "occurred_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    kind: str = Field(max_length=10)
    email: str = Field(max_length=254)  # as typed (trimmed, cut to 254 characters)
    client_address: str = Field(default="", max_length=64)
    outcome: str = Field(max_length=20)
    actor: str = Field(default="", max_length=254)  # who unlocked (staff email), else ""


class SignInAccount(SQLModel, table=True):
    """Throttling count and lockout of one account (by kind and email, known or not)."""

    __tablename__ = "sign_in_account"
    __table_args__ = (
        UniqueConstraint("kind", "email"),
        one_of("kind", Kind, "kind"),
        CheckConstraint("failures >= 0", name="failures_non_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10)
    email: str = Field(max_length=254)  # lower case
    failures: int = Field(default=0)  # consecutive, in-flight attempts included
    last_failure_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    locked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    unlocked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    unlocked_by: str | None = Field(default=None, max_length=254)


class SignInAddress(SQLModel, table=True):
    """Throttling count of one client address over a 15-minute window."""

    __tablename__ = "sign_in_address"
    __table_args__ = (CheckConstraint("failures >= 0", name="failures_non_negative"),)

    address: str = Field(primary_key=True, max_length=64)
    failures: int = Field(default=0)
    window_started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_failure_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SignInTicket(SQLModel, table=True):
    """A one-time code, stored only as its SHA-256: `session` is exchanged for the session
    cookie (GET /api/auth/session); `second_factor` and `enrolment` wait for a TOTP code."""

    __tablename__ = "sign_in_ticket"
    __table_args__ = (
        one_of("kind", Kind, "kind"),
        one_of("purpose", TICKET_PURPOSES, "purpose"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(unique=True, max_length=64)
    kind: str = Field(max_length=10)
    user_id: int  # staff_user.id or partner_user.id, by kind
    purpose: str = Field(max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class StaffTwoFactor(SQLModel, table=True):
    """A staff member's TOTP secret, encrypted (Fernet, key derived from SECRET_KEY).
    `enabled_at` is None while the enrolment waits for its first code."""

    __tablename__ = "staff_two_factor"

    staff_user_id: int = Field(primary_key=True, foreign_key="staff_user.id")
    secret_encrypted: str = Field(sa_column=Column(Text, nullable=False))
    enabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The last accepted 30-second step: a code is never accepted twice.
    last_time_step: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


ACCOUNT_LINK_PURPOSES = ("invitation", "reset")


class AccountLink(SQLModel, table=True):
    """An emailed link for a staff or partner user: `invitation` (set name and password, the
    account turns active) or `reset` (a new password; the user's sessions end). Only the
    SHA-256 of its random token is stored; it is used once and expires."""

    __tablename__ = "account_link"
    __table_args__ = (
        one_of("kind", Kind, "kind"),
        one_of("purpose", ACCOUNT_LINK_PURPOSES, "purpose"),
    )

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    kind: str = Field(max_length=10)
    user_id: int = Field(index=True)  # staff_user.id or partner_user.id, by kind
    purpose: str = Field(max_length=20)
    created_by: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
