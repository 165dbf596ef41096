"""The booking page's Edit dialog: the fields that may change (dates, guest, accommodation
total, external reference; currency and property until the booking has invoices; nothing once
cancelled)."""

from __future__ import annotations

import reflex as rx

from concierge_app.domain.booking_input import FIELDS
from concierge_app.ui.shared.booking_fields import booking_fields
from concierge_app.ui.shared.forms import dialog_footer, dialog_form, form_error
from concierge_app.ui.staff.booking.state import BookingState as S


def edit_dialog() -> rx.Component:
    errors = S.edit_errors
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Edit booking " + S.overview.reference),
            rx.dialog.description(
                "A cancelled booking no longer changes. The accommodation total stays at or "
                "above what is already paid; currency and property stay once invoiced. The "
                "guest's details change on the guest's record.",
                size="2",
                color_scheme="gray",
            ),
            dialog_form(
                *booking_fields(
                    "edit",
                    errors,
                    S.edit_properties,
                    {k: S.edit_values[k] for k in FIELDS},
                    with_paid=False,
                ),
                form_error(errors.contains("form"), errors["form"]),  # type: ignore[attr-defined]
                dialog_footer(
                    rx.dialog.close,
                    "Close",
                    "Save changes",
                    busy=S.busy == "edit",
                    id="edit-booking-submit",
                ),
                on_submit=S.save_edit,
                id="edit-booking-form",
            ),
            max_width="600px",
            id="edit-booking-dialog",
        ),
        open=S.editing,
        on_open_change=S.close_edit,
    )
