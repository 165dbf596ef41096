"""Reconciliation runs: each comparison of the provider's records with the ledger for a period,
and the differences it found (matched items are only counted)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Text
from sqlmodel import Field, SQLModel

from concierge_app.db.types import UTCDateTime, non_negative, one_of, utcnow
from concierge_app.domain.reconciliation import Drift, ItemKind


class ReconciliationRun(SQLModel, table=True):
    __tablename__ = "reconciliation_run"
    __table_args__ = (
        CheckConstraint("length(period) = 7", name="period_format"),
        non_negative("drift_count"),
    )

    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(max_length=7, index=True)  # YYYY-MM
    provider: str = Field(max_length=20)
    # The last day compared (the month's last, or the day before for the month so far).
    ends_on: date
    # The daily job's run of that day (one per day); None for a run someone asked for.
    scheduled_for: date | None = Field(default=None, unique=True)
    drift_count: int = 0
    summary_json: str = Field(sa_type=Text)  # [[kind, drift, count], ...]
    created_by: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ReconciliationDifference(SQLModel, table=True):
    """One item that did not match: its key, the outcome and each side's totals."""

    __tablename__ = "reconciliation_difference"
    __table_args__ = (
        one_of("kind", ItemKind, "kind"),
        one_of("drift", Drift, "drift"),
    )

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="reconciliation_run.id", index=True)
    kind: str = Field(max_length=20)
    reference: str = Field(max_length=255)
    drift: str = Field(max_length=20)
    provider_json: str = Field(sa_type=Text)  # [[minor, currency], ...]
    ledger_json: str = Field(sa_type=Text)
    note: str = Field(default="", max_length=500)
