"""The bookings list (searchable, filtered, with each booking's totals) and the partner pickers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_
from sqlmodel import col, select

from concierge_app.db.bookings import Booking
from concierge_app.db.engine import Database
from concierge_app.db.parties import Guest, Partner
from concierge_app.domain.money import Money
from concierge_app.services.guest.queries.totals import totals_by_booking
from concierge_app.services.shared.common import id_of


@dataclass(frozen=True, slots=True)
class BookingSummary:
    id: int
    reference: str
    guest_name: str
    property_name: str
    property_timezone: str
    check_in: date
    check_out: date
    currency: str
    status: str
    invoiced: Money
    paid: Money
    outstanding: Money


def list_bookings(
    *,
    db: Database,
    search: str = "",
    status: str | None = None,
    only_outstanding: bool = False,
) -> list[BookingSummary]:
    """Bookings with their totals, newest stay first; search by guest or reference."""
    with db.read() as session:
        stmt = (
            select(Booking, Guest, Partner)
            .join(Guest, col(Guest.id) == Booking.guest_id)
            .join(Partner, col(Partner.id) == Booking.property_id)
            .order_by(col(Booking.check_in).desc(), col(Booking.id).desc())
        )
        if search.strip():
            pattern = f"%{search.strip().lower()}%"
            stmt = stmt.where(
                or_(
                    func.lower(Booking.reference).like(pattern),
                    func.lower(Guest.name).like(pattern),
                    func.lower(Guest.email).like(pattern),
                )
            )
        if status:
            stmt = stmt.where(Booking.status == status)
        rows = session.exec(stmt).all()
        totals = totals_by_booking(session, [b for b, _, _ in rows])
        result = []
        for booking, guest, prop in rows:
            t = totals[id_of(booking)]
            if only_outstanding and t.outstanding.is_zero:
                continue
            result.append(
                BookingSummary(
                    id_of(booking),
                    booking.reference,
                    guest.name,
                    prop.name,
                    prop.timezone,
                    booking.check_in,
                    booking.check_out,
                    booking.currency,
                    booking.status,
                    t.invoiced,
                    t.overall_paid,
                    t.outstanding,
                )
            )
        return result


@dataclass(frozen=True, slots=True)
class PartnerOption:
    id: int
    code: str
    name: str
    kind: str
    category: str


def list_partners(*, db: Database, kind: str | None = None) -> list[PartnerOption]:
    """Partners by name (for pickers such as the Add service form's operator)."""
    with db.read() as session:
        stmt = select(Partner).order_by(col(Partner.name))
        if kind:
            stmt = stmt.where(Partner.kind == kind)
        return [
            PartnerOption(id_of(p), p.code, p.name, p.kind, p.category)
            for p in session.exec(stmt).all()
        ]
