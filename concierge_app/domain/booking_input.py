"""What a booking is made of when staff type it or a file brings it, checked field by field.

One check serves the New booking form, the Edit dialog and every row of a bookings CSV:
`check_booking_fields` takes text by field name and gives a `BookingInput`, or every problem
found as (field, message). Text is refused rather than guessed at: dates as YYYY-MM-DD in ASCII
digits, amounts as `Money.parse` reads them (no rounding), no control or bidi characters, and
no cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from concierge_app.domain.charge_limits import max_charge
from concierge_app.domain.currencies import normalise_currency
from concierge_app.domain.errors import DomainError
from concierge_app.domain.money import Money
from concierge_app.domain.statuses import AccommodationCollector

# The languages the app writes to guests in (Babel locales), with their names for the picker.
LOCALES: dict[str, str] = {
    "en_US": "English (US)",
    "en_GB": "English (UK)",
    "fr_FR": "Français",
    "de_DE": "Deutsch",
    "es_ES": "Español",
    "it_IT": "Italiano",
    "pt_PT": "Português",
    "nl_NL": "Nederlands",
    "ja_JP": "日本語",
}
COLLECTORS: dict[str, str] = {
    AccommodationCollector.PLATFORM.value: "The platform",
    AccommodationCollector.PROPERTY.value: "The property",
}
FIELDS = (
    "external_reference",
    "guest_name",
    "guest_email",
    "guest_language",
    "property",
    "check_in",
    "check_out",
    "currency",
    "accommodation_total",
    "accommodation_paid",
    "collected_by",
)
MAX_NAME, MAX_EMAIL, MAX_EXTERNAL, MAX_PROPERTY = 200, 254, 100, 20
MAX_NIGHTS = 366
FIRST_YEAR, LAST_YEAR = 2000, 2100

_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_EXTERNAL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/#-]*$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


@dataclass(frozen=True, slots=True)
class BookingInput:
    """A booking as typed or imported, every field checked (the property by its code)."""

    external_reference: str | None
    guest_name: str
    guest_email: str
    guest_language: str
    property_code: str
    check_in: date
    check_out: date
    accommodation_total: Money
    accommodation_paid: Money
    collected_by: AccommodationCollector

    @property
    def currency(self) -> str:
        return self.accommodation_total.currency


class BookingInvalid(DomainError):
    """The booking typed by staff is not valid; `problems` holds (field, message) for each."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        field, message = problems[0]
        super().__init__(message, field=field)
        self.problems = tuple(problems)


def _odd_characters(value: str) -> bool:
    return any(unicodedata.category(c) in ("Cc", "Cs", "Co") or c in _BIDI for c in value)


def clean_text(
    value: str, field: str, label: str, limit: int, problems: list[tuple[str, str]]
) -> str:
    """`value` NFC-normalised and stripped, or "" with a problem: too long, control or bidi
    characters, or a spreadsheet formula."""
    text = unicodedata.normalize("NFC", value or "").strip()
    if len(text) > limit:
        problems.append((field, f"The {label} is longer than {limit} characters."))
    elif _odd_characters(text):
        problems.append((field, f"The {label} has control or direction characters; retype it."))
    elif text.startswith(_FORMULA_START):
        problems.append(
            (field, f"The {label} starts with '{text[0]}', which a spreadsheet runs as a formula.")
        )
    else:
        return text
    return ""


def read_day(text: str, field: str, label: str, problems: list[tuple[str, str]]) -> date | None:
    if not text:
        problems.append((field, f"The {label} is missing (YYYY-MM-DD)."))
        return None
    if _DAY.match(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            pass
        else:
            if FIRST_YEAR <= day.year <= LAST_YEAR:
                return day
            problems.append(
                (field, f"The {label} {text} is not between {FIRST_YEAR} and {LAST_YEAR}.")
            )
            return None
    problems.append((field, f"'{text[:40]}' is not a day; write the {label} as YYYY-MM-DD."))
    return None


def _amount(
    text: str, currency: str | None, field: str, label: str, problems: list[tuple[str, str]]
) -> Money | None:
    """A non-negative amount no larger than one payment can take; "" reads as zero."""
    if currency is None:
        return None
    try:
        amount = Money.parse(text or "0", currency, field=field)
    except DomainError as bad:
        problems.append((field, bad.message))
        return None
    if amount.is_negative:
        problems.append((field, f"The {label} cannot be negative; '{text}' is."))
        return None
    limit = max_charge(currency)
    if amount > limit:
        problems.append((field, f"The {label} {amount} is more than the most allowed, {limit}."))
        return None
    return amount


def _guest(text: Mapping[str, str], problems: list[tuple[str, str]]) -> tuple[str, str, str]:
    name = clean_text(text["guest_name"], "guest_name", "guest's name", MAX_NAME, problems)
    if not name and not any(f == "guest_name" for f, _ in problems):
        problems.append(("guest_name", "The guest's name is missing."))
    email = clean_text(text["guest_email"], "guest_email", "email", MAX_EMAIL, problems).lower()
    if not any(f == "guest_email" for f, _ in problems) and not _EMAIL.match(email):
        shown = f"'{email[:60]}' is not" if email else "The guest's email is missing, or not"
        problems.append(("guest_email", f"{shown} an email address."))
    language = text["guest_language"] or "en_US"
    if language not in LOCALES:
        problems.append(
            (
                "guest_language",
                f"'{language[:20]}' is not a language the app writes in: {', '.join(LOCALES)}.",
            )
        )
    return name, email, language


def _external(raw: str, problems: list[tuple[str, str]]) -> str | None:
    value = clean_text(raw, "external_reference", "external reference", MAX_EXTERNAL, problems)
    if value and not _EXTERNAL.match(value):
        problems.append(
            (
                "external_reference",
                "The external reference is letters, digits and . _ : / # -, "
                "starting with a letter or digit.",
            )
        )
    return value or None


def reference_shaped(text: str) -> bool:
    """Whether `text` could be a booking's reference or external reference (a lookup by
    anything else finds nothing without asking the database)."""
    return 0 < len(text) <= MAX_EXTERNAL and bool(_EXTERNAL.match(text))


def check_booking_fields(
    fields: Mapping[str, str],
) -> tuple[BookingInput | None, list[tuple[str, str]]]:
    """The booking described by `fields` (text by name, see FIELDS), or every problem with it
    as (field, message). Empty language reads as en_US, empty collector as the platform,
    empty paid as nothing paid."""
    problems: list[tuple[str, str]] = []
    text = {k: (fields.get(k) or "").strip() for k in FIELDS}
    external = _external(text["external_reference"], problems)
    name, email, language = _guest(text, problems)

    code = clean_text(text["property"], "property", "property", MAX_PROPERTY, problems).upper()
    if not code and not any(f == "property" for f, _ in problems):
        problems.append(("property", "Choose the property."))

    check_in = read_day(text["check_in"], "check_in", "check-in", problems)
    check_out = read_day(text["check_out"], "check_out", "check-out", problems)
    if check_in and check_out:
        if check_out <= check_in:
            problems.append(("check_out", "Check-out must be after check-in."))
        elif (check_out - check_in).days > MAX_NIGHTS:
            problems.append(("check_out", f"A stay is at most {MAX_NIGHTS} nights."))

    currency: str | None = None
    if not text["currency"]:
        problems.append(("currency", "The currency is missing (e.g. EUR)."))
    else:
        try:
            currency = normalise_currency(text["currency"][:10])
        except DomainError as bad:
            problems.append(("currency", bad.message))

    total = _amount(
        text["accommodation_total"],
        currency,
        "accommodation_total",
        "accommodation total",
        problems,
    )
    paid = _amount(
        text["accommodation_paid"], currency, "accommodation_paid", "amount paid", problems
    )
    if total is not None and paid is not None and paid > total:
        problems.append(
            ("accommodation_paid", f"The amount paid ({paid}) is more than the total ({total}).")
        )

    collector_text = (text["collected_by"] or AccommodationCollector.PLATFORM.value).lower()
    if collector_text not in COLLECTORS:
        problems.append(
            ("collected_by", f"'{collector_text[:20]}' is not who collects: platform or property.")
        )

    if problems or check_in is None or check_out is None or total is None or paid is None:
        return None, problems
    return (
        BookingInput(
            external,
            name,
            email,
            language,
            code,
            check_in,
            check_out,
            total,
            paid,
            AccommodationCollector(collector_text),
        ),
        [],
    )


def read_booking(fields: Mapping[str, str]) -> BookingInput:
    """A booking typed by staff, checked; BookingInvalid lists what is wrong, per field."""
    booking, problems = check_booking_fields(fields)
    if booking is None:
        raise BookingInvalid(problems)
    return booking
