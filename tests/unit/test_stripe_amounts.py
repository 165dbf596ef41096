"""Money <-> Stripe `amount`: exact by Stripe's currency rules, refused rather than rounded."""

from __future__ import annotations

import pytest

from concierge_app.adapters.payments.gateway import GatewayError
from concierge_app.adapters.payments.stripe_amounts import (
    from_stripe_amount,
    stripe_grid,
    to_stripe_amount,
)
from concierge_app.domain.money import Money


@pytest.mark.parametrize(
    ("money", "amount"),
    [
        (Money(1234, "EUR"), 1234),  # two-decimal: cents as they are
        (Money(50, "USD"), 50),
        (Money(500, "JPY"), 500),  # zero-decimal: yen, not multiplied by 100
        (Money(12_000, "KRW"), 12_000),
        (Money(1230, "KWD"), 1230),  # three-decimal, last digit 0
        (Money(5_120, "BHD"), 5_120),
        (Money(5, "ISK"), 500),  # "to charge 5 ISK, provide an amount value of 500"
        (Money(5, "UGX"), 500),  # same rule for UGX
        (Money(1045, "HUF"), 1045),  # HUF charges take two decimals (payouts differ)
        (Money(80045, "TWD"), 80045),  # likewise TWD
        (Money(1200, "MGA"), 12),  # ISO gives MGA two decimals, Stripe none
        (Money(0, "EUR"), 0),
    ],
)
def test_to_stripe_amount(money: Money, amount: int) -> None:
    assert to_stripe_amount(money) == amount


@pytest.mark.parametrize(
    ("money", "message"),
    [
        (
            Money(1234, "KWD"),
            "Stripe charges KWD in multiples of 0.010; 1.234 KWD cannot be charged or "
            "refunded exactly.",
        ),
        (
            Money(5_124, "OMR"),
            "Stripe charges OMR in multiples of 0.010; 5.124 OMR cannot be charged or "
            "refunded exactly.",
        ),
        (
            Money(1234, "MGA"),
            "Stripe charges MGA in whole units; 12.34 MGA cannot be charged or refunded exactly.",
        ),
        (
            Money(1234, "IQD"),  # three decimals in ISO, not in Stripe's three-decimal list
            "Stripe charges IQD in multiples of 0.01; 1.234 IQD cannot be charged or "
            "refunded exactly.",
        ),
        (Money(-1, "EUR"), "Stripe amounts cannot be negative; got -0.01 EUR."),
    ],
)
def test_to_stripe_amount_refuses_rather_than_rounds(money: Money, message: str) -> None:
    with pytest.raises(GatewayError) as caught:
        to_stripe_amount(money)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("amount", "currency", "money"),
    [
        (1234, "eur", Money(1234, "EUR")),
        (500, "jpy", Money(500, "JPY")),
        (1230, "kwd", Money(1230, "KWD")),
        (1234, "kwd", Money(1234, "KWD")),  # Stripe may report any fils; we can hold it
        (500, "isk", Money(5, "ISK")),
        (500, "UGX", Money(5, "UGX")),
        (12, "mga", Money(1200, "MGA")),
    ],
)
def test_from_stripe_amount(amount: int, currency: str, money: Money) -> None:
    assert from_stripe_amount(amount, currency) == money


def test_from_stripe_amount_refuses_fractions_we_cannot_hold() -> None:
    with pytest.raises(GatewayError) as caught:
        from_stripe_amount(550, "isk")
    assert str(caught.value) == (
        "Stripe reported 550 in ISK, which is not a whole number of ISK minor units."
    )


def test_from_stripe_amount_refuses_unknown_currency() -> None:
    with pytest.raises(GatewayError, match="'xyz', which we do not support"):
        from_stripe_amount(100, "xyz")


@pytest.mark.parametrize(
    "money",
    [
        Money(1, "EUR"),
        Money(99_999_999, "USD"),
        Money(1, "JPY"),
        Money(10, "KWD"),
        Money(7, "ISK"),
        Money(123_456, "UGX"),
        Money(100, "MGA"),
        Money(1, "HUF"),
        Money(1, "TWD"),
    ],
)
def test_round_trip(money: Money) -> None:
    assert from_stripe_amount(to_stripe_amount(money), money.currency.lower()) == money


def test_grids_follow_stripe_docs() -> None:
    assert (stripe_grid("EUR").decimals, stripe_grid("EUR").step) == (2, 1)
    assert (stripe_grid("JPY").decimals, stripe_grid("JPY").step) == (0, 1)
    assert (stripe_grid("ISK").decimals, stripe_grid("ISK").step) == (2, 100)
    assert (stripe_grid("UGX").decimals, stripe_grid("UGX").step) == (2, 100)
    assert (stripe_grid("HUF").decimals, stripe_grid("HUF").step) == (2, 1)
    assert (stripe_grid("TWD").decimals, stripe_grid("TWD").step) == (2, 1)
    for code in ("BHD", "JOD", "KWD", "OMR", "TND"):
        assert (stripe_grid(code).decimals, stripe_grid(code).step) == (3, 10)
