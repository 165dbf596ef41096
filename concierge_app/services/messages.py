"""Lifecycle templates (edit, preview) and queueing rendered messages in the outbox."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, select
from sqlmodel import Session, col
from sqlmodel import select as orm_select

from ..db.bookings import Booking
from ..db.engine import Database
from ..db.messaging import LifecycleTemplate, OutboxMessage
from ..db.parties import Guest, Partner
from ..db.types import utcnow
from ..domain.errors import DomainError
from ..notify.templates import DEFAULT_TEMPLATES, render, validate_template
from ..settings import get_settings
from .audit import record_event
from .common import insert_ignore, load
from .formatting import format_day

_TEMPLATES = LifecycleTemplate.__table__  # type: ignore[attr-defined]
_TEMPLATE = select(_TEMPLATES.c.name, _TEMPLATES.c.subject, _TEMPLATES.c.body).where(
    _TEMPLATES.c.key == bindparam("key")
)
_B, _G, _P = (Booking.__table__, Guest.__table__, Partner.__table__)  # type: ignore[attr-defined]
_RECIPIENT = (
    select(_G.c.name, _G.c.email, _G.c.locale, _P.c.name.label("place"))
    .select_from(_B.join(_G, _G.c.id == _B.c.guest_id).join(_P, _P.c.id == _B.c.property_id))
    .where(_B.c.id == bindparam("booking_id"))
)


@dataclass(frozen=True, slots=True)
class TemplateView:
    key: str
    name: str
    subject: str
    body: str
    placeholders: tuple[str, ...]
    customised: bool


def _template(session: Session, key: str) -> TemplateView:
    default = DEFAULT_TEMPLATES[key]
    row = session.connection().execute(_TEMPLATE, {"key": key}).first()
    if row is None:
        return TemplateView(
            key, default.name, default.subject, default.body, default.placeholders, False
        )
    return TemplateView(key, row.name, row.subject, row.body, default.placeholders, True)


def list_templates(*, db: Database) -> list[TemplateView]:
    with db.read() as session:
        return [_template(session, key) for key in DEFAULT_TEMPLATES]


def update_template(*, db: Database, key: str, subject: str, body: str, actor: str) -> TemplateView:
    """Save a template after checking its syntax and placeholders; audited."""
    validate_template(key, subject, body)
    with db.transaction() as session:
        row = session.exec(
            orm_select(LifecycleTemplate).where(LifecycleTemplate.key == key)
        ).first()
        if row is None:
            row = LifecycleTemplate(
                key=key, name=DEFAULT_TEMPLATES[key].name, subject=subject, body=body
            )
        row.subject, row.body, row.updated_by, row.updated_at = subject, body, actor, utcnow()
        session.add(row)
        record_event(
            session,
            actor=actor,
            action="template.updated",
            subject=f"template:{key}",
            data={"subject": subject, "body": body},
        )
        session.flush()
        return _template(session, key)


@dataclass(frozen=True, slots=True)
class Recipient:
    """The guest a booking message goes to, and the words that describe the booking."""

    email: str
    locale: str
    context: dict[str, Any]


def booking_recipient(
    session: Session, booking: Booking | SimpleNamespace, *, portal_url: str | None = None
) -> Recipient:
    """The guest's address and locale, and the placeholders every booking message can use.

    `portal_url` is the guest's link (with its token) for messages that are sent; previews
    show the portal's address without a token.
    """
    settings = get_settings()
    guest = session.connection().execute(_RECIPIENT, {"booking_id": booking.id}).one()
    return Recipient(
        email=guest.email,
        locale=guest.locale,
        context={
            "platform_name": settings.platform_name,
            "guest_name": guest.name,
            "booking_reference": booking.reference,
            "property_name": guest.place,
            "check_in": format_day(booking.check_in, guest.locale),
            "check_out": format_day(booking.check_out, guest.locale),
            "portal_url": portal_url
            or f"{settings.public_base_url.rstrip('/')}/portal/{booking.reference}",
        },
    )


def preview_template(
    *, db: Database, key: str, subject: str, body: str, booking_id: int
) -> tuple[str, str]:
    """Render an unsaved template on a real booking, with sample invoice values."""
    validate_template(key, subject, body)
    with db.read() as session:
        booking = load(session, Booking, booking_id, "Booking")
        context = booking_recipient(session, booking).context | _sample_values(
            key, booking.currency
        )
        return render(subject, body, context)


def _sample_values(key: str, currency: str) -> dict[str, Any]:
    sample = {
        "invoice_number": "CI-0000-00000",
        "invoice_total": f"0 {currency}",
        "lines": [{"description": "Sample service", "amount": f"0 {currency}"}],
        "amount_paid": f"0 {currency}",
        "invoice_numbers": "CI-0000-00000",
        "partner_name": "Sample Villa",
        "partner_code": "PRP-0000",
        "period": "October 2026",
        "amount_payable": f"0 {currency}",
        "nothing_to_pay": False,
        "due_date": "December 15, 2026",
        "payment_instructions": "Bank transfer to IBAN … quoting PRP-0000 CM-0000-000000.",
        "finance_url": "https://…/partner/invoices",
        "changed_at": "November 21, 2026 09:00",
        "changed_by": "finance@sample-villa.example",
        "account_holder": "Sample Villa S.L.",
        "iban_masked": "ES91 •••• •••• •••• •••• 1332",
        "subject": "Question about my October invoice",
        "topic": "Invoices and commission",
        "subtopic": "Other",
        "staff_name": "Clara Concierge",
        "reply": "Thank you for your message. …",
        "inbox_url": "https://…/partner/inbox",
        "payment_method": "Bank transfer",
        "payment_date": "December 4, 2026",
        "allocation_lines": "  • Sample Villa (PRP-0000), CM-0000-000000: "
        f"0 {currency} applied, 0 {currency} still due",
        "credit_left": f"0 {currency}",
        "group_url": "https://…/partner/group",
        "requested_on": "December 10, 2026",
        "mandate_reference": "MNDT-PRP-0000",
        "failure_reason": "The customer's account has insufficient funds to cover this payment.",
        "title": "Credit note",
        "note_number": "CN-0000-000000",
        "related_number": "CM-0000-000000",
        "amount": f"0 {currency}",
        "credit": True,
        "reason": "A stay was cancelled after the invoice was issued.",
        "applied": "Applied to: CM-0000-000000.",
    }
    return {k: v for k, v in sample.items() if k in DEFAULT_TEMPLATES[key].placeholders}


def queue_message(
    session: Session,
    *,
    dedupe_key: str,
    template_key: str,
    recipient: str,
    context: Mapping[str, Any],
    booking_id: int | None = None,
    partner_id: int | None = None,
    attachment: str | None = None,
) -> bool:
    """Render a lifecycle template into the outbox (inside the caller's transaction).

    Idempotent: a message with the same dedupe key is queued once. True when queued now.
    """
    template = _template(session, template_key)
    subject, body = render(template.subject, template.body, context)
    return insert_ignore(
        session,
        OutboxMessage,
        {
            "dedupe_key": dedupe_key,
            "template_key": template_key,
            "recipient": recipient,
            "subject": subject[:300],
            "body": body,
            "booking_id": booking_id,
            "partner_id": partner_id,
            "attachment": attachment,
            "status": "queued",
            "attempts": 0,
            "created_at": utcnow(),
        },
    )


class RenderError(DomainError):
    """A message queued to be rendered when sent cannot be rendered (what it is about is gone,
    or its template no longer renders): that message fails, the others go."""


def render_pending(session: Session, template_key: str, render_from: str) -> tuple[str, str]:
    """Subject and body of a message queued to be rendered when sent (see
    OutboxMessage.render_from), with the template as it is now."""
    kind, _, key = render_from.partition(":")
    if not (kind == "partner_invoice" and key.isdigit()):
        raise RenderError(f"Nothing renders a message from {render_from!r}.")
    from .partner_messages import invoice_issued_context

    try:
        context = invoice_issued_context(session, int(key))
        template = _template(session, template_key)
        subject, body = render(template.subject, template.body, context)
    except Exception as exc:  # one message's problem, reported on that message
        raise RenderError(f"Could not render {render_from}: {exc}") from exc
    return subject[:300], body


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
        views = []
        for m, reference, code in session.exec(stmt).all():
            subject, body = m.subject, m.body
            if m.render_from and not body:  # not sent yet: shown as it would go now
                try:
                    subject, body = render_pending(session, m.template_key, m.render_from)
                except RenderError as exc:
                    subject, body = "(cannot be rendered)", exc.message
            views.append(_view(m, subject, body, reference, code))
        return views


def _view(
    m: OutboxMessage, subject: str, body: str, reference: str | None, code: str | None
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
    )
