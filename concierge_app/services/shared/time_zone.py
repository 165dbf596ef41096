"""The platform's time zone: the one staff pages show their times in."""

from __future__ import annotations

from concierge_app.settings import get_settings


def platform_timezone() -> str:
    """The zone staff pages show times in (PLATFORM_TIMEZONE; UTC unless set)."""
    return get_settings().platform_timezone
