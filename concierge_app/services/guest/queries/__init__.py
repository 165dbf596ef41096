"""Read models of a booking: bookings list, the Payments panel, booking totals, the Trip Portfolio
and the booking page. Each loads with a fixed number of statements, whatever the number of
invoices or lines.

- totals: what a booking has invoiced, paid and still owes
- bookings: the bookings list and the partner pickers
- payments_panel: invoices, lines and refunds of one booking
- portfolio: the Trip Portfolio (one row a service)
- booking_page: the booking overview and everything the booking page reads
"""

from concierge_app.services.guest.queries.booking_page import (
    BookingHeader,
    BookingPage,
    booking_by_reference,
    booking_page,
)
from concierge_app.services.guest.queries.bookings import (
    BookingSummary,
    PartnerOption,
    list_bookings,
    list_partners,
)
from concierge_app.services.guest.queries.payments_panel import (
    InvoiceView,
    LineView,
    PaymentsPanel,
    RefundLineView,
    payments_panel,
)
from concierge_app.services.guest.queries.portfolio import ServiceView, trip_portfolio
from concierge_app.services.guest.queries.totals import (
    BookingTotals,
    booking_totals,
    totals_by_booking,
)

__all__ = [
    "BookingHeader",
    "BookingPage",
    "BookingSummary",
    "BookingTotals",
    "InvoiceView",
    "LineView",
    "PartnerOption",
    "PaymentsPanel",
    "RefundLineView",
    "ServiceView",
    "booking_by_reference",
    "booking_page",
    "booking_totals",
    "list_bookings",
    "list_partners",
    "payments_panel",
    "totals_by_booking",
    "trip_portfolio",
]
