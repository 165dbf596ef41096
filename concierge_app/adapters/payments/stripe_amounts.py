"""Our Money (ISO 4217 minor units) to and from Stripe's integer `amount`, exactly or not at all.

Stripe's grid per currency and its largest amount are in `domain/charge_limits.py`.

Where our amount does not fit Stripe's grid we refuse with GatewayError; we never round.
"""

from __future__ import annotations

from concierge_app.adapters.payments.gateway import GatewayError
from concierge_app.domain.charge_limits import MAX_PROVIDER_AMOUNT, ProviderGrid, provider_grid
from concierge_app.domain.currencies import exponent, normalise_currency
from concierge_app.domain.errors import UnknownCurrency
from concierge_app.domain.money import Money


def stripe_grid(currency: str) -> ProviderGrid:
    """Stripe's decimals and step for an (upper-case ISO) currency code."""
    return provider_grid(currency)


def to_stripe_amount(money: Money) -> int:
    """The `amount` Stripe expects for `money`; GatewayError if it cannot be sent exactly."""
    if money.is_negative:
        raise GatewayError(f"Stripe amounts cannot be negative; got {money}.")
    grid = stripe_grid(money.currency)
    amount = _rescale(money.minor, money.exponent, grid.decimals)
    if amount is None or amount % grid.step:
        raise GatewayError(
            f"Stripe charges {money.currency} in {_step_text(grid)}; "
            f"{money} cannot be charged or refunded exactly."
        )
    if amount > MAX_PROVIDER_AMOUNT:
        raise GatewayError(f"{money} is more than Stripe takes in one charge.")
    return amount


def from_stripe_amount(amount: int, currency: str) -> Money:
    """Our Money for an `amount` Stripe reported in `currency` (any case)."""
    try:
        code = normalise_currency(currency)
    except UnknownCurrency as exc:
        raise GatewayError(
            f"Stripe reported an amount in {currency!r}, which we do not support."
        ) from exc
    minor = _rescale(amount, stripe_grid(code).decimals, exponent(code))
    if minor is None:
        raise GatewayError(
            f"Stripe reported {amount} in {code}, which is not a whole number of "
            f"{code} minor units."
        )
    return Money(minor, code)


def _rescale(value: int, from_decimals: int, to_decimals: int) -> int | None:
    """`value` moved from one number of decimals to another, or None if digits would be lost."""
    if to_decimals >= from_decimals:
        return value * _ten_to(to_decimals - from_decimals)
    quotient, remainder = divmod(value, _ten_to(from_decimals - to_decimals))
    return None if remainder else quotient


def _ten_to(power: int) -> int:
    return int(10**power)


def _step_text(grid: ProviderGrid) -> str:
    """'whole units' or 'multiples of 0.010' (Stripe's step in major units), for messages."""
    if grid.step % _ten_to(grid.decimals) == 0:
        return "whole units"
    units, frac = divmod(grid.step, _ten_to(grid.decimals))
    return f"multiples of {units}.{frac:0{grid.decimals}d}"
