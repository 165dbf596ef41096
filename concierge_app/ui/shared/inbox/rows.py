"""The rows of both inboxes: a thread in the list, a message of the conversation, formatted
for the side that reads them (the partner, or staff)."""

from __future__ import annotations

import dataclasses

from concierge_app.domain.formatting import format_moment
from concierge_app.domain.statuses import ThreadAuthor
from concierge_app.services.partner.inbox import ThreadSummary, ThreadView
from concierge_app.settings import get_settings

REPLY_FIELD = "reply-body"


@dataclasses.dataclass(frozen=True)
class ThreadRow:
    id: str
    subject: str
    subtopic: str
    invoice: str  # "" when the thread is about no invoice
    partner: str  # "Villa Azul · PRP-1001" (shown to staff)
    when: str  # of the last message
    unread: bool
    messages: str  # "2 messages"
    last_from: str  # "You" / "Finance team" / the partner's name


@dataclasses.dataclass(frozen=True)
class MessageRow:
    id: str
    mine: bool  # written by the side that is reading
    who: str
    body: str
    when: str


def thread_row(t: ThreadSummary, reader: ThreadAuthor, timezone: str) -> ThreadRow:
    if t.last_author_kind == reader.value:
        last_from = "You"
    elif t.last_author_kind == ThreadAuthor.STAFF.value:
        last_from = "Finance team"
    else:
        last_from = t.partner_name
    return ThreadRow(
        id=str(t.id),
        subject=t.subject,
        subtopic=t.subtopic,
        invoice=t.invoice_number or "",
        partner=f"{t.partner_name} · {t.partner_code}",
        when=format_moment(t.last_message_at, timezone),
        unread=t.unread,
        messages="1 message" if t.messages == 1 else f"{t.messages} messages",
        last_from=last_from,
    )


def message_rows(
    view: ThreadView, reader: ThreadAuthor, timezone: str, me: str = ""
) -> list[MessageRow]:
    """The conversation, oldest first. A partner sees staff as "<platform> Finance"; staff see
    who wrote (themselves as "You")."""
    team = f"{get_settings().platform_name} Finance"
    rows = []
    for m in view.messages:
        mine = m.author_kind is reader
        if m.author_kind is ThreadAuthor.STAFF:
            who = team if reader is ThreadAuthor.PARTNER else m.author
        else:
            who = (
                m.author
                if reader is ThreadAuthor.PARTNER
                else f"{m.author} ({view.summary.partner_name})"
            )
        if mine and m.author == me:
            who = "You"
        rows.append(MessageRow(str(m.id), mine, who, m.body, format_moment(m.created_at, timezone)))
    return rows
