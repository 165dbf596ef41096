"""State of the Bookings page: loads booking summaries and formats them for display.

Thin by design: all the sums come from `concierge_app.services.guest.queries`. Money crosses to the
browser only as formatted strings (Reflex would serialise a Decimal as a float).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging

import reflex as rx

from concierge_app.domain.formatting import format_day, format_money
from concierge_app.services.guest.queries import BookingSummary, list_bookings
from concierge_app.services.shared.database import get_database
from concierge_app.ui.shared.stay import format_stay, nights_text
from concierge_app.ui.staff.bookings.import_state import ImportBookingsMixin
from concierge_app.ui.staff.bookings.new_booking_state import NewBookingMixin
from concierge_app.ui.staff.live_state import LiveState
from concierge_app.ui.staff.session import AuthState

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class BookingRow:
    """One table row, every field already formatted for display."""

    id: str
    reference: str
    guest_name: str
    property_name: str
    check_in: str
    check_out: str
    stay: str  # both dates as one range, e.g. "Feb 12 – 16, 2027"
    nights: str
    currency: str
    status: str  # "confirmed" / "cancelled"
    invoiced: str
    paid: str
    outstanding: str
    outstanding_state: str  # "due", "settled" or "credit": picks the colour of the amount


def to_row(summary: BookingSummary) -> BookingRow:
    """Format one booking summary for the table."""
    minor = summary.outstanding.minor
    return BookingRow(
        id=str(summary.id),
        reference=summary.reference,
        guest_name=summary.guest_name,
        property_name=summary.property_name,
        check_in=format_day(summary.check_in),
        check_out=format_day(summary.check_out),
        stay=format_stay(summary.check_in, summary.check_out),
        nights=nights_text(summary.check_in, summary.check_out),
        currency=summary.currency,
        status=str(summary.status),  # a StrEnum on the way in; plain text to the browser
        invoiced=format_money(summary.invoiced),
        paid=format_money(summary.paid),
        outstanding=format_money(summary.outstanding),
        outstanding_state="due" if minor > 0 else ("credit" if minor < 0 else "settled"),
    )


STATUS_FILTERS = {"All statuses": "", "Confirmed": "confirmed", "Cancelled": "cancelled"}


class BookingsState(NewBookingMixin, ImportBookingsMixin, LiveState, AuthState):
    """Bookings listed on `/`, with search and filters; reloads when the ledger moves. The New
    booking form and the Import bookings card are its mixins."""

    rows: list[BookingRow] = []
    loading: bool = True
    error: str = ""
    search: str = ""
    status_filter: str = "All statuses"
    only_outstanding: bool = False

    @rx.var
    def view(self) -> str:
        """What the page shows: "loading", "error", "empty" or "table"."""
        if self.loading:
            return "loading"
        if self.error:
            return "error"
        if self.rows:
            return "table"
        filtered = self.search or self.status_filter != "All statuses" or self.only_outstanding
        return "no-match" if filtered else "empty"

    @rx.var
    def booking_count(self) -> str:
        count = len(self.rows)
        return "1 booking" if count == 1 else f"{count} bookings"

    @rx.event
    async def set_search(self, value: str) -> None:
        self.search = value
        await self._reload()

    @rx.event
    async def set_status_filter(self, value: str) -> None:
        self.status_filter = value
        await self._reload()

    @rx.event
    async def set_only_outstanding(self, value: bool) -> None:
        self.only_outstanding = value
        await self._reload()

    async def _reload(self) -> None:
        """Read the bookings (in a worker thread: a slow database never stalls the event loop)."""
        db = get_database()
        try:
            self.version = await self._ledger_version()
            summaries = await asyncio.to_thread(
                list_bookings,
                db=db,
                search=self.search,
                status=STATUS_FILTERS.get(self.status_filter) or None,
                only_outstanding=self.only_outstanding,
            )
        except Exception:
            logger.exception("Could not load the bookings")
            self.rows = []
            self.error = (
                "The bookings could not be loaded from the database. Check the server log; "
                "a new database needs 'make run', which migrates it and loads the demo data."
            )
        else:
            self.rows = [to_row(summary) for summary in summaries]
            self.error = ""
        finally:
            self.loading = False
