"""Allocating partner money to commission documents (issue 6 groundwork, pure rules).

A payment (bank transfer, online, direct debit) or a credit note is spread over open documents:
the ones the payer quoted or chose first, then oldest due first (across a group's properties
too); what is left over is kept as the partner's (or the group's) credit. Credit notes are never
paid out to a bank account. Amounts never mix currencies and nothing is rounded: allocations are
exact minor units.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from concierge_app.domain.errors import CurrencyMismatch, DomainError
from concierge_app.domain.money import Money, total


@dataclass(frozen=True, slots=True)
class OpenItem:
    """A document with money still due: what allocation looks at."""

    invoice_id: int
    due_date: date
    number: str
    outstanding: Money


@dataclass(frozen=True, slots=True)
class Allocation:
    invoice_id: int
    amount: Money


@dataclass(frozen=True, slots=True)
class AllocationPlan:
    allocations: tuple[Allocation, ...]
    credit_left: Money  # over-payment: kept as the partner's credit

    @property
    def allocated(self) -> Money:
        return total((a.amount for a in self.allocations), self.credit_left.currency)


def oldest_due_first(items: Iterable[OpenItem]) -> list[OpenItem]:
    """The order money is applied in: earliest due date, then the lower number."""
    return sorted(items, key=lambda i: (i.due_date, i.number, i.invoice_id))


def allocate(
    amount: Money, items: Sequence[OpenItem], first: Collection[int] = ()
) -> AllocationPlan:
    """Spread `amount` over the items: those in `first` (invoice ids the payer quoted or chose)
    first, then the rest, each part oldest due first; the rest is credit.

    A payment must be positive; items in another currency are refused, not skipped.
    """
    if amount.minor <= 0:
        raise DomainError("A payment must be more than zero.", field="amount")
    left = amount
    plan = []
    # a stable sort: the chosen ones first, each part keeping the oldest-due-first order
    for item in sorted(oldest_due_first(items), key=lambda i: i.invoice_id not in first):
        if item.outstanding.currency != amount.currency:
            raise CurrencyMismatch(
                f"Invoice {item.number} is in {item.outstanding.currency}; this payment is in "
                f"{amount.currency}."
            )
        if left.is_zero:
            break
        if item.outstanding.minor <= 0:
            continue
        part = left if left <= item.outstanding else item.outstanding
        plan.append(Allocation(item.invoice_id, part))
        left = left - part
    return AllocationPlan(tuple(plan), left)


def add_business_days(start: date, days: int, holidays: Iterable[date] = ()) -> date:
    """The date `days` business days after `start` (weekends and the given holidays skipped).

    E.g. a bank transfer received on a Friday with 2 business days of processing is reflected
    on Tuesday.
    """
    if days < 0:
        raise ValueError("days must be >= 0")
    closed = set(holidays)
    day = start
    remaining = days
    while remaining:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in closed:
            remaining -= 1
    return day
