"""The booking page's small dialogs: the confirmation dialog (confirm or cancel a service, void an
invoice, cancel the booking) and the Refund dialog."""

from __future__ import annotations

import reflex as rx

from concierge_app.ui.shared.forms import (
    INVALID_STYLE,
    checked_field,
    dialog_footer,
    dialog_form,
    form_error,
    form_field,
)
from concierge_app.ui.staff.booking.common import money_input
from concierge_app.ui.staff.booking.state import BookingState as S


def _reason_field() -> rx.Component:
    """The reason the confirmation asks for (cancelling, voiding); its error shows under it."""
    reason_invalid = S.confirm_error_field == "reason"
    return form_field(
        S.confirm_reason_label,
        "confirm-reason",
        rx.text_area(
            id="confirm-reason",
            style=INVALID_STYLE,
            name="reason",
            rows="2",
            width="100%",
            auto_focus=True,
            custom_attrs={
                "aria-invalid": rx.cond(reason_invalid, "true", "false"),
                "aria-describedby": "confirm-reason-error",
            },
        ),
        rx.cond(
            reason_invalid,
            rx.text(
                S.confirm_error,
                id="confirm-reason-error",
                size="1",
                color_scheme="red",
                weight="medium",
            ),
        ),
    )


def confirm_dialog() -> rx.Component:
    destructive = S.confirm_kind != "confirm"
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(S.confirm_title),
            rx.alert_dialog.description(S.confirm_body, size="2"),
            dialog_form(
                rx.cond(S.confirm_needs_reason, _reason_field()),
                form_error(
                    (S.confirm_error != "") & (S.confirm_error_field == ""), S.confirm_error
                ),
                dialog_footer(
                    rx.alert_dialog.cancel,
                    "Go back",
                    S.confirm_action,
                    busy=S.busy != "",
                    color_scheme=rx.cond(destructive, "red", "teal"),
                    id="confirm-action",
                ),
                on_submit=S.run_confirmed,
                spacing="4",
            ),
            max_width="480px",
            id="confirm-dialog",
        ),
        open=S.confirm_kind != "",
        on_open_change=S.close_confirm,
    )


def refund_dialog() -> rx.Component:
    errors = S.refund_errors
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Refund '" + S.refund_service_title + "'"),
            rx.dialog.description(
                "The guest paid " + S.refund_paid + " for this service. The refund goes back "
                "through the payment connector; the booking's totals show it at once.",
                size="2",
                color_scheme="gray",
            ),
            dialog_form(
                form_field(
                    "Amount",
                    "refund-amount",
                    money_input(
                        "refund-amount", "amount", errors, "amount", default_value=S.refund_default
                    ),
                    errors=errors,
                    key="amount",
                ),
                checked_field(
                    "Note",
                    "refund-note",
                    rx.text_area,
                    errors=errors,
                    field="note",
                    rows="2",
                    placeholder="Why the guest is refunded (kept on the booking)",
                ),
                form_error(errors.contains("form"), errors["form"]),  # type: ignore[attr-defined]
                dialog_footer(
                    rx.dialog.close,
                    "Go back",
                    "Issue refund",
                    busy=S.busy == "refund",
                    color_scheme="amber",
                    id="refund-submit",
                ),
                on_submit=S.issue_refund,
            ),
            max_width="460px",
            id="refund-dialog",
        ),
        open=S.refund_service_id != "",
        on_open_change=S.close_refund,
    )
