"""State of the staff inbox `/inbox`: every partner's threads (unread first), one thread's
conversation, and the reply that emails the partner's finance contact (the open thread:
`ui/shared/inbox/state.py`). `?thread=<id>` opens one."""

from __future__ import annotations

import asyncio
import logging

import reflex as rx

from concierge_app.domain.statuses import ThreadAuthor
from concierge_app.services.partner.inbox import (
    ThreadView,
    mark_read_by_staff,
    staff_reply,
    staff_thread,
    staff_threads,
)
from concierge_app.services.shared.database import get_database
from concierge_app.ui.shared.inbox.rows import ThreadRow, thread_row
from concierge_app.ui.shared.inbox.state import ThreadMixin
from concierge_app.ui.staff.live_state import LiveState
from concierge_app.ui.staff.session import AuthState
from concierge_app.ui.staff.times import PlatformTimesMixin

logger = logging.getLogger(__name__)


class InboxState(ThreadMixin, PlatformTimesMixin, LiveState, AuthState):
    READER = ThreadAuthor.STAFF
    REPLY_SENT = "Reply sent. The partner's finance contact is emailed (see the Outbox)."
    threads: list[ThreadRow] = []
    unread: int = 0
    loading: bool = True
    failed: bool = False
    # The open thread, besides ThreadMixin's.
    partner: str = ""
    finance_email: str = ""
    topic: str = ""

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        self.notice, self.reply_error = "", ""
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        self._open_from_url()
        await self._reload()

    async def _reload(self) -> None:
        try:
            view = await self._read_open_thread()
            rows = await asyncio.to_thread(staff_threads, db=get_database())
        except Exception:
            logger.exception("Could not load the partner inbox")
            self.failed, self.loading = True, False
            return
        zone = self._platform_zone()
        self.threads = [thread_row(t, ThreadAuthor.STAFF, zone) for t in rows]
        self.unread = sum(1 for t in rows if t.unread)
        if view is not None:
            self._show_thread(view, zone)
            s = view.summary
            self.partner = f"{s.partner_name} · {s.partner_code}"
            self.finance_email, self.topic = s.finance_email, s.topic
        self.failed, self.loading = False, False

    # -- the open thread (ThreadMixin's hooks) -------------------------------------------------
    def _mark_read(self, thread_id: int) -> None:
        mark_read_by_staff(db=get_database(), thread_id=thread_id, actor=self.staff_email)

    def _thread(self, thread_id: int) -> ThreadView:
        return staff_thread(db=get_database(), thread_id=thread_id)

    def _send_reply(self, thread_id: int, body: str) -> None:
        staff_reply(db=get_database(), thread_id=thread_id, author=self.staff_email, body=body)

    async def _session_ok(self, *, writing: bool) -> bool:
        return await self._signed_in()

    def _me(self) -> str:
        return self.staff_email
