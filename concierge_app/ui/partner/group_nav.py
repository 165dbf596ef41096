"""A group login's part of the partner navigation: "All properties" (the group page) and the
switcher choosing which of the group's properties the other pages show. Nothing for any
other login."""

from __future__ import annotations

import reflex as rx

from concierge_app import routes
from concierge_app.ui.partner.session import PartnerAuthState as A
from concierge_app.ui.partner.session import PropertyOption
from concierge_app.ui.shared.layout import nav_link

GROUP_LABEL = "All properties"


def _option(o: PropertyOption) -> rx.Component:
    return rx.menu.item(
        rx.hstack(
            rx.text(o.label),
            rx.cond(o.code == A.partner_code, rx.icon("check", size=14)),
            justify="between",
            width="100%",
            spacing="3",
        ),
        on_click=A.switch_property(o.code),
    )


def group_nav(active: str) -> rx.Component:
    """For a group login: the group page's link, and a small menu switching the property the
    other pages show (the header names the property shown)."""
    return rx.cond(
        A.group_code != "",
        rx.hstack(
            nav_link(GROUP_LABEL, routes.PARTNER_GROUP, active=active == GROUP_LABEL),
            rx.menu.root(
                rx.menu.trigger(
                    rx.icon_button(
                        rx.icon("arrow-left-right", size=14),
                        variant="soft",
                        color_scheme="gray",
                        size="1",
                        aria_label="Switch property",
                        id="switch-property",
                        custom_attrs={"title": "Switch property"},
                    )
                ),
                rx.menu.content(
                    rx.text("Show the pages of", size="1", color_scheme="gray", padding_x="8px"),
                    rx.foreach(A.property_options, _option),
                ),
            ),
            spacing="1",
            align="center",
            white_space="nowrap",
            id="group-nav",
        ),
    )
