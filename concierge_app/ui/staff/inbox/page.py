"""`/inbox` (staff): partners' messages to the finance team, unread first; open one to read the
conversation and reply (the partner's finance contact is emailed). Live: a partner's new message
shows without a reload."""

from __future__ import annotations

import reflex as rx

from concierge_app.ui.shared.inbox.parts import (
    fact,
    inbox_panes,
    thread_view,
)
from concierge_app.ui.shared.layout import loading_card, page_header
from concierge_app.ui.shared.long_text import WRAP_ANYWHERE
from concierge_app.ui.shared.notices import notice
from concierge_app.ui.staff.inbox.state import InboxState as S
from concierge_app.ui.staff.shell import page_shell


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
    return thread_view(
        S,
        [
            fact("Partner", S.partner, id="thread-partner"),
            fact("Topic", S.topic, " → ", S.subtopic, id="thread-topic"),
            rx.cond(S.invoice != "", fact("Invoice", S.invoice, id="thread-invoice")),
        ],
        "Your reply is emailed to " + S.finance_email + ".",
        notice(
            S.notice, icon="circle_check", color_scheme="green", id="inbox-notice", width="100%"
        ),
    )


def inbox_page() -> rx.Component:
    return page_shell(
        page_header(
            "Partner inbox",
            "Partners' messages about invoices and commission. Replies are emailed to the "
            "partner's finance contact. " + S.times_note,
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
                rx.box(
                    inbox_panes(
                        S,
                        ("thread", _thread()),
                        title=_list_title(),
                        empty="No messages from partners yet. They write from the Extranet's "
                        "Inbox.",
                        missing="This thread was not found.",
                        choose="Choose a thread on the left to read it and reply.",
                        show_partner=True,
                    ),
                    # Long subjects, names and words in messages wrap instead of widening the
                    # page (the property is inherited by the shared inbox parts).
                    **WRAP_ANYWHERE,
                    width="100%",
                    id="staff-inbox",
                ),
            ),
        ),
        active="Inbox",
    )
