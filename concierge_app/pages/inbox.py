"""`/inbox` (staff): partners' messages to the finance team, unread first; open one to read the
conversation and reply (the partner's finance contact is emailed). Live: a partner's new message
shows without a reload."""

from __future__ import annotations

import reflex as rx

from concierge_app.components.layout import loading_card, page_header, page_shell
from concierge_app.components.live import live_updates
from concierge_app.pages.partner_inbox import (
    conversation,
    empty_pane,
    fact,
    inbox_grid,
    reply_form,
    thread_heading,
    thread_list,
)
from concierge_app.state.inbox import InboxState as S


def _list_title() -> rx.Component:
    return rx.hstack(
        rx.heading("Threads", size="4", as_="h2"),
        rx.cond(
            S.unread > 0,
            rx.badge(S.unread, " unread", color_scheme="blue", radius="full", id="inbox-unread"),
        ),
        justify="between",
        align="center",
        width="100%",
    )


def _thread() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.vstack(
                thread_heading(S.subject, S.started),
                rx.flex(
                    fact("Partner", S.partner, id="thread-partner"),
                    fact("Topic", S.topic, " → ", S.subtopic, id="thread-topic"),
                    rx.cond(S.invoice != "", fact("Invoice", S.invoice, id="thread-invoice")),
                    wrap="wrap",
                    spacing="6",
                ),
                spacing="3",
                width="100%",
            ),
            rx.separator(size="4"),
            conversation(S.conversation),
            rx.separator(size="4"),
            rx.cond(
                S.notice != "",
                rx.callout(
                    S.notice,
                    icon="circle_check",
                    color_scheme="green",
                    width="100%",
                    id="inbox-notice",
                ),
            ),
            reply_form(
                S.reply,
                S.replying,
                S.reply_error,
                "Your reply is emailed to " + S.finance_email + ".",
            ),
            spacing="4",
            width="100%",
        ),
        width="100%",
        id="inbox-thread-view",
    )


def inbox_page() -> rx.Component:
    return page_shell(
        page_header(
            "Partner inbox",
            "Partners' messages about invoices and commission. Replies are emailed to the "
            "partner's finance contact.",
        ),
        rx.cond(
            S.loading,
            loading_card("Loading the inbox…"),
            rx.cond(
                S.failed,
                rx.callout(
                    "The inbox could not be loaded. It retries when the ledger changes.",
                    icon="triangle_alert",
                    color_scheme="red",
                ),
                inbox_grid(
                    thread_list(
                        S.threads,
                        S.selected_id,
                        S.open,
                        title=_list_title(),
                        empty="No messages from partners yet. They write from the Extranet's "
                        "Inbox.",
                        show_partner=True,
                    ),
                    rx.match(
                        S.pane,
                        ("thread", _thread()),
                        (
                            "missing",
                            rx.callout(
                                "This thread was not found.",
                                icon="search_x",
                                color_scheme="gray",
                                id="thread-not-found",
                            ),
                        ),
                        empty_pane("Choose a thread on the left to read it and reply."),
                    ),
                ),
            ),
        ),
        live_updates(S.poll),
        active="Inbox",
    )
