"""Reading the partner inbox: the thread lists (a partner's own, or every partner's for staff),
one thread with its messages, and the partner's invoices a thread can be about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, Table, case, func
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from concierge_app.db.engine import Database
from concierge_app.db.parties import Partner
from concierge_app.db.partner_billing import PartnerInvoice
from concierge_app.db.partner_inbox import PartnerThread, PartnerThreadMessage
from concierge_app.domain.documents import KIND_TITLES
from concierge_app.domain.errors import NotFound
from concierge_app.domain.partner_billing import PartnerInvoiceKind, Period
from concierge_app.domain.statuses import ThreadAuthor
from concierge_app.services.partner.inbox.checks import THREAD_NOT_FOUND
from concierge_app.services.shared.common import id_of

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
