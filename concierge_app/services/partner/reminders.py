"""Partner payment notices, as the partner guide words them: a reminder before the due date, an
overdue notice with the suspension warning, a final notice (PARTNER_REMINDER_DAYS).

The rules (none when paid, for a credit note, written off or with legal, deducted from the
payout, while a transfer is processing, before a direct debit's collection day) are
`domain/reminders.partner_reminder`; the paid and processing facts are the Invoices page's
(`views.documents.summaries`). Each notice is an outbox message with the unique dedupe key
`reminder:partner_invoice:<id>:<step>`, decided again under the document's lock: a rerun or
two workers never send one twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import bindparam, select
from sqlmodel import Session

from concierge_app.db.audit import AuditEvent
from concierge_app.db.engine import Database
from concierge_app.db.messaging import OutboxMessage
from concierge_app.domain.direct_debit import collection_day
from concierge_app.domain.formatting import format_money
from concierge_app.domain.partner_billing import Period
from concierge_app.domain.reminders import (
    Decision,
    PartnerInvoiceFacts,
    PartnerNotice,
    PartnerSchedule,
    partner_notice_words,
    partner_reminder,
)
from concierge_app.services.partner.billing.issued_message import invoice_issued_context
from concierge_app.services.partner.tables import BANK_ACCOUNT, INVOICE, PARTNER
from concierge_app.services.partner.views.documents.summaries import (
    document_payments,
    document_status,
)
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import table_of
from concierge_app.services.shared.messages import queue_message
from concierge_app.settings import get_settings

PREFIX = "reminder:partner_invoice:"
ACTOR = "system:reminders"
_OPEN = (
    select(INVOICE, BANK_ACCOUNT.c.mandate_signed_on)
    .select_from(INVOICE.outerjoin(BANK_ACCOUNT, BANK_ACCOUNT.c.partner_id == INVOICE.c.partner_id))
    .where(INVOICE.c.kind != "credit_note")
    .order_by(INVOICE.c.id)
)
_LOCK_ONE = select(INVOICE.c.id).where(INVOICE.c.id == bindparam("invoice_id")).with_for_update()


def _sent_keys(session: Session, invoice_id: int | None = None) -> dict[int, frozenset[str]]:
    outbox = table_of(OutboxMessage)
    like = f"{PREFIX}{invoice_id}:%" if invoice_id is not None else f"{PREFIX}%"
    found: dict[int, set[str]] = {}
    for key in (
        session.connection()
        .execute(select(outbox.c.dedupe_key).where(outbox.c.dedupe_key.like(like)))
        .scalars()
    ):
        doc, _, step = key.removeprefix(PREFIX).partition(":")
        if doc.isdigit():
            found.setdefault(int(doc), set()).add(step)
    return {k: frozenset(v) for k, v in found.items()}


def _collection_day(row: Any) -> date | None:
    """With an accepted mandate: the first collection day on or after the invoice date."""
    if row.mandate_signed_on is None:
        return None
    month = Period.of(row.invoice_date)
    day = collection_day(month)
    return day if day >= row.invoice_date else collection_day(month.next())


def _decide(
    session: Session,
    rows: list[Any],
    schedule: PartnerSchedule,
    today: date,
    sent: dict[int, frozenset[str]],
) -> list[tuple[Any, Decision]]:
    payments = document_payments(session, rows, today)
    decided = []
    for row in rows:
        status = document_status(row, today, payments)
        facts = PartnerInvoiceFacts(
            kind=row.kind,
            state=row.state,
            amount_minor=int(row.amount_minor),
            paid_minor=int(row.amount_minor) - status.outstanding.minor,
            issued_on=row.invoice_date,
            due=row.due_date,
            processing_until=status.processing_until,
            collection_day=_collection_day(row),
            deducted_from_payout=int(row.deducted_minor) >= int(row.amount_minor),
        )
        sent_steps = sent.get(int(row.id), frozenset())
        decided.append((row, partner_reminder(facts, schedule, today, sent_steps)))
    return decided


@dataclass(slots=True)
class PartnerReminderRun:
    checked: int = 0
    sent: list[tuple[str, str]] = field(default_factory=list)  # (document number, notice)

    @property
    def text(self) -> str:
        return f"{len(self.sent)} partner notice(s) sent, {self.checked} document(s) checked."


def send_partner_reminders(
    *, db: Database, today: date, progress: Callable[[int, int], None] | None = None
) -> PartnerReminderRun:
    """Queue every partner notice due today (one transaction per document). Idempotent."""
    schedule = get_settings().partner_reminder_schedule
    with db.read() as session:
        rows = list(session.connection().execute(_OPEN).all())
        due = [
            int(row.id)
            for row, d in _decide(session, rows, schedule, today, _sent_keys(session))
            if d.due
        ]
    run = PartnerReminderRun(checked=len(rows))
    for done, invoice_id in enumerate(due, start=1):
        sent = _send_one(db=db, invoice_id=invoice_id, today=today, schedule=schedule)
        if sent is not None:
            run.sent.append(sent)
        if progress is not None:
            progress(done, len(due))
    if progress is not None and not due:
        progress(0, 0)
    return run


def _send_one(
    *, db: Database, invoice_id: int, today: date, schedule: PartnerSchedule
) -> tuple[str, str] | None:
    with db.transaction() as session:
        conn = session.connection()
        if conn.dialect.name != "sqlite":
            conn.execute(_LOCK_ONE, {"invoice_id": invoice_id})
        rows = list(conn.execute(_OPEN.where(INVOICE.c.id == invoice_id)).all())
        if not rows:
            return None
        ((row, decision),) = _decide(
            session, rows, schedule, today, _sent_keys(session, invoice_id)
        )
        if decision.step is None:
            return None
        notice = schedule.notice(decision.step)
        partner = conn.execute(
            select(PARTNER.c.finance_email, PARTNER.c.language).where(
                PARTNER.c.id == row.partner_id
            )
        ).one()
        locale = partner.language or "en_US"
        status = document_status(row, today, document_payments(session, rows, today))
        context = invoice_issued_context(session, invoice_id, locale) | {
            "amount_due": format_money(status.outstanding, locale),
            "notice_title": notice.title_in(locale),
            "notice": partner_notice_words(notice, row.due_date, locale),
        }
        queued = queue_message(
            session,
            dedupe_key=f"{PREFIX}{invoice_id}:{decision.step.key}",
            template_key="partner_reminder",
            recipient=partner.finance_email,
            context=context,
            partner_id=row.partner_id,
            language=locale,
        )
        if not queued:
            return None
        record_event(
            session,
            actor=ACTOR,
            action="partner_reminder.sent",
            subject=f"partner_invoice:{invoice_id}",
            data={"number": row.number, "notice": notice.value, "on": today.isoformat()},
        )
        return row.number, notice.label


# --- what the staff partner page and the partner's document page show ------------------------


@dataclass(frozen=True, slots=True)
class SentNotice:
    notice: PartnerNotice
    on: date  # the business day it was sent


@dataclass(frozen=True, slots=True)
class DocumentReminders:
    """One document's notices: those sent, and the next one due (`next_notice` on `next_on`,
    today when it goes with today's run) or, when none will be sent, `reason` (the domain's)."""

    invoice_id: int
    number: str
    due: date
    sent: tuple[SentNotice, ...]
    next_notice: PartnerNotice | None
    next_on: date | None
    reason: str


def _sent_notices(session: Session, invoice_ids: list[int]) -> dict[int, list[SentNotice]]:
    """The notices sent per document, oldest first, as the audit trail recorded them."""
    if not invoice_ids:
        return {}
    audit = table_of(AuditEvent)
    subjects = [f"partner_invoice:{i}" for i in invoice_ids]
    found: dict[int, list[SentNotice]] = {}
    for subject, data in session.connection().execute(
        select(audit.c.subject, audit.c.data)
        .where(audit.c.action == "partner_reminder.sent", audit.c.subject.in_(subjects))
        .order_by(audit.c.id)
    ):
        values = json.loads(data)
        try:
            sent = SentNotice(PartnerNotice(values["notice"]), date.fromisoformat(values["on"]))
        except (KeyError, ValueError):  # pragma: no cover - written by _send_one only
            continue
        found.setdefault(int(subject.partition(":")[2]), []).append(sent)
    return found


def _shown(
    row: Any, decision: Decision, schedule: PartnerSchedule, today: date, sent: list[SentNotice]
) -> DocumentReminders:
    if decision.step is not None:
        notice, on, reason = schedule.notice(decision.step), today, ""
    elif decision.next_step is not None and decision.next_on is not None:
        notice, on, reason = schedule.notice(decision.next_step), decision.next_on, ""
    else:
        notice, on, reason = None, None, decision.reason
    return DocumentReminders(int(row.id), row.number, row.due_date, tuple(sent), notice, on, reason)


def partner_reminders(
    *, db: Database, partner_id: int, today: date, invoice_id: int | None = None
) -> list[DocumentReminders]:
    """The staff partner page's Payment reminders card: each of the partner's documents still
    open, or with a notice sent, due first; with `invoice_id`, that one document (the partner's
    document page). Decided by `domain.reminders.partner_reminder`, as the reminder job does."""
    schedule = get_settings().partner_reminder_schedule
    query = _OPEN.where(INVOICE.c.partner_id == partner_id)
    if invoice_id is not None:
        query = query.where(INVOICE.c.id == invoice_id)
    with db.read() as session:
        rows = list(session.connection().execute(query).all())
        decided = _decide(session, rows, schedule, today, _sent_keys(session, invoice_id))
        notices = _sent_notices(session, [int(r.id) for r in rows])
    shown = [
        _shown(row, d, schedule, today, notices.get(int(row.id), []))
        for row, d in decided
        if invoice_id is not None or d.reason != "paid" or int(row.id) in notices
    ]
    return sorted(shown, key=lambda r: (r.due, r.invoice_id))
