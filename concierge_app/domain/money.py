"""Money: integer minor units plus an ISO 4217 currency. No floats, no mixed currencies."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from concierge_app.domain.currencies import exponent, normalise_currency
from concierge_app.domain.errors import CurrencyMismatch, InvalidAmount

# ASCII digits only: Python's \d and int() also take "１２３" (full-width) and other scripts.
_AMOUNT_TEXT = re.compile(r"^(?P<sign>-)?(?P<units>[0-9]{1,18})(?:\.(?P<frac>[0-9]{1,18}))?$")
# Every amount fits the database's 64-bit integers; a larger one is an error, never a REAL.
MAX_MINOR = 2**63 - 1


class Rounding(enum.Enum):
    """How a fractional minor unit is resolved. Always chosen explicitly by the caller."""

    HALF_UP = "half_up"  # .5 away from zero
    HALF_EVEN = "half_even"  # banker's rounding
    DOWN = "down"  # towards zero


def divide_rounded(numerator: int, denominator: int, rounding: Rounding) -> int:
    """Integer division of two ints with an explicit rounding rule (no floats)."""
    if denominator == 0:
        raise ZeroDivisionError("division by zero")
    sign = -1 if (numerator < 0) != (denominator < 0) else 1
    n, d = abs(numerator), abs(denominator)
    quotient, remainder = divmod(n, d)
    if rounding is Rounding.HALF_UP:
        if 2 * remainder >= d:
            quotient += 1
    elif rounding is Rounding.HALF_EVEN:
        if 2 * remainder > d or (2 * remainder == d and quotient % 2 == 1):
            quotient += 1
    return sign * quotient


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount: `minor` units (cents, yen, fils) of `currency`."""

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.minor, bool) or not isinstance(self.minor, int):
            raise InvalidAmount(
                f"Amounts are whole numbers of minor units, got {type(self.minor).__name__}."
            )
        if not -MAX_MINOR <= self.minor <= MAX_MINOR:
            raise InvalidAmount("This amount is too large for the ledger (64-bit minor units).")
        object.__setattr__(self, "currency", normalise_currency(self.currency))

    # -- construction -------------------------------------------------------------------
    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def parse(cls, text: str, currency: str, *, field: str | None = None) -> Money:
        """Parse a decimal string typed by a person ("1250", "1250.5", "1250.50").

        Refuses anything ambiguous or more precise than the currency allows: no silent rounding.
        """
        code = normalise_currency(currency)
        raw = (text or "").strip().replace(" ", "").replace("_", "")
        match = _AMOUNT_TEXT.fullmatch(raw) if len(raw) <= 40 else None
        if not match:
            raise InvalidAmount(
                f"'{(text or '')[:40]}' is not an amount. Use digits 0-9 with a dot for "
                "decimals, e.g. 1250.00.",
                field=field,
            )
        digits = exponent(code)
        frac = match.group("frac") or ""
        if len(frac) > digits:
            allowed = "no decimals" if digits == 0 else f"at most {digits} decimals"
            raise InvalidAmount(f"{code} amounts have {allowed}; '{raw}' has more.", field=field)
        minor = int(match.group("units")) * 10**digits + int((frac or "0").ljust(digits, "0") or 0)
        return cls(-minor if match.group("sign") else minor, code)

    # -- arithmetic ---------------------------------------------------------------------
    def _same(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(
                f"Cannot combine {self.currency} and {other.currency} amounts; "
                "each invoice and payment has one currency."
            )
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.minor + self._same(other).minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.minor - self._same(other).minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __mul__(self, factor: int) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int):
            raise TypeError("Money can only be multiplied by a whole number")
        return Money(self.minor * factor, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        return self.minor < self._same(other).minor

    def __le__(self, other: Money) -> bool:
        return self.minor <= self._same(other).minor

    def __gt__(self, other: Money) -> bool:
        return self.minor > self._same(other).minor

    def __ge__(self, other: Money) -> bool:
        return self.minor >= self._same(other).minor

    def fraction(self, numerator: int, denominator: int, *, rounding: Rounding) -> Money:
        """self × numerator / denominator, rounded by the given rule."""
        return Money(divide_rounded(self.minor * numerator, denominator, rounding), self.currency)

    def basis_points(self, bps: int, *, rounding: Rounding) -> Money:
        """A rate in basis points (1500 = 15 %) of this amount, rounded by the given rule."""
        return self.fraction(bps, 10_000, rounding=rounding)

    # -- inspection ---------------------------------------------------------------------
    @property
    def is_zero(self) -> bool:
        return self.minor == 0

    @property
    def is_negative(self) -> bool:
        return self.minor < 0

    @property
    def exponent(self) -> int:
        return exponent(self.currency)

    def to_decimal(self) -> Decimal:
        """Exact decimal value in major units (for formatting; never for arithmetic)."""
        return Decimal(self.minor).scaleb(-self.exponent)

    def amount_text(self) -> str:
        """Plain decimal text with the currency's digits, e.g. '1250.00', '12000', '1.250'."""
        digits = self.exponent
        sign = "-" if self.minor < 0 else ""
        units, frac = divmod(abs(self.minor), 10**digits) if digits else (abs(self.minor), 0)
        return f"{sign}{units}" + (f".{frac:0{digits}d}" if digits else "")

    def __str__(self) -> str:
        return f"{self.amount_text()} {self.currency}"

    def require_non_negative(self, what: str, *, field: str | None = None) -> Money:
        if self.minor < 0:
            raise InvalidAmount(f"{what} cannot be negative.", field=field)
        return self


def total(amounts: Iterable[Money], currency: str) -> Money:
    """Sum of amounts that must all be in `currency` (an empty sum is zero)."""
    result = Money.zero(currency)
    for amount in amounts:
        result = result + amount
    return result


def totals_by_currency(amounts: Iterable[Money]) -> tuple[Money, ...]:
    """One sum per currency, by currency code (amounts are never added across currencies)."""
    sums: dict[str, Money] = {}
    for amount in amounts:
        sums[amount.currency] = sums.get(amount.currency, Money.zero(amount.currency)) + amount
    return tuple(sums[c] for c in sorted(sums))
