"""State of `/outbox`: every message queued, sent or failed."""

from __future__ import annotations

import asyncio
import dataclasses
import re

from concierge_app import routes
from concierge_app.domain.formatting import format_moment
from concierge_app.domain.templates import DEFAULT_TEMPLATES
from concierge_app.services.outbox.listing import list_outbox
from concierge_app.services.shared.database import get_database
from concierge_app.ui.staff.live_state import LiveState
from concierge_app.ui.staff.session import AuthState
from concierge_app.ui.staff.times import PlatformTimesMixin

TEMPLATE_NAMES = {key: t.name for key, t in DEFAULT_TEMPLATES.items()}
_GUEST_LINK = re.compile(r"https?://\S+" + re.escape(routes.PORTAL_PREFIX) + r"\S+")


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
    # The saved template could not be used: "Sent with the built-in text: <why>" (or "").
    template_note: str


class OutboxState(PlatformTimesMixin, LiveState, AuthState):
    messages: list[MessageRow] = []
    loading: bool = True

    async def _reload(self) -> None:
        db = get_database()
        self.version = await self._ledger_version()
        views = await asyncio.to_thread(list_outbox, db=db)
        zone = self._platform_zone()
        self.messages = [
            MessageRow(
                id=str(v.id),
                created=format_moment(v.created_at, zone),
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
                template_note=_template_note(v.status, v.template_problem),
            )
            for v in views
        ]
        self.loading = False


def _template_note(status: str, problem: str | None) -> str:
    if not problem:
        return ""
    done = {"sent": "Sent", "queued": "To be sent"}.get(status, "Written")
    return f"{done} with the built-in text: {problem}"
