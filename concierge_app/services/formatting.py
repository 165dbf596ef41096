"""Formatting for people: money per currency and locale, dates in a time zone (Babel)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.numbers import format_currency

from ..domain.money import Money


def format_money(money: Money, locale: str = "en_US") -> str:
    """'€1,250.00', '¥12,000', 'KWD 1.250' — with the currency's own number of decimals."""
    # CLDR's digits per currency; never quantised, so an amount is never rounded for display.
    return format_currency(
        money.to_decimal(), money.currency, locale=locale, decimal_quantization=False
    )


def format_day(day: date | None, locale: str = "en_US") -> str:
    return "" if day is None else _babel_date(day, format="medium", locale=locale)


def format_moment(moment: datetime | None, timezone: str = "UTC", locale: str = "en_US") -> str:
    """A timestamp shown in the property's time zone, e.g. 'Jul 3, 2026, 14:05'."""
    if moment is None:
        return ""
    return _babel_datetime(
        moment, format="MMM d, y, HH:mm", tzinfo=ZoneInfo(timezone), locale=locale
    )
