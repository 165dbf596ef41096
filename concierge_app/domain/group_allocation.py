"""Allocating a group's payment across its properties' documents (the multiple property payment
plan), pure rules.

The documents the payer quoted come first (oldest due first among them), then every other open
document of every property, oldest due first — ties by the lower number. Only documents in the
payment's currency take part: currencies are never mixed. What is left over is the group's
credit. Exact minor units, nothing rounded.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date

from .errors import DomainError
from .money import Money, total


@dataclass(frozen=True, slots=True)
class GroupItem:
    """An open document of one of the group's properties."""

    invoice_id: int
    due_date: date
    number: str
    outstanding: Money
    property_code: str
    property_name: str


@dataclass(frozen=True, slots=True)
class GroupLine:
    """What one document received, and what it still owes afterwards."""

    invoice_id: int
    number: str
    property_code: str
    property_name: str
    applied: Money
    still_due: Money


@dataclass(frozen=True, slots=True)
class GroupPlan:
    lines: tuple[GroupLine, ...]
    credit_left: Money  # over-payment: kept with the group's payment

    @property
    def allocated(self) -> Money:
        return total((line.applied for line in self.lines), self.credit_left.currency)


def group_order(items: Iterable[GroupItem], first: Collection[int] = ()) -> list[GroupItem]:
    """The order money is applied in: the quoted documents, then the rest; each part oldest due
    first across the properties, ties by the lower number."""

    def key(i: GroupItem) -> tuple[bool, date, str, int]:
        return (i.invoice_id not in first, i.due_date, i.number, i.invoice_id)

    return sorted(items, key=key)


def plan_group_payment(
    amount: Money, items: Iterable[GroupItem], first: Collection[int] = ()
) -> GroupPlan:
    """Spread `amount` over the group's open documents (see `group_order`); documents in
    another currency are left alone; the rest is credit."""
    if amount.minor <= 0:
        raise DomainError("A payment must be more than zero.", field="amount")
    same = [i for i in items if i.outstanding.currency == amount.currency]
    left = amount
    lines: list[GroupLine] = []
    for item in group_order(same, first):
        if left.is_zero:
            break
        if item.outstanding.minor <= 0:
            continue
        part = left if left <= item.outstanding else item.outstanding
        lines.append(
            GroupLine(
                item.invoice_id,
                item.number,
                item.property_code,
                item.property_name,
                part,
                item.outstanding - part,
            )
        )
        left = left - part
    return GroupPlan(tuple(lines), left)
