"""Which partner documents may be paid online (by card, through the payment gateway).

Only a document with money still due, not written off or with legal (those are paid by bank
transfer only), and with no bank transfer processing for it (paying it online as well would pay
it twice). One checkout covers documents of one currency.

And only where the partner's payment method allows it (the partner guide: the payment methods
are agreed per partner): a partner paying online pays online; a partner paying by direct debit
is collected from its account — it pays online a document whose direct debit failed ("pay it
another way") or while it has no accepted mandate; a partner paying by bank transfer (or whose
commission is deducted from its payout, the rest by transfer) pays by transfer. A group on the
multiple property plan pays as the group (no method: the group's plan allows online payment).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from concierge_app.domain.charge_limits import max_charge
from concierge_app.domain.direct_debit import SEPA_CURRENCIES
from concierge_app.domain.errors import CurrencyMismatch, DomainError, InvalidAmount
from concierge_app.domain.money import Money, total
from concierge_app.domain.partner_billing import PartnerInvoiceState
from concierge_app.domain.partner_payments import BLACK_STATES, PAYABLE_KINDS, check_method_allowed

ONLINE = "online"
ALREADY_PAID = "Invoice {number} is already paid."
PROCESSING = (
    "A bank transfer for invoice {number} is processing: paying it online as well would pay it "
    "twice. It turns Paid once the transfer is reflected."
)


BY_TRANSFER = (
    "You pay by bank transfer: quote {reference}. To pay online instead, ask us through the "
    "Inbox (Invoices and commission → Other)."
)
BY_DIRECT_DEBIT = (
    "Collected by direct debit from your account (mandate {mandate}): nothing to do. If the "
    "debit fails, you can pay it online."
)


@dataclass(frozen=True, slots=True)
class PayingWay:
    """How one partner pays: its payment method, its accepted direct debit mandate ("" none) and
    the documents whose direct debit failed (still open)."""

    method: str  # CommissionPaymentMethod value
    mandate: str = ""
    debit_failed: frozenset[int] = frozenset()
    debit_currencies: frozenset[str] = SEPA_CURRENCIES  # what a direct debit can collect


@dataclass(frozen=True, slots=True)
class OnlineCandidate:
    """What the rule looks at for one document."""

    number: str
    state: PartnerInvoiceState
    outstanding: Money  # amount − deducted − payments and credit applied
    reference: str  # what a bank transfer quotes: property ID + invoice number
    processing: bool = False  # a transfer received (or "I've paid"), not reflected yet
    invoice_id: int = 0
    way: PayingWay | None = None  # None: a group pays (its plan allows online payment)


def method_refusal(doc: OnlineCandidate) -> str | None:
    """Why the partner's payment method does not pay this document online (None: it does)."""
    way = doc.way
    if way is None or way.method == ONLINE:
        return None
    if way.method == "direct_debit":
        if (
            not way.mandate
            or doc.invoice_id in way.debit_failed
            or doc.outstanding.currency not in way.debit_currencies
        ):
            return None  # no way to debit it, or the debit failed: pay it another way
        return BY_DIRECT_DEBIT.format(mandate=way.mandate)
    return BY_TRANSFER.format(reference=doc.reference)


def how_you_pay(way: PayingWay | None, partner_code: str) -> str:
    """Once, above the Outstanding balances: why "Pay online" is not offered by the partner's
    payment method ("" when it is, or for a group)."""
    if way is None or way.method == ONLINE:
        return ""
    if way.method == "direct_debit":
        if not way.mandate:
            return ""
        currencies = " and ".join(sorted(way.debit_currencies))
        return (
            f"Your invoices in {currencies} are collected by direct debit from your account "
            f"(mandate {way.mandate}) once a month: nothing to do. If a debit fails, you can pay "
            "those invoices online."
        )
    return (
        f"You pay by bank transfer, quoting {partner_code} and the invoice number (e.g. "
        f"{partner_code} CM-…). To pay online instead, ask us through the Inbox (Invoices and "
        "commission → Other)."
    )


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
    return method_refusal(doc)


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
    charge = total((d.outstanding for d in docs), currencies[0])
    if charge > max_charge(charge.currency):
        raise InvalidAmount(
            f"Together these invoices come to {charge}, more than one online payment can take "
            f"(at most {max_charge(charge.currency)}): pay fewer invoices at once, or by bank "
            "transfer."
        )
    return charge


# -- the Invoices page: which rows offer "Pay online" ----------------------------------------
@dataclass(frozen=True, slots=True)
class PayAllOnline:
    """One "Pay all online" button: every document payable online in one currency."""

    currency: str
    total: Money
    invoice_ids: tuple[int, ...]


def online_candidate(
    summary: Any, partner_code: str, way: PayingWay | None = None
) -> OnlineCandidate:
    """The rule's view of an Invoices row (a `partner_documents.InvoiceSummary`); `way`: how
    the partner pays (None: a group pays)."""
    return OnlineCandidate(
        number=summary.number,
        state=summary.state,
        outstanding=summary.outstanding,
        reference=f"{partner_code} {summary.number}",
        processing=summary.processing,
        invoice_id=summary.id,
        way=way,
    )


@dataclass(frozen=True, slots=True)
class OnlinePayability:
    """For an Invoices row: whether "Pay online" is offered, and if not, why (for people)."""

    offered: bool
    transfer_only: str = ""  # a written-off or legal document: by bank transfer only, quoting …
    other_way: str = ""  # the partner's payment method pays it: by transfer, by direct debit


def online_payability(
    summary: Any, partner_code: str, way: PayingWay | None = None
) -> OnlinePayability:
    """Whether an Invoices row can be paid online, and why not: written off or with legal
    (bank transfer only), or the partner's payment method pays it another way."""
    if summary.kind not in PAYABLE_KINDS or summary.outstanding.minor <= 0:
        return OnlinePayability(False)
    candidate = online_candidate(summary, partner_code, way)
    refusal = online_refusal(candidate)
    if refusal is None:
        return OnlinePayability(True)
    if summary.state in BLACK_STATES:
        return OnlinePayability(False, transfer_only=refusal)
    if summary.processing:  # the row already says the payment is processing
        return OnlinePayability(False)
    return OnlinePayability(False, other_way=method_refusal(candidate) or "")


def pay_all_online(
    outstanding: list[Any], partner_code: str, way: PayingWay | None = None
) -> list[PayAllOnline]:
    """Per currency, the outstanding documents that can be paid online and their total."""
    by_currency: dict[str, list[Any]] = {}
    for s in outstanding:
        if online_payability(s, partner_code, way).offered:
            by_currency.setdefault(s.outstanding.currency, []).append(s)
    return [
        PayAllOnline(
            currency,
            total((s.outstanding for s in docs), currency),
            tuple(sorted(s.id for s in docs)),
        )
        for currency, docs in sorted(by_currency.items())
    ]
