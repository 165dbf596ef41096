"""Reconciliation: what the payment provider reports for a period against the ledger.

Pure rules, no I/O. Each side gives items keyed by (kind, the provider's id the ledger stores:
a payment intent / charge "pi_…", a refund "re_…"). Items of one key are added up per currency
(a refund spread over several services is several ledger rows with one "re_…"; a duplicate at
the provider doubles its total). Then each key is one result:

- matched: the same currencies and amounts on both sides;
- provider_only / ledger_only: the key is on one side only;
- currency_differs: both sides have it, in different currencies;
- amount_differs: same currency, different totals (or a total beyond the ledger's bound).

Payouts and fees have no row in the ledger (it keeps neither the platform's bank payouts nor
the provider's fees): they are `reported` — listed and totalled, never drift.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from concierge_app.domain.money import MAX_MINOR, Money


class ItemKind(enum.StrEnum):
    PAYMENT = "payment"
    REFUND = "refund"
    PAYOUT = "payout"
    FEE = "fee"


LEDGER_KINDS = frozenset({ItemKind.PAYMENT, ItemKind.REFUND})  # what the ledger records


class Drift(enum.StrEnum):
    MATCHED = "matched"
    PROVIDER_ONLY = "provider_only"
    LEDGER_ONLY = "ledger_only"
    AMOUNT_DIFFERS = "amount_differs"
    CURRENCY_DIFFERS = "currency_differs"
    REPORTED = "reported"  # a payout or a fee: the ledger keeps none

    @property
    def is_drift(self) -> bool:
        return self not in (Drift.MATCHED, Drift.REPORTED)

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Drift.MATCHED: "Matched",
    Drift.PROVIDER_ONLY: "Only at the provider",
    Drift.LEDGER_ONLY: "Only in the ledger",
    Drift.AMOUNT_DIFFERS: "Amount differs",
    Drift.CURRENCY_DIFFERS: "Currency differs",
    Drift.REPORTED: "Reported (not in the ledger)",
}

TOO_LARGE = "The total is beyond the ledger's 64-bit bound."


@dataclass(frozen=True, slots=True)
class Item:
    """One payment, refund, payout or fee, as one side reports it (amount positive)."""

    kind: ItemKind
    reference: str
    amount: Money


@dataclass(frozen=True, slots=True)
class Result:
    """One key's outcome: its totals per currency on each side (empty when absent)."""

    kind: ItemKind
    reference: str
    drift: Drift
    provider: tuple[Money, ...]
    ledger: tuple[Money, ...]
    note: str = ""


Totals = dict[str, int]  # currency -> minor units


def _totals(items: Iterable[Item], kinds: frozenset[ItemKind]) -> dict[tuple[str, str], Totals]:
    out: dict[tuple[str, str], Totals] = defaultdict(lambda: defaultdict(int))
    for item in items:
        if item.kind in kinds:
            out[(item.kind.value, item.reference)][item.amount.currency] += item.amount.minor
    return out


def _money(totals: Totals | None) -> tuple[tuple[Money, ...], bool]:
    """The totals as Money, and whether one is beyond the bound (then left out)."""
    if not totals:
        return (), False
    ok = tuple(Money(v, c) for c, v in sorted(totals.items()) if abs(v) <= MAX_MINOR)
    return ok, len(ok) != len(totals)


def _drift(provider: Totals | None, ledger: Totals | None) -> Drift:
    if not ledger:
        return Drift.PROVIDER_ONLY
    if not provider:
        return Drift.LEDGER_ONLY
    if set(provider) != set(ledger):
        return Drift.CURRENCY_DIFFERS
    return Drift.MATCHED if dict(provider) == dict(ledger) else Drift.AMOUNT_DIFFERS


def reconcile(provider: Iterable[Item], ledger: Iterable[Item]) -> tuple[Result, ...]:
    """Every key of either side with its outcome, in (kind, reference) order."""
    provider = tuple(provider)
    theirs = _totals(provider, LEDGER_KINDS)
    ours = _totals(ledger, LEDGER_KINDS)
    results = []
    for key in sorted(set(theirs) | set(ours)):
        drift = _drift(theirs.get(key), ours.get(key))
        p, p_big = _money(theirs.get(key))
        m, m_big = _money(ours.get(key))
        note = ""
        if p_big or m_big:
            drift, note = Drift.AMOUNT_DIFFERS, TOO_LARGE
        results.append(Result(ItemKind(key[0]), key[1], drift, p, m, note))
    reported = _totals(provider, frozenset(ItemKind) - LEDGER_KINDS)
    for key in sorted(reported):
        p, p_big = _money(reported[key])
        results.append(
            Result(ItemKind(key[0]), key[1], Drift.REPORTED, p, (), TOO_LARGE if p_big else "")
        )
    return tuple(results)


@dataclass(frozen=True, slots=True)
class Summary:
    """How many results of each kind and outcome."""

    counts: dict[tuple[ItemKind, Drift], int]

    @property
    def drift_count(self) -> int:
        return sum(n for (_, d), n in self.counts.items() if d.is_drift)

    def count(self, drift: Drift, kind: ItemKind | None = None) -> int:
        return sum(n for (k, d), n in self.counts.items() if d is drift and kind in (None, k))


def summarise(results: Iterable[Result]) -> Summary:
    counts: dict[tuple[ItemKind, Drift], int] = defaultdict(int)
    for r in results:
        counts[(r.kind, r.drift)] += 1
    return Summary(dict(counts))
