"""The staff chrome: the top bar with the product name, the navigation and Sign out, then a
centred content column. On a narrow screen the navigation collapses behind a Menu button (the
same links, stacked in a panel, and the Sign out button)."""

from __future__ import annotations

import reflex as rx

from concierge_app import routes
from concierge_app.domain.sign_in import Kind
from concierge_app.ui.shared.layout import (
    app_frame,
    brand,
    collapsing_nav,
    menu_link,
    nav_link,
    top_bar_box,
)
from concierge_app.ui.shared.sign_out import sign_out_button
from concierge_app.ui.staff.session import AuthState

NAV_ITEMS: list[tuple[str, str]] = [
    ("Bookings", routes.BOOKINGS),
    ("Finance", routes.FINANCE),
    ("Partners", routes.PARTNERS),
    ("Inbox", routes.INBOX),
    ("Templates", routes.TEMPLATES),
    ("Outbox", routes.OUTBOX),
    ("Audit", routes.AUDIT),
    ("Users", routes.USERS),
    ("Security", routes.SECURITY),
    ("API keys", routes.API_KEYS),
]

# The role a link needs (the others are for every staff member). Hidden links are a courtesy:
# the services refuse what a role does not allow.
NEEDS: dict[str, rx.Var[bool]] = {
    "Finance": AuthState.is_finance,
    "Partners": AuthState.is_finance,
    "Templates": AuthState.is_admin,
    "Users": AuthState.is_admin,
    "API keys": AuthState.is_admin,
}


def _shown(label: str, link: rx.Component) -> rx.Component:
    need = NEEDS.get(label)
    return link if need is None else rx.cond(need, link)


# Below this width the navigation is a Menu button (what the bar needs in a row, with room: an
# admin's ten links, the name and Sign out beside the product's name).
STAFF_NAV_WIDE = "1240px"


def top_bar(active: str) -> rx.Component:
    signed_in = AuthState.staff_name != ""
    row = rx.hstack(
        *[
            _shown(label, nav_link(label, href, active=label == active))
            for label, href in NAV_ITEMS
        ],
        rx.cond(
            signed_in,
            rx.hstack(
                rx.text(AuthState.staff_name, size="2", color_scheme="gray"),
                sign_out_button(Kind.STAFF),
                align="center",
                spacing="2",
                padding_left="12px",
            ),
        ),
        spacing="1",
        align="center",
        white_space="nowrap",
    )
    panel = rx.vstack(
        rx.cond(
            signed_in,
            rx.text(AuthState.staff_name, size="2", weight="medium", padding_x="10px"),
        ),
        rx.vstack(
            *[
                _shown(label, menu_link(label, href, active=label == active))
                for label, href in NAV_ITEMS
            ],
            spacing="1",
            width="100%",
        ),
        rx.cond(
            signed_in, rx.box(sign_out_button(Kind.STAFF), padding_x="10px", padding_top="4px")
        ),
        spacing="3",
        width="100%",
    )
    return top_bar_box(
        rx.hstack(
            brand(
                rx.text("Concierge", size="4", weight="bold", trim="both"),
                rx.text("Billing", size="4", color_scheme="gray", trim="both"),
                white_space="nowrap",
            ),
            collapsing_nav(row, panel, wide_from=STAFF_NAV_WIDE),
            justify="between",
            align="center",
            wrap="wrap",  # a long name: the links go under the product's name, never off-screen
            spacing="2",
            max_width="1280px",
            margin_x="auto",
            padding_x=rx.breakpoints(initial="16px", md="24px"),
            padding_y="10px",
            min_height="56px",
        ),
        width="100%",
        position="sticky",
        top="0",
        z_index="10",
        id="top-bar",
    )


def page_shell(*children: rx.Component, active: str) -> rx.Component:
    """Wrap a page's content in the app chrome."""
    return app_frame(
        top_bar(active),
        *children,
        width="1280px",
        padding_x=rx.breakpoints(initial="16px", md="24px"),
        padding_y="32px",
    )
