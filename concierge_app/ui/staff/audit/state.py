"""State of `/audit`: a booking's audit log (what was billed, when, by whom) and the chain check."""

from __future__ import annotations

import asyncio
import dataclasses
import json

import reflex as rx

from concierge_app.domain.formatting import format_moment
from concierge_app.services.guest.queries import booking_by_reference, list_bookings
from concierge_app.services.shared.audit import booking_audit_log, verify_chain
from concierge_app.services.shared.database import get_database
from concierge_app.ui.staff.live_state import LiveState
from concierge_app.ui.staff.session import AuthState
from concierge_app.ui.staff.times import PlatformTimesMixin


@dataclasses.dataclass(frozen=True)
class AuditRow:
    sequence: str
    when: str
    actor: str
    action: str
    subject: str
    details: str


def _details(data: str) -> str:
    """The event's data as 'key: value' pairs, for people."""
    try:
        values = json.loads(data)
    except ValueError:
        return data
    return " · ".join(
        f"{k.replace('_', ' ')}: {v}" for k, v in values.items() if v not in (None, "", [], {})
    )


class AuditState(PlatformTimesMixin, LiveState, AuthState):
    references: list[str] = []
    reference: str = ""
    rows: list[AuditRow] = []
    chain_status: str = ""
    chain_ok: bool = True
    checking: bool = False

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        summaries = await asyncio.to_thread(list_bookings, db=get_database())
        self.references = [b.reference for b in summaries]
        wanted = self.router.url.query_parameters.get("booking", "")
        self.reference = (
            wanted if wanted in self.references else (self.references[0] if self.references else "")
        )
        await self._reload()

    @rx.event
    async def choose(self, reference: str) -> None:
        self.reference = reference
        await self._reload()

    async def _reload(self) -> None:
        db = get_database()
        self.version = await self._ledger_version()
        if not self.reference:
            self.rows = []
            return
        booking = await asyncio.to_thread(booking_by_reference, db=db, reference=self.reference)
        events = await asyncio.to_thread(booking_audit_log, db=db, booking_id=booking.id)
        zone = self._platform_zone()
        self.rows = [
            AuditRow(
                str(e.sequence),
                format_moment(e.occurred_at, zone),
                e.actor,
                e.action,
                e.subject,
                _details(e.data),
            )
            for e in events
        ]

    @rx.event
    async def verify(self):  # type: ignore[no-untyped-def]
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        self.checking = True
        yield
        report = await asyncio.to_thread(verify_chain, db=get_database())
        self.chain_ok = report.ok
        self.chain_status = (
            f"Audit chain intact: {report.events_checked} events verified."
            if report.ok
            else f"Audit chain broken at event {report.first_bad_sequence}: {report.problem}."
        )
        self.checking = False
