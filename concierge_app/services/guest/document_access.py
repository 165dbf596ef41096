"""Who may read a guest's document file: the holder of the booking's portal link (its token)
(or, back from a checkout, its return code: what opens the portal then) or a signed-in staff
member. Anyone else gets nothing, and is not told whether it exists."""

from __future__ import annotations

from sqlmodel import select

from concierge_app.db.bookings import Booking
from concierge_app.db.engine import Database
from concierge_app.domain.errors import NotFound
from concierge_app.domain.guest_documents import CREDIT_NOTE_PREFIX, RECEIPT_PREFIX
from concierge_app.services.access.staff_sign_in import current_staff
from concierge_app.services.guest.credit_notes import credit_note_pdf
from concierge_app.services.guest.guest_invoices import guest_invoice_pdf
from concierge_app.services.guest.links import booking_for_guest, booking_for_return
from concierge_app.services.guest.receipts import receipt_pdf

MAX_KEY = 64  # a reference or a document number longer than this names nothing


def _booking_id(db: Database, reference: str) -> int | None:
    with db.read() as session:
        return session.exec(select(Booking.id).where(Booking.reference == reference)).first()


def document_file(
    *,
    db: Database,
    reference: str,
    number: str,
    guest_token: str,
    staff_token: str,
    returned: tuple[str, str] = ("", ""),
) -> tuple[str, bytes] | None:
    """The document's (file name, PDF) for a reader who may see it — a receipt (RC-…), a credit
    note (GCN-…) or a sent invoice (CI-…) of the booking; None otherwise.
    `returned`: (attempt id, return code) of a checkout the guest came back from."""
    if not reference or not number or len(reference) > MAX_KEY or len(number) > MAX_KEY:
        return None
    booking_id = booking_for_guest(db=db, token=guest_token, reference=reference)
    if booking_id is None and returned[0]:
        attempt, code = returned
        booking_id = booking_for_return(db=db, attempt_id=attempt, code=code, reference=reference)
    if booking_id is None and staff_token and current_staff(db=db, token=staff_token):
        booking_id = _booking_id(db, reference)
    if booking_id is None:
        return None
    try:
        if number.startswith(RECEIPT_PREFIX):
            return receipt_pdf(db=db, booking_id=booking_id, number=number)
        if number.startswith(CREDIT_NOTE_PREFIX):
            return credit_note_pdf(db=db, booking_id=booking_id, number=number)
        return guest_invoice_pdf(db=db, booking_id=booking_id, number=number)
    except NotFound:
        return None
