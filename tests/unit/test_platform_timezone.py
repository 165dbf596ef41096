"""PLATFORM_TIMEZONE: the one zone staff pages show times in, checked at start-up."""

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from concierge_app.domain import formatting
from concierge_app.services.shared import time_zone
from concierge_app.settings import Settings, get_settings

MOMENT = datetime(2026, 7, 3, 12, 5, 9, tzinfo=UTC)


def test_staff_times_are_in_utc_unless_a_platform_zone_is_set(monkeypatch):
    monkeypatch.delenv("PLATFORM_TIMEZONE", raising=False)
    assert Settings(_env_file=None).platform_timezone == "UTC"


@pytest.mark.parametrize("zone", ["Mars/Olympus", "utc", "", "../etc/passwd", "Europe/"])
def test_a_zone_that_is_not_an_iana_name_stops_the_app_with_a_clear_message(zone):
    with pytest.raises(ValidationError, match=r"PLATFORM_TIMEZONE: .* is not a time zone"):
        Settings(platform_timezone=zone)


def test_the_setting_is_read_from_the_environment_and_names_the_zone_on_every_staff_page(
    monkeypatch,
):
    monkeypatch.setenv("PLATFORM_TIMEZONE", "Asia/Kolkata")
    get_settings.cache_clear()
    try:
        assert time_zone.platform_timezone() == "Asia/Kolkata"
        assert formatting.times_note(time_zone.platform_timezone()) == "Times in Asia/Kolkata."
    finally:
        get_settings.cache_clear()


def test_a_moment_is_shown_in_the_zone_a_page_names():
    assert formatting.format_moment(MOMENT, "Asia/Kolkata") == "Jul 3, 2026, 17:35"
    assert formatting.format_moment(MOMENT, "Europe/Madrid") == "Jul 3, 2026, 14:05"
    assert formatting.format_moment(MOMENT, "UTC") == "Jul 3, 2026, 12:05"


def test_a_log_line_is_shown_to_the_second_in_the_pages_zone():
    assert formatting.format_moment_to_the_second(MOMENT, "Asia/Kolkata") == "2026-07-03 17:35:09"
    assert formatting.format_moment_to_the_second(MOMENT, "UTC") == "2026-07-03 12:05:09"
    assert formatting.format_moment_to_the_second(None, "UTC") == ""
