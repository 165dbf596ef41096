"""The partner ledger as the pages show it: one book per currency, every document, payment and
allocation with the running balance, amounts and dates formatted for people."""

from __future__ import annotations

import dataclasses

from concierge_app.domain.formatting import format_day, format_money
from concierge_app.services.partner.views.ledger import (
    CurrencyLedger,
    RowKind,
    balance_text,
    signed,
)


@dataclasses.dataclass(frozen=True)
class LedgerRowView:
    day: str
    kind: str  # RowKind value
    reference: str
    description: str
    amount: str  # "+€80.00" / "−€80.00"; "" for a detail
    balance: str
    note: str
    detail: bool  # an allocation: what a payment or credit paid (no balance effect)
    counted: bool  # False: shown, not in the balance yet (processing)
    paid: bool  # takes from the balance (payment, credit note, deduction)
    applied: str = ""  # a payment or credit note: which documents it paid


@dataclasses.dataclass(frozen=True)
class LedgerView:
    currency: str
    rows: list[LedgerRowView]
    closing_label: str  # "Balance owed" / "Credit balance" / "Settled"
    closing: str
    outstanding: str
    credit: str


def ledger_views(books: list[CurrencyLedger]) -> list[LedgerView]:
    """The ledgers as the pages show them (amounts and dates formatted for people)."""
    return [
        LedgerView(
            currency=b.currency,
            rows=[
                LedgerRowView(
                    day=format_day(r.day),
                    kind=r.kind.value,
                    reference=r.reference,
                    description=r.description,
                    amount="" if r.amount is None else signed(r.amount),
                    balance=balance_text(r.balance),
                    note=r.note,
                    detail=r.kind is RowKind.ALLOCATION,
                    counted=r.counted,
                    paid=r.amount is not None and r.amount.is_negative,
                    applied=r.applied,
                )
                for r in b.rows
            ],
            closing_label=(
                "Credit balance"
                if b.closing.is_negative
                else "Settled"
                if b.closing.is_zero
                else "Balance owed"
            ),
            closing=balance_text(b.closing),
            outstanding=format_money(b.outstanding),
            credit=format_money(b.credit),
        )
        for b in books
    ]
