"""`/partner/inbox` (Extranet): the partner's messages with the finance team — the threads, a
New message form (topic "Invoices and commission", subtopic "Other" unless chosen, optionally
one of its invoices) and a thread's conversation with a reply box. Live: a staff reply shows
without a reload.

The thread list and the open thread are the shared inbox's (`ui/shared/inbox/parts.py`)."""

from __future__ import annotations

import reflex as rx

from concierge_app import routes
from concierge_app.ui.partner.inbox.state import InvoiceChoice
from concierge_app.ui.partner.inbox.state import PartnerInboxState as S
from concierge_app.ui.partner.shell import partner_shell
from concierge_app.ui.shared.forms import checked_field, form_error, form_field, validation_props
from concierge_app.ui.shared.inbox.parts import (
    fact,
    inbox_panes,
    thread_view,
)
from concierge_app.ui.shared.layout import loading_card, page_header
from concierge_app.ui.shared.notices import notice


def _new_message() -> rx.Component:
    errors = S.errors
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("New message", size="4", as_="h2"),
                rx.text(
                    "Questions about an invoice, a payment or your payment method? Our finance "
                    "team answers here and emails your finance contact.",
                    size="2",
                    color_scheme="gray",
                ),
                rx.grid(
                    form_field(
                        "Topic",
                        "inbox-topic",
                        rx.select.root(
                            rx.select.trigger(id="inbox-topic", width="100%"),
                            rx.select.content(rx.select.item(S.topic, value=S.topic)),
                            value=S.topic,
                            name="topic",
                        ),
                    ),
                    form_field(
                        "Subtopic",
                        "inbox-subtopic",
                        rx.select.root(
                            rx.select.trigger(
                                id="inbox-subtopic",
                                width="100%",
                                **validation_props(errors, "subtopic", "inbox-subtopic"),
                            ),
                            rx.select.content(
                                rx.foreach(S.subtopics, lambda t: rx.select.item(t, value=t))
                            ),
                            value=S.new_subtopic,
                            on_change=S.set_new_subtopic,
                            name="subtopic",
                        ),
                        errors=errors,
                        key="subtopic",
                    ),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="3",
                    width="100%",
                ),
                form_field(
                    "Invoice (optional)",
                    "inbox-invoice",
                    rx.select.root(
                        rx.select.trigger(
                            id="inbox-invoice",
                            width="100%",
                            **validation_props(errors, "invoice", "inbox-invoice"),
                        ),
                        rx.select.content(rx.foreach(S.invoices, _invoice_item)),
                        value=S.new_invoice,
                        on_change=S.set_new_invoice,
                        name="invoice",
                    ),
                    errors=errors,
                    key="invoice",
                    hint="Is your message about one of your documents? Choose it here.",
                ),
                checked_field(
                    "Subject",
                    "inbox-subject",
                    rx.input,
                    errors=errors,
                    field="subject",
                    max_length=200,
                    placeholder="e.g. Which payment methods can we use?",
                ),
                checked_field(
                    "Message",
                    "inbox-body",
                    rx.text_area,
                    errors=errors,
                    field="body",
                    rows="7",
                    placeholder="Write your message…",
                ),
                form_error(errors.contains("form"), errors["form"]),  # type: ignore[attr-defined]
                rx.hstack(
                    rx.button(
                        "Cancel",
                        type="button",
                        variant="soft",
                        color_scheme="gray",
                        on_click=S.cancel_new,
                        disabled=S.sending,
                    ),
                    rx.button(
                        rx.icon("send", size=15),
                        "Send message",
                        type="submit",
                        loading=S.sending,
                        id="send-message",
                    ),
                    justify="end",
                    spacing="3",
                    width="100%",
                ),
                spacing="4",
                width="100%",
            ),
            on_submit=S.send,
            reset_on_submit=False,
            id="new-message-form",
        ),
        width="100%",
    )


def _invoice_item(choice: InvoiceChoice) -> rx.Component:
    return rx.select.item(choice.label, value=choice.value)


def _thread() -> rx.Component:
    return thread_view(
        S,
        [
            fact("Topic", S.topic, " → ", S.subtopic, id="thread-topic"),
            rx.cond(
                S.invoice != "",
                fact(
                    "Invoice",
                    rx.link(S.invoice, href=routes.partner_document(S.invoice)),
                    id="thread-invoice",
                ),
            ),
        ],
        "We also email your finance contact when we reply.",
    )


def partner_inbox_page() -> rx.Component:
    return partner_shell(
        page_header(
            "Inbox",
            "Messages with our finance team about invoices and commission.",
            rx.button(
                rx.icon("square_pen", size=16),
                "New message",
                on_click=S.start_new,
                id="new-message",
            ),
        ),
        notice(
            S.notice,
            icon="circle_check",
            color_scheme="green",
            id="inbox-notice",
            margin_bottom="16px",
        ),
        rx.cond(
            S.view == "loading",
            loading_card("Loading your messages…"),
            rx.cond(
                S.view == "error",
                rx.callout(
                    "Your messages could not be loaded. Please try again in a moment.",
                    icon="triangle_alert",
                    color_scheme="red",
                ),
                inbox_panes(
                    S,
                    ("new", _new_message()),
                    ("thread", _thread()),
                    title=rx.heading("Your messages", size="4", as_="h2"),
                    empty="No messages yet. Questions about an invoice or a payment? "
                    "Choose New message.",
                    missing="This message was not found in your inbox.",
                    choose="Choose a message on the left to read it, or write a new one.",
                ),
            ),
        ),
        active="Inbox",
    )
