"""The booking's concierge invoices: the draft and its lines, Send Invoice, void and re-issue."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import String, bindparam, literal_column, update
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from concierge_app.db.bookings import Booking, ServiceItem
from concierge_app.db.engine import Database
from concierge_app.db.invoicing import GuestInvoice, InvoiceLine
from concierge_app.db.payments import PaymentAttempt, PaymentAttemptInvoice
from concierge_app.db.types import utcnow
from concierge_app.domain.checkout import CheckoutStatus
from concierge_app.domain.errors import Conflict, InvalidTransition
from concierge_app.domain.formatting import format_money
from concierge_app.domain.lifecycle import (
    BookingStatus,
    InvoiceStatus,
    ServiceLifecycle,
    check_invoice_transition,
)
from concierge_app.domain.money import Money
from concierge_app.services.guest.drafts import INVOICES, LINES, add_line, draft_id
from concierge_app.services.guest.links import PAYMENTS_CARD, new_portal_link
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import (
    BOOKINGS,
    lock_with_booking,
    locked_rows,
    next_in_sequence,
)
from concierge_app.services.shared.messages import (
    RECIPIENT_COLUMNS,
    SavedTemplates,
    booking_recipient,
    queue_message,
    saved_templates,
    saved_templates_column,
)
from concierge_app.services.shared.permissions import Permission, require_in


def live_line(session: Session, service_id: int) -> tuple[InvoiceLine, GuestInvoice] | None:
    """The service's line on a Draft, Active or Paid invoice (a service has at most one)."""
    row = session.exec(
        select(InvoiceLine, GuestInvoice)
        .join(GuestInvoice, col(GuestInvoice.id) == InvoiceLine.invoice_id)
        .where(
            InvoiceLine.service_item_id == service_id,
            GuestInvoice.status != InvoiceStatus.VOIDED,
        )
        .with_for_update()
    ).first()
    return None if row is None else (row[0], row[1])


@dataclass(frozen=True, slots=True)
class SentInvoice:
    invoice_id: int
    number: str
    total: Money
    message_queued: bool


INVOICE_SENT = "invoice_sent"
_LINES_OF = (
    core_select(LINES.c.service_item_id, LINES.c.description, LINES.c.amount_minor)
    .where(LINES.c.invoice_id == bindparam("invoice_id"))
    .order_by(LINES.c.id)
)
_ACTIVATE = (
    update(INVOICES)
    .where(INVOICES.c.id == bindparam("invoice_id"), INVOICES.c.status == InvoiceStatus.DRAFT.value)
    .values(
        status=InvoiceStatus.ACTIVE.value, number=bindparam("number"), issued_at=bindparam("at")
    )
    .returning(INVOICES.c.id)
)


def _returned(sql: str, name: str, type_: Any) -> Any:
    """A scalar subquery in a RETURNING clause, written out: SQLAlchemy writes RETURNING's
    columns without their table on SQLite, subqueries included, which would make `id` the
    subquery's own column. Here every name says its table (`guest_invoice`: the updated row)."""
    return literal_column(f"({sql})", type_).label(name)


_OF_BOOKING = "FROM booking AS b {join} WHERE b.id = guest_invoice.booking_id"
_GUEST = "JOIN guest AS g ON g.id = b.guest_id"
_PLACE = "JOIN partner AS p ON p.id = b.property_id"
_RECIPIENT_FROM = (("g", _GUEST), ("g", _GUEST), ("g", _GUEST), ("p", _PLACE))  # name … place
# SQLite: the draft activated and, in the same statement, what the message and the audit event
# need: the booking's words, the guest (RECIPIENT_COLUMNS' names), the lines ([id, service,
# description, amount] as JSON) and the Invoice Sent template's saved rows.
_ACTIVATE_DRAFT = (
    update(INVOICES)
    .where(INVOICES.c.id == bindparam("invoice_id"), INVOICES.c.status == InvoiceStatus.DRAFT.value)
    .values(
        status=InvoiceStatus.ACTIVE.value, number=bindparam("number"), issued_at=bindparam("at")
    )
    .returning(
        INVOICES.c.booking_id,
        INVOICES.c.currency,
        INVOICES.c.total_minor,
        *(
            _returned(
                f"SELECT b.{name} {_OF_BOOKING.format(join='')}",
                f"booking__{name}",
                BOOKINGS.c[name].type,
            )
            for name in ("reference", "check_in", "check_out")
        ),
        *(
            _returned(
                f"SELECT {alias}.{column.element.name} {_OF_BOOKING.format(join=join)}",
                column.name,
                column.type,
            )
            for alias, join, column in zip(
                ("g", "g", "g", "p"),
                (_GUEST, _GUEST, _GUEST, _PLACE),
                RECIPIENT_COLUMNS,
                strict=True,
            )
        ),
        _returned(
            "SELECT json_group_array(json_array(l.id, l.service_item_id, l.description, "
            "l.amount_minor)) FROM invoice_line AS l WHERE l.invoice_id = guest_invoice.id",
            "lines",
            String(),
        ),
        saved_templates_column(INVOICE_SENT).label("saved_templates"),
    )
)


def send_invoice(*, db: Database, invoice_id: int, actor: str) -> SentInvoice:
    """Draft → Active: refuse an empty draft, assign the next gapless number, lock, notify."""
    require_in(db, actor, Permission.INVOICES)
    with db.transaction() as session:
        conn = session.connection()
        now = utcnow()
        sent = (_activate_sqlite if conn.dialect.name == "sqlite" else _activate)(
            session, invoice_id, now
        )
        booking, invoice, lines, number, read, saved = sent
        total = Money(invoice.total_minor, invoice.currency)
        link = new_portal_link(booking_id=booking.id, reference=booking.reference)
        # The guide: the message links "to the Payments card in their portal".
        guest = booking_recipient(
            session,
            booking,
            portal_url=f"{link}#{PAYMENTS_CARD}",
            read=read,
            template=INVOICE_SENT,
        )

        def money(minor: int) -> str:
            return format_money(Money(minor, invoice.currency), guest.locale)

        queued = queue_message(
            session,
            dedupe_key=f"invoice_sent:{invoice_id}",
            template_key=INVOICE_SENT,
            recipient=guest.email,
            context=guest.context
            | {
                "invoice_number": number,
                "invoice_total": money(total.minor),
                "lines": [
                    {"description": ln.description, "amount": money(ln.amount_minor)}
                    for ln in lines
                ],
            },
            booking_id=booking.id,
            language=guest.locale,
            saved=saved if saved is not None else guest.saved,
        )
        record_event(
            session,
            actor=actor,
            action="invoice.sent",
            subject=f"invoice:{invoice_id}",
            booking_id=booking.id,
            data={
                "number": number,
                "total": str(total),
                "lines": [[ln.service_item_id, ln.amount_minor] for ln in lines],
            },
        )
        return SentInvoice(invoice_id, number, total, queued)


# (booking, invoice, its lines, its number, the recipient's values, the template's saved rows)
Activated = tuple[Any, Any, Sequence[Any], str, Mapping[str, Any] | None, SavedTemplates | None]


def _number(session: Session, now: datetime) -> str:
    return f"CI-{now.year}-{next_in_sequence(session, f'guest_invoice:{now.year}'):05d}"


def _refuse_empty(lines: Sequence[Any]) -> None:
    if not lines:
        raise InvalidTransition(
            "This draft is empty: confirm a platform-collects service before sending."
        )


def _activate(session: Session, invoice_id: int, now: datetime) -> Activated:
    """Lock the booking and the draft, check, number and activate it: (booking, invoice, its
    lines, its number, None, None)."""
    conn = session.connection()
    booking, invoice = locked_rows(session, GuestInvoice, invoice_id, "Invoice")
    check_invoice_transition(InvoiceStatus(invoice.status), InvoiceStatus.ACTIVE)
    lines = conn.execute(_LINES_OF, {"invoice_id": invoice_id}).all()
    _refuse_empty(lines)
    number = _number(session, now)
    if (
        conn.execute(_ACTIVATE, {"invoice_id": invoice_id, "number": number, "at": now}).first()
        is None
    ):
        raise InvalidTransition("This invoice has already been sent.")
    return booking, invoice, lines, number, None, None


def _activate_sqlite(session: Session, invoice_id: int, now: datetime) -> Activated:
    """`_activate` in two statements on SQLite (one writer, so nothing to lock): number the
    draft, then activate it (status = 'draft' in SQL) returning its booking, guest, lines and
    the Invoice Sent template's saved rows. Any refusal raises, and the rollback hands the
    number back; a draft that is no draft is refused with the checks of `_activate`."""
    conn = session.connection()
    number = _number(session, now)
    invoice = conn.execute(
        _ACTIVATE_DRAFT, {"invoice_id": invoice_id, "number": number, "at": now}
    ).first()
    if invoice is None:
        _, found = locked_rows(session, GuestInvoice, invoice_id, "Invoice")
        check_invoice_transition(InvoiceStatus(found.status), InvoiceStatus.ACTIVE)
        raise InvalidTransition("This invoice has already been sent.")
    lines = [
        SimpleNamespace(service_item_id=service, description=description, amount_minor=amount)
        for _, service, description, amount in sorted(json.loads(invoice.lines))
    ]
    _refuse_empty(lines)
    values = invoice._asdict()
    booking = SimpleNamespace(
        id=invoice.booking_id,
        **{k[9:]: v for k, v in values.items() if k.startswith("booking__")},
    )
    read = {k: v for k, v in values.items() if k.startswith("recipient__")}
    return booking, invoice, lines, number, read, saved_templates(invoice.saved_templates)


def void_active_invoice(
    session: Session,
    booking: Booking,
    invoice: GuestInvoice,
    *,
    actor: str,
    reason: str,
    drop_service_id: int | None = None,
) -> int | None:
    """Void an Active unpaid invoice and move its other confirmed lines to the draft.

    Returns the id of the draft that received the lines (None when nothing moved). Open
    checkouts that cover the invoice are expired: a late success is recorded as unapplied.
    """
    check_invoice_transition(InvoiceStatus(invoice.status), InvoiceStatus.VOIDED)
    invoice.status, invoice.voided_at, invoice.void_reason = (
        InvoiceStatus.VOIDED.value,
        utcnow(),
        reason[:500],
    )
    session.add(invoice)
    attempts = session.exec(
        select(PaymentAttempt)
        .join(PaymentAttemptInvoice, col(PaymentAttemptInvoice.attempt_id) == PaymentAttempt.id)
        .where(
            PaymentAttemptInvoice.invoice_id == invoice.id,
            PaymentAttempt.status == CheckoutStatus.OPEN,
        )
        .with_for_update()
    ).all()
    for attempt in attempts:
        attempt.status, attempt.completed_at = CheckoutStatus.EXPIRED.value, utcnow()
        attempt.failure_reason = f"Invoice {invoice.number} was voided."
        session.add(attempt)
    moving = session.exec(
        select(InvoiceLine, ServiceItem)
        .join(ServiceItem, col(ServiceItem.id) == InvoiceLine.service_item_id)
        .where(
            InvoiceLine.invoice_id == invoice.id,
            ServiceItem.lifecycle == ServiceLifecycle.CONFIRMED,
        )
        .order_by(col(InvoiceLine.id))
    ).all()
    moving = [(ln, svc) for ln, svc in moving if svc.id != drop_service_id]
    draft = None
    if moving and booking.status != BookingStatus.CANCELLED:
        draft = draft_id(session, booking, create=True)
        assert draft is not None
        for line, service in moving:
            add_line(session, draft, service, Money(line.amount_minor, line.currency), line.kind)
        invoice.reissued_as_id = draft
    record_event(
        session,
        actor=actor,
        action="invoice.voided",
        subject=f"invoice:{invoice.id}",
        booking_id=booking.id,
        data={
            "number": invoice.number,
            "reason": reason,
            "moved_to_draft": draft,
            "moved_services": [svc.id for _, svc in moving] if draft else [],
        },
    )
    return draft


def void_invoice(*, db: Database, invoice_id: int, actor: str, reason: str) -> int | None:
    """Staff void an Active unpaid invoice (void and re-issue). Returns the draft's id, if any."""
    require_in(db, actor, Permission.INVOICES)
    if not reason.strip():
        raise Conflict("Say why the invoice is voided.", field="reason")
    with db.transaction() as session:
        booking, invoice = lock_with_booking(session, GuestInvoice, invoice_id, "Invoice")
        if invoice.status == InvoiceStatus.DRAFT:
            raise InvalidTransition(
                "A draft is not voided by hand: cancel its services or the booking instead."
            )
        return void_active_invoice(session, booking, invoice, actor=actor, reason=reason)
