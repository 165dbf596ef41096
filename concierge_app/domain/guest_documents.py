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
from concierge_app.domain.money import Money, total

RECEIPT_PREFIX = "RC-"
RECEIPT_SERIES = "guest_receipt"  # the gapless sequence's name
_DIGITS = 6

RECEIPT_TEXT = {
    "title": "Receipt",
    "number": "Receipt number",
    "booking": "Booking",
    "paid_on": "Payment date",
    "method": "Payment method",
    "currency": "Currency",
    "status": "Status",
    "paid": "Paid",
    "from": "From",
    "to": "Received from",
    "settled": "Invoices settled by this payment",
    "invoice": "Invoice",
    "amount": "Amount",
    "total": "Total paid",
    "thanks": "Thank you: this payment has been received in full.",
}
METHOD_LABELS = {"stripe": "Card (Stripe)", "sandbox": "Card (test payment)"}


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

    @property
    def currency(self) -> str:
        return self.amount.currency

    @property
    def settled_total(self) -> Money:
        return total((i.amount for i in self.invoices), self.amount.currency)


INVOICE_TEXT = {
    "title": "Invoice",
    "number": "Invoice number",
    "booking": "Booking",
    "issued": "Invoice date",
    "paid_on": "Paid on",
    "currency": "Currency",
    "status": "Status",
    "from": "From",
    "to": "Bill to",
    "lines": "Services",
    "service": "Service",
    "date": "Date",
    "delivered_by": "Delivered by",
    "amount": "Amount",
    "total": "Total",
    "due": "Amount due",
    "paid_note": "Paid in full. Thank you.",
    "due_note": "Pay it from the Payments card of your booking's portal.",
}
INVOICE_STATUSES = {"active": "Due", "paid": "Paid", "voided": "Voided"}


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
