"""One time zone per staff page, said on the page.

Every staff page shows times in the platform's zone (PLATFORM_TIMEZONE, UTC unless set) and
says so in its header ("Times in Europe/Madrid."); a booking's page shows its property's zone
instead, and says that. A page state mixes this in and calls `_platform_zone()` when it formats
its rows.
"""

from __future__ import annotations

from concierge_app.domain.formatting import times_note
from concierge_app.services.shared.time_zone import platform_timezone
from concierge_app.ui.staff.session import AuthState


class PlatformTimesMixin(AuthState, mixin=True):
    """`class OutboxState(PlatformTimesMixin, LiveState, AuthState)`: the page's zone and the
    sentence that names it."""

    time_zone: str = ""
    times_note: str = ""

    def _platform_zone(self) -> str:
        """The zone to format this page's times in; the page's note names it."""
        zone = platform_timezone()
        if zone != self.time_zone:
            self.time_zone, self.times_note = zone, times_note(zone)
        return zone
