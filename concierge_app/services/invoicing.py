"""The booking's concierge invoices: the draft and its lines, Send Invoice, void and re-issue."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from ..db.bookings import Booking, ServiceItem
from ..db.engine import Database
from ..db.invoicing import GuestInvoice, InvoiceLine
from ..db.parties import Guest
from ..db.payments import PaymentAttempt, PaymentAttemptInvoice
from ..db.types import utcnow
from ..domain.errors import Conflict, InvalidTransition
from ..domain.lifecycle import (
    AttemptStatus,
    BookingStatus,
    InvoiceStatus,
    ServiceLifecycle,
    check_invoice_transition,
)
from ..domain.money import Money
from .audit import record_event
from .common import id_of, load, lock_with_booking, next_in_sequence
from .formatting import format_money
from .messages import booking_context, queue_message


def draft_of(session: Session, booking: Booking, *, create: bool) -> GuestInvoice | None:
    """The booking's one Draft invoice (created when asked and missing). Lock the booking first."""
    draft = session.exec(
        select(GuestInvoice)
        .where(GuestInvoice.booking_id == booking.id, GuestInvoice.status == InvoiceStatus.DRAFT)
        .with_for_update()
    ).first()
    if draft is None and create:
        if booking.status == BookingStatus.CANCELLED:
            raise InvalidTransition("This booking is cancelled; nothing more can be billed on it.")
        draft = GuestInvoice(booking_id=id_of(booking), currency=booking.currency)
        session.add(draft)
        session.flush()
    return draft


def refresh_total(session: Session, invoice: GuestInvoice) -> None:
    """Set a draft's total to the sum of its lines (only drafts change)."""
    if invoice.status != InvoiceStatus.DRAFT:
        raise InvalidTransition("A sent invoice is locked and can't be changed.")
    session.flush()
    total = session.exec(
        select(func.coalesce(func.sum(InvoiceLine.amount_minor), 0)).where(
            InvoiceLine.invoice_id == invoice.id
        )
    ).one()
    invoice.total_minor = int(total)
    session.add(invoice)


def add_line(
    session: Session, invoice: GuestInvoice, service: ServiceItem, amount: Money, kind: str
) -> InvoiceLine:
    line = InvoiceLine(
        invoice_id=id_of(invoice),
        service_item_id=id_of(service),
        description=service.title[:300],
        kind=kind,
        amount_minor=amount.minor,
        currency=amount.currency,
    )
    session.add(line)
    refresh_total(session, invoice)
    return line


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


def send_invoice(*, db: Database, invoice_id: int, actor: str) -> SentInvoice:
    """Draft → Active: refuse an empty draft, assign the next gapless number, lock, notify."""
    with db.transaction() as session:
        booking, invoice = lock_with_booking(session, GuestInvoice, invoice_id, "Invoice")
        check_invoice_transition(InvoiceStatus(invoice.status), InvoiceStatus.ACTIVE)
        lines = session.exec(
            select(InvoiceLine)
            .where(InvoiceLine.invoice_id == invoice.id)
            .order_by(col(InvoiceLine.id))
        ).all()
        if not lines:
            raise InvalidTransition(
                "This draft is empty: confirm a platform-collects service before sending."
            )
        now = utcnow()
        number = f"CI-{now.year}-{next_in_sequence(session, f'guest_invoice:{now.year}'):05d}"
        invoice.status, invoice.number, invoice.issued_at = InvoiceStatus.ACTIVE.value, number, now
        session.add(invoice)
        total = Money(invoice.total_minor, invoice.currency)
        guest = load(session, Guest, booking.guest_id, "Guest")
        context = booking_context(session, booking) | {
            "invoice_number": number,
            "invoice_total": format_money(total, guest.locale),
            "lines": [
                {
                    "description": ln.description,
                    "amount": format_money(Money(ln.amount_minor, ln.currency), guest.locale),
                }
                for ln in lines
            ],
        }
        queued = queue_message(
            session,
            dedupe_key=f"invoice_sent:{invoice.id}",
            template_key="invoice_sent",
            recipient=guest.email,
            context=context,
            booking_id=booking.id,
        )
        record_event(
            session,
            actor=actor,
            action="invoice.sent",
            subject=f"invoice:{invoice.id}",
            booking_id=booking.id,
            data={
                "number": number,
                "total": str(total),
                "lines": [[ln.service_item_id, ln.amount_minor] for ln in lines],
            },
        )
        return SentInvoice(id_of(invoice), number, total, queued)


def void_active_invoice(
    session: Session,
    booking: Booking,
    invoice: GuestInvoice,
    *,
    actor: str,
    reason: str,
    drop_service_id: int | None = None,
) -> GuestInvoice | None:
    """Void an Active unpaid invoice and move its other confirmed lines to the draft.

    Returns the draft that received the lines (None when nothing moved). Open checkouts that
    cover the invoice are expired: a late success is then recorded as unapplied money.
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
            PaymentAttempt.status == AttemptStatus.OPEN,
        )
        .with_for_update()
    ).all()
    for attempt in attempts:
        attempt.status, attempt.completed_at = AttemptStatus.EXPIRED.value, utcnow()
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
        draft = draft_of(session, booking, create=True)
        assert draft is not None
        for line, service in moving:
            add_line(session, draft, service, Money(line.amount_minor, line.currency), line.kind)
        invoice.reissued_as_id = draft.id
    record_event(
        session,
        actor=actor,
        action="invoice.voided",
        subject=f"invoice:{invoice.id}",
        booking_id=booking.id,
        data={
            "number": invoice.number,
            "reason": reason,
            "moved_to_draft": draft.id if draft else None,
            "moved_services": [svc.id for _, svc in moving] if draft else [],
        },
    )
    return draft


def void_invoice(*, db: Database, invoice_id: int, actor: str, reason: str) -> int | None:
    """Staff void an Active unpaid invoice (void and re-issue). Returns the draft's id, if any."""
    if not reason.strip():
        raise Conflict("Say why the invoice is voided.", field="reason")
    with db.transaction() as session:
        booking, invoice = lock_with_booking(session, GuestInvoice, invoice_id, "Invoice")
        if invoice.status == InvoiceStatus.DRAFT:
            raise InvalidTransition(
                "A draft is not voided by hand: cancel its services or the booking instead."
            )
        draft = void_active_invoice(session, booking, invoice, actor=actor, reason=reason)
        return None if draft is None else draft.id
