"""The inbox's pieces, drawn alike for both inboxes (the partner's `/partner/inbox`, the staff's
`/inbox`): the thread list, the open thread (`thread_view`: its heading and facts, the
conversation, the reply box), and the two-column grid."""

from __future__ import annotations

from typing import Any

import reflex as rx

from concierge_app.ui.shared.forms import form_error
from concierge_app.ui.shared.inbox.rows import REPLY_FIELD, MessageRow, ThreadRow


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


def inbox_panes(
    state: Any,
    *panes: tuple[str, rx.Component],
    title: rx.Component,
    empty: str,
    missing: str,
    choose: str,
    show_partner: bool = False,
) -> rx.Component:
    """Both inboxes' body: the thread list of `state` (a `ThreadMixin` with `threads`,
    `selected_id`, `open` and `pane`) beside the pane it shows: one of `panes` (value, pane),
    `missing` when the thread asked for is not there, else `choose` (nothing open yet)."""
    return inbox_grid(
        thread_list(
            state.threads,
            state.selected_id,
            state.open,
            title=title,
            empty=empty,
            show_partner=show_partner,
        ),
        rx.match(
            state.pane,
            *panes,
            (
                "missing",
                rx.callout(missing, icon="search_x", color_scheme="gray", id="thread-not-found"),
            ),
            empty_pane(choose),
        ),
    )


def thread_view(
    state: Any, facts: list[rx.Component], reply_hint: Any, *above_reply: rx.Component
) -> rx.Component:
    """The open thread of `state` (a `ThreadMixin`): subject, when and by whom it started,
    `facts` (topic, invoice, …), the conversation, then `above_reply` and the reply box with
    `reply_hint` under it."""
    return rx.card(
        rx.vstack(
            rx.vstack(
                thread_heading(state.subject, state.started),
                rx.flex(*facts, wrap="wrap", spacing="6"),
                spacing="3",
                width="100%",
            ),
            rx.separator(size="4"),
            conversation(state.conversation),
            rx.separator(size="4"),
            *above_reply,
            reply_form(state.reply, state.replying, state.reply_error, reply_hint),
            spacing="4",
            width="100%",
        ),
        width="100%",
        id="inbox-thread-view",
    )
