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

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import bindparam, select
from sqlmodel import Session

from concierge_app.db.engine import Database
from concierge_app.db.messaging import OutboxMessage
from concierge_app.domain.direct_debit import collection_day
from concierge_app.domain.formatting import format_money
from concierge_app.domain.partner_billing import Period
from concierge_app.domain.reminders import (
    Decision,
    PartnerInvoiceFacts,
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
            select(PARTNER.c.finance_email).where(PARTNER.c.id == row.partner_id)
        ).one()
        status = document_status(row, today, document_payments(session, rows, today))
        context = invoice_issued_context(session, invoice_id) | {
            "amount_due": format_money(status.outstanding),
            "notice_title": notice.label,
            "notice": partner_notice_words(notice, row.due_date),
        }
        queued = queue_message(
            session,
            dedupe_key=f"{PREFIX}{invoice_id}:{decision.step.key}",
            template_key="partner_reminder",
            recipient=partner.finance_email,
            context=context,
            partner_id=row.partner_id,
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
