"""The booking's Draft invoice and its lines, written with Core statements (the hot path).

Only a Draft changes: its total moves with each line, guarded in SQL by `status = 'draft'`.
Callers lock the booking first (see common.lock_with_booking).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from concierge_app.db.bookings import Booking, ServiceItem
from concierge_app.db.invoicing import GuestInvoice, InvoiceLine
from concierge_app.db.types import utcnow
from concierge_app.domain.charge_limits import max_charge
from concierge_app.domain.errors import InvalidAmount, InvalidTransition
from concierge_app.domain.lifecycle import BookingStatus, InvoiceStatus
from concierge_app.domain.money import Money

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
    .returning(INVOICES.c.total_minor)
)


def _bill_on_draft(dialect: Any) -> Any:
    """INSERT the draft … ON CONFLICT (its booking's one draft) add to its total."""
    stmt = dialect.insert(INVOICES)
    return stmt.on_conflict_do_update(
        index_elements=[INVOICES.c.booking_id],
        index_where=INVOICES.c.status == DRAFT,
        set_={"total_minor": INVOICES.c.total_minor + stmt.excluded.total_minor},
    ).returning(INVOICES.c.id, INVOICES.c.total_minor)


_BILL_ON_DRAFT = {"sqlite": _bill_on_draft(sqlite), "postgresql": _bill_on_draft(postgresql)}
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


def _move_total(session: Session, invoice_id: int, delta: int) -> int:
    """Change the draft's total by `delta`; its new total."""
    moved = (
        session.connection()
        .execute(_MOVE_TOTAL, {"invoice_id": invoice_id, "delta": delta})
        .first()
    )
    if moved is None:
        raise InvalidTransition("A sent invoice is locked and can't be changed.")
    return int(moved[0])


def add_line(
    session: Session,
    invoice_id: int,
    service: ServiceItem | SimpleNamespace,
    amount: Money,
    kind: str,
) -> None:
    """Put a service on the draft for `amount` (the gross, or the deposit); refused when the
    draft would come to more than one payment can take (the caller's transaction rolls back)."""
    _check_limit(Money(_move_total(session, invoice_id, amount.minor), amount.currency))
    _insert_line(session, invoice_id, service, amount, kind)


def _check_limit(total: Money) -> None:
    if total > max_charge(total.currency):
        raise InvalidAmount(
            f"The draft invoice would come to {total}, more than one payment can take (at most "
            f"{max_charge(total.currency)}). Send the draft first: this service then goes on "
            "a new invoice."
        )


def _insert_line(
    session: Session,
    invoice_id: int,
    service: ServiceItem | SimpleNamespace,
    amount: Money,
    kind: str,
) -> None:
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


def bill_on_draft(
    session: Session,
    booking: Booking | SimpleNamespace,
    service: ServiceItem | SimpleNamespace,
    amount: Money,
    kind: str,
) -> int:
    """`draft_id(create=True)` then `add_line`, in two statements: the booking's draft is
    created with this amount, or its total moves by it (an upsert on the one-draft-per-booking
    index, uq_guest_invoice_one_draft_per_booking), then the line. The draft's id."""
    if booking.status == BookingStatus.CANCELLED:
        raise InvalidTransition("This booking is cancelled; nothing more can be billed on it.")
    conn = session.connection()
    draft, total = conn.execute(
        _BILL_ON_DRAFT[conn.dialect.name],
        {
            "booking_id": booking.id,
            "status": DRAFT,
            "currency": booking.currency,
            "total_minor": amount.minor,
            "created_at": utcnow(),
        },
    ).one()
    _check_limit(Money(int(total), amount.currency))
    _insert_line(session, int(draft), service, amount, kind)
    return int(draft)


def remove_line(session: Session, line: InvoiceLine) -> None:
    """Take a line off its draft (the service was cancelled before sending)."""
    _move_total(session, line.invoice_id, -line.amount_minor)
    session.connection().execute(_DROP_LINE, {"line_id": line.id})
