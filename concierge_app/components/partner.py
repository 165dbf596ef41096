"""The partner Extranet's chrome: Finance navigation, the partner's name, sign-out."""

from __future__ import annotations

from typing import Any

import reflex as rx

from concierge_app.components.layout import brand_mark, nav_link
from concierge_app.components.partner_group import group_nav
from concierge_app.settings import get_settings
from concierge_app.state.partner_auth import PartnerAuthState as A

FINANCE_NAV: list[tuple[str, str]] = [
    ("Financial Overview", "/partner"),
    ("Invoices", "/partner/invoices"),
    ("Ledger", "/partner/ledger"),
    ("Bank details", "/partner/bank-details"),
    ("Inbox", "/partner/inbox"),
]


def partner_shell(*children: rx.Component, active: str) -> rx.Component:
    return rx.box(
        rx.box(
            rx.hstack(
                rx.hstack(
                    brand_mark(),
                    rx.text(get_settings().platform_name, size="4", weight="bold", trim="both"),
                    rx.badge("Extranet", variant="soft", color_scheme="gray"),
                    align="center",
                    spacing="2",
                    white_space="nowrap",
                    flex_shrink="0",
                ),
                rx.hstack(
                    # a group login's extra links need the room
                    rx.cond(
                        A.group_code == "",
                        rx.text("Finance", size="2", weight="bold", color_scheme="gray"),
                    ),
                    *[nav_link(lbl, href, active=lbl == active) for lbl, href in FINANCE_NAV],
                    group_nav(active),  # a group login: All properties + property switcher
                    rx.cond(
                        A.partner_name != "",
                        rx.hstack(
                            rx.vstack(
                                rx.text(A.partner_name, size="2", weight="medium"),
                                rx.text(
                                    A.id_label, " ", A.partner_code, size="1", color_scheme="gray"
                                ),
                                spacing="0",
                                align="end",
                            ),
                            rx.button(
                                "Sign out",
                                variant="soft",
                                color_scheme="gray",
                                size="2",
                                on_click=A.sign_out,
                            ),
                            align="center",
                            spacing="3",
                            padding_left="12px",
                        ),
                    ),
                    spacing="1",
                    align="center",
                    white_space="nowrap",
                ),
                justify="between",
                align="center",
                max_width="1200px",
                margin_x="auto",
                padding_x="24px",
                height="60px",
            ),
            border_bottom="1px solid var(--gray-a5)",
            background_color="var(--color-panel-solid)",
        ),
        rx.box(*children, max_width="1200px", margin_x="auto", padding_x="24px", padding_y="28px"),
        min_height="100vh",
        background_color="var(--gray-2)",
    )


def fact(label: rx.Var[str] | str, value: rx.Var[str] | str, **props: object) -> rx.Component:
    """A labelled figure (Invoice date, Amount, …) in a document's or account's summary."""
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray", weight="medium"),
        rx.text(value, size="3", weight="medium"),
        spacing="1",
        **props,
    )


def status_text(text: rx.Var[str], colour: rx.Var[str], css: rx.Var[str], **props: Any) -> Any:
    """The Status column: the guide's words in its colour (green, red or black)."""
    return rx.hstack(
        rx.box(width="8px", height="8px", border_radius="50%", background_color=css),
        rx.text(text, weight="medium", size="2", style={"color": css}),
        align="center",
        spacing="2",
        custom_attrs={"data-colour": colour, "data-testid": "invoice-status"},
        **props,
    )
