"""The guest's receipts: one per successful checkout (a Pay or a Pay All), numbered from its own
gapless series, written inside the payment's transaction; its PDF rendered on demand from the
stored rows (the receipt, the invoices it settled, the guest, the platform's details)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from concierge_app.adapters.documents.receipt_pdf import render_receipt_pdf
from concierge_app.db.bookings import Booking
from concierge_app.db.engine import Database
from concierge_app.db.invoicing import GuestInvoice
from concierge_app.db.parties import Guest
from concierge_app.db.payments import GuestReceipt
from concierge_app.domain.errors import NotFound
from concierge_app.domain.guest_documents import (
    RECEIPT_SERIES,
    ReceiptDocument,
    SettledInvoice,
    method_label,
    receipt_number,
)
from concierge_app.domain.money import Money
from concierge_app.services.partner.platform import platform_details
from concierge_app.services.shared.common import insert_ignore, next_in_sequence

RECEIPT_ATTACHMENT = "guest_receipt_pdf"  # an outbox attachment: "guest_receipt_pdf:RC-000001"


def issue_receipt(
    session: Session,
    *,
    booking_id: int,
    attempt_id: str,
    amount: Money,
    provider: str,
    paid_at: datetime,
) -> str | None:
    """The receipt of this checkout, inside the payment's transaction: numbered once (a second
    call for the same checkout returns its number and reserves nothing). None for nothing paid."""
    if amount.minor <= 0:
        return None
    # The number is reserved first (the series' row stays locked until the transaction ends);
    # when the checkout has its receipt already, the reservation is handed back: no gap.
    number = receipt_number(next_in_sequence(session, RECEIPT_SERIES))
    inserted = insert_ignore(
        session,
        GuestReceipt,
        {
            "number": number,
            "booking_id": booking_id,
            "attempt_id": attempt_id,
            "amount_minor": amount.minor,
            "currency": amount.currency,
            "provider": provider,
            "paid_at": paid_at,
        },
    )
    if inserted:
        return number
    next_in_sequence(session, RECEIPT_SERIES, -1)
    existing = session.exec(
        select(GuestReceipt.number).where(GuestReceipt.attempt_id == attempt_id)
    ).one()
    return existing


@dataclass(frozen=True, slots=True)
class ReceiptRow:
    """A receipt in a booking's Documents list."""

    id: int
    number: str
    paid_at: datetime
    amount: Money


def booking_receipts(*, db: Database, booking_id: int) -> tuple[ReceiptRow, ...]:
    """The booking's receipts, oldest first."""
    with db.read() as session:
        rows = session.exec(
            select(GuestReceipt)
            .where(GuestReceipt.booking_id == booking_id)
            .order_by(col(GuestReceipt.id))
        ).all()
        return tuple(
            ReceiptRow(_id(r), r.number, r.paid_at, Money(r.amount_minor, r.currency)) for r in rows
        )


def receipt_document(*, db: Database, booking_id: int | None, number: str) -> ReceiptDocument:
    """What the receipt `number` shows. With `booking_id`, NotFound for another booking's
    (None only for the outbox, which attaches the receipt it queued)."""
    with db.read() as session:
        query = select(GuestReceipt).where(GuestReceipt.number == number)
        if booking_id is not None:
            query = query.where(GuestReceipt.booking_id == booking_id)
        receipt = session.exec(query).first()
        if receipt is None:
            raise NotFound("No such receipt on this booking.")
        booking = session.get(Booking, receipt.booking_id)
        guest = session.get(Guest, booking.guest_id) if booking is not None else None
        if booking is None or guest is None:
            raise NotFound("No such receipt on this booking.")
        invoices = session.exec(
            select(GuestInvoice)
            .where(GuestInvoice.paid_by_attempt_id == receipt.attempt_id)
            .order_by(col(GuestInvoice.id))
        ).all()
        return ReceiptDocument(
            platform=platform_details(),
            number=receipt.number,
            booking_reference=booking.reference,
            guest_name=guest.name,
            guest_email=guest.email,
            paid_on=receipt.paid_at.date(),
            method=method_label(receipt.provider),
            amount=Money(receipt.amount_minor, receipt.currency),
            invoices=tuple(
                SettledInvoice(i.number or "", Money(i.total_minor, i.currency)) for i in invoices
            ),
            locale=guest.locale,
        )


def receipt_pdf(*, db: Database, booking_id: int | None, number: str) -> tuple[str, bytes]:
    """The receipt's file name and PDF bytes."""
    doc = receipt_document(db=db, booking_id=booking_id, number=number)
    return f"{doc.number}.pdf", render_receipt_pdf(doc)


def _id(row: GuestReceipt) -> int:
    assert row.id is not None
    return row.id
