"""The partner ledger: every document, payment and allocation, with the running balance.

One ledger per currency, in date order. A document the partner owes adds to the balance
(commission invoice, VAT/GST document, debit note); the commission deducted from a payout, a
credit note and a payment take from it. A bank transfer still processing is shown but counts
from the day it is reflected; a failed direct debit is shown, then reversed. Allocations (what
each payment or credit paid) are details: they do not move the balance.

The balance is what the partner owes (negative: credit in its favour), and always equals the
outstanding documents minus the credit not applied yet.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from concierge_app.db.engine import Database
from concierge_app.db.partner_billing import PartnerInvoice
from concierge_app.db.partner_payments import PartnerAllocation, PartnerPayment
from concierge_app.domain.documents import KIND_TITLES
from concierge_app.domain.formatting import format_money
from concierge_app.domain.money import Money, total, totals_by_currency
from concierge_app.domain.partner_billing import PartnerInvoiceKind, Period, long_date
from concierge_app.domain.partner_payments import PAYABLE_KINDS
from concierge_app.domain.statuses import PartnerPaymentStatus
from concierge_app.services.partner.money.credit import credit_left
from concierge_app.services.partner.money.payments import METHOD_LABELS
from concierge_app.services.partner.views.documents.summaries import partner_invoices
from concierge_app.services.shared.common import table_of

_INV, _PAY, _ALLOC = table_of(PartnerInvoice), table_of(PartnerPayment), table_of(PartnerAllocation)
_SOURCE = aliased(_INV, name="source")


class RowKind(enum.StrEnum):
    DOCUMENT = "document"  # owed: commission invoice, VAT/GST document, debit note
    DEDUCTION = "deduction"  # "Deducted from your payout"
    CREDIT_NOTE = "credit_note"
    PAYMENT = "payment"
    PAYMENT_FAILED = "payment_failed"  # a failed direct debit, reversed
    ALLOCATION = "allocation"  # detail: what a payment or credit paid


_ORDER = {k: i for i, k in enumerate(RowKind)}  # within a day: documents first


@dataclass(frozen=True, slots=True)
class LedgerRow:
    day: date
    kind: RowKind
    reference: str  # a document's number, or how the payment was made
    description: str
    amount: Money | None  # + owed, − paid or credited; None: a detail
    balance: Money  # after this row
    note: str = ""  # "Processing until …", "Failed: …", "Counts from …"
    counted: bool = True  # False: shown, not in the balance yet (a transfer processing)
    applied: str = ""  # a payment or credit note: "Paid CM-… (€22.00), …; credit left: …"


@dataclass(frozen=True, slots=True)
class CurrencyLedger:
    currency: str
    rows: tuple[LedgerRow, ...]
    closing: Money  # what the partner owes (negative: in its favour)
    outstanding: Money  # the documents still to pay (Outstanding balances)
    credit: Money  # credit not applied yet


@dataclass(slots=True)
class _Entry:
    day: date
    kind: RowKind
    seq: int
    reference: str
    description: str
    amount: Money | None
    note: str = ""
    counted: bool = True
    extra: dict[str, Any] = field(default_factory=dict)
    applied: str = ""  # a payment or credit note: which documents it paid


def ledger(*, db: Database, partner_id: int, today: date) -> list[CurrencyLedger]:
    """The partner's ledger, one per currency (by currency code)."""
    with db.read() as session:
        conn = session.connection()
        documents = conn.execute(
            select(_INV).where(_INV.c.partner_id == partner_id).order_by(_INV.c.id)
        ).all()
        doc_ids = [int(d.id) for d in documents]
        notes = [int(d.id) for d in documents if d.kind == PartnerInvoiceKind.CREDIT_NOTE.value]
        # every allocation to this partner's documents, or from its credit notes
        allocations = conn.execute(
            select(
                _ALLOC,
                _INV.c.number.label("invoice_number"),
                _INV.c.partner_id.label("invoice_partner"),
                _SOURCE.c.number.label("note_number"),
            )
            .join(_INV, _INV.c.id == _ALLOC.c.invoice_id)
            .outerjoin(_SOURCE, _SOURCE.c.id == _ALLOC.c.credit_note_id)
            .where(or_(_ALLOC.c.invoice_id.in_(doc_ids), _ALLOC.c.credit_note_id.in_(notes)))
            .order_by(_ALLOC.c.id)
        ).all()
        paying = {int(a.payment_id) for a in allocations if a.payment_id is not None}
        payments = conn.execute(
            select(_PAY)
            .where(
                or_(_PAY.c.partner_id == partner_id, _PAY.c.id.in_(paying)),
                _PAY.c.status != PartnerPaymentStatus.QUEUED.value,
            )
            .order_by(_PAY.c.id)
        ).all()
        # what each of these payments paid to anyone (its remainder is its payer's credit)
        spent = conn.execute(
            select(
                _ALLOC.c.payment_id,
                _ALLOC.c.amount_minor,
                _ALLOC.c.reversed_at,
            ).where(_ALLOC.c.payment_id.in_([int(p.id) for p in payments]))
        ).all()
        credit = credit_left(session, partner_id=partner_id, as_of=today)
    summaries = partner_invoices(db=db, partner_id=partner_id, today=today)
    entries: dict[str, list[_Entry]] = defaultdict(list)
    numbers = {int(d.id): d.number for d in documents}
    note_applied = _notes_applied(allocations)
    for d in documents:
        for e in _document_entries(d, numbers, note_applied):
            entries[d.currency].append(e)
    payment_words = {}
    for p in payments:
        e = _payment_entry(p, partner_id, allocations, spent, today)
        payment_words[int(p.id)] = e.reference
        entries[p.currency].append(e)
        if p.status == PartnerPaymentStatus.FAILED.value:
            entries[p.currency].append(_failure_entry(p, e))
    for a in allocations:
        entries[a.currency].append(_allocation_entry(a, payment_words, today))
    outstanding = {
        m.currency: m
        for m in totals_by_currency(s.outstanding for s in summaries if s.kind in PAYABLE_KINDS)
    }
    return [
        _currency_ledger(
            c,
            entries[c],
            outstanding.get(c, Money.zero(c)),
            credit.get(c, Money.zero(c)),
        )
        for c in sorted(entries)
    ]


def _document_entries(
    d: Any, numbers: dict[int, str], note_applied: dict[int, str]
) -> list[_Entry]:
    kind = PartnerInvoiceKind(d.kind)
    amount = Money(int(d.amount_minor), d.currency)
    description = f"{KIND_TITLES[kind]} — {Period.parse(d.period).label}"
    related = numbers.get(int(d.related_invoice_id or 0), "")
    if kind is PartnerInvoiceKind.VAT and related:  # what it taxes
        description = f"{description} (on {related})"
    elif related:  # a note: what it corrects, and why
        description = f"{KIND_TITLES[kind]} to {related}: {d.reason or ''}".rstrip(": ")
    if kind is PartnerInvoiceKind.CREDIT_NOTE:
        return [
            _Entry(
                d.invoice_date,
                RowKind.CREDIT_NOTE,
                int(d.id),
                d.number,
                description,
                -amount,
                applied=note_applied.get(int(d.id), ""),
            )
        ]
    rows = [_Entry(d.invoice_date, RowKind.DOCUMENT, int(d.id), d.number, description, amount)]
    if int(d.deducted_minor) > 0:
        rows.append(
            _Entry(
                d.invoice_date,
                RowKind.DEDUCTION,
                int(d.id),
                d.number,
                "Deducted from your payout",
                -Money(int(d.deducted_minor), d.currency),
            )
        )
    return rows


def _shown(p: Any, partner_id: int, allocations: Sequence[Any], spent: Sequence[Any]) -> Money:
    """The part of a payment that is this partner's: what it paid of its documents, and its
    remainder (credit) when the partner made it. A failed payment: as it was before it failed."""
    failed = p.status == PartnerPaymentStatus.FAILED.value
    mine = sum(
        int(a.amount_minor)
        for a in allocations
        if a.payment_id == p.id
        and a.invoice_partner == partner_id
        and (failed or a.reversed_at is None)
    )
    shown = mine
    if p.partner_id == partner_id:
        used = sum(
            int(s.amount_minor)
            for s in spent
            if s.payment_id == p.id and (failed or s.reversed_at is None)
        )
        shown += int(p.amount_minor) - used
    return Money(shown, p.currency)


def _payment_entry(
    p: Any, partner_id: int, allocations: Sequence[Any], spent: Sequence[Any], today: date
) -> _Entry:
    method = METHOD_LABELS.get(p.method, p.method)
    amount = _shown(p, partner_id, allocations, spent)
    description = method + (f' — reference "{p.reference}"' if p.reference else "")
    if amount.minor != int(p.amount_minor):
        description += f" (of {format_money(Money(int(p.amount_minor), p.currency))})"
    failed = p.status == PartnerPaymentStatus.FAILED.value
    processing = not failed and p.reflected_on > today
    note = ""
    if processing:
        note = f"Processing until {long_date(p.reflected_on)}: counts from then"
    elif failed:
        note = f"Failed: {p.failure_reason or 'the bank refused it'}"
    paid = _what_it_paid(p, partner_id, allocations, amount, failed)
    return _Entry(
        p.received_on,
        RowKind.PAYMENT,
        int(p.id),
        method,
        description,
        -amount,
        note,
        counted=not processing,
        extra={"amount": amount},
        applied=paid,
    )


def _notes_applied(allocations: Sequence[Any]) -> dict[int, str]:
    """Per credit note: "Paid CM-2026-000017 (€10.00)" — the documents its live allocations
    paid."""
    paid: dict[int, dict[str, Money]] = defaultdict(dict)
    for a in allocations:
        if a.credit_note_id is not None and a.reversed_at is None:
            amounts = paid[int(a.credit_note_id)]
            amount = Money(int(a.amount_minor), a.currency)
            amounts[a.invoice_number] = (
                amounts.get(a.invoice_number, Money.zero(a.currency)) + amount
            )
    return {
        note: "Paid " + ", ".join(f"{n} ({format_money(m)})" for n, m in amounts.items())
        for note, amounts in paid.items()
    }


def _what_it_paid(
    p: Any, partner_id: int, allocations: Sequence[Any], shown: Money, failed: bool
) -> str:
    """ "Paid CM-2026-000017 (€22.00), VT-2026-000017 (€4.62); credit left: €3.38": which of
    the partner's documents a payment paid (a failed one: which it was for)."""
    paid: dict[str, Money] = {}
    for a in allocations:
        if a.payment_id == p.id and a.invoice_partner == partner_id:
            if failed or a.reversed_at is None:
                number = a.invoice_number
                paid[number] = paid.get(number, Money.zero(p.currency)) + Money(
                    int(a.amount_minor), p.currency
                )
    parts = ", ".join(f"{n} ({format_money(m)})" for n, m in paid.items())
    if failed:
        return f"It was for {parts}" if parts else ""
    left = shown - total(paid.values(), p.currency)
    credit = f"credit left: {format_money(left)}" if left.minor > 0 else ""
    if parts:
        return f"Paid {parts}" + (f"; {credit}" if credit else "")
    return credit.capitalize()


def _failure_entry(p: Any, payment: _Entry) -> _Entry:
    day = p.failed_at.date() if p.failed_at is not None else p.received_on
    amount = payment.extra["amount"]
    return _Entry(
        day,
        RowKind.PAYMENT_FAILED,
        int(p.id),
        payment.reference,
        f"{payment.reference} failed — reversed",
        amount,
        p.failure_reason or "",
    )


def _allocation_entry(a: Any, payment_words: dict[int, str], today: date) -> _Entry:
    amount = Money(int(a.amount_minor), a.currency)
    if a.credit_note_id is not None:
        source = f"credit note {a.note_number}"
    else:
        source = "the " + payment_words.get(int(a.payment_id), "payment").lower()
    description = f"{format_money(amount)} of {source} applied to {a.invoice_number}"
    note = ""
    if a.reversed_at is not None:
        note = "Reversed"
    elif a.effective_on > today:
        note = f"Counts from {long_date(a.effective_on)}"
    return _Entry(
        a.effective_on, RowKind.ALLOCATION, int(a.id), a.invoice_number, description, None, note
    )


def _currency_ledger(
    currency: str, entries: list[_Entry], outstanding: Money, credit: Money
) -> CurrencyLedger:
    balance = Money.zero(currency)
    rows = []
    for e in sorted(entries, key=lambda e: (e.day, _ORDER[e.kind], e.seq)):
        if e.amount is not None and e.counted:
            balance = balance + e.amount
        rows.append(
            LedgerRow(
                e.day,
                e.kind,
                e.reference,
                e.description,
                e.amount,
                balance,
                e.note,
                e.counted,
                e.applied,
            )
        )
    return CurrencyLedger(currency, tuple(rows), balance, outstanding, credit)


def signed(amount: Money) -> str:
    """ "+€80.00" / "−€80.00": a ledger amount for people."""
    text = format_money(Money(abs(amount.minor), amount.currency))
    return ("−" if amount.is_negative else "+") + text


def balance_text(amount: Money) -> str:
    """ "€80.00" owed, or "−€20.00" in the partner's favour."""
    text = format_money(Money(abs(amount.minor), amount.currency))
    return "−" + text if amount.is_negative else text


__all__ = [
    "CurrencyLedger",
    "LedgerRow",
    "RowKind",
    "balance_text",
    "ledger",
    "signed",
]
