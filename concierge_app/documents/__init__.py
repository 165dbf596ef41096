"""Partner documents: what a commission invoice, credit/debit note or VAT/GST document shows.

The services build an `InvoiceDocument` (see `services/partner_documents.py`); the adapters in
this package render it: `statement_csv` (the reservation statement as CSV) and
`partner_invoice_pdf` (the PDF). These classes are plain data, defined here so that the
adapters depend on nothing above them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..domain.money import Money, total
from ..domain.partner_billing import InvoiceStatus, PartnerInvoiceKind, PartnerInvoiceState, Period

KIND_TITLES = {
    PartnerInvoiceKind.COMMISSION: "Commission invoice",
    PartnerInvoiceKind.CREDIT_NOTE: "Credit note",
    PartnerInvoiceKind.DEBIT_NOTE: "Debit note",
    PartnerInvoiceKind.VAT: "VAT/GST document",
}
COLLECTOR_LABELS = {"platform": "Platform", "partner": "Partner", "shared": "Shared"}


def rate_text(rate_bps: int) -> str:
    """A rate in basis points as a percentage: 1500 → '15%', 1250 → '12.5%', 1234 → '12.34%'."""
    return f"{Decimal(rate_bps).scaleb(-2).normalize():f}%"


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One reservation or service on the statement."""

    reference: str
    guest_name: str
    description: str
    start_date: date  # check-in, or the service date
    end_date: date  # check-out, or the service date
    base: Money
    rate: str  # "15%"
    commission: Money
    collected_by: str  # "platform" | "partner" | "shared" (a deposit service)

    @property
    def collected_by_label(self) -> str:
        return COLLECTOR_LABELS.get(self.collected_by, self.collected_by)


@dataclass(frozen=True, slots=True)
class PartnerDetails:
    """The recipient."""

    id: int
    name: str
    code: str  # the property ID
    kind: str  # "property" | "operator"
    address: str  # lines separated by \n
    country: str
    finance_email: str
    payment_method: str  # CommissionPaymentMethod value
    payment_method_label: str  # "Deducted from your payout", "Bank transfer", …

    @property
    def id_label(self) -> str:
        return "Property ID" if self.kind == "property" else "Partner ID"


@dataclass(frozen=True, slots=True)
class PlatformDetails:
    """The issuer, and where bank transfers go."""

    name: str
    legal_name: str
    address: str  # lines separated by \n
    vat_id: str
    email: str
    bank_name: str
    iban: str
    bic: str


@dataclass(frozen=True, slots=True)
class PayoutSummary:
    """The period's payout: gross collected by the platform − commission = net paid out."""

    gross: Money
    commission: Money
    net: Money


@dataclass(frozen=True, slots=True)
class InvoiceDocument:
    """Everything one partner document shows, already computed (amounts exact, in one currency)."""

    id: int
    number: str
    kind: PartnerInvoiceKind
    period: Period
    period_label: str  # "November 2026"
    invoice_date: date
    due_date: date
    currency: str
    amount: Money  # the commission (or the note's amount)
    deducted: Money  # commission taken from the payout
    payable: Money  # amount − deducted
    state: PartnerInvoiceState
    status: InvoiceStatus
    nothing_to_pay: bool
    partner: PartnerDetails
    payout: PayoutSummary | None
    lines: tuple[StatementLine, ...]
    payment_reference: str  # "{property ID} {number}": what to quote on a bank transfer
    platform: PlatformDetails
    related_number: str | None = None  # the invoice a credit or debit note corrects
    reason: str | None = None  # why a note was issued

    @property
    def title(self) -> str:
        return KIND_TITLES[self.kind]

    @property
    def base_total(self) -> Money:
        return total((line.base for line in self.lines), self.currency)

    @property
    def commission_total(self) -> Money:
        """The statement's commission (equals `amount` on a commission invoice)."""
        return total((line.commission for line in self.lines), self.currency)
