"""`/partner/inbox` (Extranet): the partner's messages with the finance team — the threads, a
New message form (topic "Invoices and commission", subtopic "Other" unless chosen, optionally
one of its invoices) and a thread's conversation with a reply box. Live: a staff reply shows
without a reload.

The thread list, conversation and reply box are drawn by the helpers here for both inboxes (the
staff's `/inbox` too)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from concierge_app.components.forms import form_error, form_field, validation_props
from concierge_app.components.layout import loading_card, page_header
from concierge_app.components.live import live_updates
from concierge_app.components.partner import partner_shell
from concierge_app.state.partner_inbox import REPLY_FIELD, InvoiceChoice, MessageRow, ThreadRow
from concierge_app.state.partner_inbox import PartnerInboxState as S


# -- shared by both inboxes ---------------------------------------------------------------------
def thread_item(
    row: ThreadRow, selected_id: rx.Var[str], on_open: Any, *, show_partner: bool
) -> rx.Component:
    """One thread in the list: unread dot and bold subject while unread, who wrote last, when."""
    selected = row.id == selected_id
    return rx.box(
        rx.hstack(
            rx.box(
                width="8px",
                height="8px",
                border_radius="50%",
                flex_shrink="0",
                margin_top="6px",
                background_color=rx.cond(row.unread, "var(--accent-9)", "transparent"),
                custom_attrs={"aria-hidden": "true"},
            ),
            rx.vstack(
                rx.hstack(
                    rx.text(
                        row.subject,
                        size="2",
                        weight=rx.cond(row.unread, "bold", "medium"),
                        class_name="thread-subject",
                        overflow="hidden",
                        text_overflow="ellipsis",
                        white_space="nowrap",
                        flex="1",
                        min_width="0",
                    ),
                    rx.cond(
                        row.unread,
                        rx.badge("Unread", color_scheme="blue", size="1", radius="full"),
                    ),
                    justify="between",
                    align="center",
                    width="100%",
                    spacing="2",
                ),
                *(
                    [rx.text(row.partner, size="1", weight="medium", class_name="thread-partner")]
                    if show_partner
                    else []
                ),
                rx.hstack(
                    rx.badge(row.subtopic, variant="soft", color_scheme="gray", size="1"),
                    rx.cond(
                        row.invoice != "",
                        rx.badge(row.invoice, variant="outline", color_scheme="gray", size="1"),
                    ),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
                rx.text(
                    row.last_from,
                    " · ",
                    row.messages,
                    " · ",
                    row.when,
                    size="1",
                    color_scheme="gray",
                ),
                spacing="1",
                width="100%",
                min_width="0",
            ),
            spacing="2",
            align="start",
            width="100%",
        ),
        on_click=on_open(row.id),
        role="button",
        tab_index=0,
        width="100%",
        min_width="0",
        padding="10px 12px",
        border_radius="var(--radius-3)",
        cursor="pointer",
        background_color=rx.cond(selected, "var(--accent-a3)", "transparent"),
        _hover={"background_color": rx.cond(selected, "var(--accent-a3)", "var(--gray-a3)")},
        class_name="inbox-thread",
        custom_attrs={
            "data-thread": row.id,
            "data-unread": rx.cond(row.unread, "true", "false"),
            "aria-current": rx.cond(selected, "true", "false"),
        },
    )


def thread_list(
    rows: rx.Var[list[ThreadRow]],
    selected_id: rx.Var[str],
    on_open: Any,
    *,
    title: rx.Component,
    empty: str,
    show_partner: bool = False,
) -> rx.Component:
    return rx.card(
        rx.vstack(
            title,
            rx.cond(
                rows.length() > 0,  # type: ignore[attr-defined]
                rx.vstack(
                    rx.foreach(
                        rows,
                        lambda row: thread_item(
                            row, selected_id, on_open, show_partner=show_partner
                        ),
                    ),
                    spacing="1",
                    align="stretch",
                    width="100%",
                    id="inbox-threads",
                ),
                rx.text(empty, size="2", color_scheme="gray", id="inbox-empty", padding_x="4px"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _bubble(m: MessageRow) -> rx.Component:
    return rx.flex(
        rx.box(
            rx.hstack(
                rx.text(m.who, size="1", weight="bold"),
                rx.text(m.when, size="1", color_scheme="gray"),
                spacing="2",
                align="baseline",
                justify="between",
                width="100%",
            ),
            rx.text(m.body, size="2", white_space="pre-wrap", margin_top="4px"),
            max_width="85%",
            min_width="240px",
            padding="10px 14px",
            border_radius="var(--radius-4)",
            background_color=rx.cond(m.mine, "var(--accent-a3)", "var(--gray-a3)"),
            class_name="inbox-message",
            custom_attrs={"data-mine": rx.cond(m.mine, "true", "false")},
        ),
        justify=rx.cond(m.mine, "end", "start"),
        width="100%",
    )


def conversation(messages: rx.Var[list[MessageRow]]) -> rx.Component:
    return rx.vstack(
        rx.foreach(messages, _bubble),
        spacing="3",
        width="100%",
        id="inbox-conversation",
    )


def reply_form(
    on_submit: Any, busy: rx.Var[bool], error: rx.Var[str], hint: str | rx.Var[str]
) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.el.label(rx.text("Your reply", size="2", weight="medium"), html_for=REPLY_FIELD),
            rx.text_area(
                id=REPLY_FIELD,
                name="body",
                rows="4",
                placeholder="Write your reply…",
                width="100%",
                custom_attrs={"aria-invalid": rx.cond(error != "", "true", "false")},
            ),
            form_error(error != "", error),
            rx.hstack(
                rx.text(hint, size="1", color_scheme="gray"),
                rx.button(
                    rx.icon("send", size=15),
                    "Send reply",
                    type="submit",
                    loading=busy,
                    id="send-reply",
                ),
                justify="between",
                align="center",
                width="100%",
                spacing="3",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=on_submit,
        reset_on_submit=False,
        width="100%",
    )


def fact(label: str, *value: Any, **props: Any) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray", weight="medium"),
        rx.text(*value, size="2", weight="medium"),
        spacing="1",
        **props,
    )


def thread_heading(subject: rx.Var[str], started: rx.Var[str]) -> rx.Component:
    return rx.vstack(
        rx.heading(subject, size="5", as_="h2", id="thread-subject"),
        rx.text("Started ", started, size="1", color_scheme="gray"),
        spacing="1",
    )


def empty_pane(text: str) -> rx.Component:
    return rx.card(
        rx.center(
            rx.vstack(
                rx.icon("messages_square", size=32, color="var(--gray-8)"),
                rx.text(text, size="2", color_scheme="gray", text_align="center"),
                align="center",
                spacing="3",
                max_width="360px",
            ),
            padding_y="72px",
        ),
        width="100%",
    )


def inbox_grid(left: rx.Component, right: rx.Component) -> rx.Component:
    return rx.grid(
        left,
        right,
        columns=rx.breakpoints(initial="1", md="minmax(300px, 380px) minmax(0, 1fr)"),
        spacing="5",
        width="100%",
        align="start",
    )


# -- the partner's page -------------------------------------------------------------------------
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
                form_field(
                    "Subject",
                    "inbox-subject",
                    rx.input(
                        id="inbox-subject",
                        name="subject",
                        max_length=200,
                        placeholder="e.g. Which payment methods can we use?",
                        width="100%",
                        **validation_props(errors, "subject", "inbox-subject"),
                    ),
                    errors=errors,
                    key="subject",
                ),
                form_field(
                    "Message",
                    "inbox-body",
                    rx.text_area(
                        id="inbox-body",
                        name="body",
                        rows="7",
                        placeholder="Write your message…",
                        width="100%",
                        **validation_props(errors, "body", "inbox-body"),
                    ),
                    errors=errors,
                    key="body",
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
    return rx.card(
        rx.vstack(
            rx.vstack(
                thread_heading(S.subject, S.started),
                rx.flex(
                    fact("Topic", S.topic, " → ", S.subtopic, id="thread-topic"),
                    rx.cond(
                        S.invoice != "",
                        fact(
                            "Invoice",
                            rx.link(S.invoice, href="/partner/invoices/" + S.invoice),
                            id="thread-invoice",
                        ),
                    ),
                    wrap="wrap",
                    spacing="6",
                ),
                spacing="3",
                width="100%",
            ),
            rx.separator(size="4"),
            conversation(S.conversation),
            rx.separator(size="4"),
            reply_form(
                S.reply,
                S.replying,
                S.reply_error,
                "We also email your finance contact when we reply.",
            ),
            spacing="4",
            width="100%",
        ),
        width="100%",
        id="inbox-thread-view",
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
        rx.cond(
            S.notice != "",
            rx.callout(
                S.notice,
                icon="circle_check",
                color_scheme="green",
                margin_bottom="16px",
                id="inbox-notice",
            ),
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
                inbox_grid(
                    thread_list(
                        S.threads,
                        S.selected_id,
                        S.open,
                        title=rx.heading("Your messages", size="4", as_="h2"),
                        empty="No messages yet. Questions about an invoice or a payment? "
                        "Choose New message.",
                    ),
                    rx.match(
                        S.pane,
                        ("new", _new_message()),
                        ("thread", _thread()),
                        (
                            "missing",
                            rx.callout(
                                "This message was not found in your inbox.",
                                icon="search_x",
                                color_scheme="gray",
                                id="thread-not-found",
                            ),
                        ),
                        empty_pane("Choose a message on the left to read it, or write a new one."),
                    ),
                ),
            ),
        ),
        live_updates(S.poll),
        active="Inbox",
    )
