"""The booking's Draft invoice and its lines, written with Core statements (the hot path).

Only a Draft changes: its total moves with each line, guarded in SQL by `status = 'draft'`.
Callers lock the booking first (see common.lock_with_booking).
"""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import bindparam, delete, insert, select, update
from sqlmodel import Session

from ..db.bookings import Booking, ServiceItem
from ..db.invoicing import GuestInvoice, InvoiceLine
from ..db.types import utcnow
from ..domain.errors import InvalidTransition
from ..domain.lifecycle import BookingStatus, InvoiceStatus
from ..domain.money import Money

INVOICES = GuestInvoice.__table__  # type: ignore[attr-defined]
LINES = InvoiceLine.__table__  # type: ignore[attr-defined]
DRAFT = InvoiceStatus.DRAFT.value

# Built once: these run on every confirmation and cancellation.
_DRAFT_OF = (
    select(INVOICES.c.id)
    .where(INVOICES.c.booking_id == bindparam("booking_id"), INVOICES.c.status == DRAFT)
    .with_for_update()
)
_NEW_DRAFT = insert(INVOICES).returning(INVOICES.c.id)
_MOVE_TOTAL = (
    update(INVOICES)
    .where(INVOICES.c.id == bindparam("invoice_id"), INVOICES.c.status == DRAFT)
    .values(total_minor=INVOICES.c.total_minor + bindparam("delta"))
    .returning(INVOICES.c.id)
)
_NEW_LINE = insert(LINES)
_DROP_LINE = delete(LINES).where(LINES.c.id == bindparam("line_id"))


def draft_id(session: Session, booking: Booking | SimpleNamespace, *, create: bool) -> int | None:
    """The id of the booking's one Draft (created when asked and missing)."""
    conn = session.connection()
    found = conn.execute(_DRAFT_OF, {"booking_id": booking.id}).scalar()
    if found is None and create:
        if booking.status == BookingStatus.CANCELLED:
            raise InvalidTransition("This booking is cancelled; nothing more can be billed on it.")
        found = conn.execute(
            _NEW_DRAFT,
            {
                "booking_id": booking.id,
                "status": DRAFT,
                "currency": booking.currency,
                "total_minor": 0,
                "created_at": utcnow(),
            },
        ).scalar_one()
    return None if found is None else int(found)


def _move_total(session: Session, invoice_id: int, delta: int) -> None:
    moved = (
        session.connection()
        .execute(_MOVE_TOTAL, {"invoice_id": invoice_id, "delta": delta})
        .first()
    )
    if moved is None:
        raise InvalidTransition("A sent invoice is locked and can't be changed.")


def add_line(
    session: Session,
    invoice_id: int,
    service: ServiceItem | SimpleNamespace,
    amount: Money,
    kind: str,
) -> None:
    """Put a service on the draft for `amount` (the gross, or the deposit)."""
    _move_total(session, invoice_id, amount.minor)
    session.connection().execute(
        _NEW_LINE,
        {
            "invoice_id": invoice_id,
            "service_item_id": service.id,
            "description": service.title[:300],
            "kind": kind,
            "amount_minor": amount.minor,
            "currency": amount.currency,
            "created_at": utcnow(),
        },
    )


def remove_line(session: Session, line: InvoiceLine) -> None:
    """Take a line off its draft (the service was cancelled before sending)."""
    _move_total(session, line.invoice_id, -line.amount_minor)
    session.connection().execute(_DROP_LINE, {"line_id": line.id})
