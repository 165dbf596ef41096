"""Monthly commission invoicing rules: periods, departure windows, due dates, status and colour.

Partners are invoiced in the first week of a month for everything that departed in the
previous month: a stay by its check-out date, a service by its service date (both local dates
at the partner). Payment is due 14 days after the invoice date.
"""

from __future__ import annotations

import calendar
import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from concierge_app.domain.errors import DomainError
from concierge_app.domain.i18n import N_
from concierge_app.domain.money import Money

PAYMENT_TERMS = timedelta(days=14)
RUN_DAYS = range(1, 8)  # the month-end run happens in the first week of the month


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A calendar month, e.g. 2026-11."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 2000 <= self.year <= 2999:
            raise DomainError(f"{self.year}-{self.month:02d} is not a month.", field="period")

    @classmethod
    def parse(cls, text: str) -> Period:
        # ASCII digits only: \d (and int()) also take "２０２６" and other scripts
        match = re.fullmatch(r"\s*([0-9]{4})-([0-9]{2})\s*", text or "")
        if not match:
            raise DomainError("Give the period as YYYY-MM, e.g. 2026-11.", field="period")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def of(cls, day: date) -> Period:
        return cls(day.year, day.month)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def contains(self, day: date) -> bool:
        """Whether something that departs on `day` is invoiced for this period."""
        return self.first_day <= day <= self.last_day

    def previous(self) -> Period:
        return Period(self.year - 1, 12) if self.month == 1 else Period(self.year, self.month - 1)

    def next(self) -> Period:
        return Period(self.year + 1, 1) if self.month == 12 else Period(self.year, self.month + 1)

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"

    @property
    def label(self) -> str:
        return f"{calendar.month_name[self.month]} {self.year}"


def local_day(moment: datetime, timezone: str) -> date:
    """The calendar day at the partner when `moment` (aware) happens."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    return moment.astimezone(ZoneInfo(timezone)).date()


def period_to_invoice(run_at: datetime, timezone: str) -> Period:
    """The month a run at `run_at` invoices for a partner: the one before its local month."""
    return Period.of(local_day(run_at, timezone)).previous()


def due_date(invoice_date: date) -> date:
    return invoice_date + PAYMENT_TERMS


def is_run_week(day: date) -> bool:
    """The in-app schedule runs the month-end job during the first week of the month."""
    return day.day in RUN_DAYS


class PartnerInvoiceKind(enum.StrEnum):
    COMMISSION = "commission"
    VAT = "vat"  # a separate VAT/GST document
    DEBIT_NOTE = "debit_note"
    CREDIT_NOTE = "credit_note"


class PartnerInvoiceState(enum.StrEnum):
    """What staff decided; paid / due / overdue / part-paid are derived from allocations."""

    ISSUED = "issued"
    WRITTEN_OFF = "written_off"
    LEGAL = "legal"


class StatusColour(enum.StrEnum):
    GREEN = "green"  # paid
    RED = "red"  # due, overdue, part-paid
    BLACK = "black"  # written off or with legal


@dataclass(frozen=True, slots=True)
class InvoiceStatus:
    text: str
    colour: StatusColour
    outstanding: Money
    note: str = ""  # a transfer that is processing, or the overdue warning
    processing_until: date | None = None
    overdue: bool = False  # red past its due date (may lead to the account's suspension)

    @property
    def is_open(self) -> bool:
        return self.colour is StatusColour.RED


OVERDUE_WARNING = N_("Not paid by its due date: this may lead to your account's suspension")


def invoice_status(
    *,
    amount: Money,
    paid: Money,
    due: date,
    today: date,
    state: PartnerInvoiceState,
    format_money: Callable[[Money], str] = str,
    format_date: Callable[[date], str] | None = None,
    processing_until: date | None = None,
) -> InvoiceStatus:
    """The Status column, worded as the partner guide words it.

    "Paid", "Due by {date}", "Overdue (due by {date})", "You've paid {X} of {Y}", "Written off";
    an overdue invoice partly paid says both: "Overdue (due by {date}) · You've paid {X} of {Y}".
    `format_money` / `format_date` render amounts and dates for people (default: plain text,
    the date as "December 15, 2026"). `processing_until`: a transfer received (or announced
    with "I've paid") that counts from that day; until then the invoice stays red with a
    note. Paid in full is "Paid" whatever staff decided before (a written-off invoice paid by
    transfer).
    """
    money, day = format_money, format_date or long_date
    outstanding = amount - paid if paid < amount else Money.zero(amount.currency)
    if paid >= amount:
        return InvoiceStatus("Paid", StatusColour.GREEN, outstanding)
    status = _open_status(amount, paid, due, today, state, money, day, outstanding)
    # red or black, money on its way: a note until the day it should count (not after it: a
    # transfer that has not arrived by then is simply not there)
    if processing_until is not None and processing_until > today:
        note = f"Payment processing — it should be reflected by {day(processing_until)}"
        return replace(status, note=note, processing_until=processing_until)
    return status


def _open_status(
    amount: Money,
    paid: Money,
    due: date,
    today: date,
    state: PartnerInvoiceState,
    money: Callable[[Money], str],
    day: Callable[[date], str],
    outstanding: Money,
) -> InvoiceStatus:
    if state is PartnerInvoiceState.WRITTEN_OFF:
        return InvoiceStatus("Written off", StatusColour.BLACK, outstanding)
    if state is PartnerInvoiceState.LEGAL:
        return InvoiceStatus("With our legal department", StatusColour.BLACK, outstanding)
    if today > due:  # overdue comes first: it may lead to the account's suspension
        text = f"Overdue (due by {day(due)})"
        if paid.minor > 0:  # both: late, and part of it paid already
            text = f"{text} · You've paid {money(paid)} of {money(amount)}"
        return InvoiceStatus(text, StatusColour.RED, outstanding, OVERDUE_WARNING, overdue=True)
    if paid.minor > 0:
        text = f"You've paid {money(paid)} of {money(amount)}"
        return InvoiceStatus(text, StatusColour.RED, outstanding)
    return InvoiceStatus(f"Due by {day(due)}", StatusColour.RED, outstanding)


def long_date(day: date) -> str:
    """ "December 15, 2026": month, day, year, as the partner guide writes due dates."""
    return f"{calendar.month_name[day.month]} {day.day}, {day.year}"
