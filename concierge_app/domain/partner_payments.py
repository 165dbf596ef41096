"""Rules for money from partners: reading a transfer's reference, when a transfer is reflected,
and which documents each way of paying may settle."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from concierge_app.domain.allocation import add_business_days
from concierge_app.domain.errors import DomainError
from concierge_app.domain.partner_billing import PartnerInvoiceKind, PartnerInvoiceState

# Numbers a partner can quote: commission invoices, debit notes and VAT/GST documents.
_NUMBER = re.compile(r"\b(?:CM|DN|VT)-\d{4}-\d{6,}\b", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]|[A-Za-z0-9]")
PAYABLE_KINDS = (
    PartnerInvoiceKind.COMMISSION,
    PartnerInvoiceKind.DEBIT_NOTE,
    PartnerInvoiceKind.VAT,
)
BLACK_STATES = (PartnerInvoiceState.WRITTEN_OFF, PartnerInvoiceState.LEGAL)
BLACK_ONLY_BY_TRANSFER = (
    "This invoice was {state}: it can only be paid by bank transfer, quoting {reference}."
)


@dataclass(frozen=True, slots=True)
class QuotedReference:
    """What a payer wrote: invoice numbers and the other words (a property ID among them)."""

    numbers: tuple[str, ...]
    words: tuple[str, ...]


def read_reference(text: str) -> QuotedReference:
    """Invoice numbers (upper-cased, in order, once each) and the remaining words."""
    numbers = list(dict.fromkeys(m.upper() for m in _NUMBER.findall(text or "")))
    rest = _NUMBER.sub(" ", text or "")
    words = tuple(dict.fromkeys(w.upper() for w in _TOKEN.findall(rest)))
    return QuotedReference(tuple(numbers), words)


def reflected_on(received: date, processing_days: int, holidays: Iterable[date] = ()) -> date:
    """The day a bank transfer received on `received` counts as paid."""
    if not 0 <= processing_days <= 10:
        raise DomainError("Processing takes 0 to 10 business days.", field="processing_days")
    return add_business_days(received, processing_days, holidays)


def check_method_allowed(method: str, state: PartnerInvoiceState, reference: str) -> None:
    """Written-off and legal invoices are paid by bank transfer only."""
    if state in BLACK_STATES and method != "bank_transfer":
        words = "written off" if state is PartnerInvoiceState.WRITTEN_OFF else "sent to legal"
        raise DomainError(BLACK_ONLY_BY_TRANSFER.format(state=words, reference=reference))
