"""`/portal/[reference]?t=…`: the guest's booking — overview, accommodation plan, the Payments
card (Pay, Pay All, Paid) and the services with their badges. Live."""

from __future__ import annotations

import reflex as rx

from concierge_app.ui.guest.portal.parts import (
    accommodation_plan,
    guest_shell,
    overview,
    services_card,
)
from concierge_app.ui.guest.portal.payments import payments_card
from concierge_app.ui.guest.portal.state import PortalState as S
from concierge_app.ui.guest.portal.state import T


def _message(icon: str, title: rx.Var[str], body: rx.Var[str], test_id: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon(icon, size=32, color="var(--gray-9)"),
            rx.heading(title, size="5"),
            rx.text(body, color_scheme="gray", text_align="center", max_width="460px"),
            align="center",
            spacing="3",
            padding_y="40px",
        ),
        width="100%",
        id=test_id,
    )


def portal_page() -> rx.Component:
    return guest_shell(
        rx.match(
            S.view,
            (
                "loading",
                rx.center(rx.spinner(size="3"), padding_y="80px", id="portal-loading"),
            ),
            (
                "invalid",
                _message(
                    "link_2_off",
                    T("This link is not valid"),
                    T(
                        "It may have expired or been replaced by a newer one. Open the link in "
                        "the latest message we sent you, or ask your concierge for a new one."
                    ),
                    "portal-invalid",
                ),
            ),
            (
                "error",
                _message(
                    "triangle_alert",
                    T("Something went wrong"),
                    T("Your booking could not be loaded. Please try again in a moment."),
                    "portal-error",
                ),
            ),
            rx.vstack(
                overview(),
                accommodation_plan(),
                payments_card(),
                services_card(),
                spacing="5",
                width="100%",
            ),
        ),
    )
