"""A sent guest invoice as a document: what its PDF shows, read from the stored rows (the
invoice, its lines, who delivers each service, the guest, the platform's details)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from concierge_app.adapters.documents.receipt_pdf import render_guest_invoice_pdf
from concierge_app.db.bookings import Booking, ServiceItem
from concierge_app.db.engine import Database
from concierge_app.db.invoicing import GuestInvoice, InvoiceLine
from concierge_app.db.parties import Guest, Partner
from concierge_app.domain.errors import NotFound
from concierge_app.domain.guest_documents import GuestInvoiceDocument, GuestInvoiceLine
from concierge_app.domain.lifecycle import InvoiceStatus
from concierge_app.domain.money import Money
from concierge_app.services.partner.platform import platform_details

NOT_FOUND = "No such invoice on this booking."


@dataclass(frozen=True, slots=True)
class InvoiceFileRow:
    """A sent invoice in a booking's Documents list."""

    number: str
    issued_at: datetime
    total: Money
    status: str


def booking_invoice_files(*, db: Database, booking_id: int) -> tuple[InvoiceFileRow, ...]:
    """The booking's sent invoices (Active or Paid), oldest first. Drafts have no document."""
    with db.read() as session:
        rows = session.exec(
            select(GuestInvoice)
            .where(
                GuestInvoice.booking_id == booking_id,
                col(GuestInvoice.status).in_([InvoiceStatus.ACTIVE, InvoiceStatus.PAID]),
            )
            .order_by(col(GuestInvoice.id))
        ).all()
        return tuple(
            InvoiceFileRow(
                r.number or "",
                r.issued_at or r.created_at,
                Money(r.total_minor, r.currency),
                r.status,
            )
            for r in rows
            if r.number
        )


def guest_invoice_document(*, db: Database, booking_id: int, number: str) -> GuestInvoiceDocument:
    """What the sent invoice `number` of this booking shows; NotFound otherwise."""
    with db.read() as session:
        invoice = session.exec(
            select(GuestInvoice).where(
                GuestInvoice.number == number,
                GuestInvoice.booking_id == booking_id,
                GuestInvoice.status != InvoiceStatus.DRAFT,
            )
        ).first()
        booking = session.get(Booking, booking_id)
        guest = session.get(Guest, booking.guest_id) if booking is not None else None
        if invoice is None or booking is None or guest is None or invoice.issued_at is None:
            raise NotFound(NOT_FOUND)
        lines = session.exec(
            select(InvoiceLine, ServiceItem, Partner)
            .join(ServiceItem, col(ServiceItem.id) == InvoiceLine.service_item_id)
            .join(Partner, col(Partner.id) == ServiceItem.operator_id)
            .where(InvoiceLine.invoice_id == invoice.id)
            .order_by(col(InvoiceLine.id))
        ).all()
        return GuestInvoiceDocument(
            platform=platform_details(),
            number=number,
            booking_reference=booking.reference,
            guest_name=guest.name,
            guest_email=guest.email,
            issued_on=invoice.issued_at.date(),
            paid_on=invoice.paid_at.date() if invoice.paid_at else None,
            status=invoice.status,
            total=Money(invoice.total_minor, invoice.currency),
            lines=tuple(
                GuestInvoiceLine(
                    line.description,
                    service.service_date,
                    partner.name,
                    Money(line.amount_minor, line.currency),
                )
                for line, service, partner in lines
            ),
            locale=guest.locale,
        )


def guest_invoice_pdf(*, db: Database, booking_id: int, number: str) -> tuple[str, bytes]:
    """The sent invoice's file name and PDF bytes."""
    doc = guest_invoice_document(db=db, booking_id=booking_id, number=number)
    return f"{doc.number}.pdf", render_guest_invoice_pdf(doc)
