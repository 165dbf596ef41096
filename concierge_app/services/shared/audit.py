"""Append to the hash-chained audit trail, read it, and verify the chain."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, bindparam, func, insert, select
from sqlmodel import Session, col
from sqlmodel import select as orm_select

from concierge_app.db.audit import AuditChainHead, AuditEvent
from concierge_app.db.engine import AUDIT_HASH_FUNCTION, Database
from concierge_app.db.types import utcnow
from concierge_app.domain.audit import GENESIS_HASH, canonical_json, event_hash
from concierge_app.services.shared.common import insert_ignore

CHAIN = "audit"


_HEADS = AuditChainHead.__table__  # type: ignore[attr-defined]
_HEAD = (
    select(_HEADS.c.last_sequence, _HEADS.c.last_hash)
    .where(_HEADS.c.name == CHAIN)
    .with_for_update()
)
_INSERT_EVENT = insert(AuditEvent.__table__)  # type: ignore[attr-defined]
_EVENTS = AuditEvent.__table__  # type: ignore[attr-defined]
_NEXT = _HEADS.c.last_sequence + 1
_APPEND_SQLITE = (
    insert(_EVENTS)
    .from_select(
        [
            "id",
            "occurred_at",
            "actor",
            "action",
            "subject",
            "booking_id",
            "data",
            "prev_hash",
            "hash",
        ],
        select(
            _NEXT,
            bindparam("at", type_=_EVENTS.c.occurred_at.type),
            bindparam("actor", type_=String()),
            bindparam("action", type_=String()),
            bindparam("subject", type_=String()),
            bindparam("booking_id", type_=Integer()),
            bindparam("data", type_=String()),
            _HEADS.c.last_hash,
            getattr(func, AUDIT_HASH_FUNCTION)(
                _HEADS.c.last_hash,
                _NEXT,
                bindparam("at_iso", type_=String()),
                bindparam("actor", type_=String()),
                bindparam("action", type_=String()),
                bindparam("subject", type_=String()),
                bindparam("booking_id", type_=Integer()),
                bindparam("data", type_=String()),
                type_=String(),
            ),
        ).where(_HEADS.c.name == CHAIN),
    )
    .returning(_EVENTS.c.id)
)


def record_event(
    session: Session,
    *,
    actor: str,
    action: str,
    subject: str,
    booking_id: int | None = None,
    data: Mapping[str, Any] | None = None,
) -> int:
    """Append one event inside the caller's transaction; returns its sequence number.

    Reading the chain head takes its row lock, so concurrent appends queue up and never fork
    the chain; a database trigger moves the head to each inserted event.
    """
    conn = session.connection()  # Core statements: no ORM flush or identity-map work needed
    occurred_at = utcnow()
    data_json = canonical_json(dict(data or {}))
    if conn.info.get(AUDIT_HASH_FUNCTION):  # a SQLite connection of Database
        # One statement: the writer holds SQLite's write lock (BEGIN IMMEDIATE), so the head
        # read by the INSERT … SELECT is the head; the hash is the domain's (a SQL function).
        appended = conn.execute(
            _APPEND_SQLITE,
            {
                "at": occurred_at,
                "at_iso": occurred_at.isoformat(),
                "actor": actor,
                "action": action,
                "subject": subject,
                "booking_id": booking_id,
                "data": data_json,
            },
        ).scalar()
        if appended is not None:
            return int(appended)
    head = conn.execute(_HEAD).first()
    if head is None:  # the very first event
        insert_ignore(
            session, AuditChainHead, {"name": CHAIN, "last_sequence": 0, "last_hash": GENESIS_HASH}
        )
        head = conn.execute(_HEAD).one()
    sequence, prev_hash = int(head[0]) + 1, str(head[1])
    digest = event_hash(
        prev_hash=prev_hash,
        sequence=sequence,
        occurred_at=occurred_at.isoformat(),
        actor=actor,
        action=action,
        subject=subject,
        booking_id=booking_id,
        data_json=data_json,
    )
    conn.execute(
        _INSERT_EVENT,
        {
            "id": sequence,
            "occurred_at": occurred_at,
            "actor": actor,
            "action": action,
            "subject": subject,
            "booking_id": booking_id,
            "data": data_json,
            "prev_hash": prev_hash,
            "hash": digest,
        },
    )
    return sequence


@dataclass(frozen=True, slots=True)
class ChainReport:
    ok: bool
    events_checked: int
    first_bad_sequence: int | None = None
    problem: str | None = None


def verify_chain(*, db: Database, batch_size: int = 5000) -> ChainReport:
    """Recompute every hash in order; report the first event that does not match."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    with db.read() as session:
        head = session.get(AuditChainHead, CHAIN)
        last_id = 0
        while True:
            events = session.exec(
                orm_select(AuditEvent)
                .where(col(AuditEvent.id) > last_id)
                .order_by(col(AuditEvent.id))
                .limit(batch_size)
            ).all()
            if not events:
                break
            for ev in events:
                if ev.id != expected_seq:
                    return ChainReport(False, expected_seq - 1, expected_seq, "event missing")
                if ev.prev_hash != prev_hash:
                    return ChainReport(False, expected_seq - 1, ev.id, "broken link")
                digest = event_hash(
                    prev_hash=ev.prev_hash,
                    sequence=ev.id,
                    occurred_at=ev.occurred_at.isoformat(),
                    actor=ev.actor,
                    action=ev.action,
                    subject=ev.subject,
                    booking_id=ev.booking_id,
                    data_json=ev.data,
                )
                if digest != ev.hash:
                    return ChainReport(False, expected_seq - 1, ev.id, "content altered")
                prev_hash = ev.hash
                expected_seq += 1
                last_id = ev.id
        checked = expected_seq - 1
        if head is not None and (head.last_sequence != checked or head.last_hash != prev_hash):
            return ChainReport(False, checked, checked + 1, "events missing at the end")
    return ChainReport(True, checked)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    sequence: int
    occurred_at: datetime
    actor: str
    action: str
    subject: str
    data: str


def booking_audit_log(*, db: Database, booking_id: int) -> list[AuditEntry]:
    """Every audit event of one booking, oldest first."""
    with db.read() as session:
        rows = session.exec(
            orm_select(AuditEvent)
            .where(AuditEvent.booking_id == booking_id)
            .order_by(col(AuditEvent.id))
        ).all()
        return [AuditEntry(r.id, r.occurred_at, r.actor, r.action, r.subject, r.data) for r in rows]
