"""The booking overview and the booking page, which reads everything the page shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select

from concierge_app.db.bookings import Booking
from concierge_app.db.engine import Database
from concierge_app.db.parties import Guest, Partner
from concierge_app.domain.errors import NotFound
from concierge_app.domain.money import Money
from concierge_app.services.guest.queries.payments_panel import PaymentsPanel, payments_panel
from concierge_app.services.guest.queries.portfolio import ServiceView, trip_portfolio
from concierge_app.services.shared.changes import ledger_version
from concierge_app.services.shared.common import id_of


@dataclass(frozen=True, slots=True)
class BookingHeader:
    """The booking overview and accommodation plan shown above the portfolio."""

    id: int
    reference: str
    status: str
    guest_name: str
    guest_email: str
    property_name: str
    property_timezone: str
    check_in: date
    check_out: date
    currency: str
    accommodation_total: Money
    accommodation_collected_by: str
    cancel_reason: str | None
    locale: str = "en_US"  # the guest's language (Babel locale)


def booking_by_reference(*, db: Database, reference: str) -> BookingHeader:
    """One booking's overview, or NotFound."""
    with db.read() as session:
        row = session.exec(
            select(Booking, Guest, Partner)
            .join(Guest, col(Guest.id) == Booking.guest_id)
            .join(Partner, col(Partner.id) == Booking.property_id)
            .where(Booking.reference == reference.strip().upper())
        ).first()
        if row is None:
            raise NotFound(f"There is no booking {reference}.")
        b, g, p = row
        return BookingHeader(
            id_of(b),
            b.reference,
            b.status,
            g.name,
            g.email,
            p.name,
            p.timezone,
            b.check_in,
            b.check_out,
            b.currency,
            Money(b.accommodation_total_minor, b.currency),
            b.accommodation_collected_by,
            b.cancel_reason,
            g.locale,
        )


@dataclass(frozen=True, slots=True)
class BookingPage:
    """Everything the booking page shows: overview, Trip Portfolio and Payments panel."""

    header: BookingHeader
    services: list[ServiceView]
    panel: PaymentsPanel
    version: int  # the booking's newest change (see services.changes)


def booking_page(*, db: Database, booking_id: int) -> BookingPage:
    """All reads behind the booking page, with a fixed number of statements."""
    version = ledger_version(db=db, booking_id=booking_id)
    panel = payments_panel(db=db, booking_id=booking_id)
    return BookingPage(
        header=booking_by_reference(db=db, reference=panel.reference),
        services=trip_portfolio(db=db, booking_id=booking_id),
        panel=panel,
        version=version,
    )
