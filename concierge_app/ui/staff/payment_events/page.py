"""`/payments/events`: every event the payment provider sent, and what the webhook did with it
(applied, a duplicate, or stored without effect with the reason)."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from concierge_app.ui.shared.layout import page_header
from concierge_app.ui.shared.long_text import WRAP_ANYWHERE
from concierge_app.ui.staff.payment_events.state import EventRow, ProviderEventsState
from concierge_app.ui.staff.shell import page_shell

S = ProviderEventsState


def _row(e: ObjectVar[EventRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(e.received, white_space="nowrap"),
        rx.table.cell(e.provider),
        rx.table.cell(rx.code(e.event_type, word_break="break-all")),
        rx.table.cell(rx.text(e.event_id, size="1", word_break="break-all")),
        rx.table.cell(_outcome(e)),
    )


def _outcome(e: ObjectVar[EventRow]) -> rx.Component:
    return rx.cond(
        e.attention,
        rx.badge(
            e.outcome, color_scheme="amber", variant="soft", white_space="normal", **WRAP_ANYWHERE
        ),
        rx.text(e.outcome, size="2", **WRAP_ANYWHERE),
    )


def _stacked(e: ObjectVar[EventRow]) -> rx.Component:
    """One event on a phone: a block of lines instead of a table row."""
    return rx.box(
        rx.hstack(
            rx.code(e.event_type, word_break="break-all"),
            rx.text(e.provider, size="1", color_scheme="gray"),
            justify="between",
            width="100%",
        ),
        rx.text(e.received, size="1", color_scheme="gray"),
        rx.text(e.event_id, size="1", word_break="break-all"),
        _outcome(e),
        class_name="provider-event",
        border_bottom="1px solid var(--gray-a5)",
        padding_y="10px",
        display="grid",
        gap="4px",
    )


def provider_events_page() -> rx.Component:
    return page_shell(
        page_header(
            "Payment events",
            "Every signed event from the payment provider and what the ledger did with it. "
            "Events it could not use are kept here with the reason, and refunds made at the "
            "provider (e.g. in Stripe's dashboard) are marked. " + S.times_note,
        ),
        rx.hstack(
            rx.switch(
                id="only-not-applied", checked=S.only_not_applied, on_change=S.show_not_applied
            ),
            rx.text("Only events that need a look", size="2"),
            align="center",
            spacing="2",
            padding_bottom="12px",
        ),
        rx.cond(
            S.loading,
            rx.center(rx.spinner(size="3"), padding_y="48px"),
            rx.cond(
                S.events.length() > 0,
                rx.card(
                    rx.mobile_only(rx.foreach(S.events, _stacked), id="provider-events-stacked"),
                    rx.tablet_and_desktop(
                        rx.table.root(
                            rx.table.header(
                                rx.table.row(
                                    *[
                                        rx.table.column_header_cell(h)
                                        for h in (
                                            "Received",
                                            "Provider",
                                            "Type",
                                            "Event id",
                                            "Outcome",
                                        )
                                    ]
                                )
                            ),
                            rx.table.body(rx.foreach(S.events, _row)),
                            variant="ghost",
                            width="100%",
                            id="provider-events",
                        ),
                        overflow_x="auto",
                    ),
                    width="100%",
                ),
                rx.callout("No events yet.", icon="inbox"),
            ),
        ),
        active="Audit",
    )
