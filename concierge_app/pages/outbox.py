"""`/outbox`: every message to a person, with its delivery status."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from concierge_app.components.layout import page_header, page_shell
from concierge_app.components.live import live_updates
from concierge_app.state.outbox import MessageRow, OutboxState

_STATUS_COLOURS = {"queued": "amber", "sent": "green", "failed": "red"}


def _status(status: rx.Var[str]) -> rx.Component:
    return rx.match(
        status,
        *[
            (s, rx.badge(s.capitalize(), color_scheme=c, variant="soft", radius="full"))
            for s, c in _STATUS_COLOURS.items()
        ],
        rx.badge(status, variant="outline"),
    )


def _row(m: ObjectVar[MessageRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(m.created, white_space="nowrap"),
        rx.table.cell(
            rx.cond(
                m.booking != "",
                rx.link(m.booking, href="/bookings/" + m.booking),
                rx.text(m.partner, color_scheme="gray"),
            ),
            white_space="nowrap",
        ),
        rx.table.cell(m.template, white_space="nowrap"),
        rx.table.cell(m.recipient),
        rx.table.cell(
            rx.popover.root(
                rx.popover.trigger(
                    rx.button(
                        m.subject, variant="ghost", size="1", aria_label="Show message " + m.id
                    )
                ),
                rx.popover.content(
                    rx.text(m.subject, weight="bold", size="2"),
                    rx.text(m.body, white_space="pre-wrap", size="2", margin_top="8px"),
                    rx.cond(
                        m.guest_link != "",
                        rx.link(
                            rx.button(
                                rx.icon("external_link", size=14),
                                "Open the guest's link",
                                size="1",
                                variant="soft",
                                margin_top="8px",
                            ),
                            href=m.guest_link,
                            is_external=True,
                            custom_attrs={"data-testid": "guest-link"},
                        ),
                    ),
                    max_width="520px",
                ),
            ),
        ),
        rx.table.cell(_status(m.status)),
        rx.table.cell(m.attempts, justify="end"),
        rx.table.cell(rx.text(m.last_error, size="1", color_scheme="red")),
        class_name="outbox-row",
        custom_attrs={"data-status": m.status},
    )


def outbox_page() -> rx.Component:
    return page_shell(
        page_header(
            "Outbox",
            "Every message to a guest or partner: queued, sent or failed. "
            "Without SMTP settings messages stay here, ready to read.",
        ),
        rx.cond(
            OutboxState.loading,
            rx.center(rx.spinner(size="3"), padding_y="48px"),
            rx.cond(
                OutboxState.messages.length() > 0,
                rx.card(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                *[
                                    rx.table.column_header_cell(h)
                                    for h in (
                                        "Queued",
                                        "Booking / partner",
                                        "Template",
                                        "To",
                                        "Subject",
                                        "Status",
                                        "Attempts",
                                        "Last error",
                                    )
                                ],
                            )
                        ),
                        rx.table.body(rx.foreach(OutboxState.messages, _row)),
                        variant="ghost",
                        width="100%",
                    ),
                    width="100%",
                ),
                rx.callout(
                    "No messages yet. Sending an invoice queues the guest's "
                    "Invoice Sent message here.",
                    icon="inbox",
                ),
            ),
        ),
        live_updates(OutboxState.poll),
        active="Outbox",
    )
