"""Formatting for people: money per currency and locale, dates in a time zone (Babel)."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.dates import format_skeleton
from babel.numbers import NumberPattern

from concierge_app.domain.money import Money


@lru_cache(maxsize=64)
def _currency_format(locale: str) -> tuple[Locale, NumberPattern]:
    parsed = Locale.parse(locale)
    return parsed, parsed.currency_formats["standard"]


@lru_cache(maxsize=8192)
def format_money(money: Money, locale: str = "en_US") -> str:
    """'€1,250.00', '¥12,000', 'KWD 1.250' — with the currency's own number of decimals."""
    parsed, pattern = _currency_format(locale)
    # CLDR's digits per currency; never quantised, so an amount is never rounded for display.
    text: str = pattern.apply(
        money.to_decimal(),
        parsed,
        currency=money.currency,
        currency_digits=True,
        decimal_quantization=False,
    )
    return text


@lru_cache(maxsize=8192)
def format_day(day: date | None, locale: str = "en_US") -> str:
    return "" if day is None else _babel_date(day, format="medium", locale=locale)


@lru_cache(maxsize=8192)
def format_long_day(day: date | None, locale: str = "en_US") -> str:
    """A day written out, as the partner guide writes due dates: 'December 15, 2026',
    '15 de diciembre de 2026'."""
    return "" if day is None else _babel_date(day, format="long", locale=locale)


@lru_cache(maxsize=1024)
def format_month(year: int, month: int, locale: str = "en_US") -> str:
    """A month and its year: 'November 2026', 'noviembre de 2026', '2026年11月'."""
    text: str = format_skeleton("yMMMM", date(year, month, 1), locale=locale)
    return text


def format_moment(moment: datetime | None, timezone: str = "UTC", locale: str = "en_US") -> str:
    """A timestamp in `timezone`, e.g. 'Jul 3, 2026, 14:05'. Staff pages pass the platform's
    zone (`platform_timezone`), a booking's page its property's; each page says which."""
    if moment is None:
        return ""
    return _babel_datetime(
        moment, format="MMM d, y, HH:mm", tzinfo=ZoneInfo(timezone), locale=locale
    )


def format_moment_to_the_second(moment: datetime | None, timezone: str = "UTC") -> str:
    """A timestamp for a log, to the second, e.g. '2026-11-25 09:14:03'."""
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M:%S")


def times_note(timezone: str) -> str:
    """What a page says about its times, e.g. 'Times in Europe/Madrid.'"""
    return f"Times in {timezone}."


def whole_units(money: Money) -> int:
    """Whole major units, rounded down: for a chart's scale only, never for arithmetic."""
    return int(money.minor // 10**money.exponent)
