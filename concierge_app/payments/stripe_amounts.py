"""Our Money (ISO 4217 minor units) to and from Stripe's integer `amount`, exactly or not at all.

Stripe's rules, from https://docs.stripe.com/currencies:

- Two decimals unless listed otherwise (HUF and TWD included: their zero-decimal rule is for
  payouts only; charges take two-decimal amounts).
- Zero-decimal: BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF VND VUV XAF XOF XPF.
- ISK and UGX (special cases): zero-decimal in practice, but written with two decimals that are
  always `00` ("to charge 5 ISK, provide an amount value of 500").
- Three-decimal: BHD JOD KWD OMR TND, with the last digit 0 ("5.124 KWD must be rounded to
  5120 or 5130").

Where our amount does not fit Stripe's grid we refuse with GatewayError; we never round.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.currencies import exponent, normalise_currency
from ..domain.errors import UnknownCurrency
from ..domain.money import Money
from .gateway import GatewayError


@dataclass(frozen=True, slots=True)
class StripeGrid:
    """How Stripe writes a currency: `decimals` places, in steps of `step` of those units."""

    decimals: int
    step: int = 1


_ZERO_DECIMAL = frozenset(
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ]
)
_WHOLE_UNITS_WRITTEN_WITH_TWO_DECIMALS = frozenset({"ISK", "UGX"})
_THREE_DECIMAL = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})


def stripe_grid(currency: str) -> StripeGrid:
    """Stripe's decimals and step for an (upper-case ISO) currency code."""
    if currency in _ZERO_DECIMAL:
        return StripeGrid(decimals=0)
    if currency in _WHOLE_UNITS_WRITTEN_WITH_TWO_DECIMALS:
        return StripeGrid(decimals=2, step=100)
    if currency in _THREE_DECIMAL:
        return StripeGrid(decimals=3, step=10)
    return StripeGrid(decimals=2)


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


def _step_text(grid: StripeGrid) -> str:
    """'whole units' or 'multiples of 0.010' (Stripe's step in major units), for messages."""
    if grid.step % _ten_to(grid.decimals) == 0:
        return "whole units"
    units, frac = divmod(grid.step, _ten_to(grid.decimals))
    return f"multiples of {units}.{frac:0{grid.decimals}d}"
