"""Column helpers shared by the tables: UTC timestamps, enum checks, currency checks; and the Core
table of a table class."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def table_of(model: Any) -> Table:
    """The Core table of a SQLModel table class (for set-based statements)."""
    table: Table = model.__table__
    return table


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC; always returns them aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if not isinstance(value, datetime):
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def one_of(column: str, values: type[enum.Enum] | tuple[str, ...], name: str) -> CheckConstraint:
    """CHECK that a text column holds one of the enum's values."""
    items = [m.value for m in values] if isinstance(values, type) else list(values)
    quoted = ", ".join(f"'{v}'" for v in items)
    return CheckConstraint(f"{column} IN ({quoted})", name=name)


def currency_check(column: str = "currency", name: str = "currency_iso") -> CheckConstraint:
    """Three upper-case letters (the list itself is checked in the domain)."""
    return CheckConstraint(f"length({column}) = 3 AND upper({column}) = {column}", name=name)


def non_negative(column: str) -> CheckConstraint:
    return CheckConstraint(f"{column} >= 0", name=f"{column}_non_negative")
