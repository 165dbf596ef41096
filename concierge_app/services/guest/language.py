"""The guest's language, as chosen on the portal: saved on the guest, so that the portal, the
messages and the documents all follow it."""

from __future__ import annotations

from sqlmodel import col, select

from concierge_app.db.bookings import Booking
from concierge_app.db.engine import Database
from concierge_app.db.parties import Guest
from concierge_app.domain.errors import DomainError
from concierge_app.domain.i18n import LANGUAGE_LOCALES, LANGUAGES, language_of
from concierge_app.services.shared.audit import record_event


def set_guest_language(*, db: Database, booking_id: int, language: str) -> str:
    """Save `language` ('es') on the booking's guest; returns the guest's locale ('es_ES').
    A guest already in that language keeps their own locale (en_GB stays en_GB). Audited."""
    if language not in LANGUAGES:
        raise DomainError(f"'{language[:10]}' is not a language the portal is written in.")
    with db.transaction() as session:
        guest = session.exec(
            select(Guest)
            .join(Booking, col(Booking.guest_id) == Guest.id)
            .where(Booking.id == booking_id)
        ).one()
        if language_of(guest.locale) == language:
            return guest.locale
        before, guest.locale = guest.locale, LANGUAGE_LOCALES[language]
        session.add(guest)
        record_event(
            session,
            actor="guest:portal",
            action="guest.language_changed",
            subject=f"booking:{booking_id}",
            booking_id=booking_id,
            data={"from": before, "to": guest.locale},
        )
        return guest.locale
