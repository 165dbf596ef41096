"""The Payment reminders card on the staff partner page: each open document with the notices
already sent (which, on which day) and the next one due, or why none will be sent
(`services.partner.reminders.partner_reminders`)."""

from __future__ import annotations

import dataclasses

import reflex as rx

from concierge_app.domain.formatting import format_day
from concierge_app.services.partner.reminders import DocumentReminders
from concierge_app.ui.shared.long_text import WRAP_ANYWHERE


@dataclasses.dataclass(frozen=True)
class ReminderRow:
    number: str = ""
    due: str = ""
    sent: list[str] = dataclasses.field(default_factory=list)  # "Payment reminder: Dec 13, 2026"
    next: str = ""  # "Overdue notice on Dec 17, 2026" or "none — paid"
    will_send: bool = False


def reminder_row(r: DocumentReminders) -> ReminderRow:
    if r.next_notice is not None and r.next_on is not None:
        upcoming, will_send = f"{r.next_notice.label} on {format_day(r.next_on)}", True
    else:
        upcoming, will_send = f"none — {r.reason}", False
    return ReminderRow(
        number=r.number,
        due=format_day(r.due),
        sent=[f"{s.notice.label}: {format_day(s.on)}" for s in r.sent],
        next=upcoming,
        will_send=will_send,
    )


def _document(row: rx.Var[ReminderRow]) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(row.number, weight="bold", size="2", **WRAP_ANYWHERE),
            rx.text("Due " + row.due, size="2", color_scheme="gray"),
            spacing="3",
            wrap="wrap",
            align="baseline",
        ),
        rx.cond(
            row.sent.length() > 0,  # type: ignore[attr-defined]
            rx.foreach(
                row.sent,
                lambda line: rx.text("Sent: " + line, size="2", class_name="reminder-sent"),
            ),
            rx.text("None sent yet.", size="2", color_scheme="gray", class_name="reminder-sent"),
        ),
        rx.text(
            "Next: ",
            row.next,
            size="2",
            color_scheme=rx.cond(row.will_send, "amber", "gray"),
            class_name="reminder-next",
            **WRAP_ANYWHERE,
        ),
        spacing="1",
        width="100%",
        padding_y="8px",
        border_top="1px solid var(--gray-a4)",
        class_name="reminder-document",
    )


def reminders_card(rows: rx.Var[list[ReminderRow]]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Payment reminders", size="4", as_="h2"),
            rx.text(
                "Each open document: the notices sent, and the next one due or why none will "
                "be sent.",
                size="1",
                color_scheme="gray",
            ),
            rx.cond(
                rows.length() > 0,  # type: ignore[attr-defined]
                rx.vstack(rx.foreach(rows, _document), spacing="0", width="100%"),
                rx.text("No open documents: no reminders.", size="2", color_scheme="gray"),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        id="partner-reminders-card",
    )
