"""`/`: every booking on the ledger with what was invoiced, paid and is still outstanding."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from concierge_app import routes
from concierge_app.ui.shared.layout import loading_card, page_header
from concierge_app.ui.shared.long_text import WRAP_ANYWHERE
from concierge_app.ui.staff.bookings.import_card import import_card
from concierge_app.ui.staff.bookings.new_booking import new_booking_dialog
from concierge_app.ui.staff.bookings.state import STATUS_FILTERS, BookingRow, BookingsState
from concierge_app.ui.staff.shell import page_shell

_MONEY_CELL = {
    "justify": "end",
    "white_space": "nowrap",
    "font_variant_numeric": "tabular-nums",
}


def _status_badge(status: rx.Var[str]) -> rx.Component:
    return rx.match(
        status,
        ("confirmed", rx.badge("Confirmed", color_scheme="green", variant="soft", radius="full")),
        ("cancelled", rx.badge("Cancelled", color_scheme="gray", variant="soft", radius="full")),
        rx.badge(status, color_scheme="gray", variant="outline", radius="full"),
    )


def _outstanding(row: ObjectVar[BookingRow]) -> rx.Component:
    return rx.match(
        row.outstanding_state,
        ("due", rx.text(row.outstanding, weight="bold", color_scheme="amber")),
        ("credit", rx.text(row.outstanding, weight="medium", color_scheme="blue")),
        rx.text(row.outstanding, color_scheme="gray"),
    )


def _booking_row(row: ObjectVar[BookingRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.link(
                row.reference,
                href=routes.booking(row.reference),
                weight="medium",
                font_family="var(--code-font-family)",
            ),
            white_space="nowrap",
        ),
        rx.table.cell(
            rx.text(row.guest_name, weight="medium", **WRAP_ANYWHERE),
            min_width="120px",
        ),
        rx.table.cell(
            rx.text(row.property_name, color_scheme="gray", **WRAP_ANYWHERE), min_width="160px"
        ),
        rx.table.cell(
            rx.vstack(
                rx.text(row.stay),
                rx.text(row.nights, size="1", color_scheme="gray"),
                spacing="0",
            ),
            white_space="nowrap",
            title="Check-in " + row.check_in + " · check-out " + row.check_out,
        ),
        rx.table.cell(rx.code(row.currency, variant="ghost", color_scheme="gray")),
        rx.table.cell(_status_badge(row.status)),
        rx.table.cell(row.invoiced, **_MONEY_CELL),
        rx.table.cell(row.paid, **_MONEY_CELL),
        rx.table.cell(_outstanding(row), **_MONEY_CELL),
        align="center",
        custom_attrs={"data-reference": row.reference},
        class_name="booking-row",
    )


def _header_cell(label: str, *, money: bool = False) -> rx.Component:
    return rx.table.column_header_cell(
        label,
        justify="end" if money else "start",
        white_space="nowrap",
    )


def bookings_table() -> rx.Component:
    return rx.card(
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        _header_cell("Reference"),
                        _header_cell("Guest"),
                        _header_cell("Property"),
                        _header_cell("Stay"),
                        _header_cell("Currency"),
                        _header_cell("Status"),
                        _header_cell("Invoiced", money=True),
                        _header_cell("Paid", money=True),
                        _header_cell("Outstanding", money=True),
                    ),
                ),
                rx.table.body(rx.foreach(BookingsState.rows, _booking_row)),
                variant="ghost",
                size=rx.breakpoints(initial="1", lg="2"),  # tighter cells below 1280px
                width="100%",
                id="bookings-table",
            ),
            overflow_x="auto",
        ),
        size=rx.breakpoints(initial="1", lg="2"),
        width="100%",
    )


def _loading() -> rx.Component:
    return loading_card("Loading bookings…", id="bookings-loading")


def _empty() -> rx.Component:
    return rx.card(
        rx.center(
            rx.vstack(
                rx.center(
                    rx.icon("inbox", size=28, color="var(--gray-10)"),
                    width="56px",
                    height="56px",
                    border_radius="50%",
                    background_color="var(--gray-a3)",
                ),
                rx.heading("No bookings yet", size="4", as_="h2"),
                rx.text(
                    "Run ",
                    rx.code("make run"),
                    " to load the demo data, then reload this page.",
                    color_scheme="gray",
                    size="2",
                ),
                align="center",
                spacing="3",
            ),
            padding_y="64px",
        ),
        id="bookings-empty",
        width="100%",
    )


def _no_match() -> rx.Component:
    return rx.card(
        rx.center(
            rx.vstack(
                rx.icon("search_x", size=28, color="var(--gray-10)"),
                rx.heading("No booking matches", size="4", as_="h2"),
                rx.text(
                    "Try another guest name or reference, or clear the filters.",
                    color_scheme="gray",
                    size="2",
                ),
                align="center",
                spacing="3",
            ),
            padding_y="48px",
        ),
        id="bookings-no-match",
        width="100%",
    )


def _filters() -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.el.label(rx.text("Search", size="1", weight="medium"), html_for="booking-search"),
            rx.input(
                rx.input.slot(rx.icon("search", size=14)),
                id="booking-search",
                placeholder="Guest or reference",
                value=BookingsState.search,
                on_change=BookingsState.set_search.debounce(300),
                width="260px",
            ),
            spacing="1",
        ),
        rx.vstack(
            rx.el.label(rx.text("Status", size="1", weight="medium"), html_for="booking-status"),
            rx.select(
                list(STATUS_FILTERS),
                id="booking-status",
                value=BookingsState.status_filter,
                on_change=BookingsState.set_status_filter,
            ),
            spacing="1",
        ),
        rx.el.label(
            rx.hstack(
                rx.switch(
                    id="booking-outstanding",
                    checked=BookingsState.only_outstanding,
                    on_change=BookingsState.set_only_outstanding,
                ),
                rx.text("Has outstanding", size="2"),
                align="center",
                spacing="2",
            ),
            padding_bottom="6px",
        ),
        align="end",
        spacing="4",
        wrap="wrap",
        margin_bottom="16px",
    )


def _error() -> rx.Component:
    return rx.callout(
        BookingsState.error,
        icon="triangle_alert",
        color_scheme="red",
        role="alert",
        id="bookings-error",
    )


def bookings_page() -> rx.Component:
    return page_shell(
        page_header(
            "Bookings",
            "Every booking on the ledger: what was invoiced, what was paid, what is still due.",
            rx.hstack(
                rx.cond(
                    BookingsState.view == "table",
                    rx.badge(BookingsState.booking_count, size="2", variant="surface"),
                ),
                rx.cond(
                    BookingsState.is_concierge,
                    rx.button(
                        rx.icon("plus", size=16),
                        "New booking",
                        on_click=BookingsState.open_new_booking,
                        id="new-booking",
                    ),
                ),
                align="center",
                spacing="3",
            ),
        ),
        _filters(),
        rx.match(
            BookingsState.view,
            ("loading", _loading()),
            ("error", _error()),
            ("empty", _empty()),
            ("no-match", _no_match()),
            bookings_table(),
        ),
        rx.cond(BookingsState.is_concierge, rx.box(import_card(), margin_top="24px", width="100%")),
        new_booking_dialog(),
        active="Bookings",
    )
