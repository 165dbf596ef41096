"""A partner's commission rate over time, and which rate a reservation is billed at.

A partner's rates are a dated history: each rate is in force from its `valid_from` day until the
next one starts; the first ("the opening rate", agreed when the partner joined) is in force from
the start.

**The rule.** A reservation is billed at the rate in force on the day it was made: a stay on the
day its booking was created, a service on the day it was confirmed (UTC days, the platform's
business day). That is the rate agreed with the partner when the guest booked, as Booking.com
bills its commission; a later change of contract does not re-price what was already sold. The
month-end run (every line of the reservation statement) and the commission recorded when the
platform is paid for a service both read the rate this way, so the two always agree.

**A change.** A new rate starts on a later day than today (tomorrow at the earliest) and after
the last change: the rate of a day that has begun never changes, so nothing already booked,
confirmed, paid or invoiced is re-priced after the fact.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from concierge_app.domain.errors import DomainError
from concierge_app.domain.partner_billing import long_date

BPS = 10_000  # 100 %
FROM_THE_START = date(1, 1, 1)  # `valid_from` of a partner's opening rate
_PERCENT = re.compile(r"^([0-9]{1,3})(?:\.([0-9]{1,2}))?$")


@dataclass(frozen=True, slots=True)
class DatedRate:
    """One entry of a partner's rate history."""

    valid_from: date
    rate_bps: int

    @property
    def from_the_start(self) -> bool:
        return self.valid_from == FROM_THE_START


def parse_rate(text: str) -> int:
    """A percentage typed by a person, in basis points: "15" → 1500, "12.5 %" → 1250,
    "7.25" → 725. Between 0 and 100, at most two decimals, ASCII digits and a dot."""
    raw = (text or "").strip().removesuffix("%").strip()
    if not raw:
        raise DomainError("Enter the new commission rate, e.g. 15 or 12.5.", field="rate")
    match = _PERCENT.match(raw)
    if match is None:
        if re.fullmatch(r"[0-9]+\.[0-9]{3,}", raw):
            raise DomainError(
                "A commission rate has at most two decimals, e.g. 12.75.", field="rate"
            )
        raise DomainError(
            f"“{text.strip()}” is not a rate: write a percentage such as 15 or 12.5.",
            field="rate",
        )
    whole, part = match[1], (match[2] or "").ljust(2, "0")
    bps = int(whole) * 100 + int(part)
    if bps > BPS:
        raise DomainError("A commission rate is at most 100 %.", field="rate")
    return bps


def format_rate(bps: int) -> str:
    """1500 → "15 %", 1250 → "12.5 %", 725 → "7.25 %"."""
    whole, part = divmod(bps, 100)
    number = str(whole) if not part else f"{whole}.{part:02d}".rstrip("0")
    return f"{number} %"


def day_made(made_at: datetime) -> date:
    """The day the rule reads for a reservation made (booking created, service confirmed) at
    `made_at`: its UTC day."""
    if made_at.tzinfo is None:
        raise DomainError("A reservation's time must carry its time zone.")
    return made_at.astimezone(UTC).date()


def rate_in_force(history: Sequence[DatedRate], day: date) -> int:
    """The rate (bps) in force on `day`: the one with the latest `valid_from` on or before it."""
    current = None
    for entry in sorted(history, key=lambda e: e.valid_from):
        if entry.valid_from > day:
            break
        current = entry
    if current is None:
        raise DomainError(f"No commission rate is in force on {long_date(day)}.")
    return current.rate_bps


def check_change(
    history: Sequence[DatedRate], *, rate_bps: int, valid_from: date, today: date
) -> None:
    """Refuse a new rate that would re-price a day already begun, that starts on or before the
    last change, or that is the rate already in force then."""
    if not 0 <= rate_bps <= BPS:
        raise DomainError("A commission rate is between 0 % and 100 %.", field="rate")
    if valid_from <= today:
        raise DomainError(
            "A new rate starts tomorrow at the earliest: what was booked until today keeps the "
            "rate agreed then.",
            field="valid_from",
        )
    last = max(history, key=lambda e: e.valid_from, default=None)
    if last is not None and valid_from <= last.valid_from:
        raise DomainError(
            f"The last change starts on {long_date(last.valid_from)}: a new rate must start "
            "after it.",
            field="valid_from",
        )
    if history and rate_in_force(history, valid_from) == rate_bps:
        raise DomainError(
            f"The rate is already {format_rate(rate_bps)} on {long_date(valid_from)}: nothing "
            "to change.",
            field="rate",
        )
