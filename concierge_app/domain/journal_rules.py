"""What each money event of the ledger posts (the platform acts as the partners' agent: the
guest's money for a partner's service or stay is owed to the partner until paid out, and only
the commission is the platform's revenue).

| Event | Debit | Credit |
|---|---|---|
| guest invoice issued | receivable_guest | payable_partner |
| guest invoice voided | payable_partner | receivable_guest |
| guest payment | clearing | receivable_guest (+ guest_unapplied: money for voided invoices) |
| guest refund | payable_partner | clearing |
| stay paid to the platform | clearing | payable_partner |
| commission earned (reversed: the other way) | commission_accrued | commission_revenue |
| partner commission invoice | receivable_partner | commission_accrued (accrued for its |
|   month), commission_revenue (the rest) | | |
| partner VAT/GST document | receivable_partner | vat_payable |
| partner debit note (credit note: the other way) | receivable_partner | commission_adjustments |
| payout | payable_partner (gross) | bank (net), receivable_partner (commission and VAT deducted) |
| partner payment | bank (transfer) or clearing (online, | receivable_partner |
|   direct debit) | | (unmatched_receipts while queued) |
| failed direct debit | receivable_partner | clearing |
| write-off | bad_debt | receivable_partner |
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from concierge_app.domain.journal import (
    JournalEntry,
    Posting,
    check_balanced,
    credit,
    debit,
    make_entry,
)
from concierge_app.domain.journal_accounts import Account as A


class EventKind(enum.StrEnum):
    GUEST_INVOICE_ISSUED = "guest_invoice_issued"
    GUEST_INVOICE_VOIDED = "guest_invoice_voided"
    GUEST_PAYMENT = "guest_payment"
    GUEST_REFUND = "guest_refund"
    STAY_PAYMENT = "stay_payment"
    COMMISSION_EARNED = "commission_earned"
    COMMISSION_REVERSED = "commission_reversed"
    PARTNER_COMMISSION_INVOICE = "partner_commission_invoice"
    PARTNER_VAT_DOCUMENT = "partner_vat_document"
    PARTNER_DEBIT_NOTE = "partner_debit_note"
    PARTNER_CREDIT_NOTE = "partner_credit_note"
    PAYOUT = "payout"
    PARTNER_TRANSFER = "partner_transfer"
    PARTNER_ONLINE = "partner_online"
    PARTNER_DIRECT_DEBIT = "partner_direct_debit"
    PARTNER_UNMATCHED = "partner_unmatched"
    DIRECT_DEBIT_FAILED = "direct_debit_failed"
    WRITE_OFF = "write_off"


@dataclass(frozen=True, slots=True)
class LedgerEvent:
    """One money event as the ledger holds it; amounts in minor units, never negative.
    `part` is the event's second amount: a payment's unapplied money, a commission invoice's
    accrued commission, a payout's commission deducted; `tax` a payout's VAT deducted."""

    kind: EventKind
    day: date
    reference: str
    currency: str
    amount: int
    part: int = 0
    tax: int = 0
    who: str = ""  # the guest's booking or the partner, for the description


def _received(account: A) -> Callable[[LedgerEvent], list[Posting]]:
    return lambda e: [debit(account, e.amount), credit(A.RECEIVABLE_PARTNER, e.amount)]


def _pair(dr: A, cr: A) -> Callable[[LedgerEvent], list[Posting]]:
    return lambda e: [debit(dr, e.amount), credit(cr, e.amount)]


_RULES: dict[EventKind, tuple[str, Callable[[LedgerEvent], list[Posting]]]] = {
    EventKind.GUEST_INVOICE_ISSUED: (
        "Guest invoice issued",
        _pair(A.RECEIVABLE_GUEST, A.PAYABLE_PARTNER),
    ),
    EventKind.GUEST_INVOICE_VOIDED: (
        "Guest invoice voided",
        _pair(A.PAYABLE_PARTNER, A.RECEIVABLE_GUEST),
    ),
    EventKind.GUEST_PAYMENT: (
        "Guest payment",
        lambda e: [
            debit(A.CLEARING, e.amount),
            credit(A.RECEIVABLE_GUEST, e.amount - e.part),
            credit(A.GUEST_UNAPPLIED, e.part),
        ],
    ),
    EventKind.GUEST_REFUND: ("Guest refund", _pair(A.PAYABLE_PARTNER, A.CLEARING)),
    EventKind.STAY_PAYMENT: ("Stay paid to the platform", _pair(A.CLEARING, A.PAYABLE_PARTNER)),
    EventKind.COMMISSION_EARNED: (
        "Commission earned",
        _pair(A.COMMISSION_ACCRUED, A.COMMISSION_REVENUE),
    ),
    EventKind.COMMISSION_REVERSED: (
        "Commission reversed by a refund",
        _pair(A.COMMISSION_REVENUE, A.COMMISSION_ACCRUED),
    ),
    EventKind.PARTNER_COMMISSION_INVOICE: (
        "Partner commission invoice",
        lambda e: [
            debit(A.RECEIVABLE_PARTNER, e.amount),
            credit(A.COMMISSION_ACCRUED, e.part),
            credit(A.COMMISSION_REVENUE, e.amount - e.part),
        ],
    ),
    EventKind.PARTNER_VAT_DOCUMENT: (
        "Partner VAT/GST document",
        _pair(A.RECEIVABLE_PARTNER, A.VAT_PAYABLE),
    ),
    EventKind.PARTNER_DEBIT_NOTE: (
        "Partner debit note",
        _pair(A.RECEIVABLE_PARTNER, A.COMMISSION_ADJUSTMENTS),
    ),
    EventKind.PARTNER_CREDIT_NOTE: (
        "Partner credit note",
        _pair(A.COMMISSION_ADJUSTMENTS, A.RECEIVABLE_PARTNER),
    ),
    EventKind.PAYOUT: (
        "Payout to partner",
        lambda e: [
            debit(A.PAYABLE_PARTNER, e.amount),
            credit(A.RECEIVABLE_PARTNER, e.part + e.tax),
            credit(A.BANK, e.amount - e.part - e.tax),
        ],
    ),
    EventKind.PARTNER_TRANSFER: ("Partner bank transfer", _received(A.BANK)),
    EventKind.PARTNER_ONLINE: ("Partner online payment", _received(A.CLEARING)),
    EventKind.PARTNER_DIRECT_DEBIT: ("Partner direct debit", _received(A.CLEARING)),
    EventKind.PARTNER_UNMATCHED: (
        "Partner transfer not yet matched",
        _pair(A.BANK, A.UNMATCHED_RECEIPTS),
    ),
    EventKind.DIRECT_DEBIT_FAILED: (
        "Direct debit failed",
        _pair(A.RECEIVABLE_PARTNER, A.CLEARING),
    ),
    EventKind.WRITE_OFF: ("Partner invoice written off", _pair(A.BAD_DEBT, A.RECEIVABLE_PARTNER)),
}


def entry_for(event: LedgerEvent) -> JournalEntry | None:
    """The balanced entry of one event (None when it moves nothing)."""
    label, rule = _RULES[event.kind]
    description = f"{label} {event.reference}" + (f" · {event.who}" if event.who else "")
    return make_entry(
        day=event.day,
        reference=event.reference,
        description=description[:300],
        currency=event.currency,
        postings=rule(event),
    )


def journal_of(events: Iterable[LedgerEvent]) -> list[JournalEntry]:
    """Every event's entry, by date, then reference; checked balanced (UnbalancedJournal)."""
    entries = [e for e in (entry_for(ev) for ev in events) if e is not None]
    entries.sort(key=lambda e: (e.day, e.currency, e.reference))
    check_balanced(entries)
    return entries
