"""The staff Outbox: queued, sent and failed messages, newest first; one not sent yet that is
rendered when sent is shown as it would go now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col
from sqlmodel import select as orm_select

from concierge_app.db.bookings import Booking
from concierge_app.db.engine import Database
from concierge_app.db.messaging import OutboxMessage
from concierge_app.db.parties import Partner
from concierge_app.services.outbox.pending import RenderError, render_pending_message
from concierge_app.services.shared.messages import Failed


@dataclass(frozen=True, slots=True)
class OutboxView:
    id: int
    template_key: str
    recipient: str
    subject: str
    body: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    booking_reference: str | None
    partner_code: str | None = None
    # The saved template could not be used and the built-in text was (or will be): why.
    template_problem: str | None = None


def list_outbox(
    *, db: Database, booking_id: int | None = None, limit: int = 200
) -> list[OutboxView]:
    """Queued, sent and failed messages, newest first."""
    with db.read() as session:
        stmt = (
            orm_select(OutboxMessage, Booking.reference, Partner.code)
            .outerjoin(Booking, col(Booking.id) == OutboxMessage.booking_id)
            .outerjoin(Partner, col(Partner.id) == OutboxMessage.partner_id)
            .order_by(col(OutboxMessage.id).desc())
            .limit(limit)
        )
        if booking_id is not None:
            stmt = stmt.where(OutboxMessage.booking_id == booking_id)
        views, failed = [], Failed()
        for m, reference, code in session.exec(stmt).all():
            subject, body, problem = m.subject, m.body, m.template_problem
            if m.render_from and not body:  # not sent yet: shown as it would go now
                try:
                    now = render_pending_message(session, m.template_key, m.render_from, failed)
                    subject, body, problem = now.subject, now.body, now.problem
                except RenderError as exc:
                    subject, body = "(cannot be rendered)", exc.message
            views.append(_view(m, subject, body, reference, code, problem))
        return views


def _view(
    m: OutboxMessage,
    subject: str,
    body: str,
    reference: str | None,
    code: str | None,
    problem: str | None,
) -> OutboxView:
    return OutboxView(
        m.id or 0,
        m.template_key,
        m.recipient,
        subject,
        body,
        m.status,
        m.attempts,
        m.last_error,
        m.created_at,
        m.sent_at,
        reference,
        code,
        problem,
    )
