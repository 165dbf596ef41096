"""The guest's documents: what a receipt and a sent invoice show, and how a receipt's number
is written.

Plain data built by `services/guest/receipts.py` and `guest_invoices.py` from stored rows and
printed by `adapters/documents/receipt_pdf.py`. Every word printed is in `RECEIPT_TEXT` or
`INVOICE_TEXT`: one place per document to translate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from concierge_app.domain.documents import PlatformDetails
from concierge_app.domain.errors import DomainError
from concierge_app.domain.i18n import N_, gettext
from concierge_app.domain.money import Money, total

RECEIPT_PREFIX = "RC-"
RECEIPT_SERIES = "guest_receipt"  # the gapless sequence's name
_DIGITS = 6

RECEIPT_TEXT = {
    "title": N_("Receipt"),
    "number": N_("Receipt number"),
    "booking": N_("Booking"),
    "paid_on": N_("Payment date"),
    "method": N_("Payment method"),
    "currency": N_("Currency"),
    "status": N_("Status"),
    "paid": N_("Paid"),
    "from": N_("From"),
    "to": N_("Received from"),
    "settled": N_("Invoices settled by this payment"),
    "invoice": N_("Invoice"),
    "amount": N_("Amount"),
    "total": N_("Total paid"),
    "thanks": N_("Thank you: this payment has been received in full."),
}
METHOD_LABELS = {"stripe": N_("Card (Stripe)"), "sandbox": N_("Card (test payment)")}


def document_words(texts: dict[str, str], locale: str) -> dict[str, str]:
    """A document's words (`RECEIPT_TEXT`, `INVOICE_TEXT`) in the language of `locale`."""
    return {key: gettext(locale, text) for key, text in texts.items()}


def receipt_number(value: int) -> str:
    """The n-th receipt of the series: 1 → 'RC-000001' (wider once past 999,999, never cut)."""
    if value < 1:
        raise DomainError("A receipt number starts at 1.")
    return f"{RECEIPT_PREFIX}{value:0{_DIGITS}d}"


def method_label(provider: str) -> str:
    return METHOD_LABELS.get(provider, f"Card ({provider})")


@dataclass(frozen=True, slots=True)
class SettledInvoice:
    number: str
    amount: Money


@dataclass(frozen=True, slots=True)
class ReceiptDocument:
    """One receipt: who issued it, who paid, when, how, and the invoices it settled."""

    platform: PlatformDetails
    number: str
    booking_reference: str
    guest_name: str
    guest_email: str
    paid_on: date
    method: str  # a label, e.g. "Card (Stripe)"
    amount: Money
    invoices: tuple[SettledInvoice, ...]
    locale: str = "en_US"  # the guest's language: the words, dates and amounts printed

    @property
    def currency(self) -> str:
        return self.amount.currency

    @property
    def settled_total(self) -> Money:
        return total((i.amount for i in self.invoices), self.amount.currency)


INVOICE_TEXT = {
    "title": N_("Invoice"),
    "number": N_("Invoice number"),
    "booking": N_("Booking"),
    "issued": N_("Invoice date"),
    "paid_on": N_("Paid on"),
    "currency": N_("Currency"),
    "status": N_("Status"),
    "from": N_("From"),
    "to": N_("Bill to"),
    "lines": N_("Services"),
    "service": N_("Service"),
    "date": N_("Date"),
    "delivered_by": N_("Delivered by"),
    "amount": N_("Amount"),
    "total": N_("Total"),
    "due": N_("Amount due"),
    "paid_note": N_("Paid in full. Thank you."),
    "due_note": N_("Pay it from the Payments card of your booking's portal."),
}
INVOICE_STATUSES = {"active": N_("Due"), "paid": N_("Paid"), "voided": N_("Voided")}


@dataclass(frozen=True, slots=True)
class GuestInvoiceLine:
    description: str
    service_date: date
    delivered_by: str  # the partner who delivers the service
    amount: Money


@dataclass(frozen=True, slots=True)
class GuestInvoiceDocument:
    """A sent guest invoice: issuer, guest, number and dates, lines, total, paid status."""

    platform: PlatformDetails
    number: str
    booking_reference: str
    guest_name: str
    guest_email: str
    issued_on: date
    paid_on: date | None
    status: str  # "active" | "paid" | "voided"
    total: Money
    lines: tuple[GuestInvoiceLine, ...]
    locale: str = "en_US"  # the guest's language: the words, dates and amounts printed

    @property
    def currency(self) -> str:
        return self.total.currency

    @property
    def status_text(self) -> str:
        return INVOICE_STATUSES.get(self.status, self.status)


CREDIT_NOTE_PREFIX = "GCN-"
CREDIT_NOTE_SERIES = "guest_credit_note"  # the gapless sequence's name


def credit_note_number(value: int) -> str:
    """The n-th guest credit note: 1 → 'GCN-000001' (wider once past 999,999, never cut)."""
    if value < 1:
        raise DomainError("A credit note number starts at 1.")
    return f"{CREDIT_NOTE_PREFIX}{value:0{_DIGITS}d}"


@dataclass(frozen=True, slots=True)
class CorrectedLine:
    """What one refunded service gives back, and the invoice it corrects."""

    invoice_number: str
    description: str
    amount: Money


@dataclass(frozen=True, slots=True)
class CreditNoteDocument:
    """A guest credit note: one refund, the invoice(s) it corrects, how much went back and why.
    The paid invoices themselves never change; this document says what was given back."""

    platform: PlatformDetails
    number: str
    booking_reference: str
    guest_name: str
    guest_email: str
    locale: str  # the guest's: every label, date and amount is written in it
    issued_on: date
    amount: Money
    reason: str  # the refund's note, "" when not known (a refund made at the provider)
    lines: tuple[CorrectedLine, ...]

    @property
    def currency(self) -> str:
        return self.amount.currency

    @property
    def invoice_numbers(self) -> tuple[str, ...]:
        """The corrected invoices, each once, in the order of the lines."""
        return tuple(dict.fromkeys(line.invoice_number for line in self.lines))
