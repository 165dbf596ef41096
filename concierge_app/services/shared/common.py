"""Small helpers shared by the services: loading or refusing, idempotent inserts, numbering."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, TypeVar

from sqlalchemy import Table, bindparam, text
from sqlalchemy import select as core_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import Executable
from sqlmodel import Session, SQLModel, select

from concierge_app.db.bookings import Booking
from concierge_app.db.invoicing import NumberSequence
from concierge_app.db.types import table_of as table_of  # the services read it from here
from concierge_app.domain.errors import NotFound

T = TypeVar("T", bound=SQLModel)
BOOKINGS: Table = Booking.__table__  # type: ignore[attr-defined]


def load(session: Session, model: type[T], key: Any, what: str, *, lock: bool = False) -> T:
    """The row with primary key `key`, or NotFound.

    With `lock`, PostgreSQL takes a row lock and re-reads the row (`populate_existing`: a row
    already in the session is refreshed, never left stale). SQLite needs neither: write
    transactions start with BEGIN IMMEDIATE, so no other writer runs meanwhile.
    """
    if key is None:
        raise NotFound(f"{what} not found.")
    if lock and session.get_bind().dialect.name != "sqlite":
        pk = next(iter(model.__table__.primary_key.columns))  # type: ignore[attr-defined]
        stmt = (
            select(model)
            .where(pk == key)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        row = session.exec(stmt).first()
    else:
        row = session.get(model, key)
    if row is None:
        raise NotFound(f"{what} {key} was not found.")
    return row


@lru_cache(maxsize=64)
def _insert_ignore_statement(table: Table, dialect: str) -> Executable:
    module = postgresql if dialect == "postgresql" else sqlite
    pk = next(iter(table.primary_key.columns))
    stmt: Executable = module.insert(table).on_conflict_do_nothing().returning(pk)
    return stmt


def insert_ignore(session: Session, model: type[SQLModel], values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING. True when a row was inserted (read via RETURNING)."""
    conn = session.connection()
    stmt = _insert_ignore_statement(model.__table__, conn.dialect.name)  # type: ignore[attr-defined]
    return conn.execute(stmt, values).first() is not None


_BUMP_SEQUENCE = text(
    "UPDATE number_sequence SET last_value = last_value + :n WHERE name = :name "
    "RETURNING last_value"
)


def next_in_sequence(session: Session, name: str, count: int = 1) -> int:
    """Reserve the next `count` values of a gapless sequence, holding its row lock until the
    transaction ends; returns the first of them."""
    conn = session.connection()
    value = conn.execute(_BUMP_SEQUENCE, {"name": name, "n": count}).scalar()
    if value is None:  # first use of this sequence
        insert_ignore(session, NumberSequence, {"name": name, "last_value": 0})
        value = conn.execute(_BUMP_SEQUENCE, {"name": name, "n": count}).scalar_one()
    return int(value) - count + 1


def today() -> date:
    """The platform's business day (UTC): what "due", "overdue" and "reflected" are read
    against on every page, staff and partner alike."""
    return datetime.now(UTC).date()


def token_digest(token: str) -> str:
    """SHA-256 of a secret token: what is stored instead of the token itself."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def id_of(row: SQLModel) -> int:
    """The integer primary key of a flushed row."""
    value = getattr(row, "id", None)
    if not isinstance(value, int):
        raise RuntimeError(f"{type(row).__name__} has no id yet (flush first)")
    return value


def lock_with_booking(session: Session, model: type[T], key: Any, what: str) -> tuple[Booking, T]:
    """Lock the row's booking, then the row itself: every writer locks in this order."""
    row = load(session, model, key, what)
    booking = load(session, Booking, row.booking_id, "Booking", lock=True)  # type: ignore[attr-defined]
    return booking, load(session, model, key, what, lock=True)


@lru_cache(maxsize=32)
def _by_id(table: Table, lock: bool) -> Executable:
    stmt = core_select(table).where(table.c.id == bindparam("key"))
    return stmt.with_for_update() if lock else stmt


@lru_cache(maxsize=32)
def _with_booking(table: Table) -> Executable:
    """The row and its booking in one statement, booking columns prefixed `booking__`."""
    return (
        core_select(table, *(c.label(f"booking__{c.name}") for c in BOOKINGS.c))
        .join(BOOKINGS, BOOKINGS.c.id == table.c.booking_id)
        .where(table.c.id == bindparam("key"))
    )


def locked_rows(
    session: Session, model: type[SQLModel], key: Any, what: str
) -> tuple[SimpleNamespace, SimpleNamespace]:
    """Core twin of lock_with_booking for hot paths: plain values, no ORM bookkeeping.

    SQLite serialises writers (BEGIN IMMEDIATE), so one joined read is enough there;
    PostgreSQL locks the booking, then the row, as every writer does.
    """
    conn = session.connection()
    table = model.__table__  # type: ignore[attr-defined]
    if conn.dialect.name == "sqlite":
        found = conn.execute(_with_booking(table), {"key": key}).first()
        if found is None:
            raise NotFound(f"{what} {key} was not found.")
        values = found._asdict()
        booking = {k[9:]: values.pop(k) for k in list(values) if k.startswith("booking__")}
        return SimpleNamespace(**booking), SimpleNamespace(**values)
    row = conn.execute(_by_id(table, False), {"key": key}).first()
    if row is None:
        raise NotFound(f"{what} {key} was not found.")
    booking_row = conn.execute(_by_id(BOOKINGS, True), {"key": row.booking_id}).one()
    row = conn.execute(_by_id(table, True), {"key": key}).one()
    return SimpleNamespace(**booking_row._asdict()), SimpleNamespace(**row._asdict())
