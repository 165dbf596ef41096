"""The open thread of an inbox, one state for both sides: which thread is open (`?thread=<id>`
opens one), its conversation, and the reply box. The partner's and the staff's inbox states
mix it in and say how they read, mark and answer a thread."""

from __future__ import annotations

import asyncio
import contextlib
from typing import ClassVar

import reflex as rx

from concierge_app.domain.errors import DomainError, NotFound
from concierge_app.domain.formatting import format_moment
from concierge_app.domain.statuses import ThreadAuthor
from concierge_app.services.partner.inbox import ThreadView
from concierge_app.ui.shared.inbox.rows import REPLY_FIELD, MessageRow, message_rows


class ThreadMixin(rx.State, mixin=True):
    """`class InboxState(ThreadMixin, …, LiveState, AuthState)`. A subclass gives `READER`, and
    the worker-thread hooks `_mark_read`, `_thread` and `_send_reply`, `_session_ok` (the
    session is still the one the page was read for) and `_me` (who writes)."""

    READER: ClassVar[ThreadAuthor] = ThreadAuthor.STAFF
    REPLY_SENT: ClassVar[str] = ""  # the notice after a reply ("" for none)

    pane: str = "empty"  # empty / thread / missing (the partner's: new too)
    selected_id: str = ""
    # The open thread.
    subject: str = ""
    subtopic: str = ""
    invoice: str = ""
    started: str = ""
    conversation: list[MessageRow] = []
    notice: str = ""
    reply_error: str = ""
    replying: bool = False

    def _mark_read(self, thread_id: int) -> None:
        raise NotImplementedError

    def _thread(self, thread_id: int) -> ThreadView:
        raise NotImplementedError

    def _send_reply(self, thread_id: int, body: str) -> None:
        raise NotImplementedError

    async def _session_ok(self, *, writing: bool) -> bool:
        raise NotImplementedError

    def _me(self) -> str:
        raise NotImplementedError

    def _open_from_url(self) -> None:
        """`?thread=<id>` (the link in a reply email) opens that thread."""
        wanted = self.router.url.query_parameters.get("thread", "")
        self.selected_id = wanted if wanted.isdigit() else ""
        self.pane = "thread" if self.selected_id else "empty"

    async def _read_open_thread(self) -> ThreadView | None:
        """Mark the open thread read, record the ledger version, read the thread (None when
        none is open). In that order: a reply landing while this reads bumps the version past
        the one recorded, and the next pushed change shows it."""
        thread_id = int(self.selected_id) if self.pane == "thread" and self.selected_id else 0
        if thread_id:
            with contextlib.suppress(NotFound):  # reading it below says it is missing
                await asyncio.to_thread(self._mark_read, thread_id)
        self.version = await self._ledger_version()  # type: ignore[attr-defined]
        if not thread_id:
            return None
        try:
            return await asyncio.to_thread(self._thread, thread_id)
        except NotFound:
            self.pane, self.selected_id, self.conversation = "missing", "", []
            return None

    def _show_thread(self, view: ThreadView, zone: str) -> None:
        s = view.summary
        self.subject, self.subtopic, self.invoice = s.subject, s.subtopic, s.invoice_number or ""
        self.started = f"{format_moment(s.created_at, zone)} by {s.created_by}"
        self.conversation = message_rows(view, self.READER, zone, self._me())

    @rx.event
    async def open(self, thread_id: str):  # type: ignore[no-untyped-def]
        if not await self._session_ok(writing=False):
            yield self._to_sign_in()  # type: ignore[attr-defined]
            return
        self.selected_id, self.pane = thread_id, "thread"
        self.notice, self.reply_error = "", ""
        await self._reload()  # type: ignore[attr-defined]

    @rx.event
    async def reply(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        if self.replying or not self.selected_id:
            return
        if not await self._session_ok(writing=True):
            yield self._to_sign_in()  # type: ignore[attr-defined]
            return
        self.replying, self.reply_error, self.notice = True, "", ""
        yield
        try:
            await asyncio.to_thread(self._send_reply, int(self.selected_id), form.get("body", ""))
        except DomainError as refused:
            self.reply_error, self.replying = refused.message, False
            return
        self.replying, self.notice = False, self.REPLY_SENT
        await self._reload()  # type: ignore[attr-defined]
        yield rx.set_value(REPLY_FIELD, "")
