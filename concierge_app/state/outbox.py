"""State of `/outbox`: every message queued, sent or failed."""

from __future__ import annotations

import asyncio
import dataclasses
import re

import reflex as rx

from concierge_app.db.engine import get_database
from concierge_app.notify.templates import DEFAULT_TEMPLATES
from concierge_app.services.formatting import format_moment
from concierge_app.services.messages import list_outbox
from concierge_app.state.auth import AuthState
from concierge_app.state.live import LiveState

TEMPLATE_NAMES = {key: t.name for key, t in DEFAULT_TEMPLATES.items()}
_GUEST_LINK = re.compile(r"https?://\S+/portal/\S+")


@dataclasses.dataclass(frozen=True)
class MessageRow:
    id: str
    created: str
    template: str
    recipient: str
    subject: str
    body: str
    status: str
    attempts: str
    last_error: str
    booking: str
    partner: str
    guest_link: str  # the portal link in the message, to open it as the guest would


class OutboxState(LiveState, AuthState):
    messages: list[MessageRow] = []
    loading: bool = True

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        await self._reload()

    async def _reload(self) -> None:
        db = get_database()
        self.version = await self._ledger_version()
        views = await asyncio.to_thread(list_outbox, db=db)
        self.messages = [
            MessageRow(
                id=str(v.id),
                created=format_moment(v.created_at),
                template=TEMPLATE_NAMES.get(v.template_key, v.template_key),
                recipient=v.recipient,
                subject=v.subject,
                body=v.body,
                status=v.status,
                attempts=str(v.attempts),
                last_error=v.last_error or "",
                booking=v.booking_reference or "",
                partner=v.partner_code or "",
                guest_link=(m[0] if (m := _GUEST_LINK.search(v.body)) else ""),
            )
            for v in views
        ]
        self.loading = False
