"""The commission rate in force on a day, in SQL: a partner's rate history
(`partner_commission_rate`) read by partner and day, as `domain.commission_rates.rate_in_force`
does in Python, and the day each reservation is billed on (STAY_RATE_DAY, SERVICE_RATE_DAY)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, Table, and_, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from concierge_app.db.bookings import Booking, ServiceItem
from concierge_app.db.parties import PartnerCommissionRate

RATES: Table = PartnerCommissionRate.__table__  # type: ignore[attr-defined]


class utc_day(FunctionElement[Any]):
    """The UTC calendar day of a timestamp column (`UTCDateTime`): PostgreSQL stores it with
    its zone, SQLite as UTC text."""

    type = Date()
    name = "utc_day"
    inherit_cache = True


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC' AS DATE)"


@compiles(utc_day)
def _utc_day_sqlite(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"


# The rule (`domain.commission_rates`): a reservation is billed at the rate in force on the
# day it was made — a stay on the UTC day its booking was created, a service on the UTC day
# it was confirmed (a service paid or billed is confirmed; its creation day stands in for a
# row that has no confirmation time). The month-end run and the commission recorded at payment
# read these same two expressions.
_B: Table = Booking.__table__  # type: ignore[attr-defined]
_S: Table = ServiceItem.__table__  # type: ignore[attr-defined]
STAY_RATE_DAY: Any = utc_day(_B.c.created_at)
SERVICE_RATE_DAY: Any = utc_day(func.coalesce(_S.c.confirmed_at, _S.c.created_at))


def rate_periods(name: str = "rate_periods") -> Any:
    """Every rate with the day it stops (`valid_until`, the next rate's first day; NULL for
    the latest): one row per rate, for a join by partner and day over many reservations."""
    until = func.lead(RATES.c.valid_from).over(
        partition_by=RATES.c.partner_id, order_by=RATES.c.valid_from
    )
    return select(
        RATES.c.partner_id,
        RATES.c.rate_bps,
        RATES.c.valid_from,
        until.label("valid_until"),
    ).subquery(name)


def in_force(periods: Any, partner_id: Any, day: Any) -> Any:
    """Join condition: the row of `periods` (from `rate_periods`) in force for the partner on
    `day` — exactly one when the partner's history starts on or before it."""
    return and_(
        periods.c.partner_id == partner_id,
        periods.c.valid_from <= day,
        or_(periods.c.valid_until.is_(None), periods.c.valid_until > day),
    )


def rate_on(partner_id: Any, day: Any) -> Any:
    """The partner's rate (bps) in force on `day`, as a scalar subquery (one index probe): for a
    few rows at a time."""
    return (
        select(RATES.c.rate_bps)
        .where(RATES.c.partner_id == partner_id, RATES.c.valid_from <= day)
        .order_by(RATES.c.valid_from.desc())
        .limit(1)
        .scalar_subquery()
    )
