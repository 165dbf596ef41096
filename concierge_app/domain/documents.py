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

from concierge_app.domain.formatting import format_long_day
from concierge_app.domain.i18n import N_, gettext
from concierge_app.domain.money import Money, total
from concierge_app.domain.partner_billing import (
    InvoiceStatus,
    PartnerInvoiceKind,
    PartnerInvoiceState,
    Period,
)

KIND_TITLES = {
    PartnerInvoiceKind.COMMISSION: N_("Commission invoice"),
    PartnerInvoiceKind.CREDIT_NOTE: N_("Credit note"),
    PartnerInvoiceKind.DEBIT_NOTE: N_("Debit note"),
    PartnerInvoiceKind.VAT: N_("VAT/GST document"),
}
COLLECTOR_LABELS = {
    "platform": "Collected by us",
    "partner": "Collected by you",
    "shared": "Deposit by us",
}


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
    vat: Money | None = None  # VAT/GST on the commission, deducted with it


@dataclass(frozen=True, slots=True)
class TaxLine:
    """What a VAT/GST document taxes: its commission invoice's amount at the country's rate."""

    label: str  # "VAT" or "GST"
    rate: str  # "21 %"
    base: Money  # the commission invoice's amount
    invoice_number: str

    @property
    def wording(self) -> str:
        return f"{self.label} {self.rate} on commission invoice {self.invoice_number}"


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
    tax: TaxLine | None = None  # a VAT/GST document: what it taxes

    @property
    def title(self) -> str:
        """ "Commission invoice", "Credit note", "VAT document" / "GST document", …"""
        return f"{self.tax.label} document" if self.tax else KIND_TITLES[self.kind]

    @property
    def subtitle(self) -> str:
        """What the document is about, in a line under its title."""
        if self.tax is not None:
            return f"{self.tax.wording} ({self.period_label})"
        if self.kind in (PartnerInvoiceKind.CREDIT_NOTE, PartnerInvoiceKind.DEBIT_NOTE):
            why = f": {self.reason}" if self.reason else ""
            return f"Correction to invoice {self.related_number or ''}{why}"
        return f"Reservations that departed in {self.period_label}"

    @property
    def base_total(self) -> Money:
        return total((line.base for line in self.lines), self.currency)

    @property
    def commission_total(self) -> Money:
        """The statement's commission (equals `amount` on a commission invoice)."""
        return total((line.commission for line in self.lines), self.currency)


def group_iban(iban: str) -> str:
    """'ES91 2100 0418 4502 0005 1332': groups of four, as printed on paper."""
    compact = iban.replace(" ", "").upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def payment_lines(
    *,
    kind: PartnerInvoiceKind,
    method: str,
    state: PartnerInvoiceState,
    payable: str,
    deducted: Money,
    nothing_to_pay: bool,
    due: date,
    reference: str,
    platform: PlatformDetails,
    locale: str = "en_US",
) -> list[str]:
    """How to settle a document, by the partner's payment method: the one wording used on the
    PDF, the statement page and the "Partner Invoice Issued" email. A written-off invoice, or one
    with our legal department, can only be paid by bank transfer. In the language of `locale`
    (the partner's, for its notices); `payable` is already formatted in it."""
    if kind is PartnerInvoiceKind.CREDIT_NOTE:
        return [
            gettext(
                locale,
                "This credit note is not paid out to your bank account: it pays the invoice it "
                "corrects first; what that invoice no longer needs pays your open or future "
                "invoices.",
            )
        ]
    if nothing_to_pay:
        return (
            [gettext(locale, "Nothing to pay.")]
            if deducted.is_zero
            else [gettext(locale, "Deducted from your payout — nothing to pay")]
        )
    black = state is not PartnerInvoiceState.ISSUED
    day = format_long_day(due, locale)
    due_text = gettext(locale, "Amount payable: {payable}, due by {due}.", payable=payable, due=day)
    if method == "direct_debit" and not black:
        return [
            due_text,
            gettext(
                locale, "We will collect this amount by direct debit from your account on file."
            ),
        ]
    if method == "online" and not black:
        return [due_text, gettext(locale, "Pay online in Finance → Invoices.")]
    lines = [
        gettext(
            locale, "Please pay {payable} by bank transfer by {due}.", payable=payable, due=day
        ),
        gettext(locale, "Account holder: {name}", name=platform.legal_name),
        gettext(locale, "Bank: {name}", name=platform.bank_name),
        f"IBAN: {group_iban(platform.iban)}",
        f"BIC: {platform.bic}",
        gettext(locale, "Quote this reference: {reference}", reference=reference),
    ]
    if black:
        lines.insert(0, gettext(locale, "This invoice can only be paid by bank transfer."))
    return lines


def document_payment_lines(doc: InvoiceDocument, payable: str) -> list[str]:
    """`payment_lines` for a built document (`payable` already formatted for people)."""
    return payment_lines(
        kind=doc.kind,
        method=doc.partner.payment_method,
        state=doc.state,
        payable=payable,
        deducted=doc.deducted,
        nothing_to_pay=doc.nothing_to_pay,
        due=doc.due_date,
        reference=doc.payment_reference,
        platform=doc.platform,
    )
