"""`/bookings/[reference]`: one booking — overview and accommodation plan, the Trip Portfolio
(services: add, confirm, cancel, refund) and the Payments panel (draft, Send Invoice, invoices,
void and re-issue, totals, cancel the booking). Live: another browser's change shows here.

The parts live in `concierge_app/components/booking/`; this module assembles them."""

from __future__ import annotations

import reflex as rx

from concierge_app import routes
from concierge_app.ui.shared.layout import loading_card
from concierge_app.ui.staff.booking.common import empty_state
from concierge_app.ui.staff.booking.dialogs import confirm_dialog, refund_dialog
from concierge_app.ui.staff.booking.edit_dialog import edit_dialog
from concierge_app.ui.staff.booking.overview import cancelled_notice, header, overview
from concierge_app.ui.staff.booking.payments import payments_panel
from concierge_app.ui.staff.booking.portfolio import portfolio
from concierge_app.ui.staff.booking.service_form import add_service_dialog
from concierge_app.ui.staff.booking.state import BookingState as S
from concierge_app.ui.staff.shell import page_shell


def _loading() -> rx.Component:
    return loading_card("Loading the booking…", id="booking-loading")


def _not_found() -> rx.Component:
    return rx.card(
        rx.vstack(
            empty_state(
                "search_x",
                "Booking not found",
                S.not_found + " Check the reference, or pick the booking from the list.",
            ),
            rx.link(
                rx.hstack(rx.icon("arrow_left", size=14), "Back to the bookings", spacing="1"),
                href=routes.BOOKINGS,
                weight="medium",
            ),
            align="center",
            padding_bottom="32px",
        ),
        id="booking-not-found",
        width="100%",
    )


def _error() -> rx.Component:
    return rx.callout(
        S.error, icon="triangle_alert", color_scheme="red", role="alert", id="booking-error"
    )


def _booking() -> rx.Component:
    return rx.vstack(
        header(),
        cancelled_notice(),
        overview(),
        portfolio(),
        payments_panel(),
        spacing="6",
        width="100%",
    )


def booking_page() -> rx.Component:
    return page_shell(
        rx.match(
            S.view,
            ("loading", _loading()),
            ("not-found", _not_found()),
            ("error", _error()),
            _booking(),
        ),
        confirm_dialog(),
        add_service_dialog(),
        refund_dialog(),
        edit_dialog(),
        active="Bookings",
    )
