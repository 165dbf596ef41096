"""The guest's credit notes: one per refund that gave money back, numbered from their own
gapless series (GCN-000001), written in the transaction that records the refund as succeeded
— from the Refund dialog or made at the payment provider and read from its events — and sent to
the guest with the "Refund Issued" message, the PDF attached. The paid invoices they correct
never change; the PDF is rendered on demand from the stored rows, in the guest's language.

One refund, one note: a Refund dialog's refund is one `refund` row ('refund:<id>'); one made at
the provider may be spread over several services' rows, all with its id ('provider:<re_…>').
The key is unique, so a replayed webhook, a retried request or a double click never makes two.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from concierge_app.adapters.documents.credit_note_pdf import render_credit_note_pdf
from concierge_app.db.bookings import Booking, ServiceItem
from concierge_app.db.engine import Database
from concierge_app.db.invoicing import GuestInvoice, InvoiceLine
from concierge_app.db.parties import Guest
from concierge_app.db.payments import GuestCreditNote, GuestCreditNoteLine, Refund
from concierge_app.db.types import utcnow
from concierge_app.domain.errors import NotFound
from concierge_app.domain.formatting import format_money
from concierge_app.domain.guest_documents import (
    CREDIT_NOTE_SERIES,
    CorrectedLine,
    CreditNoteDocument,
    credit_note_number,
)
from concierge_app.domain.money import Money
from concierge_app.domain.statuses import RefundSource, RefundStatus
from concierge_app.services.guest.links import new_portal_link
from concierge_app.services.partner.platform import platform_details
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import id_of, insert_ignore, next_in_sequence
from concierge_app.services.shared.messages import booking_recipient, queue_message

CREDIT_NOTE_ATTACHMENT = "guest_credit_note_pdf"  # an outbox attachment: "…:GCN-000001"
DOCUMENTS_CARD = "documents"  # the portal's Documents list (its element id)


def refund_key(refund: Refund) -> str:
    """Which refund a row belongs to: the Refund dialog's own, or one made at the provider."""
    if refund.source == RefundSource.PROVIDER and refund.provider_reference:
        return f"provider:{refund.provider_reference}"
    return f"refund:{id_of(refund)}"


def issue_credit_notes(session: Session, refunds: Sequence[Refund], *, actor: str) -> list[str]:
    """The credit note of each refund among these succeeded rows, inside the caller's
    transaction: numbered, stored, told to the guest with the PDF, audited — once (a refund
    that has its note already reserves nothing). Returns the notes' numbers."""
    groups: dict[str, list[Refund]] = {}
    for row in refunds:
        if row.status == RefundStatus.SUCCEEDED:
            groups.setdefault(refund_key(row), []).append(row)
    return [_issue(session, key, rows, actor) for key, rows in groups.items()]


def _issue(session: Session, key: str, rows: list[Refund], actor: str) -> str:
    # The series' row lock first (a bump by nothing), then the check: two transactions settling
    # the same refund at once (the Refund dialog and the provider's event) make one note.
    next_in_sequence(session, CREDIT_NOTE_SERIES, count=0)
    existing = session.exec(
        select(GuestCreditNote.number).where(GuestCreditNote.refund_key == key)
    ).first()
    if existing is not None:
        return existing
    # The rows' invoices, read before a number is reserved: nothing below can fail half-way.
    invoices = [_corrected_invoice(session, row) for row in rows]
    booking = session.get(Booking, rows[0].booking_id)
    assert booking is not None and booking.id is not None
    amount = Money(sum(r.amount_minor for r in rows), rows[0].currency)
    reason = "" if rows[0].source == RefundSource.PROVIDER else rows[0].note
    number = credit_note_number(next_in_sequence(session, CREDIT_NOTE_SERIES))
    now = utcnow()
    insert_ignore(
        session,
        GuestCreditNote,
        {
            "number": number,
            "booking_id": booking.id,
            "refund_key": key,
            "amount_minor": amount.minor,
            "currency": amount.currency,
            "reason": reason,
            "issued_at": now,
        },
    )
    note_id = id_of(
        session.exec(select(GuestCreditNote).where(GuestCreditNote.number == number)).one()
    )
    for row, invoice in zip(rows, invoices, strict=True):
        session.add(
            GuestCreditNoteLine(
                credit_note_id=note_id,
                refund_id=id_of(row),
                invoice_id=id_of(invoice),
                amount_minor=row.amount_minor,
                currency=row.currency,
            )
        )
    session.flush()
    invoice_numbers = ", ".join(dict.fromkeys(i.number or "" for i in invoices))
    link = new_portal_link(booking_id=booking.id, reference=booking.reference)
    guest = booking_recipient(session, booking, portal_url=f"{link}#{DOCUMENTS_CARD}")
    queue_message(
        session,
        dedupe_key=f"refund_issued:{number}",
        template_key="refund_issued",
        recipient=guest.email,
        booking_id=booking.id,
        context=guest.context
        | {
            "credit_note_number": number,
            "amount_refunded": format_money(amount, guest.locale),
            "invoice_numbers": invoice_numbers,
            "reason": reason,
        },
        attachment=f"{CREDIT_NOTE_ATTACHMENT}:{number}",
        language=guest.locale,
    )
    record_event(
        session,
        actor=actor,
        action="credit_note.issued",
        subject=f"credit_note:{number}",
        booking_id=booking.id,
        data={
            "refund": key,
            "amount": str(amount),
            "invoices": [i.number for i in invoices],
            "refunds": [r.id for r in rows],
        },
    )
    return number


def _corrected_invoice(session: Session, refund: Refund) -> GuestInvoice:
    """The paid invoice whose line for the refunded service the refund gives back from."""
    invoice = session.exec(
        select(GuestInvoice)
        .join(InvoiceLine, col(InvoiceLine.invoice_id) == GuestInvoice.id)
        .where(
            InvoiceLine.service_item_id == refund.service_item_id,
            GuestInvoice.paid_by_attempt_id == refund.attempt_id,
        )
        .order_by(col(GuestInvoice.id).desc())
    ).first()
    if invoice is None:
        raise NotFound(f"No paid invoice for the refunded service of refund {refund.id}.")
    return invoice


@dataclass(frozen=True, slots=True)
class CreditNoteRow:
    """A credit note in a booking's Documents list."""

    id: int
    number: str
    issued_at: datetime
    amount: Money


def booking_credit_notes(*, db: Database, booking_id: int) -> tuple[CreditNoteRow, ...]:
    """The booking's credit notes, oldest first."""
    with db.read() as session:
        rows = session.exec(
            select(GuestCreditNote)
            .where(GuestCreditNote.booking_id == booking_id)
            .order_by(col(GuestCreditNote.id))
        ).all()
        return tuple(
            CreditNoteRow(id_of(r), r.number, r.issued_at, Money(r.amount_minor, r.currency))
            for r in rows
        )


def credit_note_document(
    *, db: Database, booking_id: int | None, number: str
) -> CreditNoteDocument:
    """What the credit note `number` shows, in its guest's language. With `booking_id`,
    NotFound for another booking's (None only for the outbox, which attaches what it queued)."""
    with db.read() as session:
        query = select(GuestCreditNote).where(GuestCreditNote.number == number)
        if booking_id is not None:
            query = query.where(GuestCreditNote.booking_id == booking_id)
        note = session.exec(query).first()
        if note is None:
            raise NotFound("No such credit note on this booking.")
        booking = session.get(Booking, note.booking_id)
        guest = session.get(Guest, booking.guest_id) if booking is not None else None
        if booking is None or guest is None:
            raise NotFound("No such credit note on this booking.")
        lines = session.exec(
            select(GuestCreditNoteLine, GuestInvoice, ServiceItem)
            .join(GuestInvoice, col(GuestInvoice.id) == GuestCreditNoteLine.invoice_id)
            .join(Refund, col(Refund.id) == GuestCreditNoteLine.refund_id)
            .join(ServiceItem, col(ServiceItem.id) == Refund.service_item_id)
            .where(GuestCreditNoteLine.credit_note_id == note.id)
            .order_by(col(GuestCreditNoteLine.id))
        ).all()
        return CreditNoteDocument(
            platform=platform_details(),
            number=note.number,
            booking_reference=booking.reference,
            guest_name=guest.name,
            guest_email=guest.email,
            locale=guest.locale,
            issued_on=note.issued_at.date(),
            amount=Money(note.amount_minor, note.currency),
            reason=note.reason,
            lines=tuple(
                CorrectedLine(
                    invoice.number or "", service.title, Money(line.amount_minor, line.currency)
                )
                for line, invoice, service in lines
            ),
        )


def credit_note_pdf(*, db: Database, booking_id: int | None, number: str) -> tuple[str, bytes]:
    """The credit note's file name and PDF bytes."""
    doc = credit_note_document(db=db, booking_id=booking_id, number=number)
    return f"{doc.number}.pdf", render_credit_note_pdf(doc)
