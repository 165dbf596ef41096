"""Staff create a booking by form, or edit the fields that may change; a bookings import does the
same row by row (`booking_import`).

A new booking takes a guest (an existing guest with the same email is reused), a property by
its code, the stay, the accommodation total and who collects it, and what is already paid
(recorded as an accommodation payment in the same transaction). The form's request key makes a
repeated submit return the booking it already made. An edit checks `domain.booking_changes`,
changes the booking's own guest in place (never onto another guest's email) and records the
before and after of every field it changes.
Bad input raises `BookingInvalid` (every field's problem) and writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from concierge_app.db.bookings import AccommodationPayment, Booking, ServiceItem
from concierge_app.db.engine import Database
from concierge_app.db.invoicing import GuestInvoice
from concierge_app.db.parties import Guest, Partner
from concierge_app.domain.booking_changes import BookingFacts, edit_problems
from concierge_app.domain.booking_input import BookingInput, BookingInvalid, read_booking
from concierge_app.domain.errors import DomainError
from concierge_app.domain.lifecycle import BookingStatus
from concierge_app.domain.money import Money
from concierge_app.domain.statuses import PartnerKind
from concierge_app.services.guest.bookings import add_accommodation_payment, add_booking
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import id_of, load, next_in_sequence
from concierge_app.services.shared.permissions import Permission, require_in

PAID_AT_BOOKING = "paid before booking"
MAX_REQUEST_KEY = 64


@dataclass(frozen=True, slots=True)
class NewBooking:
    id: int
    reference: str
    guest_reused: bool
    repeated: bool = False  # the request key had already made this booking


def _problem(field: str, message: str) -> BookingInvalid:
    return BookingInvalid([(field, message)])


def property_by_code(session: Session, code: str) -> Partner:
    prop = session.exec(select(Partner).where(Partner.code == code)).first()
    if prop is None or prop.kind != PartnerKind.PROPERTY:
        raise _problem("property", f"There is no property {code}.")
    return prop


def booking_by_external(session: Session, external: str | None) -> Booking | None:
    if external is None:
        return None
    return session.exec(select(Booking).where(Booking.external_reference == external)).first()


def accommodation_paid(session: Session, booking: Booking) -> Money:
    minor = session.exec(
        select(func.coalesce(func.sum(AccommodationPayment.amount_minor), 0)).where(
            AccommodationPayment.booking_id == booking.id
        )
    ).one()
    return Money(int(minor), booking.currency)


def facts_of(session: Session, booking: Booking) -> BookingFacts:
    """What the change rules need to know about `booking`."""
    invoices = session.exec(select(func.count()).where(GuestInvoice.booking_id == booking.id)).one()
    services = session.exec(select(func.count()).where(ServiceItem.booking_id == booking.id)).one()
    prop = load(session, Partner, booking.property_id, "Property")
    return BookingFacts(
        reference=booking.reference,
        cancelled=booking.status == BookingStatus.CANCELLED,
        property_code=prop.code,
        check_in=booking.check_in,
        check_out=booking.check_out,
        currency=booking.currency,
        accommodation_paid=accommodation_paid(session, booking),
        invoices=int(invoices),
        services=int(services),
    )


def guest_for(session: Session, wanted: BookingInput) -> tuple[Guest, bool]:
    """The guest with this email (the first one), or a new one; True when reused."""
    guest = session.exec(
        select(Guest).where(Guest.email == wanted.guest_email).order_by(col(Guest.id))
    ).first()
    if guest is not None:
        return guest, True
    guest = Guest(name=wanted.guest_name, email=wanted.guest_email, locale=wanted.guest_language)
    session.add(guest)
    session.flush()
    return guest, False


def _next_reference(session: Session) -> str:
    while True:
        reference = f"BK-{next_in_sequence(session, 'booking_reference'):06d}"
        if session.exec(select(Booking.id).where(Booking.reference == reference)).first() is None:
            return reference


def insert_booking(
    session: Session,
    wanted: BookingInput,
    *,
    actor: str,
    received_on: date,
    request_key: str | None = None,
) -> NewBooking:
    """Create the booking `wanted` describes, with its payment so far, in `session`."""
    prop = property_by_code(session, wanted.property_code)
    if booking_by_external(session, wanted.external_reference) is not None:
        raise _problem(
            "external_reference",
            f"Booking {wanted.external_reference} is already on the ledger.",
        )
    guest, reused = guest_for(session, wanted)
    booking = add_booking(
        session,
        reference=_next_reference(session),
        guest_id=id_of(guest),
        prop=prop,
        check_in=wanted.check_in,
        check_out=wanted.check_out,
        accommodation_total=wanted.accommodation_total,
        collector=wanted.collected_by,
        actor=actor,
        external_reference=wanted.external_reference,
        request_key=request_key,
    )
    if not wanted.accommodation_paid.is_zero:
        add_accommodation_payment(
            session,
            booking=booking,
            amount=wanted.accommodation_paid,
            received_on=received_on,
            method=PAID_AT_BOOKING,
            reference=f"{booking.reference}-PAID",
            actor=actor,
        )
    return NewBooking(id_of(booking), booking.reference, reused)


def _checked_key(request_key: str | None) -> str | None:
    if request_key is None:
        return None
    if not (
        0 < len(request_key) <= MAX_REQUEST_KEY
        and request_key.isascii()
        and request_key.isprintable()
    ):
        raise DomainError("The form's request key is malformed; reopen the form.", field="form")
    return request_key


def _made_with(db: Database, request_key: str) -> NewBooking | None:
    with db.read() as session:
        found = session.exec(select(Booking).where(Booking.request_key == request_key)).first()
        return None if found is None else NewBooking(id_of(found), found.reference, False, True)


def new_booking(
    *,
    db: Database,
    fields: Mapping[str, str],
    actor: str,
    received_on: date,
    request_key: str | None = None,
) -> NewBooking:
    """The New booking form (text by field, see `domain.booking_input.FIELDS`): create it, or
    BookingInvalid with every field's problem and nothing written. A `request_key` (one per
    opening of the form) already used returns that booking (`repeated`) and writes nothing."""
    require_in(db, actor, Permission.BOOKINGS)
    wanted, key = read_booking(fields), _checked_key(request_key)
    if key is not None and (earlier := _made_with(db, key)) is not None:
        return earlier
    try:
        with db.transaction() as session:
            return insert_booking(
                session, wanted, actor=actor, received_on=received_on, request_key=key
            )
    except IntegrityError:  # the same key submitted at the same moment and committed first?
        if key is None or (earlier := _made_with(db, key)) is None:
            raise
        return earlier


def differences(
    session: Session, booking: Booking, wanted: BookingInput
) -> dict[str, tuple[Any, Any]]:
    """Field → (before, after) for what `wanted` changes on the booking (payments aside)."""
    guest = load(session, Guest, booking.guest_id, "Guest")
    prop = load(session, Partner, booking.property_id, "Property")
    total = Money(booking.accommodation_total_minor, booking.currency)
    pairs: dict[str, tuple[Any, Any]] = {
        "external_reference": (booking.external_reference, wanted.external_reference),
        "guest_name": (guest.name, wanted.guest_name),
        "guest_email": (guest.email, wanted.guest_email),
        "guest_language": (guest.locale, wanted.guest_language),
        "property": (prop.code, wanted.property_code),
        "check_in": (booking.check_in.isoformat(), wanted.check_in.isoformat()),
        "check_out": (booking.check_out.isoformat(), wanted.check_out.isoformat()),
        "currency": (booking.currency, wanted.currency),
        "accommodation_total": (str(total), str(wanted.accommodation_total)),
        "collected_by": (booking.accommodation_collected_by, wanted.collected_by.value),
    }
    return {k: v for k, v in pairs.items() if v[0] != v[1]}


def change_problems(
    session: Session, booking: Booking, wanted: BookingInput
) -> list[tuple[str, str]]:
    """Why `wanted` may not replace `booking` (the change rules, a taken external reference or
    guest email, an unknown property)."""
    changed = differences(session, booking, wanted)
    facts = facts_of(session, booking)
    problems = edit_problems(facts, wanted, changed)
    if facts.cancelled:
        return problems
    if "guest_email" in changed:
        namesake = session.exec(
            select(Guest).where(
                func.lower(Guest.email) == wanted.guest_email, Guest.id != booking.guest_id
            )
        ).first()
        if namesake is not None:
            problems.append(
                (
                    "guest_email",
                    f"Another guest has this email: {namesake.name}. Give this guest their own "
                    "email, or make the booking again for that guest.",
                )
            )
    other = booking_by_external(session, wanted.external_reference)
    if other is not None and other.id != booking.id:
        problems.append(
            (
                "external_reference",
                f"{wanted.external_reference} is the external reference of booking "
                f"{other.reference}.",
            )
        )
    try:
        property_by_code(session, wanted.property_code)
    except BookingInvalid as missing:
        problems += missing.problems
    return problems


def apply_changes(
    session: Session, booking: Booking, wanted: BookingInput, *, actor: str
) -> dict[str, tuple[Any, Any]]:
    """Write `wanted` over `booking` (already checked), with the audit entry; returns what
    changed (nothing, no entry)."""
    changed = differences(session, booking, wanted)
    if not changed:
        return changed
    if {"guest_name", "guest_email", "guest_language"} & changed.keys():
        guest = load(session, Guest, booking.guest_id, "Guest", lock=True)
        guest.name, guest.email = wanted.guest_name, wanted.guest_email
        guest.locale = wanted.guest_language
        session.add(guest)
    booking.external_reference = wanted.external_reference
    booking.property_id = id_of(property_by_code(session, wanted.property_code))
    booking.check_in, booking.check_out = wanted.check_in, wanted.check_out
    booking.currency = wanted.currency
    booking.accommodation_total_minor = wanted.accommodation_total.minor
    booking.accommodation_collected_by = wanted.collected_by.value
    session.add(booking)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="booking.edited",
        subject=f"booking:{booking.id}",
        booking_id=booking.id,
        data={k: {"before": b, "after": a} for k, (b, a) in changed.items()},
    )
    return changed


def edit_booking(
    *, db: Database, booking_id: int, fields: Mapping[str, str], actor: str
) -> tuple[str, ...]:
    """The Edit dialog: change what may change; returns the fields changed (none: nothing
    written). BookingInvalid lists every problem, and nothing is written."""
    require_in(db, actor, Permission.BOOKINGS)
    wanted = read_booking({**fields, "accommodation_paid": ""})
    with db.transaction() as session:
        booking = load(session, Booking, booking_id, "Booking", lock=True)
        problems = change_problems(session, booking, wanted)
        if problems:
            raise BookingInvalid(problems)
        return tuple(apply_changes(session, booking, wanted, actor=actor))


def edit_values(*, db: Database, booking_id: int) -> dict[str, str]:
    """The booking's editable fields as text (the Edit dialog's starting values)."""
    with db.read() as session:
        booking = load(session, Booking, booking_id, "Booking")
        guest = load(session, Guest, booking.guest_id, "Guest")
        prop = load(session, Partner, booking.property_id, "Property")
        return {
            "external_reference": booking.external_reference or "",
            "guest_name": guest.name,
            "guest_email": guest.email,
            "guest_language": guest.locale,
            "property": prop.code,
            "check_in": booking.check_in.isoformat(),
            "check_out": booking.check_out.isoformat(),
            "currency": booking.currency,
            "accommodation_total": Money(
                booking.accommodation_total_minor, booking.currency
            ).amount_text(),
            "collected_by": booking.accommodation_collected_by,
        }
