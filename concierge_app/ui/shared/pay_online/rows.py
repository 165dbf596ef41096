"""A "Pay all online" button's row: the documents payable online together, in one currency."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from concierge_app.domain.formatting import format_money
from concierge_app.domain.money import Money


@dataclasses.dataclass(frozen=True)
class PayAllRow:
    """One "Pay all online" button: the documents payable online in one currency."""

    ids: str  # "12,15"
    currency: str
    total: str


def pay_all_row(invoice_ids: Iterable[int], total: Money) -> PayAllRow:
    return PayAllRow(",".join(map(str, invoice_ids)), total.currency, format_money(total))
