"""Guests and bookings: create, record accommodation payments, cancel."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from concierge_app.db.bookings import AccommodationPayment, Booking, ServiceItem
from concierge_app.db.engine import Database
from concierge_app.db.invoicing import GuestInvoice
from concierge_app.db.parties import Guest, Partner
from concierge_app.db.types import utcnow
from concierge_app.domain.charge_limits import check_chargeable
from concierge_app.domain.currencies import normalise_currency
from concierge_app.domain.errors import Conflict, DomainError, InvalidAmount, InvalidTransition
from concierge_app.domain.lifecycle import BookingStatus, InvoiceStatus, ServiceLifecycle
from concierge_app.domain.money import Money
from concierge_app.domain.statuses import AccommodationCollector, PartnerKind
from concierge_app.services.guest.refunds import still_refundable
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import id_of, load
from concierge_app.services.shared.permissions import Permission, require

_REFERENCE = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,31}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def create_guest(*, db: Database, name: str, email: str, locale: str = "en_US") -> int:
    name, email = name.strip(), email.strip().lower()
    if not name:
        raise DomainError("Enter the guest's name.", field="guest_name")
    if not _EMAIL.match(email):
        raise DomainError(f"'{email}' is not an email address.", field="guest_email")
    with db.transaction() as session:
        guest = Guest(name=name, email=email, locale=locale)
        session.add(guest)
        session.flush()
        return id_of(guest)


def create_booking(
    *,
    db: Database,
    reference: str,
    guest_id: int,
    property_id: int,
    check_in: date,
    check_out: date,
    currency: str,
    accommodation_total: Money,
    accommodation_collected_by: AccommodationCollector | str = AccommodationCollector.PLATFORM,
    actor: str,
) -> int:
    """A confirmed booking with an empty concierge ledger. Returns its id."""
    reference = reference.strip().upper()
    if not _REFERENCE.match(reference):
        raise DomainError(
            "A booking reference is 3–32 letters, digits or dashes.", field="reference"
        )
    if check_out <= check_in:
        raise DomainError("Check-out must be after check-in.", field="check_out")
    code = normalise_currency(currency)
    if accommodation_total.currency != code:
        raise InvalidAmount(
            f"The accommodation total must be in the booking's currency ({code}).",
            field="accommodation_total",
        )
    accommodation_total.require_non_negative("The accommodation total", field="accommodation_total")
    collector = AccommodationCollector(accommodation_collected_by)
    with db.transaction() as session:
        load(session, Guest, guest_id, "Guest")
        prop = load(session, Partner, property_id, "Property")
        if prop.kind != PartnerKind.PROPERTY:
            raise DomainError(f"{prop.name} is not a property.", field="property_id")
        booking = add_booking(
            session,
            reference=reference,
            guest_id=guest_id,
            prop=prop,
            check_in=check_in,
            check_out=check_out,
            accommodation_total=accommodation_total,
            collector=collector,
            actor=actor,
        )
        return id_of(booking)


def add_booking(
    session: Session,
    *,
    reference: str,
    guest_id: int,
    prop: Partner,
    check_in: date,
    check_out: date,
    accommodation_total: Money,
    collector: AccommodationCollector,
    actor: str,
    external_reference: str | None = None,
    request_key: str | None = None,
) -> Booking:
    """`create_booking` inside the caller's transaction, its values already checked
    (`request_key`: the New booking form's, see `booking_entry.new_booking`)."""
    if session.exec(select(Booking.id).where(Booking.reference == reference)).first():
        raise Conflict(f"A booking with reference {reference} already exists.", field="reference")
    booking = Booking(
        reference=reference,
        external_reference=external_reference,
        request_key=request_key,
        guest_id=guest_id,
        property_id=id_of(prop),
        check_in=check_in,
        check_out=check_out,
        currency=accommodation_total.currency,
        accommodation_total_minor=accommodation_total.minor,
        accommodation_collected_by=collector.value,
    )
    session.add(booking)
    session.flush()
    data = {
        "reference": reference,
        "property": prop.name,
        "stay": [check_in.isoformat(), check_out.isoformat()],
        "accommodation_total": str(accommodation_total),
    }
    if external_reference is not None:
        data["external_reference"] = external_reference
    record_event(
        session,
        actor=actor,
        action="booking.created",
        subject=f"booking:{booking.id}",
        booking_id=booking.id,
        data=data,
    )
    return booking


def record_accommodation_payment(
    *,
    db: Database,
    booking_id: int,
    amount: Money,
    received_on: date,
    method: str,
    reference: str | None = None,
    actor: str,
) -> int:
    """A payment received for the stay itself (counts in the booking's overall paid).

    With a reference, recording the same payment again returns the first record.
    """
    reference = (reference or "").strip() or None
    if amount.minor <= 0:
        raise InvalidAmount("The payment must be more than zero.", field="amount")
    check_chargeable(amount, "A payment", field="amount")
    with db.transaction() as session:
        booking = load(session, Booking, booking_id, "Booking", lock=True)
        return add_accommodation_payment(
            session,
            booking=booking,
            amount=amount,
            received_on=received_on,
            method=method,
            reference=reference,
            actor=actor,
        )


def add_accommodation_payment(
    session: Session,
    *,
    booking: Booking,
    amount: Money,
    received_on: date,
    method: str,
    reference: str | None,
    actor: str,
) -> int:
    """`record_accommodation_payment` inside the caller's transaction (the booking locked)."""
    booking_id = id_of(booking)
    if amount.currency != booking.currency:
        raise InvalidAmount(
            f"This booking is in {booking.currency}; the payment is in {amount.currency}.",
            field="amount",
        )
    if reference is not None:
        seen = session.exec(
            select(AccommodationPayment).where(
                AccommodationPayment.booking_id == booking_id,
                AccommodationPayment.reference == reference,
            )
        ).first()
        if seen is not None:
            if (seen.amount_minor, seen.currency) != (amount.minor, amount.currency):
                raise Conflict(
                    f"Payment {reference} is already recorded on this booking for "
                    f"{Money(seen.amount_minor, seen.currency)}.",
                    field="reference",
                )
            return id_of(seen)
    payment = AccommodationPayment(
        booking_id=booking_id,
        amount_minor=amount.minor,
        currency=amount.currency,
        received_on=received_on,
        method=method[:40],
        reference=reference,
    )
    session.add(payment)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="accommodation.payment_recorded",
        subject=f"accommodation_payment:{payment.id}",
        booking_id=booking_id,
        data={"amount": str(amount), "method": method, "reference": reference},
    )
    return id_of(payment)


@dataclass(frozen=True, slots=True)
class BookingCancellation:
    services_cancelled: int
    drafts_voided: int
    active_invoices_kept: int
    refunds_required: int


def cancel_booking(
    *, db: Database, booking_id: int, actor: str, reason: str
) -> BookingCancellation:
    """Cancel the booking and its whole portfolio: drafts voided, Active invoices kept."""
    with db.transaction() as session:
        return cancel_in(session, booking_id=booking_id, actor=actor, reason=reason)


def cancel_in(session: Session, *, booking_id: int, actor: str, reason: str) -> BookingCancellation:
    """`cancel_booking` inside the caller's transaction (the bookings API's)."""
    require(session, actor, Permission.BOOKINGS)
    if not reason.strip():
        raise DomainError("Say why the booking is cancelled.", field="reason")
    booking = load(session, Booking, booking_id, "Booking", lock=True)
    if booking.status == BookingStatus.CANCELLED:
        raise InvalidTransition(f"Booking {booking.reference} is already cancelled.")
    now = utcnow()
    booking.status, booking.cancelled_at, booking.cancel_reason = (
        BookingStatus.CANCELLED.value,
        now,
        reason.strip(),
    )
    session.add(booking)
    services = session.exec(
        select(ServiceItem)
        .where(
            ServiceItem.booking_id == booking_id,
            ServiceItem.lifecycle != ServiceLifecycle.CANCELLED,
        )
        .with_for_update()
    ).all()
    refunds = 0
    for service in services:
        if not still_refundable(session, service).is_zero:
            service.refund_required = True
            refunds += 1
        service.lifecycle, service.cancelled_at = ServiceLifecycle.CANCELLED.value, now
        session.add(service)
    invoices = session.exec(
        select(GuestInvoice).where(GuestInvoice.booking_id == booking_id).with_for_update()
    ).all()
    drafts = [i for i in invoices if i.status == InvoiceStatus.DRAFT]
    for draft in drafts:
        draft.status, draft.voided_at, draft.void_reason = (
            InvoiceStatus.VOIDED.value,
            now,
            "Booking cancelled",
        )
        session.add(draft)
    kept = sum(1 for i in invoices if i.status == InvoiceStatus.ACTIVE)
    result = BookingCancellation(len(services), len(drafts), kept, refunds)
    record_event(
        session,
        actor=actor,
        action="booking.cancelled",
        subject=f"booking:{booking_id}",
        booking_id=booking_id,
        data={
            "reason": reason.strip(),
            "services_cancelled": len(services),
            "drafts_voided": [d.id for d in drafts],
            "active_invoices_kept": kept,
            "refunds_required": refunds,
        },
    )
    return result
