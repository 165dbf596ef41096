"""One checkout, whoever pays (a guest's invoices, a partner's or a group's documents): its
status, the guard before each transition, and what one of the provider's events does to it.

open → succeeded (the provider's signed success event), failed or expired. A success after a
failure or an expiry is still applied: the money moved. Nothing follows a success, and a
checkout that is no longer open cannot fail or expire.
"""

from __future__ import annotations

import enum
from datetime import timedelta

from concierge_app.domain.errors import InvalidTransition
from concierge_app.domain.money import Money

# An open checkout for exactly the same documents and amounts is reused while the provider's
# page still takes payment (Stripe Checkout Sessions expire after 24 h).
REUSE_FOR = timedelta(hours=23)


class CheckoutStatus(enum.StrEnum):
    """A checkout: open until the provider says it succeeded, failed or expired."""

    OPEN = "open"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    EXPIRED = "expired"

    @property
    def is_final(self) -> bool:
        return self is not CheckoutStatus.OPEN


_NEXT: dict[CheckoutStatus, frozenset[CheckoutStatus]] = {
    CheckoutStatus.OPEN: frozenset(
        {CheckoutStatus.SUCCEEDED, CheckoutStatus.FAILED, CheckoutStatus.EXPIRED}
    ),
    CheckoutStatus.FAILED: frozenset({CheckoutStatus.SUCCEEDED}),
    CheckoutStatus.EXPIRED: frozenset({CheckoutStatus.SUCCEEDED}),
    CheckoutStatus.SUCCEEDED: frozenset(),
}
CLOSING = frozenset({CheckoutStatus.FAILED, CheckoutStatus.EXPIRED})


def can_become(current: CheckoutStatus, target: CheckoutStatus) -> bool:
    return target in _NEXT[current]


def check_transition(current: CheckoutStatus, target: CheckoutStatus) -> None:
    """Raise InvalidTransition unless current → target is allowed."""
    if not can_become(current, target):
        raise InvalidTransition(f"A checkout can't go from {current.value} to {target.value}.")


class Step(enum.Enum):
    """What one provider event did to a checkout (each payer words it for staff)."""

    FULFILLED = enum.auto()
    DUPLICATE_EVENT = enum.auto()
    ALREADY_FULFILLED = enum.auto()
    AMOUNT_MISMATCH = enum.auto()
    MARKED_FAILED = enum.auto()
    MARKED_EXPIRED = enum.auto()
    ALREADY_FINAL = enum.auto()
    AWAITING_PAYMENT = enum.auto()


def on_success(status: CheckoutStatus, expected: Money, received: Money) -> Step:
    """The provider says the checkout is paid: fulfil it, unless it was already, or the amount
    or currency is not the checkout's (then nothing is applied; staff are told)."""
    if not can_become(status, CheckoutStatus.SUCCEEDED):
        return Step.ALREADY_FULFILLED
    if (received.currency, received.minor) != (expected.currency, expected.minor):
        return Step.AMOUNT_MISMATCH
    return Step.FULFILLED


def on_close(status: CheckoutStatus, target: CheckoutStatus) -> Step:
    """The provider says the checkout failed or expired: it closes only while it is open."""
    if target not in CLOSING:
        raise ValueError("a checkout closes as FAILED or EXPIRED")
    if not can_become(status, target):
        return Step.ALREADY_FINAL
    return Step.MARKED_FAILED if target is CheckoutStatus.FAILED else Step.MARKED_EXPIRED
