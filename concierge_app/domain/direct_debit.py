"""Rules of the monthly direct debit (pure): who is collected, what, under which id, and when.

A partner paying by direct debit with a mandate on its bank account is collected once a month:
every payable document with money outstanding, in one request per currency. A written-off or
legal (black) document is never collected — it is paid by bank transfer only. Nor is one with a
bank transfer processing for it (received, or announced with "I've paid", not reflected yet):
debiting it as well would pay it twice, as paying it online would. A document whose debit
failed this month is not requested again this month (the partner was told to pay it by
transfer or online); next month's collection tries it again if it is still open.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from concierge_app.domain.allocation import OpenItem, oldest_due_first
from concierge_app.domain.charge_limits import max_charge
from concierge_app.domain.errors import DomainError
from concierge_app.domain.money import Money, total
from concierge_app.domain.partner_billing import PartnerInvoiceState, Period
from concierge_app.domain.partner_payments import BLACK_STATES

# The schedule collects on or after this day of each month: after the month-end run of the
# first week has issued the new invoices, and before they fall due (14 days after their date).
COLLECTION_DAY = 10
# What a SEPA Direct Debit collects (the sandbox's and Stripe's sepa_debit): euros only.
SEPA_CURRENCIES = frozenset({"EUR"})
PAID_BY_TRANSFER_ONLY = "paid by bank transfer only"
TRANSFER_PROCESSING = "a bank transfer for them is processing (collected later if still due)"
OVER_LIMIT = "more than one direct debit can take (collected next month, or pay by transfer)"
BANK_REFUSED = "The bank refused the direct debit without giving a reason."
# What a SEPA mandate reference may hold (max 35 characters).
_MANDATE_CHARS = re.compile(r"[A-Z0-9+?/:().,' -]{1,35}")


@dataclass(frozen=True, slots=True)
class CollectionPlan:
    """What one partner's collection in one currency requests, and what it leaves."""

    collect: tuple[OpenItem, ...]  # oldest due first
    black: tuple[OpenItem, ...]  # written off / legal: by bank transfer only
    failed_this_month: tuple[OpenItem, ...]  # a debit of this month failed on them
    processing: tuple[OpenItem, ...] = ()  # a bank transfer for them is processing
    over_limit: tuple[OpenItem, ...] = ()  # the debit would be more than one payment can take

    @property
    def amount(self) -> Money | None:
        if not self.collect:
            return None
        return total((i.outstanding for i in self.collect), self.collect[0].outstanding.currency)


def plan_collection(
    items: Sequence[OpenItem],
    states: Mapping[int, PartnerInvoiceState],
    failed_this_month: Collection[int],
    processing: Collection[int] = (),
) -> CollectionPlan:
    """Split a partner's open documents (one currency) into what is collected and what not.
    `processing`: the documents with a bank transfer processing (the Invoices page's "Payment
    processing" note, `InvoiceSummary.processing`)."""
    collect, black, failed, pending, over = [], [], [], [], []
    room: Money | None = None  # what one debit can still take
    for item in oldest_due_first(items):
        if item.outstanding.minor <= 0:
            continue
        if states[item.invoice_id] in BLACK_STATES:
            black.append(item)
        elif item.invoice_id in failed_this_month:
            failed.append(item)
        elif item.invoice_id in processing:
            pending.append(item)
        else:
            room = max_charge(item.outstanding.currency) if room is None else room
            if item.outstanding > room:
                over.append(item)
                continue
            room = room - item.outstanding
            collect.append(item)
    return CollectionPlan(tuple(collect), tuple(black), tuple(failed), tuple(pending), tuple(over))


def month_prefix(partner_code: str, currency: str, month: Period) -> str:
    """The start of every debit id of this partner, currency and month."""
    return f"DD-{partner_code}-{currency}-{month}-"


def debit_external_id(partner_code: str, currency: str, month: Period, attempt: int) -> str:
    """The stable id of a collection (unique per method): partner, currency, month, attempt.

    A rerun that finds nothing new requests nothing; a second request in the same month (a
    document issued after the first) is attempt 2.
    """
    if attempt < 1:
        raise ValueError("attempt starts at 1")
    return f"{month_prefix(partner_code, currency, month)}{attempt}"


def collection_day(month: Period) -> date:
    """The month's collection day: the schedule collects from it; only a debit made on or
    after it counts as the month's scheduled collection (one staff made earlier does not)."""
    return date(month.year, month.month, COLLECTION_DAY)


def scheduled_collection_due(today: date) -> bool:
    """Whether the in-app schedule collects today (the CLI and staff collect any day)."""
    return today.day >= COLLECTION_DAY


def new_mandate_reference(partner_code: str, suffix: str) -> str:
    """The reference of a new mandate (a new account): "MNDT-OPR-2003-7F3A2C"."""
    reference = f"MNDT-{partner_code}-{suffix}".upper()
    if not _MANDATE_CHARS.fullmatch(reference):
        raise DomainError(f"{reference!r} cannot be a SEPA mandate reference.")
    return reference


def mandate_terms(
    *,
    creditor: str,
    creditor_address: str,
    reference: str,
    debtor: str,
    iban_masked: str,
) -> tuple[str, ...]:
    """The text of a SEPA Core direct debit mandate, as the partner reads and accepts it (the
    wording of the European Payments Council's mandate form). Nothing is debited from an
    account before its mandate is accepted."""
    address = ", ".join(line.strip() for line in creditor_address.splitlines() if line.strip())
    return (
        f"SEPA Direct Debit Mandate {reference} — recurrent payments.",
        f"Creditor: {creditor}" + (f", {address}" if address else "") + ".",
        f"Debtor: {debtor}, account {iban_masked}.",
        f"By accepting this mandate form, you authorise (A) {creditor} to send instructions to "
        f"your bank to debit your account and (B) your bank to debit your account in "
        f"accordance with the instructions from {creditor.rstrip('.')}.",
        "As part of your rights, you are entitled to a refund from your bank under the terms and "
        "conditions of your agreement with your bank. A refund must be claimed within 8 weeks "
        "starting from the date on which your account was debited.",
        "We collect your open commission invoices, debit notes and VAT/GST documents once a "
        f"month, from the {COLLECTION_DAY}th, and tell you before each collection in the "
        "invoice email.",
    )


def failure_reason(message: str | None, code: str | None = None) -> str:
    """The bank's reason as the partner reads it: its message, else its code, else a default."""
    text = " ".join((message or "").split())
    if text:
        return text
    if code:
        return f"The bank refused the direct debit ({code.replace('_', ' ')})."
    return BANK_REFUSED
