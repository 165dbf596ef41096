"""The guest portal's parts: its chrome, the overview, the accommodation plan and the services
(the Payments card: `payments.py`)."""

from __future__ import annotations

import reflex as rx

from concierge_app.ui.guest.portal.rows import LANGUAGE_CHOICES, PortalService
from concierge_app.ui.guest.portal.state import PortalState as S
from concierge_app.ui.guest.portal.state import T
from concierge_app.ui.shared.layout import app_frame, brand, platform_name, top_bar_box
from concierge_app.ui.shared.test_mode import own_test_mode_bar

# Cards keep their roomy padding from a tablet up; a phone needs the width for the content.
CARD_SIZE = rx.breakpoints(initial="2", sm="3")


def guest_shell(*children: rx.Component) -> rx.Component:
    """The guest's chrome: the platform's name, no staff navigation."""
    return app_frame(
        own_test_mode_bar(
            T("TEST MODE"),
            T("payments run in the sandbox: no real money moves (test card 4242 4242 4242 4242)."),
        ),
        top_bar_box(
            rx.hstack(
                brand(platform_name()),
                rx.hstack(
                    rx.cond(
                        S.reference != "",
                        rx.text(
                            T("Booking"),
                            " ",
                            rx.code(S.reference),
                            size="2",
                            color_scheme="gray",
                            white_space="nowrap",
                            display=rx.breakpoints(initial="none", xs="block"),
                        ),
                    ),
                    language_switcher(),
                    align="center",
                    spacing="3",
                ),
                justify="between",
                align="center",
                spacing="3",
                max_width="880px",
                margin_x="auto",
                padding_x=rx.breakpoints(initial="16px", sm="20px"),
                min_height="56px",
            ),
        ),
        *children,
        width="880px",
        padding_x=rx.breakpoints(initial="12px", sm="20px"),
        padding_y=rx.breakpoints(initial="16px", sm="28px"),
    )


def language_switcher() -> rx.Component:
    """The guest's language: the page switches at once and the choice is remembered."""
    return rx.cond(
        S.view == "portal",
        rx.select.root(
            rx.select.trigger(
                rx.hstack(rx.icon("languages", size=14), rx.text(S.language_name), spacing="1"),
                variant="ghost",
                aria_label=T("Language"),
                id="language-switcher",
            ),
            rx.select.content(
                *[
                    rx.select.item(name, value=code, custom_attrs={"data-language": code})
                    for code, name in LANGUAGE_CHOICES
                ]
            ),
            value=S.language,
            on_change=S.choose_language,
            size="2",
        ),
    )


def _fact(label: rx.Var[str] | str, value: rx.Var[str] | str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray", weight="medium"),
        rx.text(value, size="3", weight="medium"),
        spacing="1",
        min_width="120px",
    )


def overview() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.text(S.welcome, size="2", color_scheme="gray"),
                    rx.heading(S.stay_heading, size="6", as_="h1"),
                    spacing="1",
                ),
                rx.cond(
                    S.booking_cancelled,
                    rx.badge(T("Cancelled"), color_scheme="red", variant="solid", radius="full"),
                ),
                justify="between",
                align="start",
                width="100%",
            ),
            rx.flex(
                _fact(T("Check-in"), S.check_in),
                _fact(T("Check-out"), S.check_out),
                _fact(T("Length"), S.nights),
                _fact(T("Booking"), S.reference),
                wrap="wrap",
                spacing="5",
            ),
            spacing="4",
        ),
        width="100%",
        size=CARD_SIZE,
    )


def accommodation_plan() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(T("Accommodation plan"), size="4", as_="h2"),
            rx.flex(
                _fact(T("Stay"), S.stay),
                _fact(T("Accommodation total"), S.accommodation_total),
                _fact(T("Paid"), S.accommodation_paid),
                _fact(T("Balance"), S.accommodation_balance),
                _fact(T("How it is paid"), S.accommodation_collector),
                wrap="wrap",
                spacing="5",
            ),
            rx.text(
                T(
                    "Your stay is settled as agreed in your booking, apart from the concierge "
                    "invoices below."
                ),
                size="1",
                color_scheme="gray",
            ),
            spacing="3",
        ),
        width="100%",
        size=CARD_SIZE,
        id="accommodation-plan",
    )


def _service(service: PortalService) -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.text(service.title, weight="medium"),
            rx.text(service.date, " · ", service.operator, size="1", color_scheme="gray"),
            rx.cond(
                service.description != "",
                rx.text(service.description, size="1", color_scheme="gray"),
            ),
            spacing="1",
            flex="1",
            min_width="0",
        ),
        rx.vstack(
            rx.badge(
                service.badge,
                color_scheme=service.colour,  # type: ignore[arg-type]
                variant="soft",
                radius="large",
                size="2",
                white_space="normal",
                text_align=rx.breakpoints(initial="left", sm="right"),
                max_width="480px",
                custom_attrs={"data-testid": "service-badge"},
            ),
            rx.cond(service.amount != "", rx.text(service.amount, size="2", weight="medium")),
            rx.cond(service.note != "", rx.text(service.note, size="1", color_scheme="gray")),
            align=rx.breakpoints(initial="start", sm="end"),
            text_align=rx.breakpoints(initial="left", sm="right"),
            spacing="1",
            max_width=rx.breakpoints(initial="100%", sm="50%"),
        ),
        justify="between",
        align="start",
        direction=rx.breakpoints(initial="column", sm="row"),
        spacing=rx.breakpoints(initial="2", sm="4"),
        width="100%",
        padding_y="10px",
        border_bottom="1px solid var(--gray-a4)",
        custom_attrs={"data-testid": "guest-service", "data-title": service.title},
    )


def services_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(T("Your services"), size="4", as_="h2"),
            rx.cond(
                S.services.length() > 0,  # type: ignore[attr-defined]
                rx.vstack(rx.foreach(S.services, _service), spacing="0", width="100%"),
                rx.text(T("No services booked yet."), color_scheme="gray", size="2"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        size=CARD_SIZE,
        id="guest-services",
    )
