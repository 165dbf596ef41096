"""Pay All: open invoices grouped into checkouts, one per currency (a payment has one)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .money import Money


@dataclass(frozen=True, slots=True)
class CheckoutGroup:
    currency: str
    invoice_ids: tuple[int, ...]
    total: Money


def checkout_groups(invoices: Iterable[tuple[int, Money]]) -> list[CheckoutGroup]:
    """One group per currency, by currency code; invoices keep their order within a group."""
    by_currency: dict[str, list[tuple[int, Money]]] = {}
    for invoice_id, amount in invoices:
        by_currency.setdefault(amount.currency, []).append((invoice_id, amount))
    groups = []
    for currency in sorted(by_currency):
        items = by_currency[currency]
        total = Money.zero(currency)
        for _, amount in items:
            total = total + amount
        groups.append(CheckoutGroup(currency, tuple(i for i, _ in items), total))
    return groups
