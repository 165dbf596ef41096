"""What the bookings API does: create or update a booking by its external reference, read one,
cancel one. The rules are the staff form's and the CSV import's (`domain.booking_input` through
`domain.booking_json`, `guest.booking_import.upsert_in`, `guest.bookings.cancel_in`); each
change is audited under the integration's name and applied once per Idempotency-Key.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, select

from concierge_app.db.bookings import Booking
from concierge_app.db.engine import Database
from concierge_app.db.parties import Guest, Partner
from concierge_app.domain.booking_input import reference_shaped
from concierge_app.domain.booking_json import cancel_reason, read_api_booking
from concierge_app.domain.errors import NotFound
from concierge_app.services.guest.booking_entry import accommodation_paid, booking_by_external
from concierge_app.services.guest.booking_import import upsert_in
from concierge_app.services.guest.bookings import cancel_in
from concierge_app.services.integrations.api_keys import Caller
from concierge_app.services.integrations.idempotency import Answer, answer_once
from concierge_app.services.shared.common import id_of, load

MAX_LOOKUP = 100


def booking_document(session: Session, booking: Booking) -> dict[str, Any]:
    """A booking as the API shows it (amounts in minor units of its currency)."""
    guest = load(session, Guest, booking.guest_id, "Guest")
    prop = load(session, Partner, booking.property_id, "Property")
    return {
        "reference": booking.reference,
        "external_reference": booking.external_reference,
        "status": booking.status,
        "guest": {"name": guest.name, "email": guest.email, "language": guest.locale},
        "property": prop.code,
        "check_in": booking.check_in.isoformat(),
        "check_out": booking.check_out.isoformat(),
        "currency": booking.currency,
        "accommodation_total_minor": booking.accommodation_total_minor,
        "accommodation_paid_minor": accommodation_paid(session, booking).minor,
        "collected_by": booking.accommodation_collected_by,
        "created_at": booking.created_at.isoformat(),
        "cancelled_at": booking.cancelled_at.isoformat() if booking.cancelled_at else None,
        "cancel_reason": booking.cancel_reason,
    }


def _find(session: Session, ref: str) -> Booking:
    """The booking with our reference `ref`, else with that external reference; NotFound."""
    if reference_shaped(ref):
        found = session.exec(select(Booking).where(Booking.reference == ref)).first()
        found = found or booking_by_external(session, ref)
        if found is not None:
            return found
    raise NotFound(f"No booking has the reference or external reference '{ref[:MAX_LOOKUP]}'.")


def get_booking(*, db: Database, ref: str) -> dict[str, Any]:
    with db.read() as session:
        return booking_document(session, _find(session, ref))


def bookings_with_external(*, db: Database, external_reference: str) -> list[dict[str, Any]]:
    """The bookings (none or one) with this external reference."""
    with db.read() as session:
        if not reference_shaped(external_reference):
            return []
        found = booking_by_external(session, external_reference)
        return [] if found is None else [booking_document(session, found)]


def push_booking(
    *,
    db: Database,
    caller: Caller,
    body: Any,
    today: date,
    idempotency_key: str | None,
    fingerprint: str,
) -> Answer:
    """Create the booking (201) or update the one with its external reference (200: updated or
    unchanged). BookingInvalid lists every problem; nothing is written then."""

    def work(session: Session) -> Answer:
        wanted = read_api_booking(body)
        done = upsert_in(session, wanted, actor=caller.actor, today=today)
        booking = load(session, Booking, done.booking_id, "Booking")
        document: dict[str, Any] = {
            "result": done.status,
            "changed": list(done.changed),
            "data": booking_document(session, booking),
        }
        return Answer(201 if done.status == "created" else 200, document)

    return answer_once(
        db=db,
        key_id=caller.key_id,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
        work=work,
    )


def cancel_through_api(
    *,
    db: Database,
    caller: Caller,
    ref: str,
    body: Any,
    idempotency_key: str | None,
    fingerprint: str,
) -> Answer:
    """Cancel the booking and its portfolio as staff would (InvalidTransition when it already
    is); the reason defaults to the integration's name."""

    def work(session: Session) -> Answer:
        reason = cancel_reason(body, f"Cancelled through the API by {caller.name}")
        booking = _find(session, ref)
        done = cancel_in(session, booking_id=id_of(booking), actor=caller.actor, reason=reason)
        session.refresh(booking)
        return Answer(
            200,
            {
                "result": "cancelled",
                "services_cancelled": done.services_cancelled,
                "drafts_voided": done.drafts_voided,
                "active_invoices_kept": done.active_invoices_kept,
                "refunds_required": done.refunds_required,
                "data": booking_document(session, booking),
            },
        )

    return answer_once(
        db=db,
        key_id=caller.key_id,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
        work=work,
    )
