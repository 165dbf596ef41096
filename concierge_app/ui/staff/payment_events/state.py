"""State of `/payments/events`: the provider's events and what the webhook did with each."""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from concierge_app.domain.formatting import format_moment
from concierge_app.services.payments.events import list_provider_events
from concierge_app.services.shared.database import get_database
from concierge_app.ui.staff.live_state import LiveState
from concierge_app.ui.staff.session import AuthState
from concierge_app.ui.staff.times import PlatformTimesMixin


@dataclasses.dataclass(frozen=True)
class EventRow:
    received: str
    provider: str
    event_type: str
    event_id: str
    outcome: str
    attention: bool


class ProviderEventsState(PlatformTimesMixin, LiveState, AuthState):
    events: list[EventRow] = []
    only_not_applied: bool = False
    loading: bool = True

    @rx.event
    async def show_not_applied(self, on: bool) -> None:
        self.only_not_applied = on
        await self._reload()

    async def _reload(self) -> None:
        self.version = await self._ledger_version()
        views = await asyncio.to_thread(
            list_provider_events, db=get_database(), only_not_applied=self.only_not_applied
        )
        zone = self._platform_zone()
        self.events = [
            EventRow(
                received=format_moment(v.received_at, zone),
                provider=v.provider,
                event_type=v.event_type,
                event_id=v.event_id,
                outcome=v.outcome,
                attention=v.needs_a_look,
            )
            for v in views
        ]
        self.loading = False
