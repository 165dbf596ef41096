"""Small helpers shared by the services: loading or refusing, idempotent inserts, numbering."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, select

from ..db.bookings import Booking
from ..domain.errors import NotFound

T = TypeVar("T", bound=SQLModel)


def load(session: Session, model: type[T], key: Any, what: str, *, lock: bool = False) -> T:
    """The row with primary key `key`, locked FOR UPDATE if asked, or NotFound."""
    if key is None:
        raise NotFound(f"{what} not found.")
    pk = next(iter(model.__table__.primary_key.columns))  # type: ignore[attr-defined]
    stmt = select(model).where(pk == key)
    if lock:
        stmt = stmt.with_for_update()
    row = session.exec(stmt).first()
    if row is None:
        raise NotFound(f"{what} {key} was not found.")
    return row


def insert_ignore(session: Session, model: type[SQLModel], values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING. True when a row was inserted (read via RETURNING)."""
    table = model.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    pk = next(iter(table.primary_key.columns))
    stmt = module.insert(table).values(**values).on_conflict_do_nothing().returning(pk)
    return session.execute(stmt).first() is not None


def next_in_sequence(session: Session, name: str) -> int:
    """The next value of a gapless sequence, holding its row lock until the transaction ends."""
    from ..db.invoicing import NumberSequence

    insert_ignore(session, NumberSequence, {"name": name, "last_value": 0})
    value = session.execute(
        text(
            "UPDATE number_sequence SET last_value = last_value + 1 "
            "WHERE name = :name RETURNING last_value"
        ),
        {"name": name},
    ).scalar_one()
    return int(value)


def id_of(row: SQLModel) -> int:
    """The integer primary key of a flushed row."""
    value = getattr(row, "id", None)
    if not isinstance(value, int):
        raise RuntimeError(f"{type(row).__name__} has no id yet (flush first)")
    return value


def lock_with_booking(session: Session, model: type[T], key: Any, what: str) -> tuple[Booking, T]:
    """Lock the row's booking, then the row itself: every writer locks in this order."""
    peek = load(session, model, key, what)
    booking = load(session, Booking, peek.booking_id, "Booking", lock=True)  # type: ignore[attr-defined]
    return booking, load(session, model, key, what, lock=True)
