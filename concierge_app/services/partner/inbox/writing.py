"""Writing in the partner inbox: a partner opens a thread or replies, staff reply (the partner's
finance contact is emailed), either side marks a thread read. Every effect is audited."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from concierge_app import routes
from concierge_app.db.engine import Database
from concierge_app.db.parties import Partner, StaffUser
from concierge_app.db.partner_billing import PartnerInvoice
from concierge_app.db.partner_inbox import PartnerThread, PartnerThreadMessage
from concierge_app.db.types import utcnow
from concierge_app.domain.errors import NotFound
from concierge_app.domain.statuses import ThreadAuthor
from concierge_app.services.partner.inbox.checks import (
    DEFAULT_SUBTOPIC,
    THREAD_NOT_FOUND,
    TOPIC,
    checked_author,
    checked_body,
    checked_subject,
    checked_subtopic,
    checked_topic,
)
from concierge_app.services.shared.addresses import public_url
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import id_of, load
from concierge_app.services.shared.messages import queue_message
from concierge_app.settings import get_settings


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
    topic, subtopic = checked_topic(topic), checked_subtopic(subtopic)
    subject, body, author = checked_subject(subject), checked_body(body), checked_author(author)
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
    body, author = checked_body(body), checked_author(author)
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
    body, author = checked_body(body), checked_author(author)
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
                "inbox_url": public_url(routes.partner_thread(thread_id)),
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
