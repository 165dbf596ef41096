"""Page shell: top bar with the product name and navigation, then a centred content column."""

from __future__ import annotations

from typing import Any

import reflex as rx

from concierge_app.state.auth import AuthState

NAV_ITEMS: list[tuple[str, str]] = [
    ("Bookings", "/"),
    ("Finance", "/finance"),
    ("Inbox", "/inbox"),
    ("Templates", "/templates"),
    ("Outbox", "/outbox"),
    ("Audit", "/audit"),
]


def nav_link(label: str, href: str, *, active: bool) -> rx.Component:
    return rx.link(
        label,
        href=href,
        size="2",
        weight="medium",
        color_scheme="gray" if not active else None,
        high_contrast=active,
        underline="none",
        padding_y="6px",
        padding_x="10px",
        border_radius="var(--radius-2)",
        background_color="var(--accent-a3)" if active else "transparent",
    )


def brand_mark() -> rx.Component:
    """The product's mark: a bell on the accent colour."""
    return rx.center(
        rx.icon("concierge_bell", size=18, color="white"),
        width="30px",
        height="30px",
        border_radius="var(--radius-3)",
        background_color="var(--accent-9)",
    )


def top_bar(active: str) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.hstack(
                brand_mark(),
                rx.text("Concierge", size="4", weight="bold", trim="both"),
                rx.text("Billing", size="4", color_scheme="gray", trim="both"),
                align="center",
                spacing="2",
            ),
            rx.hstack(
                *[nav_link(label, href, active=label == active) for label, href in NAV_ITEMS],
                rx.cond(
                    AuthState.staff_name != "",
                    rx.hstack(
                        rx.text(AuthState.staff_name, size="2", color_scheme="gray"),
                        rx.button(
                            "Sign out",
                            variant="soft",
                            color_scheme="gray",
                            size="2",
                            on_click=AuthState.sign_out,
                        ),
                        align="center",
                        spacing="2",
                        padding_left="12px",
                    ),
                ),
                spacing="1",
                align="center",
            ),
            justify="between",
            align="center",
            max_width="1280px",
            margin_x="auto",
            padding_x=rx.breakpoints(initial="16px", md="24px"),
            height="56px",
        ),
        width="100%",
        border_bottom="1px solid var(--gray-a5)",
        background_color="var(--color-panel-solid)",
        position="sticky",
        top="0",
        z_index="10",
    )


def page_shell(*children: rx.Component, active: str) -> rx.Component:
    """Wrap a page's content in the app chrome."""
    return rx.box(
        top_bar(active),
        rx.box(
            *children,
            max_width="1280px",
            margin_x="auto",
            padding_x=rx.breakpoints(initial="16px", md="24px"),
            padding_y="32px",
        ),
        min_height="100vh",
        background_color="var(--gray-2)",
    )


def page_header(title: str, subtitle: str, *aside: rx.Component) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.heading(title, size="7", weight="bold", as_="h1"),
            rx.text(subtitle, size="2", color_scheme="gray"),
            spacing="1",
        ),
        rx.hstack(*aside, align="center", spacing="2"),
        justify="between",
        align="end",
        width="100%",
        margin_bottom="20px",
    )


def loading_card(text: str, **props: Any) -> rx.Component:
    """A card with a spinner and `text`, while a page's data loads."""
    return rx.card(
        rx.center(
            rx.hstack(
                rx.spinner(size="3"),
                rx.text(text, color_scheme="gray"),
                align="center",
                spacing="3",
            ),
            padding_y="64px",
        ),
        width="100%",
        **props,
    )


def table_header(*titles: str, right: tuple[str, ...] = ()) -> rx.Component:
    """A table's header row; the titles in `right` are right-aligned (amounts)."""
    return rx.table.header(
        rx.table.row(
            *[
                rx.table.column_header_cell(t, text_align="right" if t in right else None)
                for t in titles
            ]
        )
    )
