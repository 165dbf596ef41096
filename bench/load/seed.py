"""The load bench's data, made through the services on the app's own (throwaway) database before
the app starts: the demo (staff, partners, properties, operators) and N bookings, each with one
Active guest invoice (one confirmed *Platform Collects Full* service, sent) and a portal link."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import date

from concierge_app.db.engine import Database
from concierge_app.domain.money import Money
from concierge_app.domain.strategies import PaymentStrategy
from concierge_app.services.guest import bookings, invoicing, portfolio, queries
from concierge_app.services.guest.links import issue_guest_link

CURRENCY = "EUR"
SERVICE_GROSS = "240.00"


@dataclass(frozen=True)
class Seeded:
    booking_id: int
    reference: str
    token: str  # the portal link's token (`/portal/<reference>?t=<token>`)
    invoice_id: int
    invoice_number: str


def seed_bookings(db: Database, n: int, actor: str) -> tuple[list[Seeded], float]:
    """N bookings at the demo property, each with an open guest invoice and a portal link;
    returns them and the seconds it took."""
    started = time.monotonic()
    prop = next(p for p in queries.list_partners(db=db, kind="property") if p.code == "PRP-1001")
    operator = queries.list_partners(db=db, kind="operator")[0]
    tag = secrets.token_hex(2).upper()
    seeded: list[Seeded] = []
    for i in range(n):
        reference = f"LB-{tag}-{i:04d}"
        guest = bookings.create_guest(
            db=db, name=f"Load Guest {i}", email=f"{reference.lower()}@guest.example"
        )
        booking_id = bookings.create_booking(
            db=db,
            reference=reference,
            guest_id=guest,
            property_id=prop.id,
            check_in=date(2027, 5, 10),
            check_out=date(2027, 5, 14),
            currency=CURRENCY,
            accommodation_total=Money.parse("1000.00", CURRENCY),
            actor=actor,
        )
        service_id = portfolio.add_service_item(
            db=db,
            booking_id=booking_id,
            operator_id=operator.id,
            title="Sunset sailing tour",
            service_date=date(2027, 5, 11),
            gross=Money.parse(SERVICE_GROSS, CURRENCY),
            strategy=PaymentStrategy.PLATFORM_COLLECTS_FULL,
            actor=actor,
        )
        portfolio.confirm_service(db=db, service_id=service_id, actor=actor)
        draft = queries.payments_panel(db=db, booking_id=booking_id).draft
        if draft is None:
            raise RuntimeError(f"no draft invoice on {reference} after confirming its service")
        sent = invoicing.send_invoice(db=db, invoice_id=draft.id, actor=actor)
        link = issue_guest_link(db=db, booking_id=booking_id, actor=actor)
        seeded.append(Seeded(booking_id, reference, link.token, sent.invoice_id, sent.number))
    return seeded, time.monotonic() - started
