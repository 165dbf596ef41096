"""A stay's dates for people (the staff booking pages and the guest portal)."""

from __future__ import annotations

from datetime import date

from babel.dates import format_interval

from concierge_app.domain.i18n import ngettext


def format_stay(check_in: date, check_out: date, locale: str = "en_US") -> str:
    """The stay as a date range, without repeating what both dates share: "Feb 12 – 16, 2027"."""
    return str(format_interval(check_in, check_out, "yMMMd", locale=locale))


def nights_text(check_in: date, check_out: date, locale: str = "en_US") -> str:
    """ "1 night", "4 nights" (in the language of `locale`)."""
    return ngettext(locale, "{n} night", "{n} nights", (check_out - check_in).days)
