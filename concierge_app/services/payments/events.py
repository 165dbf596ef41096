"""The payment provider's events as the webhook answered them, for staff (Payment events)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from concierge_app.db.engine import Database
from concierge_app.db.payments import ProviderEvent

# Outcomes that mean the event changed nothing because of what it was.
NOT_APPLIED = ("ignored", "rejected", "not handled", "not applied")
# Outcomes staff must know of: money moved at the provider, not from the ledger.
AT_THE_PROVIDER = ("made at the provider", "failed at the provider", "flagged")


@dataclass(frozen=True, slots=True)
class ProviderEventView:
    received_at: datetime
    provider: str
    event_type: str
    event_id: str
    outcome: str

    @property
    def needs_a_look(self) -> bool:
        """Stored without effect (unknown, odd or pointing at nothing; not a duplicate), or a
        refund made or failed at the provider."""
        return any(word in self.outcome for word in NOT_APPLIED + AT_THE_PROVIDER)


def list_provider_events(
    *, db: Database, only_not_applied: bool = False, limit: int = 200
) -> list[ProviderEventView]:
    """The newest events first; optionally only those that need a look."""
    with db.read() as session:
        rows = session.exec(
            select(ProviderEvent).order_by(col(ProviderEvent.id).desc()).limit(limit * 5)
        ).all()
    views = [
        ProviderEventView(r.received_at, r.provider, r.event_type, r.event_id, r.outcome)
        for r in rows
    ]
    if only_not_applied:
        views = [v for v in views if v.needs_a_look]
    return views[:limit]
