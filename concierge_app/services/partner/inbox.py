"""The partner inbox: a partner writes to the finance team under the topic "Invoices and
commission" and a subtopic ("Other" unless chosen), optionally about one of its invoices; staff
read the threads of every partner and reply; the partner's finance contact is emailed the reply.

Every effect is audited (subject `partner:<id>`), so open pages see it through the change feed.
The message text itself stays in `partner_thread_message`; the audit trail records who wrote
which message in which thread, and when. A partner only ever sees its own threads: another
partner's thread is simply "not found".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, Table, case, func
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from concierge_app.db.engine import Database
from concierge_app.db.parties import Partner, StaffUser
from concierge_app.db.partner_billing import PartnerInvoice
from concierge_app.db.partner_inbox import PartnerThread, PartnerThreadMessage
from concierge_app.db.types import utcnow
from concierge_app.domain.documents import KIND_TITLES
from concierge_app.domain.errors import Conflict, NotFound
from concierge_app.domain.partner_billing import PartnerInvoiceKind, Period
from concierge_app.domain.statuses import ThreadAuthor
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import id_of, load
from concierge_app.services.shared.messages import queue_message
from concierge_app.settings import get_settings

TOPIC = "Invoices and commission"
TOPICS = (TOPIC,)
DEFAULT_SUBTOPIC = "Other"
SUBTOPICS = (
    DEFAULT_SUBTOPIC,
    "Invoice amount",
    "Payment methods",
    "Direct debit",
    "Credit and debit notes",
    "Bank details",
)
SUBJECT_MAX = 200  # partner_thread.subject
BODY_MAX = 5000
THREAD_NOT_FOUND = "This message was not found in your inbox."

_T: Table = PartnerThread.__table__  # type: ignore[attr-defined]
_M: Table = PartnerThreadMessage.__table__  # type: ignore[attr-defined]
_P: Table = Partner.__table__  # type: ignore[attr-defined]
_INV: Table = PartnerInvoice.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class ThreadSummary:
    """One line of an inbox. `unread` is for whoever's inbox it is (partner or staff)."""

    id: int
    partner_id: int
    partner_name: str
    partner_code: str
    topic: str
    subtopic: str
    subject: str
    invoice_number: str | None
    created_by: str
    created_at: datetime
    last_message_at: datetime
    unread: bool
    messages: int
    last_author_kind: str  # partner / staff: who wrote last
    partner_timezone: str
    finance_email: str  # where staff replies are emailed


@dataclass(frozen=True, slots=True)
class ThreadMessageView:
    id: int
    author_kind: ThreadAuthor
    author: str
    body: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ThreadView:
    summary: ThreadSummary
    messages: list[ThreadMessageView]


@dataclass(frozen=True, slots=True)
class InvoiceOption:
    """One of the partner's documents a message can be about."""

    number: str
    label: str  # "CM-2026-000012 · Commission invoice · October 2026"


# -- checking what people typed -----------------------------------------------------------------
def _subject(text: str) -> str:
    subject = " ".join(text.split())
    if not subject:
        raise Conflict("Enter a subject.", field="subject")
    if len(subject) > SUBJECT_MAX:
        raise Conflict(
            f"Keep the subject to {SUBJECT_MAX} characters (it has {len(subject)}).",
            field="subject",
        )
    return subject


def _body(text: str) -> str:
    body = text.strip().replace("\r\n", "\n")
    if not body:
        raise Conflict("Write your message.", field="body")
    if len(body) > BODY_MAX:
        raise Conflict(
            f"Keep the message to {BODY_MAX:,} characters (it has {len(body):,}).", field="body"
        )
    return body


def _topic(text: str) -> str:
    topic = text.strip() or TOPIC
    if topic not in TOPICS:
        raise Conflict(f"Choose the topic {TOPIC}.", field="topic")
    return topic


def _subtopic(text: str) -> str:
    subtopic = text.strip() or DEFAULT_SUBTOPIC
    if subtopic not in SUBTOPICS:
        raise Conflict(
            "Choose a subtopic from the list: " + ", ".join(SUBTOPICS) + ".", field="subtopic"
        )
    return subtopic


def _author(text: str) -> str:
    author = text.strip()
    if not author or len(author) > 254:
        raise Conflict("Sign in again to write a message.")
    return author


# -- writing ------------------------------------------------------------------------------------
def open_thread(
    *,
    db: Database,
    partner_id: int,
    author: str,
    subject: str,
    body: str,
    subtopic: str = DEFAULT_SUBTOPIC,
    topic: str = TOPIC,
    invoice_number: str | None = None,
) -> int:
    """A partner user writes a new message; returns the thread's id. The invoice, when given,
    must be one of this partner's documents (another partner's number is not found)."""
    topic, subtopic = _topic(topic), _subtopic(subtopic)
    subject, body, author = _subject(subject), _body(body), _author(author)
    number = (invoice_number or "").strip().upper() or None
    now = utcnow()
    with db.transaction() as session:
        load(session, Partner, partner_id, "Partner")
        invoice_id = None if number is None else _own_invoice_id(session, partner_id, number)
        thread = PartnerThread(
            partner_id=partner_id,
            topic=topic,
            subtopic=subtopic,
            invoice_id=invoice_id,
            subject=subject,
            created_by=author,
            created_at=now,
            last_message_at=now,
            unread_by_partner=False,
            unread_by_staff=True,
        )
        session.add(thread)
        session.flush()
        thread_id = id_of(thread)
        message_id = _add_message(session, thread_id, ThreadAuthor.PARTNER, author, body, now)
        record_event(
            session,
            actor=author,
            action="partner_inbox.thread_opened",
            subject=f"partner:{partner_id}",
            data={
                "thread_id": thread_id,
                "message_id": message_id,
                "topic": topic,
                "subtopic": subtopic,
                "subject": subject,
                "invoice": number,
                "characters": len(body),
            },
        )
        return thread_id


def _own_invoice_id(session: Session, partner_id: int, number: str) -> int:
    found = session.exec(
        select(PartnerInvoice.id).where(
            PartnerInvoice.number == number, PartnerInvoice.partner_id == partner_id
        )
    ).first()
    if found is None:
        raise NotFound(f"Invoice {number} was not found among your documents.", field="invoice")
    return int(found)


def _add_message(
    session: Session, thread_id: int, kind: ThreadAuthor, author: str, body: str, now: datetime
) -> int:
    message = PartnerThreadMessage(
        thread_id=thread_id, author_kind=kind.value, author=author, body=body, created_at=now
    )
    session.add(message)
    session.flush()
    return id_of(message)


def _own_thread(session: Session, partner_id: int, thread_id: int, *, lock: bool) -> PartnerThread:
    """The partner's own thread, or NotFound (another partner's thread does not exist for it)."""
    try:
        thread = load(session, PartnerThread, thread_id, "Message", lock=lock)
    except NotFound:
        raise NotFound(THREAD_NOT_FOUND) from None
    if thread.partner_id != partner_id:
        raise NotFound(THREAD_NOT_FOUND)
    return thread


def partner_reply(*, db: Database, partner_id: int, thread_id: int, author: str, body: str) -> int:
    """The partner answers in one of its threads; staff see it unread. Returns the message id."""
    body, author = _body(body), _author(author)
    now = utcnow()
    with db.transaction() as session:
        thread = _own_thread(session, partner_id, thread_id, lock=True)
        message_id = _add_message(session, thread_id, ThreadAuthor.PARTNER, author, body, now)
        thread.last_message_at = now
        thread.unread_by_staff, thread.unread_by_partner = True, False
        session.add(thread)
        record_event(
            session,
            actor=author,
            action="partner_inbox.partner_replied",
            subject=f"partner:{partner_id}",
            data={"thread_id": thread_id, "message_id": message_id, "characters": len(body)},
        )
        return message_id


def staff_reply(*, db: Database, thread_id: int, author: str, body: str) -> int:
    """A staff member answers: the partner sees the thread unread and its finance contact gets
    the "Partner Inbox Reply" email. Returns the message id."""
    body, author = _body(body), _author(author)
    now = utcnow()
    with db.transaction() as session:
        thread = load(session, PartnerThread, thread_id, "Message", lock=True)
        partner = load(session, Partner, thread.partner_id, "Partner")
        message_id = _add_message(session, thread_id, ThreadAuthor.STAFF, author, body, now)
        thread.last_message_at = now
        thread.unread_by_partner, thread.unread_by_staff = True, False
        session.add(thread)
        staff = session.exec(select(StaffUser.name).where(StaffUser.email == author)).first()
        settings = get_settings()
        queue_message(
            session,
            dedupe_key=f"partner_inbox_reply:{message_id}",
            template_key="partner_inbox_reply",
            recipient=partner.finance_email,
            partner_id=partner.id,
            context={
                "platform_name": settings.platform_name,
                "partner_name": partner.name,
                "partner_code": partner.code,
                "subject": thread.subject,
                "topic": thread.topic,
                "subtopic": thread.subtopic,
                "staff_name": staff or author,
                "reply": body,
                "inbox_url": (
                    f"{settings.public_base_url.rstrip('/')}/partner/inbox?thread={thread_id}"
                ),
            },
        )
        record_event(
            session,
            actor=author,
            action="partner_inbox.staff_replied",
            subject=f"partner:{partner.id}",
            data={
                "thread_id": thread_id,
                "message_id": message_id,
                "characters": len(body),
                "notified": partner.finance_email,
            },
        )
        return message_id


def mark_read_by_partner(*, db: Database, partner_id: int, thread_id: int, actor: str) -> bool:
    """The partner opened the thread. True when it was unread (and now is read)."""
    with db.transaction() as session:
        thread = _own_thread(session, partner_id, thread_id, lock=True)
        if not thread.unread_by_partner:
            return False
        thread.unread_by_partner = False
        session.add(thread)
        record_event(
            session,
            actor=actor,
            action="partner_inbox.read_by_partner",
            subject=f"partner:{partner_id}",
            data={"thread_id": thread_id},
        )
        return True


def mark_read_by_staff(*, db: Database, thread_id: int, actor: str) -> bool:
    """A staff member opened the thread. True when it was unread (and now is read)."""
    with db.transaction() as session:
        thread = load(session, PartnerThread, thread_id, "Message", lock=True)
        if not thread.unread_by_staff:
            return False
        thread.unread_by_staff = False
        session.add(thread)
        record_event(
            session,
            actor=actor,
            action="partner_inbox.read_by_staff",
            subject=f"partner:{thread.partner_id}",
            data={"thread_id": thread_id},
        )
        return True


# -- reading ------------------------------------------------------------------------------------
_LAST = _M.alias("last_message")
_COUNTS = (
    core_select(_M.c.thread_id, func.count().label("messages"), func.max(_M.c.id).label("last_id"))
    .group_by(_M.c.thread_id)
    .subquery("counts")
)


def _threads(reader: ThreadAuthor) -> Select[Any]:
    """Threads with their partner, invoice number, message count and last writer; `unread` for
    the reader. Partners see theirs newest first; staff see unread first, then newest first."""
    unread = _T.c.unread_by_partner if reader is ThreadAuthor.PARTNER else _T.c.unread_by_staff
    stmt = (
        core_select(
            _T,
            _P.c.name.label("partner_name"),
            _P.c.code.label("partner_code"),
            _P.c.timezone.label("partner_timezone"),
            _P.c.finance_email.label("finance_email"),
            _INV.c.number.label("invoice_number"),
            func.coalesce(_COUNTS.c.messages, 0).label("messages"),
            _LAST.c.author_kind.label("last_author_kind"),
            unread.label("unread"),
        )
        .join(_P, _P.c.id == _T.c.partner_id)
        .outerjoin(_INV, _INV.c.id == _T.c.invoice_id)
        .outerjoin(_COUNTS, _COUNTS.c.thread_id == _T.c.id)
        .outerjoin(_LAST, _LAST.c.id == _COUNTS.c.last_id)
    )
    newest = (_T.c.last_message_at.desc(), _T.c.id.desc())
    if reader is ThreadAuthor.STAFF:
        return stmt.order_by(case((unread, 0), else_=1), *newest)
    return stmt.order_by(*newest)


def _summary(r: Row[Any]) -> ThreadSummary:
    return ThreadSummary(
        id=int(r.id),
        partner_id=int(r.partner_id),
        partner_name=str(r.partner_name),
        partner_code=str(r.partner_code),
        topic=str(r.topic),
        subtopic=str(r.subtopic),
        subject=str(r.subject),
        invoice_number=None if r.invoice_number is None else str(r.invoice_number),
        created_by=str(r.created_by),
        created_at=r.created_at,
        last_message_at=r.last_message_at,
        unread=bool(r.unread),
        messages=int(r.messages),
        last_author_kind=str(r.last_author_kind or ""),
        partner_timezone=str(r.partner_timezone),
        finance_email=str(r.finance_email),
    )


def partner_threads(*, db: Database, partner_id: int) -> list[ThreadSummary]:
    """The partner's own threads, newest first; `unread`: staff wrote since it last looked."""
    stmt = _threads(ThreadAuthor.PARTNER).where(_T.c.partner_id == partner_id)
    with db.read() as session:
        return [_summary(r) for r in session.connection().execute(stmt).all()]


def staff_threads(*, db: Database, limit: int = 200) -> list[ThreadSummary]:
    """Every partner's threads for the finance team: unread first, then newest first."""
    with db.read() as session:
        rows = session.connection().execute(_threads(ThreadAuthor.STAFF).limit(limit)).all()
        return [_summary(r) for r in rows]


def _thread_view(session: Session, reader: ThreadAuthor, thread_id: int) -> ThreadView | None:
    row = session.connection().execute(_threads(reader).where(_T.c.id == thread_id)).first()
    if row is None:
        return None
    messages = session.exec(
        select(PartnerThreadMessage)
        .where(PartnerThreadMessage.thread_id == thread_id)
        .order_by(col(PartnerThreadMessage.id))
    ).all()
    return ThreadView(
        _summary(row),
        [
            ThreadMessageView(id_of(m), ThreadAuthor(m.author_kind), m.author, m.body, m.created_at)
            for m in messages
        ],
    )


def partner_thread(*, db: Database, partner_id: int, thread_id: int) -> ThreadView:
    """One of the partner's threads with its messages, oldest first; another partner's thread
    is not found (nothing of it is read)."""
    with db.read() as session:
        owner = session.exec(
            select(PartnerThread.partner_id).where(PartnerThread.id == thread_id)
        ).first()
        view = (
            None if owner != partner_id else _thread_view(session, ThreadAuthor.PARTNER, thread_id)
        )
    if view is None:
        raise NotFound(THREAD_NOT_FOUND)
    return view


def staff_thread(*, db: Database, thread_id: int) -> ThreadView:
    """Any partner's thread with its messages, oldest first."""
    with db.read() as session:
        view = _thread_view(session, ThreadAuthor.STAFF, thread_id)
    if view is None:
        raise NotFound(f"Message thread {thread_id} was not found.")
    return view


def invoice_options(*, db: Database, partner_id: int) -> list[InvoiceOption]:
    """The partner's documents a message can be about, newest first."""
    stmt = (
        core_select(_INV.c.number, _INV.c.kind, _INV.c.period)
        .where(_INV.c.partner_id == partner_id)
        .order_by(_INV.c.invoice_date.desc(), _INV.c.id.desc())
    )
    with db.read() as session:
        rows = session.connection().execute(stmt).all()
    return [
        InvoiceOption(
            r.number,
            f"{r.number} · {KIND_TITLES[PartnerInvoiceKind(r.kind)]} · "
            f"{Period.parse(r.period).label}",
        )
        for r in rows
    ]
