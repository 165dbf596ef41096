"""`/outbox`: every message to a person, with its delivery status."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from concierge_app import routes
from concierge_app.ui.shared.layout import page_header
from concierge_app.ui.shared.long_text import WRAP_ANYWHERE, clamp_style, clamped_text
from concierge_app.ui.staff.outbox.state import MessageRow, OutboxState
from concierge_app.ui.staff.shell import page_shell

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


def _template_note(m: ObjectVar[MessageRow], **props: object) -> rx.Component:
    """Shown when the saved template could not be used and the built-in text was."""
    return rx.cond(
        m.template_note != "",
        rx.text(
            rx.icon("shield_alert", size=13, display="inline", vertical_align="-2px"),
            " ",
            m.template_note,
            size="1",
            color_scheme="amber",
            class_name="template-problem",
            **props,
        ),
    )


def _built_in_badge(m: ObjectVar[MessageRow], **props: object) -> rx.Component:
    return rx.cond(
        m.template_note != "",
        rx.badge(
            "Built-in text",
            color_scheme="amber",
            variant="outline",
            radius="full",
            title=m.template_note,
            **props,
        ),
    )


def _row(m: ObjectVar[MessageRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                m.created,
                # On a phone the Status column is off screen: the flag shows here too.
                _built_in_badge(m, display=rx.breakpoints(initial="inline-flex", md="none")),
                spacing="1",
                align="start",
            ),
            white_space="nowrap",
        ),
        rx.table.cell(
            rx.cond(
                m.booking != "",
                rx.link(m.booking, href=routes.booking(m.booking)),
                rx.text(m.partner, color_scheme="gray"),
            ),
            white_space="nowrap",
        ),
        rx.table.cell(m.template, white_space="nowrap"),
        rx.table.cell(rx.text(m.recipient, **WRAP_ANYWHERE), min_width="180px"),
        rx.table.cell(
            rx.popover.root(
                rx.popover.trigger(
                    rx.button(
                        rx.text(m.subject, style=clamp_style(3), text_align="left"),
                        variant="ghost",
                        size="1",
                        aria_label="Show message " + m.id,
                        height="auto",
                        white_space="normal",
                        max_width="100%",
                    )
                ),
                rx.popover.content(
                    _template_note(m, as_="div", margin_bottom="8px"),
                    rx.text(m.subject, weight="bold", size="2", **WRAP_ANYWHERE),
                    rx.text(
                        m.body,
                        white_space="pre-wrap",
                        size="2",
                        margin_top="8px",
                        **WRAP_ANYWHERE,
                    ),
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
                    max_width="min(520px, 90vw)",
                    max_height="70vh",
                    overflow_y="auto",
                ),
            ),
            _template_note(m, as_="div", margin_top="4px", max_width="360px"),
            min_width="220px",
        ),
        rx.table.cell(
            rx.vstack(
                _status(m.status),
                _built_in_badge(m),
                spacing="1",
                align="start",
            )
        ),
        rx.table.cell(m.attempts, justify="end"),
        rx.table.cell(
            clamped_text(m.last_error, size="1", color_scheme="red", class_name="last-error"),
            min_width="120px",
        ),
        class_name="outbox-row",
        custom_attrs={"data-status": m.status},
    )


def outbox_page() -> rx.Component:
    return page_shell(
        page_header(
            "Outbox",
            "Every message to a guest or partner: queued, sent or failed. "
            "Without SMTP settings messages stay here, ready to read. " + OutboxState.times_note,
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
        active="Outbox",
    )
