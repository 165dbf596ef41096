"""Staff import bookings from a CSV file (the Bookings page's upload card, `concierge
import-bookings FILE`).

The file is read whole (`domain.booking_csv.parse_bookings_csv`), then every row is checked
against the ledger (its property exists; a booking it updates may take the change); one bad row
refuses the file and nothing is written. Then each row is written in its own transaction: a new
external reference creates a booking, a known one updates that booking, an identical row
changes nothing. A higher `accommodation_paid` than recorded adds the difference as an
accommodation payment; a lower one is refused (an import never removes a payment). Importing
the same file again — or after a crash half way — changes nothing that is already there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlmodel import Session

from concierge_app.db.bookings import Booking
from concierge_app.db.engine import Database
from concierge_app.domain.booking_csv import BookingRow, parse_bookings_csv, refuse_rows
from concierge_app.domain.booking_input import BookingInput, BookingInvalid
from concierge_app.services.guest.booking_entry import (
    accommodation_paid,
    apply_changes,
    booking_by_external,
    change_problems,
    differences,
    insert_booking,
    property_by_code,
)
from concierge_app.services.guest.bookings import add_accommodation_payment
from concierge_app.services.shared.common import id_of
from concierge_app.services.shared.permissions import Permission, require_in

RowStatus = Literal["created", "updated", "unchanged"]
IMPORT_PAYMENT = "bookings import"


@dataclass(frozen=True, slots=True)
class RowOutcome:
    row: int  # its row in the file (header = row 1)
    external_reference: str
    reference: str  # our booking reference
    status: RowStatus
    changed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportResult:
    outcomes: tuple[RowOutcome, ...]

    def count(self, status: RowStatus) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def summary(self) -> str:
        rows = len(self.outcomes)
        return (
            f"{rows} booking{'s' if rows != 1 else ''} in the file: {self.count('created')} "
            f"created, {self.count('updated')} updated, {self.count('unchanged')} unchanged."
        )


def _payment_problem(session: Session, booking: Booking, booking_in: BookingInput) -> str | None:
    recorded = accommodation_paid(session, booking)
    wanted = booking_in.accommodation_paid
    if wanted.currency == recorded.currency and wanted < recorded:
        return (
            f"{recorded} is already recorded as paid for this booking; the file says "
            f"{wanted}. An import never removes a payment."
        )
    return None


def _row_problems(session: Session, line: BookingRow) -> list[str]:
    """Why this row cannot be written, read against the ledger (nothing is written)."""
    found: list[tuple[str, str]] = []
    booking = booking_by_external(session, line.booking.external_reference)
    if booking is None:
        try:
            property_by_code(session, line.booking.property_code)
        except BookingInvalid as missing:
            found += missing.problems
    else:
        found += change_problems(session, booking, line.booking)
        paid = _payment_problem(session, booking, line.booking)
        if paid is not None:
            found.append(("accommodation_paid", paid))
    return [f"Row {line.row} ({field}): {message}" for field, message in found]


def check_against_ledger(db: Database, lines: tuple[BookingRow, ...]) -> None:
    """Refuse the whole file (BookingFileRefused) when any row cannot be written."""
    problems: list[str] = []
    bad = 0
    with db.read() as session:
        for line in lines:
            found = _row_problems(session, line)
            problems += found
            bad += bool(found)
    if bad:
        raise refuse_rows(problems, bad)


@dataclass(frozen=True, slots=True)
class Upserted:
    reference: str  # our booking reference
    booking_id: int
    status: RowStatus
    changed: tuple[str, ...] = ()


def upsert_in(session: Session, wanted: BookingInput, *, actor: str, today: date) -> Upserted:
    """Create the booking of `wanted`'s external reference, or update the one that has it (a
    higher paid amount adds the difference as a payment), in the caller's transaction;
    BookingInvalid when the change may not be made."""
    booking = booking_by_external(session, wanted.external_reference)
    if booking is None:
        made = insert_booking(session, wanted, actor=actor, received_on=today)
        return Upserted(made.reference, made.id, "created")
    problems = change_problems(session, booking, wanted)
    paid = _payment_problem(session, booking, wanted)
    if problems or paid:
        raise BookingInvalid(problems or [("accommodation_paid", paid or "")])
    changed = tuple(differences(session, booking, wanted))
    apply_changes(session, booking, wanted, actor=actor)
    more = wanted.accommodation_paid - accommodation_paid(session, booking)
    if more.minor > 0:
        add_accommodation_payment(
            session,
            booking=booking,
            amount=more,
            received_on=today,
            method=IMPORT_PAYMENT,
            reference=f"IMPORT-PAID-{wanted.accommodation_paid.minor}",
            actor=actor,
        )
        changed += ("accommodation_paid",)
    status: RowStatus = "updated" if changed else "unchanged"
    return Upserted(booking.reference, id_of(booking), status, changed)


def _write(db: Database, line: BookingRow, *, actor: str, today: date) -> RowOutcome:
    with db.transaction() as session:
        done = upsert_in(session, line.booking, actor=actor, today=today)
    return RowOutcome(line.row, line.external_reference, done.reference, done.status, done.changed)


def import_bookings(
    *,
    db: Database,
    csv_text: str,
    actor: str,
    today: date,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Create or update every booking of the file, or none when any row is bad
    (BookingFileRefused lists the rows and reasons). `progress(done, total)` follows the
    writing."""
    require_in(db, actor, Permission.BOOKINGS)
    lines = parse_bookings_csv(csv_text)
    check_against_ledger(db, lines)
    outcomes: list[RowOutcome] = []
    for done, line in enumerate(lines, start=1):
        outcomes.append(_write(db, line, actor=actor, today=today))
        if progress is not None:
            progress(done, len(lines))
    return ImportResult(tuple(outcomes))
