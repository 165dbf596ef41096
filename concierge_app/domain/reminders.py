"""Reminder schedules: which reminder of an unpaid invoice is due today, or none and why.

Guests: steps the platform sets (GUEST_REMINDER_DAYS, e.g. "3 after sent, 2 before check-in,
on service date"). Partners, as the partner guide words it: a reminder before the due date, an
overdue notice with the suspension warning, a final notice (PARTNER_REMINDER_DAYS, e.g.
"3 before due, 1 after due, 14 after due").

One rule for both: on a given day the step due is the latest step whose day has come; it is
sent once (its key names the document and the step). Earlier steps that never went out are
superseded by it, so an invoice sent late never gets a burst of reminders. Steps that fall on
or before the day the invoice was sent do not apply. Pure: no clock but `today`.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from concierge_app.domain.errors import DomainError
from concierge_app.domain.formatting import format_long_day
from concierge_app.domain.i18n import N_, gettext
from concierge_app.domain.partner_billing import (
    OVERDUE_WARNING,
    PartnerInvoiceKind,
    PartnerInvoiceState,
)

MAX_DAYS = 365
MAX_STEPS = 10
DEFAULT_GUEST_SCHEDULE = "3 after sent, 2 before check-in, on service date"
DEFAULT_PARTNER_SCHEDULE = "3 before due, 1 after due, 14 after due"


class ScheduleError(DomainError):
    """A reminder schedule that cannot be read."""


class Anchor(enum.StrEnum):
    SENT = "sent"
    CHECK_IN = "check-in"
    SERVICE_DATE = "service date"
    DUE = "due"


@dataclass(frozen=True, slots=True)
class Step:
    """`days` before (negative) or after (positive) an anchor day; 0 is on it."""

    offset: int
    anchor: Anchor

    @property
    def key(self) -> str:
        return f"{self.anchor.value.replace(' ', '-')}{self.offset:+d}"

    @property
    def label(self) -> str:
        """ "3 days after sending", "2 days before check-in", "on the service date"."""
        noun = _NOUNS[self.anchor]
        if self.offset == 0:
            return f"on {noun}"
        days = abs(self.offset)
        word = "after" if self.offset > 0 else "before"
        return f"{days} day{'s' if days != 1 else ''} {word} {noun}"


_NOUNS = {
    Anchor.SENT: "sending",
    Anchor.CHECK_IN: "check-in",
    Anchor.SERVICE_DATE: "the service date",
    Anchor.DUE: "the due date",
}

_ITEM = re.compile(r"(?:([0-9]{1,3})\s+(after|before)|on)\s+(sent|check-in|service date|due)")


def parse_schedule(text: str, *, anchors: Iterable[Anchor]) -> tuple[Step, ...]:
    """Read "3 after sent, 2 before check-in, on service date" into steps, in the given order.
    Raises ScheduleError naming the part that cannot be read."""
    allowed = tuple(anchors)
    names = ", ".join(a.value for a in allowed)
    parts = [p.strip().lower() for p in text.split(",")]
    if not text.strip():
        return ()
    if len(parts) > MAX_STEPS:
        raise ScheduleError(f"at most {MAX_STEPS} reminders, not {len(parts)}.")
    steps: list[Step] = []
    for part in parts:
        found = _ITEM.fullmatch(re.sub(r"\s+", " ", part))
        if found is None:
            raise ScheduleError(
                f"{part[:40]!r} is not a reminder; write e.g. '3 after {allowed[0].value}', "
                f"'2 before {allowed[-1].value}' or 'on {allowed[-1].value}' ({names})."
            )
        count, word, anchor_name = found.groups()
        anchor = Anchor(anchor_name)
        if anchor not in allowed:
            raise ScheduleError(f"{part!r}: the day must be one of: {names}.")
        days = int(count) if count else 0
        if days > MAX_DAYS:
            raise ScheduleError(f"{part!r}: at most {MAX_DAYS} days.")
        step = Step(-days if word == "before" else days, anchor)
        if step in steps:
            raise ScheduleError(f"{part!r} is there twice.")
        steps.append(step)
    return tuple(steps)


GUEST_ANCHORS = (Anchor.SENT, Anchor.CHECK_IN, Anchor.SERVICE_DATE)


def parse_guest_schedule(text: str) -> tuple[Step, ...]:
    return parse_schedule(text, anchors=GUEST_ANCHORS)


class PartnerNotice(enum.StrEnum):
    REMINDER = "reminder"
    OVERDUE = "overdue"
    FINAL = "final"

    @property
    def label(self) -> str:
        """The notice's title in English (staff pages, the CLI)."""
        return _NOTICE_TITLES[self.value]

    def title_in(self, locale: str | None) -> str:
        """The notice's title in the partner's language (the message's subject)."""
        return gettext(locale, _NOTICE_TITLES[self.value])


_NOTICE_TITLES = {
    "reminder": N_("Payment reminder"),
    "overdue": N_("Overdue notice"),
    "final": N_("Final notice"),
}


@dataclass(frozen=True, slots=True)
class PartnerSchedule:
    reminder: Step
    overdue: Step
    final: Step

    def steps(self) -> tuple[Step, ...]:
        return (self.reminder, self.overdue, self.final)

    def notice(self, step: Step) -> PartnerNotice:
        return (PartnerNotice.REMINDER, PartnerNotice.OVERDUE, PartnerNotice.FINAL)[
            self.steps().index(step)
        ]


def parse_partner_schedule(text: str) -> PartnerSchedule:
    """Exactly three steps relative to the due date: a reminder before it (or on it), an
    overdue notice after it, a final notice later still."""
    steps = parse_schedule(text, anchors=(Anchor.DUE,))
    if len(steps) != 3:
        raise ScheduleError(
            "three reminders relative to the due date: the reminder, the overdue notice and "
            f"the final notice, e.g. {DEFAULT_PARTNER_SCHEDULE!r}."
        )
    reminder, overdue, final = steps
    if reminder.offset > 0 or overdue.offset <= 0 or final.offset <= overdue.offset:
        raise ScheduleError(
            "the reminder comes before (or on) the due date, the overdue notice after it, and "
            f"the final notice after the overdue notice, e.g. {DEFAULT_PARTNER_SCHEDULE!r}."
        )
    return PartnerSchedule(reminder, overdue, final)


@dataclass(frozen=True, slots=True)
class Decision:
    """The reminder due today (`step`), or None with the reason; `next_on`/`next_step`: the
    one after it, if any (what the booking page shows)."""

    step: Step | None
    reason: str
    next_on: date | None = None
    next_step: Step | None = None

    @property
    def due(self) -> bool:
        return self.step is not None


def _decide(
    days: list[tuple[date, Step]], sent_on: date | None, today: date, sent: frozenset[str]
) -> Decision:
    applicable = sorted(
        (d, i, s) for i, (d, s) in enumerate(days) if sent_on is None or d > sent_on
    )
    come = [(d, s) for d, _, s in applicable if d <= today]
    later = [(d, s) for d, _, s in applicable if d > today and s.key not in sent]
    next_on, next_step = later[0] if later else (None, None)
    if come:
        latest_day = come[-1][0]
        step = next(s for d, s in come if d == latest_day)
        if step.key not in sent:
            return Decision(step, f"{step.label} ({latest_day.isoformat()})", next_on, next_step)
    if next_step is not None:
        return Decision(None, "nothing due today", next_on, next_step)
    return Decision(None, "no reminder left in the schedule")


# --- guests ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GuestInvoiceFacts:
    status: str  # domain.lifecycle.InvoiceStatus value
    sent_on: date | None
    check_in: date
    service_date: date | None  # the earliest service date on the invoice
    paused: bool  # staff paused the booking's reminders


def guest_reminder(
    facts: GuestInvoiceFacts, schedule: tuple[Step, ...], today: date, sent: frozenset[str]
) -> Decision:
    """The guest reminder due today for this invoice, or none and why."""
    if facts.status == "paid":
        return Decision(None, "paid")
    if facts.status == "voided":
        return Decision(None, "voided")
    if facts.status != "active" or facts.sent_on is None:
        return Decision(None, "not sent yet")
    if facts.paused:
        return Decision(None, "paused by staff")
    anchors = {
        Anchor.SENT: facts.sent_on,
        Anchor.CHECK_IN: facts.check_in,
        Anchor.SERVICE_DATE: facts.service_date,
    }
    days = [
        (base + timedelta(days=s.offset), s)
        for s in schedule
        if (base := anchors.get(s.anchor)) is not None
    ]
    return _decide(days, facts.sent_on, today, sent)


# --- partners -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PartnerInvoiceFacts:
    kind: str  # PartnerInvoiceKind value
    state: str  # PartnerInvoiceState value
    amount_minor: int
    paid_minor: int
    issued_on: date
    due: date
    processing_until: date | None = None  # a transfer counted from this day
    collection_day: date | None = None  # the direct debit's collection day, with a mandate
    deducted_from_payout: bool = False


def partner_reminder(
    facts: PartnerInvoiceFacts, schedule: PartnerSchedule, today: date, sent: frozenset[str]
) -> Decision:
    """The partner notice due today for this document, or none and why."""
    if facts.kind == PartnerInvoiceKind.CREDIT_NOTE:
        return Decision(None, "a credit note is owed to the partner")
    if facts.paid_minor >= facts.amount_minor:
        return Decision(None, "paid")
    if facts.state == PartnerInvoiceState.WRITTEN_OFF:
        return Decision(None, "written off: handled by finance (paid by bank transfer only)")
    if facts.state == PartnerInvoiceState.LEGAL:
        return Decision(None, "with the legal department: no reminders")
    if facts.deducted_from_payout:
        return Decision(None, "deducted from the partner's payout: nothing to pay")
    if facts.processing_until is not None and facts.processing_until > today:
        return Decision(
            None, f"a transfer is processing until {facts.processing_until.isoformat()}"
        )
    if facts.collection_day is not None and today < facts.collection_day:
        return Decision(None, f"the direct debit collects on {facts.collection_day.isoformat()}")
    days = [(facts.due + timedelta(days=s.offset), s) for s in schedule.steps()]
    return _decide(days, facts.issued_on, today, sent)


def partner_notice_words(notice: PartnerNotice, due: date, locale: str = "en_US") -> str:
    """The sentence each notice opens with, in the partner guide's words, in the partner's
    language (`locale`, e.g. "es_ES": the words from its catalog, the date as it writes it)."""
    day = format_long_day(due, locale)
    if notice is PartnerNotice.REMINDER:
        return gettext(locale, "This invoice is due by {due}.", due=day)
    warning = gettext(locale, OVERDUE_WARNING)
    if notice is PartnerNotice.OVERDUE:
        return gettext(locale, "Overdue (due by {due}). {warning}.", due=day, warning=warning)
    return gettext(
        locale,
        "Final notice: overdue since {due}. {warning}; unless it is paid, your property may be "
        "closed on our platform.",
        due=day,
        warning=warning,
    )
