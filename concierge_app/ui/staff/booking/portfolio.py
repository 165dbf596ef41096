"""The Trip Portfolio: the booking's services, one row each, with their actions (confirm,
refund, cancel) and the Add service button."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from concierge_app.ui.shared.badges import lifecycle_badge, payment_status_badge
from concierge_app.ui.shared.long_text import WRAP_ANYWHERE, clamped_text, show_all
from concierge_app.ui.staff.booking.common import (
    MONEY,
    MONEY_CELL,
    VISUALLY_HIDDEN,
    empty_state,
    section,
    th,
)
from concierge_app.ui.staff.booking.rows import ServiceRow
from concierge_app.ui.staff.booking.state import BookingState as S

DESCRIPTION_LINES = 3  # a description shows this many lines in the table, then "Show all"


def _strategy_tag(row: ObjectVar[ServiceRow]) -> rx.Component:
    tag = rx.badge(
        rx.cond(row.strategy_locked, rx.icon("lock", size=12), rx.fragment()),
        row.strategy,
        variant="surface",
        color_scheme="gray",
        radius="full",
        white_space="nowrap",
        class_name="strategy-tag",
    )
    return rx.cond(
        row.strategy_locked,
        rx.tooltip(
            rx.box(
                tag,
                rx.el.span(" (strategy locked at confirmation)", style=VISUALLY_HIDDEN),
                title="Strategy locked at confirmation",
                custom_attrs={"data-locked": "true"},
                display="inline-block",
            ),
            content="Strategy locked at confirmation",
        ),
        rx.box(tag, custom_attrs={"data-locked": "false"}, display="inline-block"),
    )


def _service_actions(row: ObjectVar[ServiceRow]) -> rx.Component:
    return rx.vstack(
        rx.cond(
            row.can_confirm & S.is_concierge,
            rx.button(
                "Confirm",
                size="1",
                on_click=S.ask_confirm_service(row.id),
                disabled=S.busy != "",
            ),
        ),
        rx.cond(
            row.can_refund & S.is_finance,
            rx.button(
                "Refund",
                size="1",
                variant=rx.cond(row.refund_required, "solid", "soft"),
                color_scheme="amber",
                on_click=S.open_refund(row.id),
                disabled=S.busy != "",
            ),
        ),
        rx.cond(
            row.can_cancel & S.is_concierge,
            rx.button(
                "Cancel",
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=S.ask_cancel_service(row.id),
                disabled=S.busy != "",
            ),
        ),
        spacing="1",
        align="end",
    )


def _service_row(row: ObjectVar[ServiceRow]) -> rx.Component:
    cancelled = row.lifecycle == "Cancelled"
    return rx.table.row(
        rx.table.row_header_cell(
            rx.vstack(
                rx.text(
                    row.title,
                    weight="medium",
                    text_decoration=rx.cond(cancelled, "line-through", "none"),
                    color=rx.cond(cancelled, "var(--gray-10)", "inherit"),
                    **WRAP_ANYWHERE,
                ),
                rx.cond(
                    row.description != "",
                    clamped_text(
                        row.description,
                        lines=DESCRIPTION_LINES,
                        size="1",
                        color_scheme="gray",
                        white_space="pre-line",
                        class_name="service-description",
                    ),
                ),
                rx.cond(
                    row.long_description,
                    show_all(row.description, aria_label="Show the whole description"),
                ),
                spacing="0",
                align="start",
            ),
            min_width="200px",
        ),
        rx.table.cell(rx.text(row.operator, size="2", **WRAP_ANYWHERE), min_width="120px"),
        rx.table.cell(row.service_date, white_space="nowrap"),
        rx.table.cell(_strategy_tag(row)),
        rx.table.cell(
            rx.vstack(
                rx.text(row.amount, weight="medium", **MONEY),
                rx.text(row.amount_note, size="1", color_scheme="gray", class_name="amount-note"),
                spacing="0",
                align="end",
                text_align="right",
            ),
            **{**MONEY_CELL, "white_space": "normal"},
            min_width="170px",
            max_width="230px",
        ),
        rx.table.cell(
            rx.vstack(
                rx.box(payment_status_badge(row.payment_status), class_name="payment-status"),
                rx.cond(
                    row.invoice_number != "",
                    rx.text(
                        row.invoice_number, size="1", color_scheme="gray", white_space="nowrap"
                    ),
                ),
                spacing="1",
            ),
        ),
        rx.table.cell(
            rx.vstack(
                rx.box(lifecycle_badge(row.lifecycle), class_name="lifecycle"),
                rx.cond(
                    row.refund_required,
                    rx.badge(
                        rx.icon("undo_2", size=12),
                        "Refund required",
                        color_scheme="red",
                        variant="solid",
                        radius="full",
                        white_space="nowrap",
                        class_name="refund-required",
                    ),
                ),
                spacing="1",
            ),
        ),
        rx.table.cell(_service_actions(row), justify="end"),
        align="center",
        class_name="service-row",
        custom_attrs={"data-service-id": row.id, "data-title": row.title},
    )


def portfolio() -> rx.Component:
    table = rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    th("Service"),
                    th("Operator"),
                    th("Date"),
                    th("Strategy"),
                    th("Amount", end=True),
                    th("Payment"),
                    th("Lifecycle"),
                    th("Actions", end=True),
                )
            ),
            rx.table.body(rx.foreach(S.services, _service_row)),
            variant="ghost",
            size="2",
            width="100%",
            id="services-table",
        ),
        overflow_x="auto",
    )
    return section(
        "Trip Portfolio",
        "trip-portfolio",
        rx.card(
            rx.cond(
                S.services.length() > 0,  # type: ignore[attr-defined]
                table,
                empty_state(
                    "map",
                    "No services yet",
                    "No services yet — add the first one with Add service.",
                    id="services-empty",
                ),
            ),
            size="2",
            width="100%",
        ),
        aside=rx.hstack(
            rx.cond(
                S.services.length() > 0,  # type: ignore[attr-defined]
                rx.badge(S.service_count, variant="surface", size="2"),
            ),
            rx.cond(
                S.is_concierge,
                rx.button(
                    rx.icon("plus", size=16),
                    "Add service",
                    on_click=S.open_add_service,
                    disabled=S.is_cancelled | (S.busy != ""),
                ),
            ),
            spacing="3",
            align="center",
        ),
    )
