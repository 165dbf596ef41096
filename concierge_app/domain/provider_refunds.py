"""A refund made at the payment provider (e.g. in Stripe's dashboard) spread over the services
its payment paid for, as the Refund dialog would have recorded it.

The provider knows only "this much of that payment went back"; the ledger refunds services.
The rule, in order:

1. One service whose refundable amount is exactly the refund: that service — a service that
   was cancelled after payment ("refund required") first, then the latest on the invoice. Or
   only one service can give anything back: that service.
2. Otherwise the refund is spread: services marked "refund required" first, then the others
   latest first, each up to what it can still give back. The split is then an assumption and
   is flagged for staff to check.
3. What is more than every service can still give back is left over (flagged, never recorded
   against a service).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from concierge_app.domain.errors import CurrencyMismatch
from concierge_app.domain.money import Money


@dataclass(frozen=True, slots=True)
class RefundableService:
    """A service a payment paid for: what it can still give back; `order` its line's place."""

    service_id: int
    refundable: Money
    refund_required: bool
    order: int


@dataclass(frozen=True, slots=True)
class RefundSplit:
    """How much of the refund goes to which service, and what is left over."""

    parts: tuple[tuple[int, Money], ...]
    leftover: Money
    exact: bool  # one service takes it all, with no other to choose from (nothing assumed)


def _preference(service: RefundableService) -> tuple[bool, int]:
    """Refund-required services first, then the latest line first."""
    return (not service.refund_required, -service.order)


def split_refund(amount: Money, services: Sequence[RefundableService]) -> RefundSplit:
    """Spread `amount` over `services` (see the module's rule)."""
    for s in services:
        if s.refundable.currency != amount.currency:
            raise CurrencyMismatch(
                f"A refund in {amount.currency} cannot go to a service paid in "
                f"{s.refundable.currency}."
            )
    candidates = sorted((s for s in services if s.refundable.minor > 0), key=_preference)
    exact = next((s for s in candidates if s.refundable == amount), None)
    if exact is not None:
        return RefundSplit(((exact.service_id, amount),), Money.zero(amount.currency), True)
    if len(candidates) == 1 and amount < candidates[0].refundable:
        return RefundSplit(((candidates[0].service_id, amount),), Money.zero(amount.currency), True)
    parts: list[tuple[int, Money]] = []
    left = amount
    for s in candidates:
        if left.is_zero:
            break
        take = s.refundable if s.refundable < left else left
        parts.append((s.service_id, take))
        left = left - take
    return RefundSplit(tuple(parts), left, False)
