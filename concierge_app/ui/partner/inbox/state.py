"""State of the partner's inbox `/partner/inbox`: its threads with the finance team, a new
message (topic "Invoices and commission", a subtopic, optionally one of its invoices), and one
thread's conversation with a reply box (the open thread: `ui/shared/inbox/state.py`).
`?thread=<id>` (the link in the reply email) opens one."""

from __future__ import annotations

import asyncio
import dataclasses
import logging

import reflex as rx

from concierge_app.domain.errors import DomainError
from concierge_app.domain.statuses import ThreadAuthor
from concierge_app.services.partner.inbox import (
    DEFAULT_SUBTOPIC,
    SUBTOPICS,
    TOPIC,
    ThreadView,
    invoice_options,
    mark_read_by_partner,
    open_thread,
    partner_reply,
    partner_thread,
    partner_threads,
)
from concierge_app.services.shared.database import get_database
from concierge_app.ui.partner.session import PartnerAuthState, PartnerLiveState
from concierge_app.ui.shared.inbox.rows import ThreadRow, thread_row
from concierge_app.ui.shared.inbox.state import ThreadMixin

logger = logging.getLogger(__name__)

NO_INVOICE = "none"  # the select's "No invoice" (a Radix select item cannot have "" as value)


@dataclasses.dataclass(frozen=True)
class InvoiceChoice:
    value: str
    label: str


class PartnerInboxState(ThreadMixin, PartnerLiveState, PartnerAuthState):
    READER = ThreadAuthor.PARTNER
    threads: list[ThreadRow] = []
    invoices: list[InvoiceChoice] = []
    subtopics: list[str] = list(SUBTOPICS)
    topic: str = TOPIC
    # The New message form (the pane "new").
    new_subtopic: str = DEFAULT_SUBTOPIC
    new_invoice: str = NO_INVOICE
    errors: dict[str, str] = {}
    sending: bool = False
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
        self._open_from_url()
        await self._reload()

    async def _reload(self) -> None:
        db = get_database()
        try:
            view = await self._read_open_thread()
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
            self._show_thread(view, view.summary.partner_timezone)
        self.view = "ready"

    # -- the open thread (ThreadMixin's hooks) -------------------------------------------------
    def _mark_read(self, thread_id: int) -> None:
        mark_read_by_partner(
            db=get_database(), partner_id=self._pid, thread_id=thread_id, actor=self._email
        )

    def _thread(self, thread_id: int) -> ThreadView:
        return partner_thread(db=get_database(), partner_id=self._pid, thread_id=thread_id)

    def _send_reply(self, thread_id: int, body: str) -> None:
        partner_reply(
            db=get_database(),
            partner_id=self._pid,
            thread_id=thread_id,
            author=self._email,
            body=body,
        )

    async def _session_ok(self, *, writing: bool) -> bool:
        return await (self._still_signed_in() if writing else self._enter())

    def _me(self) -> str:
        return self._email

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
