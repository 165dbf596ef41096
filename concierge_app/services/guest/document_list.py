"""A booking's guest documents, as both the portal and the staff booking page list them: the
sent invoices, then the receipts, then the credit notes, each with its date and amount."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from concierge_app.db.engine import Database
from concierge_app.domain.i18n import N_, gettext
from concierge_app.domain.money import Money
from concierge_app.services.guest.credit_notes import booking_credit_notes
from concierge_app.services.guest.guest_invoices import booking_invoice_files
from concierge_app.services.guest.receipts import booking_receipts

# Each kind's title, in the reader's language ("Recibo RC-000001").
TITLES = {
    "invoice": N_("Invoice {number}"),
    "receipt": N_("Receipt {number}"),
    "credit_note": N_("Credit note {number}"),
}


@dataclass(frozen=True, slots=True)
class GuestDocumentRow:
    kind: str  # invoice / receipt / credit_note
    number: str
    day: date  # issued (invoice, credit note) or paid (receipt)
    amount: Money

    def title(self, locale: str = "en_US") -> str:
        return gettext(locale, TITLES[self.kind], number=self.number)


def booking_documents(*, db: Database, booking_id: int) -> list[GuestDocumentRow]:
    """The booking's documents: sent invoices, receipts and credit notes, each oldest first."""
    invoices = booking_invoice_files(db=db, booking_id=booking_id)
    receipts = booking_receipts(db=db, booking_id=booking_id)
    notes = booking_credit_notes(db=db, booking_id=booking_id)
    return (
        [GuestDocumentRow("invoice", i.number, i.issued_at.date(), i.total) for i in invoices]
        + [GuestDocumentRow("receipt", r.number, r.paid_at.date(), r.amount) for r in receipts]
        + [GuestDocumentRow("credit_note", n.number, n.issued_at.date(), n.amount) for n in notes]
    )
