"""The New booking dialog: guest, property, stay, accommodation and what is already paid."""

from __future__ import annotations

import reflex as rx

from concierge_app.ui.shared.booking_fields import booking_fields
from concierge_app.ui.shared.forms import dialog_footer, dialog_form, form_error
from concierge_app.ui.staff.bookings.state import BookingsState as S


def new_booking_dialog() -> rx.Component:
    errors = S.new_errors
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("New booking"),
            rx.dialog.description(
                "A confirmed booking with an empty concierge ledger. A guest whose email is "
                "already known is reused.",
                size="2",
                color_scheme="gray",
            ),
            dialog_form(
                *booking_fields(
                    "new",
                    errors,
                    S.property_options,
                    {"currency": "EUR", "guest_language": "en_US", "collected_by": "platform"},
                    with_paid=True,
                ),
                form_error(errors.contains("form"), errors["form"]),  # type: ignore[attr-defined]
                dialog_footer(
                    rx.dialog.close,
                    "Close",
                    "Create booking",
                    busy=S.saving,
                    id="new-booking-submit",
                ),
                on_submit=S.create_booking,
                id="new-booking-form",
            ),
            max_width="600px",
            id="new-booking-dialog",
        ),
        open=S.creating,
        on_open_change=S.close_new_booking,
    )
