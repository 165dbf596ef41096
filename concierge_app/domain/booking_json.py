"""A booking as the JSON API takes it: the body's shape and types, turned into the text fields
that `booking_input` checks (one rule set for the staff form, the CSV import and the API).

The body is an object: `external_reference` (required), `guest` {`name`, `email`, `language`},
`property`, `check_in`, `check_out`, `currency`, `accommodation_total_minor`,
`accommodation_paid_minor` (integer minor units of `currency`), `collected_by`. Unknown fields,
wrong types and nested junk are refused per field; nothing is guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from concierge_app.domain.booking_input import BookingInput, BookingInvalid, check_booking_fields
from concierge_app.domain.currencies import normalise_currency
from concierge_app.domain.errors import DomainError
from concierge_app.domain.money import Money

TEXT_FIELDS = ("external_reference", "property", "check_in", "check_out", "currency")
OPTIONAL_TEXT = ("collected_by",)
MINOR_FIELDS = ("accommodation_total_minor", "accommodation_paid_minor")
GUEST_FIELDS = {"name": "guest_name", "email": "guest_email", "language": "guest_language"}
TOP_FIELDS = (*TEXT_FIELDS, *OPTIONAL_TEXT, *MINOR_FIELDS, "guest")
MAX_MINOR = 10**15  # far above any allowed charge; larger numbers are refused as they stand
MAX_REASON = 500

# The form's field names, as the API calls them (error messages name the API's fields).
API_FIELD = {
    "guest_name": "guest.name",
    "guest_email": "guest.email",
    "guest_language": "guest.language",
    "accommodation_total": "accommodation_total_minor",
    "accommodation_paid": "accommodation_paid_minor",
}


def api_field(field: str | None) -> str:
    return API_FIELD.get(field or "", field or "body")


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string"}.get(
        type(value), "an array" if isinstance(value, list) else "an object"
    )


def _text(value: Any, field: str, problems: list[tuple[str, str]]) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.append((field, f"{field} must be a string, not {_type_name(value)}."))
        return ""
    return value


def _minor_text(value: Any, field: str, currency: str, problems: list[tuple[str, str]]) -> str:
    """The amount as the form would type it, for `booking_input` to check."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(
            (field, f"{field} must be a whole number of minor units (e.g. 12050 for 120.50).")
        )
        return ""
    if abs(value) > MAX_MINOR:
        problems.append((field, f"{field} is far larger than any amount allowed."))
        return ""
    try:
        code = normalise_currency(currency[:10])
    except DomainError:
        return ""  # the currency's own problem is reported at its field
    return Money(value, code).amount_text()


def booking_fields(body: Any) -> dict[str, str]:
    """The form's text fields from a JSON body; BookingInvalid (with the API's field names)
    for a body that is not an object, an unknown field or a wrong type."""
    if not isinstance(body, Mapping):
        raise BookingInvalid([("body", f"The body must be a JSON object, not {_type_name(body)}.")])
    problems: list[tuple[str, str]] = []
    unknown = sorted(str(k)[:40] for k in body if k not in TOP_FIELDS)
    if unknown:
        problems.append(("body", f"Unknown field(s): {', '.join(unknown[:5])}."))
    fields = {k: _text(body.get(k), k, problems) for k in (*TEXT_FIELDS, *OPTIONAL_TEXT)}
    fields["external_reference"] = fields["external_reference"].strip()
    if not fields["external_reference"] and not any(f == "external_reference" for f, _ in problems):
        problems.append(
            ("external_reference", "external_reference is required: your system's booking id.")
        )
    guest = body.get("guest")
    if not isinstance(guest, Mapping):
        problems.append(("guest", f"guest must be an object, not {_type_name(guest)}."))
        guest = {}
    odd = sorted(str(k)[:40] for k in guest if k not in GUEST_FIELDS)
    if odd:
        problems.append(("guest", f"Unknown field(s) of guest: {', '.join(odd[:5])}."))
    for key, form_field in GUEST_FIELDS.items():
        fields[form_field] = _text(guest.get(key), f"guest.{key}", problems)
    fields["accommodation_total"] = _minor_text(
        body.get("accommodation_total_minor"),
        "accommodation_total_minor",
        fields["currency"],
        problems,
    )
    if body.get("accommodation_total_minor") is None:
        problems.append(("accommodation_total_minor", "accommodation_total_minor is required."))
    fields["accommodation_paid"] = _minor_text(
        body.get("accommodation_paid_minor"),
        "accommodation_paid_minor",
        fields["currency"],
        problems,
    )
    if problems:
        raise BookingInvalid(problems)
    return fields


def read_api_booking(body: Any) -> BookingInput:
    """The booking a JSON body describes, every rule of `booking_input` checked; BookingInvalid
    lists every problem under the API's field names."""
    fields = booking_fields(body)
    booking, problems = check_booking_fields(fields)
    if booking is None:
        raise BookingInvalid([(api_field(f), m) for f, m in problems])
    return booking


def cancel_reason(body: Any, default: str) -> str:
    """The reason of a cancel request (`{"reason": "…"}`, optional), checked."""
    if body is None:
        return default
    if not isinstance(body, Mapping):
        raise BookingInvalid([("body", f"The body must be a JSON object, not {_type_name(body)}.")])
    unknown = sorted(str(k)[:40] for k in body if k != "reason")
    if unknown:
        raise BookingInvalid([("body", f"Unknown field(s): {', '.join(unknown[:5])}.")])
    problems: list[tuple[str, str]] = []
    reason = _text(body.get("reason"), "reason", problems).strip()
    if len(reason) > MAX_REASON:
        problems.append(("reason", f"The reason is longer than {MAX_REASON} characters."))
    elif any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in reason):
        problems.append(("reason", "The reason has control characters; retype it."))
    if problems:
        raise BookingInvalid(problems)
    return reason or default
