"""State of the partner's inbox `/partner/inbox`: its threads with the finance team, a new
message (topic "Invoices and commission", a subtopic, optionally one of its invoices), and one
thread's conversation with a reply box. `?thread=<id>` (the link in the reply email) opens one.

The rows defined here are shared with the staff inbox (`state/inbox.py`)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging

import reflex as rx

from concierge_app.db.engine import get_database
from concierge_app.db.partner_inbox import ThreadAuthor
from concierge_app.domain.errors import DomainError, NotFound
from concierge_app.services.changes import ledger_version
from concierge_app.services.formatting import format_moment
from concierge_app.services.partner_inbox import (
    DEFAULT_SUBTOPIC,
    SUBTOPICS,
    TOPIC,
    ThreadSummary,
    ThreadView,
    invoice_options,
    mark_read_by_partner,
    open_thread,
    partner_reply,
    partner_thread,
    partner_threads,
)
from concierge_app.settings import get_settings
from concierge_app.state.partner_auth import PartnerAuthState, PartnerLiveState

logger = logging.getLogger(__name__)

NO_INVOICE = "none"  # the select's "No invoice" (a Radix select item cannot have "" as value)
REPLY_FIELD = "reply-body"


@dataclasses.dataclass(frozen=True)
class ThreadRow:
    id: str
    subject: str
    subtopic: str
    invoice: str  # "" when the thread is about no invoice
    partner: str  # "Villa Azul · PRP-1001" (shown to staff)
    when: str  # of the last message
    unread: bool
    messages: str  # "2 messages"
    last_from: str  # "You" / "Finance team" / the partner's name


@dataclasses.dataclass(frozen=True)
class MessageRow:
    id: str
    mine: bool  # written by the side that is reading
    who: str
    body: str
    when: str


@dataclasses.dataclass(frozen=True)
class InvoiceChoice:
    value: str
    label: str


def thread_row(t: ThreadSummary, reader: ThreadAuthor, timezone: str) -> ThreadRow:
    if t.last_author_kind == reader.value:
        last_from = "You"
    elif t.last_author_kind == ThreadAuthor.STAFF.value:
        last_from = "Finance team"
    else:
        last_from = t.partner_name
    return ThreadRow(
        id=str(t.id),
        subject=t.subject,
        subtopic=t.subtopic,
        invoice=t.invoice_number or "",
        partner=f"{t.partner_name} · {t.partner_code}",
        when=format_moment(t.last_message_at, timezone),
        unread=t.unread,
        messages="1 message" if t.messages == 1 else f"{t.messages} messages",
        last_from=last_from,
    )


def message_rows(
    view: ThreadView, reader: ThreadAuthor, timezone: str, me: str = ""
) -> list[MessageRow]:
    """The conversation, oldest first. A partner sees staff as "<platform> Finance"; staff see
    who wrote (themselves as "You")."""
    team = f"{get_settings().platform_name} Finance"
    rows = []
    for m in view.messages:
        mine = m.author_kind is reader
        if m.author_kind is ThreadAuthor.STAFF:
            who = team if reader is ThreadAuthor.PARTNER else m.author
        else:
            who = (
                m.author
                if reader is ThreadAuthor.PARTNER
                else f"{m.author} ({view.summary.partner_name})"
            )
        if mine and m.author == me:
            who = "You"
        rows.append(MessageRow(str(m.id), mine, who, m.body, format_moment(m.created_at, timezone)))
    return rows


class PartnerInboxState(PartnerLiveState, PartnerAuthState):
    threads: list[ThreadRow] = []
    invoices: list[InvoiceChoice] = []
    subtopics: list[str] = list(SUBTOPICS)
    topic: str = TOPIC
    pane: str = "empty"  # empty / new / thread / missing
    selected_id: str = ""
    # The open thread.
    subject: str = ""
    subtopic: str = ""
    invoice: str = ""
    started: str = ""
    conversation: list[MessageRow] = []
    # The New message form.
    new_subtopic: str = DEFAULT_SUBTOPIC
    new_invoice: str = NO_INVOICE
    errors: dict[str, str] = {}
    sending: bool = False
    notice: str = ""
    reply_error: str = ""
    replying: bool = False
    _email: str = ""

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        self.view, self.notice, self.errors, self.reply_error = "loading", "", {}, ""
        who = await self._identity()
        self._pid = 0 if who is None else who.partner_id
        if who is None:
            yield self._to_sign_in()
            return
        self._email = who.email
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
            self.version = await asyncio.to_thread(ledger_version, db=db)
            view = await self._open_view()
            rows = await asyncio.to_thread(partner_threads, db=db, partner_id=self._pid)
            choices = await asyncio.to_thread(invoice_options, db=db, partner_id=self._pid)
        except Exception:
            logger.exception("Could not load the inbox of partner %s", self._pid)
            self.view = "error"
            return
        self.threads = [thread_row(t, ThreadAuthor.PARTNER, t.partner_timezone) for t in rows]
        self.invoices = [InvoiceChoice(NO_INVOICE, "No invoice")] + [
            InvoiceChoice(o.number, o.label) for o in choices
        ]
        if view is not None:
            s, zone = view.summary, view.summary.partner_timezone
            self.subject, self.subtopic, self.invoice = (
                s.subject,
                s.subtopic,
                s.invoice_number or "",
            )
            self.started = f"{format_moment(s.created_at, zone)} by {s.created_by}"
            self.conversation = message_rows(view, ThreadAuthor.PARTNER, zone, self._email)
        self.view = "ready"

    async def _mark_open_thread_read(self) -> None:
        """The open thread is read now (a no-op when it already was)."""
        if self.pane == "thread" and self.selected_id:
            with contextlib.suppress(NotFound):  # _open_view says it is missing
                await asyncio.to_thread(
                    mark_read_by_partner,
                    db=get_database(),
                    partner_id=self._pid,
                    thread_id=int(self.selected_id),
                    actor=self._email,
                )

    async def _open_view(self) -> ThreadView | None:
        """The open thread; None when none is open."""
        if self.pane != "thread" or not self.selected_id:
            return None
        db, thread_id = get_database(), int(self.selected_id)
        try:
            return await asyncio.to_thread(
                partner_thread, db=db, partner_id=self._pid, thread_id=thread_id
            )
        except NotFound:
            self.pane, self.selected_id, self.conversation = "missing", "", []
            return None

    @rx.event
    async def open(self, thread_id: str):  # type: ignore[no-untyped-def]
        if not await self._enter():
            yield self._to_sign_in()
            return
        self.selected_id, self.pane = thread_id, "thread"
        self.notice, self.reply_error = "", ""
        await self._reload()

    @rx.event
    def start_new(self) -> None:
        self.pane, self.selected_id, self.notice = "new", "", ""
        self.new_subtopic, self.new_invoice, self.errors = DEFAULT_SUBTOPIC, NO_INVOICE, {}

    @rx.event
    def cancel_new(self) -> None:
        self.pane, self.errors = "empty", {}

    @rx.event
    def set_new_subtopic(self, value: str) -> None:
        self.new_subtopic = value

    @rx.event
    def set_new_invoice(self, value: str) -> None:
        self.new_invoice = value

    async def _still_signed_in(self) -> bool:
        who = await self._identity()
        if who is None or who.partner_id != self._pid:
            return False
        self._email = who.email
        return True

    @rx.event
    async def send(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        if self.sending:
            return
        if not await self._still_signed_in():
            yield self._to_sign_in()
            return
        self.sending, self.errors = True, {}
        yield
        try:
            thread_id = await asyncio.to_thread(
                open_thread,
                db=get_database(),
                partner_id=self._pid,
                author=self._email,
                topic=self.topic,
                subtopic=self.new_subtopic,
                invoice_number=None if self.new_invoice == NO_INVOICE else self.new_invoice,
                subject=form.get("subject", ""),
                body=form.get("body", ""),
            )
        except DomainError as refused:
            self.errors = {refused.field or "form": refused.message}
            self.sending = False
            return
        self.sending, self.pane, self.selected_id = False, "thread", str(thread_id)
        self.notice = "Message sent. Our finance team will reply here, and we will email you."
        await self._reload()

    @rx.event
    async def reply(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        if self.replying or not self.selected_id:
            return
        if not await self._still_signed_in():
            yield self._to_sign_in()
            return
        self.replying, self.reply_error, self.notice = True, "", ""
        yield
        try:
            await asyncio.to_thread(
                partner_reply,
                db=get_database(),
                partner_id=self._pid,
                thread_id=int(self.selected_id),
                author=self._email,
                body=form.get("body", ""),
            )
        except DomainError as refused:
            self.reply_error, self.replying = refused.message, False
            return
        self.replying = False
        await self._reload()
        yield rx.set_value(REPLY_FIELD, "")
