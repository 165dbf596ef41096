"""Layout pieces of every audience's pages: the top bar's links and the Menu button they
collapse behind on a narrow screen (`collapsing_nav`), the product's mark, a page's header, the
loading card and a table's header row. The chrome itself: `ui/staff/shell.py`,
`ui/partner/shell.py`, `ui/guest/portal/parts.py`."""

from __future__ import annotations

from typing import Any

import reflex as rx

from concierge_app.settings import get_settings


def nav_link(label: str, href: str, *, active: bool, **props: Any) -> rx.Component:
    """A link of the top bar (`props` may restyle it: the phone's menu stacks them)."""
    style: dict[str, Any] = {
        "padding_y": "6px",
        "padding_x": "10px",
        "border_radius": "var(--radius-2)",
        "background_color": "var(--accent-a3)" if active else "transparent",
    }
    return rx.link(
        label,
        href=href,
        size="2",
        weight="medium",
        color_scheme="gray" if not active else None,
        high_contrast=active,
        underline="none",
        custom_attrs={"aria-current": "page"} if active else {},
        **(style | props),
    )


def menu_link(label: str, href: str, *, active: bool) -> rx.Component:
    """A link in the phone's navigation panel: a full-width row that closes the panel."""
    return rx.popover.close(
        nav_link(label, href, active=active, display="block", width="100%", padding_y="10px")
    )


def collapsing_nav(row: rx.Component, panel: rx.Component, *, wide_from: str) -> rx.Component:
    """`row` (the links side by side) from `wide_from` up; below it a Menu button that opens
    `panel` (the same links stacked). The panel is only in the page while it is open."""
    return rx.fragment(
        rx.box(row, display=rx.breakpoints({"0px": "none", wide_from: "block"})),
        rx.box(
            rx.popover.root(
                rx.popover.trigger(
                    rx.icon_button(
                        rx.icon("menu", size=20),
                        variant="soft",
                        color_scheme="gray",
                        size="3",
                        aria_label="Menu",
                        id="nav-menu-button",
                    )
                ),
                rx.popover.content(
                    panel,
                    align="end",
                    side_offset=8,
                    width="calc(100vw - 24px)",
                    max_width="360px",
                    max_height="calc(100vh - 80px)",
                    overflow_y="auto",
                    id="nav-menu",
                    aria_label="Menu",
                ),
            ),
            display=rx.breakpoints({"0px": "block", wide_from: "none"}),
        ),
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


def brand(*names: rx.Component, **props: Any) -> rx.Component:
    """The top bar's left end: the mark, then the names beside it."""
    return rx.hstack(brand_mark(), *names, align="center", spacing="2", **props)


def platform_name() -> rx.Component:
    """The platform's name, as the partner's and the guest's top bars show it."""
    return rx.text(get_settings().platform_name, size="4", weight="bold", trim="both")


def top_bar_box(row: rx.Component, **props: Any) -> rx.Component:
    """A top bar: `row` on the panel's colour, a line under it."""
    return rx.box(
        row,
        border_bottom="1px solid var(--gray-a5)",
        background_color="var(--color-panel-solid)",
        **props,
    )


def app_frame(
    top_bar: rx.Component, *children: rx.Component, width: str, padding_x: Any, padding_y: Any
) -> rx.Component:
    """Every audience's chrome (staff, partner, guest): its top bar above a centred content
    column `width` wide, on the grey page."""
    return rx.box(
        top_bar,
        rx.box(
            *children,
            max_width=width,
            margin_x="auto",
            padding_x=padding_x,
            padding_y=padding_y,
        ),
        min_height="100vh",
        background_color="var(--gray-2)",
    )


def page_header(title: str, subtitle: str, *aside: rx.Component) -> rx.Component:
    """A page's title and subtitle; `aside` (buttons) to their right, or below on a phone."""
    return rx.flex(
        rx.vstack(
            rx.heading(title, size="7", weight="bold", as_="h1"),
            rx.text(subtitle, size="2", color_scheme="gray"),
            spacing="1",
            min_width="0",
        ),
        rx.flex(*aside, align="center", spacing="2", wrap="wrap"),
        justify="between",
        align="end",
        wrap="wrap",
        spacing="3",
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
        class_name="page-loading",  # the e2e tests wait for a page's data: no .page-loading
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
