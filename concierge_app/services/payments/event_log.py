"""The payment provider's events, each stored once (INSERT … ON CONFLICT DO NOTHING) in the
transaction that applies it, with what it did: its outcome, which staff read on Payment events.
A redelivered or concurrent event finds itself stored and has no second effect."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, bindparam, update
from sqlalchemy import select as core_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import Executable
from sqlmodel import Session

from concierge_app.db.engine import Database
from concierge_app.db.payments import ProviderEvent
from concierge_app.db.types import table_of, utcnow

DUPLICATE_EVENT = "duplicate event (ignored)"

_EVENTS = table_of(ProviderEvent)
_EVENT_SEEN = core_select(_EVENTS.c.id).where(
    _EVENTS.c.provider == bindparam("p"), _EVENTS.c.event_id == bindparam("e")
)
_SET_OUTCOME = (
    update(_EVENTS).where(_EVENTS.c.id == bindparam("event_pk")).values(outcome=bindparam("o"))
)


def _claim_statement(table: Table, dialect: str) -> Executable:
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing().returning(table.c.id)
    return sqlite.insert(table).on_conflict_do_nothing().returning(table.c.id)


_CLAIM = {d: _claim_statement(_EVENTS, d) for d in ("sqlite", "postgresql")}


@dataclass(frozen=True, slots=True)
class Delivery:
    """One signed event as the provider delivered it: whose, which, of what type.

    `outcome_of`, when set, tells the outcome from the locked checkout before anything is
    applied (`lifecycle.claim` then stores the event with it: no UPDATE afterwards)."""

    provider: str
    event_id: str
    event_type: str
    outcome_of: Callable[[Any], str] | None = field(default=None, compare=False, repr=False)

    @property
    def actor(self) -> str:
        return f"provider:{self.provider}"


def event_seen(*, db: Database, provider: str, event_id: str) -> bool:
    """Whether this provider event was stored already (a cheap read before any write)."""
    return db.select_one(_EVENT_SEEN, {"p": provider, "e": event_id}) is not None


def store_event(
    session: Session,
    *,
    provider: str,
    event_id: str,
    event_type: str,
    attempt: str | None = None,
    outcome: str = "processing",
) -> int | None:
    """Store a provider event id once, in the transaction that applies it (the caller has
    locked what it changes first). The event row's id, or None when it was stored before.
    A caller that knows the outcome already stores it here (no UPDATE afterwards)."""
    conn = session.connection()
    event_pk = conn.execute(
        _CLAIM[conn.dialect.name],
        {
            "provider": provider,
            "event_id": event_id,
            "event_type": event_type,
            "attempt_id": attempt,
            "outcome": str(outcome)[:200],
            "received_at": utcnow(),
        },
    ).scalar()
    return None if event_pk is None else int(event_pk)


def set_event_outcome(session: Session, event_pk: int, outcome: str) -> None:
    session.connection().execute(_SET_OUTCOME, {"event_pk": event_pk, "o": str(outcome)[:200]})


def remember(db: Database, delivery: Delivery, outcome: str) -> str:
    """Store a signed event the ledger does not apply, with the reason (staff see it on the
    Payment events page); a redelivery is then a duplicate. Returns the outcome."""
    with db.transaction() as session:
        pk = store_event(
            session,
            provider=delivery.provider,
            event_id=delivery.event_id,
            event_type=delivery.event_type,
            outcome=outcome,
        )
        if pk is None:
            return DUPLICATE_EVENT
    return outcome[:200]
