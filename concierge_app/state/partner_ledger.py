"""`/partner/ledger`: the partner's ledger — every document, payment and allocation with the
running balance, one per currency. Live. `ledger_views` is shared with the staff partner page."""

from __future__ import annotations

import asyncio
import dataclasses
import logging

import reflex as rx

from concierge_app.services.common import today
from concierge_app.services.formatting import format_day, format_money
from concierge_app.services.partner_ledger import (
    CurrencyLedger,
    RowKind,
    balance_text,
    ledger,
    signed,
)
from concierge_app.state.partner_auth import PartnerAuthState, PartnerLiveState

logger = logging.getLogger(__name__)


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


class PartnerLedgerState(PartnerLiveState, PartnerAuthState):
    ledgers: list[LedgerView] = []

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        if not await self._enter():
            yield self._to_sign_in()
            return
        await self._reload()

    async def _reload(self) -> None:
        self.version = await self._ledger_version()
        try:
            books = await asyncio.to_thread(ledger, **self._scope(), today=today())
        except Exception:
            logger.exception("Could not load the ledger of partner %s", self._pid)
            self.view = "error"
            return
        self.ledgers = ledger_views(books)
        self.view = "ready"
