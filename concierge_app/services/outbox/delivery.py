"""Deliver queued outbox messages: claim, send outside any transaction, then record the result.

A failed send is retried with growing pauses; after MAX_ATTEMPTS the message is marked failed
and shows as such in the dashboard's outbox. A claim is a short lease, so two delivery jobs
running at once never send the same message twice while the first is still trying.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, or_, select

from concierge_app.adapters.documents.invoice_pdf import render_invoice_pdf
from concierge_app.adapters.notify.smtp import Attachment, DeliveryError, Mailer
from concierge_app.db.engine import Database
from concierge_app.db.messaging import OutboxMessage
from concierge_app.db.types import utcnow
from concierge_app.domain.statuses import OutboxStatus
from concierge_app.services.guest.credit_notes import CREDIT_NOTE_ATTACHMENT, credit_note_pdf
from concierge_app.services.guest.receipts import RECEIPT_ATTACHMENT, receipt_pdf
from concierge_app.services.outbox.pending import RenderError, render_pending_message
from concierge_app.services.partner.views.documents.document import invoice_document
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.messages import Failed, record_template_problem

MAX_ATTEMPTS = 6
RETRY_PAUSES = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
LEASE = timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    sent: int
    retrying: int
    failed: int


def retry_pause(attempts: int) -> timedelta:
    """How long to wait after the given number of failed attempts."""
    return RETRY_PAUSES[min(attempts, len(RETRY_PAUSES)) - 1]


Claimed = tuple[int, str, str, str, int, str | None]  # id, to, subject, body, attempt, attachment


def _claim(db: Database, now: datetime, batch: int) -> tuple[list[Claimed], list[str]]:
    """Lease the due messages (rendering those rendered when sent); also the outcomes of the
    ones that could not be rendered ("retrying" / "failed")."""
    with db.transaction() as session:
        due = session.exec(
            select(OutboxMessage)
            .where(
                OutboxMessage.status == OutboxStatus.QUEUED,
                or_(
                    col(OutboxMessage.next_attempt_at).is_(None),
                    col(OutboxMessage.next_attempt_at) <= now,
                ),
            )
            .order_by(col(OutboxMessage.id))
            .limit(batch)
            .with_for_update(skip_locked=True)
        ).all()
        claimed, unrendered, failed = [], [], Failed()
        for message in due:
            message.attempts += 1
            message.next_attempt_at = now + LEASE
            session.add(message)
            if message.render_from and not message.body:  # rendered now, kept as sent
                try:
                    rendered = render_pending_message(
                        session, message.template_key, message.render_from, failed
                    )
                except RenderError as exc:  # this message fails; the batch goes on
                    outcome = _not_sent(message, exc.message, now)
                    _audit(session, message, outcome, exc.message)
                    unrendered.append(outcome)
                    continue
                message.subject, message.body = rendered.subject, rendered.body
                if rendered.problem:  # the saved template failed: the built-in text goes
                    message.template_problem = rendered.problem
                    record_template_problem(
                        session,
                        template_key=message.template_key,
                        message=message.dedupe_key,
                        problem=rendered.problem,
                        booking_id=message.booking_id,
                    )
            claimed.append(
                (
                    message.id or 0,
                    message.recipient,
                    message.subject,
                    message.body,
                    message.attempts,
                    message.attachment,
                )
            )
        return claimed, unrendered


def _not_sent(message: OutboxMessage, error: str, now: datetime) -> str:
    """A failed attempt: retried later, or failed for good after MAX_ATTEMPTS. Returns which."""
    message.last_error = error[:2000]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = OutboxStatus.FAILED.value
        return "failed"
    message.next_attempt_at = now + retry_pause(message.attempts)
    return "retrying"


def attachment_for(db: Database, reference: str) -> Attachment:
    """Render an attached document when its message is sent (e.g. a partner invoice PDF)."""
    kind, _, key = reference.partition(":")
    if kind == "partner_invoice_pdf" and key.isdigit():
        try:
            doc = invoice_document(
                db=db, invoice_id=int(key), partner_id=None, today=utcnow().date()
            )
            return Attachment(f"{doc.number}.pdf", render_invoice_pdf(doc))
        except Exception as exc:  # one message's problem: that attempt fails
            raise DeliveryError(f"Could not render the attachment {reference}: {exc}") from exc
    guest_documents = {RECEIPT_ATTACHMENT: receipt_pdf, CREDIT_NOTE_ATTACHMENT: credit_note_pdf}
    if kind in guest_documents and key:
        try:
            name, pdf = guest_documents[kind](db=db, booking_id=None, number=key)
            return Attachment(name, pdf)
        except Exception as exc:  # one message's problem: that attempt fails
            raise DeliveryError(f"Could not render the attachment {reference}: {exc}") from exc
    raise DeliveryError(f"Unknown attachment {reference!r}.")


def deliver_due_messages(
    *, db: Database, mailer: Mailer, now: datetime | None = None, batch: int = 50
) -> DeliveryReport:
    """Send every queued message that is due; returns what happened."""
    now = now or utcnow()
    claimed, outcomes = _claim(db, now, batch)
    for message_id, recipient, subject, body, _attempt, attachment in claimed:
        try:
            files = (attachment_for(db, attachment),) if attachment else ()
            mailer.send(recipient=recipient, subject=subject, body=body, attachments=files)
            error = None
        except DeliveryError as exc:
            error = str(exc)
        with db.transaction() as session:
            message = session.get(OutboxMessage, message_id)
            assert message is not None
            if error is None:
                message.status, message.sent_at, message.last_error = (
                    OutboxStatus.SENT.value,
                    utcnow(),
                    None,
                )
                outcome = "sent"
            else:
                outcome = _not_sent(message, error, now)
            session.add(message)
            _audit(session, message, outcome, error)
        outcomes.append(outcome)
    return DeliveryReport(
        outcomes.count("sent"), outcomes.count("retrying"), outcomes.count("failed")
    )


def _audit(session: Session, message: OutboxMessage, outcome: str, error: str | None) -> None:
    """On the audit trail: what was sent to whom and when; also moves the change feed, so an
    open Outbox page shows the new status live."""
    record_event(
        session,
        actor="system:outbox",
        action=f"message.{outcome}",
        subject=f"message:{message.id}",
        booking_id=message.booking_id,
        data={
            "template": message.template_key,
            "recipient": message.recipient,
            "attempt": message.attempts,
            "error": error[:2000] if error else None,
        },
    )
