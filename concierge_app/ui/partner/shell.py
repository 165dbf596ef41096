"""The partner Extranet's chrome: Finance navigation, the partner's name, sign-out. On a narrow
screen the navigation (and a group login's property switcher) is behind a Menu button."""

from __future__ import annotations

from typing import Literal

import reflex as rx

from concierge_app import routes
from concierge_app.domain.sign_in import Kind
from concierge_app.ui.partner.group_nav import GROUP_LABEL, group_nav
from concierge_app.ui.partner.session import PartnerAuthState as A
from concierge_app.ui.partner.session import PropertyOption
from concierge_app.ui.shared.layout import (
    app_frame,
    brand,
    collapsing_nav,
    menu_link,
    nav_link,
    platform_name,
    top_bar_box,
)
from concierge_app.ui.shared.sign_out import sign_out_button

FINANCE_NAV: list[tuple[str, str]] = [
    ("Financial Overview", routes.PARTNER_HOME),
    ("Invoices", routes.PARTNER_INVOICES),
    ("Ledger", routes.PARTNER_LEDGER),
    ("Bank details", routes.PARTNER_BANK_DETAILS),
    ("Inbox", routes.PARTNER_INBOX),
]


# Below this width the links are a Menu button: a group login's row of links (the widest, with
# Users) needs about 1,010 px, on a line of its own under the platform's name when need be.
PARTNER_NAV_WIDE = "1100px"


def _who(align: Literal["start", "end"]) -> rx.Component:
    """The partner shown: name, and its Property ID (Partner ID for an operator)."""
    return rx.vstack(
        rx.text(A.partner_name, size="2", weight="medium"),
        rx.text(A.id_label, " ", A.partner_code, size="1", color_scheme="gray"),
        spacing="0",
        align=align,
    )


def _nav_row(active: str) -> rx.Component:
    return rx.hstack(
        # a group login's extra links need the room
        rx.cond(
            A.group_code == "",
            rx.text("Finance", size="2", weight="bold", color_scheme="gray"),
        ),
        *[nav_link(lbl, href, active=lbl == active) for lbl, href in FINANCE_NAV],
        group_nav(active),  # a group login: All properties + property switcher
        nav_link("Users", routes.PARTNER_USERS, active=active == "Users"),
        nav_link("Account", routes.PARTNER_ACCOUNT, active=active == "Account"),
        rx.cond(
            A.partner_name != "",
            rx.hstack(
                _who("end"),
                sign_out_button(Kind.PARTNER),
                align="center",
                spacing="3",
                padding_left="12px",
            ),
        ),
        spacing="1",
        align="center",
        white_space="nowrap",
    )


def _property_choice(o: PropertyOption) -> rx.Component:
    """In the phone's menu: show another of the group's properties (closes the menu). Styled
    like the menu's links (a plain button: Radix's ghost button reaches out of its row)."""
    chosen = o.code == A.partner_code
    return rx.popover.close(
        rx.box(  # not the button itself: Close would wrap a button that has on_click
            rx.el.button(
                rx.text(o.label, flex="1", size="2", weight="medium"),
                rx.cond(chosen, rx.icon("check", size=16)),
                on_click=A.switch_property(o.code),
                type="button",
                display="flex",
                align_items="center",
                gap="8px",
                width="100%",
                padding="10px",
                border="none",
                border_radius="var(--radius-2)",
                background_color=rx.cond(chosen, "var(--accent-a3)", "transparent"),
                color=rx.cond(chosen, "var(--gray-12)", "var(--gray-11)"),
                text_align="left",
                cursor="pointer",
                _hover={"background_color": "var(--gray-a3)"},
                custom_attrs={"aria-pressed": chosen},
            ),
            width="100%",
        )
    )


def _nav_panel(active: str) -> rx.Component:
    """The phone's menu: who is signed in, the Finance links, a group login's All properties
    and property choice, Account, Sign out."""
    return rx.vstack(
        rx.cond(A.partner_name != "", rx.box(_who("start"), padding_x="10px")),
        rx.text("Finance", size="1", weight="bold", color_scheme="gray", padding_x="10px"),
        rx.vstack(
            *[menu_link(lbl, href, active=lbl == active) for lbl, href in FINANCE_NAV],
            rx.cond(
                A.group_code != "",
                menu_link(GROUP_LABEL, routes.PARTNER_GROUP, active=active == GROUP_LABEL),
            ),
            menu_link("Users", routes.PARTNER_USERS, active=active == "Users"),
            menu_link("Account", routes.PARTNER_ACCOUNT, active=active == "Account"),
            spacing="1",
            width="100%",
        ),
        rx.cond(
            A.group_code != "",
            rx.vstack(
                rx.text(
                    "Show the pages of",
                    size="1",
                    weight="bold",
                    color_scheme="gray",
                    padding_x="10px",
                ),
                rx.foreach(A.property_options, _property_choice),
                spacing="1",
                width="100%",
                id="nav-menu-properties",
            ),
        ),
        rx.cond(
            A.partner_name != "",
            rx.box(sign_out_button(Kind.PARTNER), padding_x="10px", padding_top="4px"),
        ),
        spacing="3",
        width="100%",
    )


def partner_shell(*children: rx.Component, active: str) -> rx.Component:
    return app_frame(
        top_bar_box(
            rx.hstack(
                brand(
                    platform_name(),
                    rx.badge("Extranet", variant="soft", color_scheme="gray"),
                    white_space="nowrap",
                    flex_shrink="0",
                ),
                collapsing_nav(_nav_row(active), _nav_panel(active), wide_from=PARTNER_NAV_WIDE),
                justify="between",
                align="center",
                # where the links do not fit beside the name (a group login's up to ~1300 px),
                # they take a second line
                wrap="wrap",
                spacing="2",
                max_width="1200px",
                margin_x="auto",
                padding_x=rx.breakpoints(initial="16px", md="24px"),
                padding_y="10px",
                min_height="60px",
            ),
            id="top-bar",
        ),
        *children,
        width="1200px",
        padding_x=rx.breakpoints(initial="16px", md="24px"),
        padding_y="28px",
    )


def fact(label: rx.Var[str] | str, value: rx.Var[str] | str, **props: object) -> rx.Component:
    """A labelled figure (Invoice date, Amount, …) in a document's or account's summary."""
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray", weight="medium"),
        rx.text(value, size="3", weight="medium"),
        spacing="1",
        **props,
    )
