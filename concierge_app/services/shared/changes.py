"""The ledger's change feed: every write appends to the audit trail, so its newest sequence
number is a version that moves whenever anything changes. Open pages poll it (cheaply, through
the database, so it works across workers) and reload when it moves."""

from __future__ import annotations

from sqlalchemy import bindparam, func, select

from concierge_app.db.audit import AuditChainHead, AuditEvent
from concierge_app.db.engine import Database

_EVENTS = AuditEvent.__table__  # type: ignore[attr-defined]
_HEADS = AuditChainHead.__table__  # type: ignore[attr-defined]
_OVERALL = select(_HEADS.c.last_sequence).where(_HEADS.c.name == "audit")
_OF_BOOKING = select(func.max(_EVENTS.c.id)).where(_EVENTS.c.booking_id == bindparam("booking_id"))


def ledger_version(*, db: Database, booking_id: int | None = None) -> int:
    """The newest change, overall or of one booking (0 when there is none)."""
    with db.read() as session:
        conn = session.connection()
        if booking_id is None:
            value = conn.execute(_OVERALL).scalar()
        else:
            value = conn.execute(_OF_BOOKING, {"booking_id": booking_id}).scalar()
    return int(value or 0)
