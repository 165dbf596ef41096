"""The partner's commission rate on its staff page: the rate history and Change rate."""

from __future__ import annotations

import reflex as rx

from concierge_app.ui.shared.forms import (
    checked_field,
    dialog_footer,
    form_error,
)
from concierge_app.ui.staff.partner_account.state import PartnerAccountState as A
from concierge_app.ui.staff.partner_account.state import RateRow

_RATE_BADGES = {"in force": "green", "scheduled": "blue", "ended": "gray"}


def _rate_row(row: RateRow) -> rx.Component:
    return rx.hstack(
        rx.text(row.rate, weight="bold", size="3", min_width="64px"),
        rx.vstack(
            rx.hstack(
                rx.text(row.starts, size="2"),
                rx.match(
                    row.state,
                    *[
                        (state, rx.badge(state.capitalize(), color_scheme=colour, variant="soft"))
                        for state, colour in _RATE_BADGES.items()
                    ],
                ),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.text(row.changed, size="1", color_scheme="gray", word_break="break-word"),
            spacing="1",
            min_width="0",
        ),
        spacing="3",
        align="start",
        width="100%",
        padding_y="8px",
        border_top="1px solid var(--gray-a4)",
        custom_attrs={"data-rate": row.rate, "data-state": row.state},
        class_name="commission-rate-entry",
    )


def rate_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.heading("Commission rate", size="4", as_="h2"),
                    rx.hstack(
                        rx.text(A.rate_current, size="6", weight="bold", id="commission-rate-now"),
                        rx.text("in force today", size="2", color_scheme="gray"),
                        spacing="2",
                        align="baseline",
                    ),
                    spacing="1",
                ),
                rx.button(
                    rx.icon("percent", size=14),
                    "Change rate",
                    variant="soft",
                    on_click=A.ask_rate,
                    id="change-rate",
                ),
                justify="between",
                align="start",
                width="100%",
                wrap="wrap",
                spacing="3",
            ),
            rx.text(
                "Each reservation is billed at the rate in force on the day it was made: a stay "
                "on the day it was booked, a service on the day it was confirmed (UTC).",
                size="2",
                color_scheme="gray",
            ),
            rx.vstack(rx.foreach(A.rates, _rate_row), spacing="0", width="100%"),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="commission-rate-card",
    )


def rate_dialog() -> rx.Component:
    errors = A.rate_errors
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Change the commission rate"),
            rx.dialog.description(
                "The new rate applies to reservations made from its first day on. Reservations "
                "made before keep the rate in force when they were made, whenever they depart.",
                size="2",
            ),
            rx.form(
                rx.vstack(
                    checked_field(
                        "New rate (%)",
                        "rate-new",
                        rx.input,
                        errors=errors,
                        field="rate",
                        hint="Between 0 and 100, at most two decimals.",
                        placeholder="e.g. 15 or 12.5",
                        input_mode="decimal",
                    ),
                    checked_field(
                        "Valid from",
                        "rate-valid-from",
                        rx.input,
                        errors=errors,
                        field="valid_from",
                        hint="Tomorrow at the earliest, and after the last change (UTC days).",
                        type="date",
                        default_value=A.rate_earliest,
                        key=A.rate_earliest,
                    ),
                    form_error(errors.contains("form"), errors["form"]),
                    dialog_footer(
                        rx.dialog.close,
                        "Cancel",
                        "Change rate",
                        busy=A.saving,
                        id="confirm-rate",
                    ),
                    spacing="3",
                    margin_top="12px",
                ),
                on_submit=A.change_rate,
                reset_on_submit=False,
            ),
            max_width="480px",
        ),
        open=A.rate_open,
        on_open_change=A.set_rate_open,
    )
