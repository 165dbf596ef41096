"""Which partner documents may be paid online (by card, through the payment gateway).

Only a document with money still due, not written off or with legal (those are paid by bank
transfer only), and with no bank transfer processing for it (paying it online as well would pay
it twice). One checkout covers documents of one currency.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .errors import CurrencyMismatch, DomainError
from .money import Money, total
from .partner_billing import PartnerInvoiceState
from .partner_payments import check_method_allowed

ONLINE = "online"
ALREADY_PAID = "Invoice {number} is already paid."
PROCESSING = (
    "A bank transfer for invoice {number} is processing: paying it online as well would pay it "
    "twice. It turns Paid once the transfer is reflected."
)


@dataclass(frozen=True, slots=True)
class OnlineCandidate:
    """What the rule looks at for one document."""

    number: str
    state: PartnerInvoiceState
    outstanding: Money  # amount − deducted − payments and credit applied
    reference: str  # what a bank transfer quotes: property ID + invoice number
    processing: bool = False  # a transfer received (or "I've paid"), not reflected yet


def online_refusal(doc: OnlineCandidate) -> str | None:
    """Why this document cannot be paid online (None: it can)."""
    if doc.outstanding.minor <= 0:
        return ALREADY_PAID.format(number=doc.number)
    try:
        check_method_allowed(ONLINE, doc.state, doc.reference)
    except DomainError as black:
        return black.message
    if doc.processing:
        return PROCESSING.format(number=doc.number)
    return None


def check_online_payable(docs: Iterable[OnlineCandidate]) -> Money:
    """The total one checkout of these documents charges; refused with the first reason, or
    when they mix currencies or there are none."""
    docs = list(docs)
    if not docs:
        raise DomainError("Choose at least one invoice to pay.")
    for doc in docs:
        refusal = online_refusal(doc)
        if refusal:
            raise DomainError(refusal)
    currencies = sorted({d.outstanding.currency for d in docs})
    if len(currencies) > 1:
        raise CurrencyMismatch(
            f"These invoices are in {' and '.join(currencies)}: pay each currency in its own "
            "online payment."
        )
    return total((d.outstanding for d in docs), currencies[0])
