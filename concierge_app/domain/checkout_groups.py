"""Pay All: open invoices grouped into checkouts, one per currency (a payment has one), split
where one currency's invoices come to more than one payment can take (`max_charge`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from concierge_app.domain.charge_limits import max_charge
from concierge_app.domain.money import Money


@dataclass(frozen=True, slots=True)
class CheckoutGroup:
    currency: str
    invoice_ids: tuple[int, ...]
    total: Money


def checkout_groups(invoices: Iterable[tuple[int, Money]]) -> list[CheckoutGroup]:
    """One group per currency, by currency code; invoices keep their order within a group. A
    currency whose invoices exceed one payment's limit is split into consecutive groups that
    each fit (every invoice fits on its own: a draft never grows past the limit)."""
    by_currency: dict[str, list[tuple[int, Money]]] = {}
    for invoice_id, amount in invoices:
        by_currency.setdefault(amount.currency, []).append((invoice_id, amount))
    groups = []
    for currency in sorted(by_currency):
        limit = max_charge(currency)
        ids: list[int] = []
        total = Money.zero(currency)
        for invoice_id, amount in by_currency[currency]:
            if ids and total + amount > limit:
                groups.append(CheckoutGroup(currency, tuple(ids), total))
                ids, total = [], Money.zero(currency)
            ids.append(invoice_id)
            total = total + amount
        groups.append(CheckoutGroup(currency, tuple(ids), total))
    return groups
