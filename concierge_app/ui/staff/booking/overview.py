"""The top of the booking page: header, cancelled notice, booking overview & accommodation plan."""

from __future__ import annotations

from typing import Any

import reflex as rx

from concierge_app import routes
from concierge_app.ui.shared.badges import booking_status_badge
from concierge_app.ui.shared.long_text import WRAP_ANYWHERE
from concierge_app.ui.staff.booking.common import MONEY, section
from concierge_app.ui.staff.booking.state import BookingState as S


def _fact(label: str, *value: rx.Component, **props: Any) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray", weight="medium"),
        *value,
        spacing="1",
        min_width="0",
        **props,
    )


def header() -> rx.Component:
    o = S.overview
    return rx.vstack(
        rx.link(
            rx.hstack(rx.icon("arrow_left", size=14), rx.text("Bookings"), spacing="1"),
            href=routes.BOOKINGS,
            size="2",
            color_scheme="gray",
            underline="hover",
        ),
        rx.hstack(
            rx.vstack(
                rx.hstack(
                    rx.heading(
                        "Booking ",
                        rx.el.span(o.reference, font_family="var(--code-font-family)"),
                        size="7",
                        weight="bold",
                        as_="h1",
                    ),
                    booking_status_badge(o.status),
                    align="center",
                    spacing="3",
                ),
                rx.text(
                    o.guest_name + " · " + o.property_name + " · " + o.stay,
                    size="2",
                    color_scheme="gray",
                ),
                rx.cond(
                    o.timezone != "",
                    rx.text(
                        "Times in " + o.timezone + ", the property's time zone.",
                        size="1",
                        color_scheme="gray",
                        id="booking-times-note",
                    ),
                ),
                spacing="1",
                min_width="0",
                **WRAP_ANYWHERE,  # a long name wraps instead of widening the page
            ),
            rx.hstack(
                rx.menu.root(
                    rx.menu.trigger(
                        rx.button(
                            rx.icon("link", size=16),
                            "Guest link",
                            rx.icon("chevron_down", size=14),
                            variant="soft",
                            color_scheme="gray",
                            disabled=S.busy != "",
                        )
                    ),
                    rx.menu.content(
                        rx.menu.item("New guest link", on_select=S.new_guest_link),
                        rx.menu.item(
                            "Revoke all guest links", color="red", on_select=S.ask_revoke_links
                        ),
                    ),
                ),
                rx.button(
                    rx.icon("pencil", size=16),
                    "Edit",
                    variant="soft",
                    on_click=S.open_edit,
                    disabled=(S.busy != "") | ~S.is_concierge,
                    id="edit-booking",
                ),
                _cancel_booking_button(),
                spacing="2",
                flex_wrap="wrap",  # three buttons wrap on a phone instead of widening the page
                max_width="100%",
            ),
            justify="between",
            align="end",
            width="100%",
            flex_wrap="wrap",  # the buttons go under a long title rather than squeeze it
        ),
        rx.cond(
            S.guest_link != "",
            rx.callout(
                rx.vstack(
                    rx.text(
                        "New link into the guest's portal (valid until ",
                        S.guest_link_expires,
                        "). It is shown once: copy it now.",
                    ),
                    rx.hstack(
                        rx.code(S.guest_link, id="new-guest-link", word_break="break_all"),
                        rx.button(
                            rx.icon("copy", size=14),
                            "Copy",
                            size="1",
                            variant="soft",
                            on_click=rx.set_clipboard(S.guest_link),
                        ),
                        rx.button("Done", size="1", variant="ghost", on_click=S.hide_guest_link),
                        align="center",
                        spacing="2",
                    ),
                    spacing="2",
                ),
                icon="link",
                color_scheme="blue",
                width="100%",
            ),
        ),
        spacing="2",
        width="100%",
    )


def _cancel_booking_button() -> rx.Component:
    return rx.cond(
        ~S.is_cancelled & S.is_concierge,
        rx.button(
            rx.icon("ban", size=16),
            "Cancel booking",
            color_scheme="red",
            variant="soft",
            on_click=S.ask_cancel_booking,
            loading=S.busy == "cancel_booking",
            disabled=S.busy != "",
        ),
    )


def cancelled_notice() -> rx.Component:
    return rx.cond(
        S.is_cancelled,
        rx.callout(
            rx.text(
                rx.text.strong("This booking is cancelled"),
                rx.cond(S.overview.cancel_reason != "", ": " + S.overview.cancel_reason + ".", "."),
                " Its portfolio is closed: drafts were voided; sent invoices stay listed below.",
            ),
            icon="circle_x",
            color_scheme="red",
            id="booking-cancelled",
            **WRAP_ANYWHERE,
            width="100%",
        ),
    )


def overview() -> rx.Component:
    o, t = S.overview, S.totals
    return section(
        "Booking overview & accommodation plan",
        "overview",
        rx.card(
            rx.grid(
                _fact(
                    "Guest",
                    rx.text(o.guest_name, weight="medium"),
                    rx.text(o.guest_email, size="1", color_scheme="gray"),
                ),
                _fact(
                    "Property",
                    rx.text(o.property_name, weight="medium"),
                    rx.text("Time zone " + o.timezone, size="1", color_scheme="gray"),
                ),
                _fact(
                    "Stay",
                    rx.text(o.stay, weight="medium"),
                    rx.text(o.nights, size="1", color_scheme="gray"),
                    title="Check-in " + o.check_in + " · check-out " + o.check_out,
                ),
                _fact("Status", rx.box(booking_status_badge(o.status)), id="booking-status"),
                _fact(
                    "Accommodation total",
                    rx.text(o.accommodation_total, weight="medium", **MONEY),
                    rx.text(o.collected_by, size="1", color_scheme="gray"),
                    id="accommodation-total",
                ),
                _fact(
                    "Accommodation paid",
                    rx.text(t.accommodation_paid, weight="medium", **MONEY),
                    rx.text(
                        "Outstanding " + t.outstanding_accommodation,
                        size="1",
                        color_scheme="gray",
                        **MONEY,
                    ),
                ),
                columns=rx.breakpoints(initial="2", md="3", lg="6"),
                spacing="5",
                width="100%",
                **WRAP_ANYWHERE,
            ),
            size="2",
            width="100%",
        ),
    )
