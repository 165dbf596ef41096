from decimal import Decimal

import pytest

from concierge_app.domain.errors import CurrencyMismatch, InvalidAmount, UnknownCurrency
from concierge_app.domain.money import Money, Rounding, divide_rounded, total


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("1250", "EUR", 125000),
        ("1250.5", "EUR", 125050),
        ("1250.50", "eur", 125050),
        ("12000", "JPY", 12000),
        ("1.250", "KWD", 1250),
        ("0.001", "KWD", 1),
        ("-3.10", "USD", -310),
        (" 1 000.00 ", "USD", 100000),
    ],
)
def test_parse_reads_minor_units_with_the_currency_exponent(text, currency, minor):
    assert Money.parse(text, currency) == Money(minor, currency.upper())


@pytest.mark.parametrize(
    ("text", "currency"),
    [("12.5", "JPY"), ("1.2345", "KWD"), ("10.001", "EUR")],
)
def test_parse_refuses_more_decimals_than_the_currency_has(text, currency):
    with pytest.raises(InvalidAmount, match=currency):
        Money.parse(text, currency)


@pytest.mark.parametrize("text", ["", "abc", "12,50", "1.2.3", "€12", "1e3", "nan"])
def test_parse_refuses_what_is_not_a_plain_amount(text):
    with pytest.raises(InvalidAmount, match="not an amount"):
        Money.parse(text, "EUR")


def test_unknown_currency_is_refused_with_a_clear_message():
    with pytest.raises(UnknownCurrency, match="'EURO' is not a currency"):
        Money(100, "EURO")


def test_floats_and_bools_are_not_money():
    with pytest.raises(InvalidAmount):
        Money(1.5, "EUR")  # type: ignore[arg-type]
    with pytest.raises(InvalidAmount):
        Money(True, "EUR")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(100, "EUR") * 1.5  # type: ignore[operator]


def test_adding_or_comparing_two_currencies_raises():
    with pytest.raises(CurrencyMismatch, match="EUR and USD"):
        Money(100, "EUR") + Money(100, "USD")
    with pytest.raises(CurrencyMismatch):
        _ = Money(100, "EUR") < Money(100, "JPY")
    with pytest.raises(CurrencyMismatch):
        total([Money(1, "EUR"), Money(1, "USD")], "EUR")


def test_arithmetic_stays_exact_in_minor_units():
    a = Money.parse("0.10", "EUR")
    assert a + a + a == Money.parse("0.30", "EUR")
    assert Money(500, "EUR") - Money(700, "EUR") == Money(-200, "EUR")
    assert 3 * Money(333, "EUR") == Money(999, "EUR")
    assert total([], "JPY") == Money.zero("JPY")


@pytest.mark.parametrize(
    ("money", "decimal", "text"),
    [
        (Money(125050, "EUR"), Decimal("1250.50"), "1250.50"),
        (Money(12000, "JPY"), Decimal("12000"), "12000"),
        (Money(1250, "KWD"), Decimal("1.250"), "1.250"),
        (Money(-5, "USD"), Decimal("-0.05"), "-0.05"),
    ],
)
def test_decimal_and_text_views_are_exact(money, decimal, text):
    assert money.to_decimal() == decimal
    assert money.amount_text() == text


@pytest.mark.parametrize(
    ("n", "d", "rounding", "expected"),
    [
        (5, 2, Rounding.HALF_UP, 3),
        (-5, 2, Rounding.HALF_UP, -3),
        (5, 2, Rounding.HALF_EVEN, 2),
        (7, 2, Rounding.HALF_EVEN, 4),
        (7, 3, Rounding.HALF_UP, 2),
        (8, 3, Rounding.HALF_UP, 3),
        (9, 4, Rounding.DOWN, 2),
        (-9, 4, Rounding.DOWN, -2),
    ],
)
def test_division_rounds_only_by_the_rule_asked_for(n, d, rounding, expected):
    assert divide_rounded(n, d, rounding) == expected


def test_commission_in_basis_points_rounds_half_up_explicitly():
    assert Money(1001, "EUR").basis_points(1500, rounding=Rounding.HALF_UP) == Money(150, "EUR")
    assert Money(1003, "EUR").basis_points(1500, rounding=Rounding.HALF_UP) == Money(150, "EUR")
    assert Money(1010, "EUR").basis_points(1500, rounding=Rounding.HALF_UP) == Money(152, "EUR")
    assert Money(45000, "JPY").basis_points(800, rounding=Rounding.HALF_UP) == Money(3600, "JPY")


def test_require_non_negative_names_the_field():
    with pytest.raises(InvalidAmount, match="The price cannot be negative") as err:
        Money(-1, "EUR").require_non_negative("The price", field="gross_price")
    assert err.value.field == "gross_price"
