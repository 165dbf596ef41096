"""State of the staff inbox `/inbox`: every partner's threads (unread first), one thread's
conversation, and the reply that emails the partner's finance contact. `?thread=<id>` opens one."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import reflex as rx

from concierge_app.db.engine import get_database
from concierge_app.db.partner_inbox import ThreadAuthor
from concierge_app.domain.errors import DomainError, NotFound
from concierge_app.services.formatting import format_moment
from concierge_app.services.partner_inbox import (
    ThreadView,
    mark_read_by_staff,
    staff_reply,
    staff_thread,
    staff_threads,
)
from concierge_app.state.auth import AuthState
from concierge_app.state.live import LiveState
from concierge_app.state.partner_inbox import (
    REPLY_FIELD,
    MessageRow,
    ThreadRow,
    message_rows,
    thread_row,
)

logger = logging.getLogger(__name__)
STAFF_TIMEZONE = "UTC"  # as the other staff pages show times


class InboxState(LiveState, AuthState):
    threads: list[ThreadRow] = []
    unread: int = 0
    loading: bool = True
    failed: bool = False
    pane: str = "empty"  # empty / thread / missing
    selected_id: str = ""
    # The open thread.
    subject: str = ""
    partner: str = ""
    finance_email: str = ""
    topic: str = ""
    subtopic: str = ""
    invoice: str = ""
    started: str = ""
    conversation: list[MessageRow] = []
    reply_error: str = ""
    replying: bool = False
    notice: str = ""

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        self.notice, self.reply_error = "", ""
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        wanted = self.router.url.query_parameters.get("thread", "")
        self.selected_id = wanted if wanted.isdigit() else ""
        self.pane = "thread" if self.selected_id else "empty"
        await self._reload()

    async def _reload(self) -> None:
        db = get_database()
        try:
            # mark read first, then the version, then the data: a reply landing while this
            # reads bumps the version past the one recorded, and the next poll shows it
            await self._mark_open_thread_read()
            self.version = await self._ledger_version()
            view = await self._open_view()
            rows = await asyncio.to_thread(staff_threads, db=db)
        except Exception:
            logger.exception("Could not load the partner inbox")
            self.failed, self.loading = True, False
            return
        self.threads = [thread_row(t, ThreadAuthor.STAFF, STAFF_TIMEZONE) for t in rows]
        self.unread = sum(1 for t in rows if t.unread)
        if view is not None:
            s = view.summary
            self.subject, self.partner = s.subject, f"{s.partner_name} · {s.partner_code}"
            self.finance_email = s.finance_email
            self.topic, self.subtopic, self.invoice = s.topic, s.subtopic, s.invoice_number or ""
            self.started = f"{format_moment(s.created_at, STAFF_TIMEZONE)} by {s.created_by}"
            self.conversation = message_rows(
                view, ThreadAuthor.STAFF, STAFF_TIMEZONE, self.staff_email
            )
        self.failed, self.loading = False, False

    async def _mark_open_thread_read(self) -> None:
        """The open thread is read now (a no-op when it already was)."""
        if self.pane == "thread" and self.selected_id:
            with contextlib.suppress(NotFound):  # _open_view says it is missing
                await asyncio.to_thread(
                    mark_read_by_staff,
                    db=get_database(),
                    thread_id=int(self.selected_id),
                    actor=self.staff_email,
                )

    async def _open_view(self) -> ThreadView | None:
        """The open thread; None when none is open."""
        if self.pane != "thread" or not self.selected_id:
            return None
        db, thread_id = get_database(), int(self.selected_id)
        try:
            return await asyncio.to_thread(staff_thread, db=db, thread_id=thread_id)
        except NotFound:
            self.pane, self.selected_id, self.conversation = "missing", "", []
            return None

    @rx.event
    async def open(self, thread_id: str):  # type: ignore[no-untyped-def]
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        self.selected_id, self.pane = thread_id, "thread"
        self.notice, self.reply_error = "", ""
        await self._reload()

    @rx.event
    async def reply(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        if self.replying or not self.selected_id:
            return
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        self.replying, self.reply_error, self.notice = True, "", ""
        yield
        try:
            await asyncio.to_thread(
                staff_reply,
                db=get_database(),
                thread_id=int(self.selected_id),
                author=self.staff_email,
                body=form.get("body", ""),
            )
        except DomainError as refused:
            self.reply_error, self.replying = refused.message, False
            return
        self.replying = False
        self.notice = "Reply sent. The partner's finance contact is emailed (see the Outbox)."
        await self._reload()
        yield rx.set_value(REPLY_FIELD, "")
