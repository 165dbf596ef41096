"""The most one payment can take, per currency, and how the payment provider writes amounts.

Stripe takes an `amount` of at most 99,999,999 in its smallest unit of the currency: "The
amount value supports up to eight digits (e.g., a value of 99999999 for a USD charge of
$999,999.99)" (PaymentIntent.amount in Stripe's OpenAPI spec, as generated into stripe-python's
`_payment_intent.py` for the pinned API version 2026-10-28.endive). Every amount a person or a
file enters — a service's price and deposit, a refund, a transfer, a bank-statement row, a
credit or debit note — is bounded by it, so no invoice or payment the ledger holds is one the
provider cannot charge, and no total comes near the 64 bits the database stores.

Stripe's grid, from https://docs.stripe.com/currencies: two decimals unless listed otherwise
(HUF and TWD included: their zero-decimal rule is for payouts only); zero-decimal BIF CLP DJF
GNF JPY KMF KRW MGA PYG RWF VND VUV XAF XOF XPF; ISK and UGX written with two decimals that are
always `00`; three-decimal BHD JOD KWD OMR TND with the last digit 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from concierge_app.domain.currencies import exponent, normalise_currency
from concierge_app.domain.errors import InvalidAmount
from concierge_app.domain.money import Money

MAX_PROVIDER_AMOUNT = 99_999_999  # Stripe's largest `amount`, in its smallest unit


@dataclass(frozen=True, slots=True)
class ProviderGrid:
    """How the provider writes a currency: `decimals` places, in steps of `step` of those."""

    decimals: int
    step: int = 1


_ZERO_DECIMAL = frozenset(
    "BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF VND VUV XAF XOF XPF".split()  # noqa: SIM905
)
_WHOLE_UNITS_WRITTEN_WITH_TWO_DECIMALS = frozenset({"ISK", "UGX"})
_THREE_DECIMAL = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})


def provider_grid(currency: str) -> ProviderGrid:
    """The provider's decimals and step for an (upper-case ISO) currency code."""
    if currency in _ZERO_DECIMAL:
        return ProviderGrid(decimals=0)
    if currency in _WHOLE_UNITS_WRITTEN_WITH_TWO_DECIMALS:
        return ProviderGrid(decimals=2, step=100)
    if currency in _THREE_DECIMAL:
        return ProviderGrid(decimals=3, step=10)
    return ProviderGrid(decimals=2)


def max_charge(currency: str) -> Money:
    """The largest amount one payment can take in this currency (e.g. 999,999.99 EUR)."""
    code = normalise_currency(currency)
    grid = provider_grid(code)
    top = MAX_PROVIDER_AMOUNT - MAX_PROVIDER_AMOUNT % grid.step
    shift = exponent(code) - grid.decimals
    minor = top * 10**shift if shift >= 0 else top // 10 ** (-shift)
    return Money(minor, code)


def check_chargeable(amount: Money, what: str, *, field: str | None = None) -> Money:
    """`amount` if one payment can take it; else a clear refusal naming the limit."""
    limit = max_charge(amount.currency)
    if amount > limit:
        raise InvalidAmount(
            f"{what} of {amount} is more than one payment can take: at most {limit} "
            f"(the payment provider's limit per charge).",
            field=field,
        )
    return amount
