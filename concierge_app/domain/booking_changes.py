"""What may change on a booking once it exists (the Edit dialog, a re-imported row).

A cancelled booking no longer changes at all; the accommodation total never goes below what
was already paid for the stay; the currency stays once anything is priced in it (an invoice, a
service, a payment); the property stays once an invoice exists. Each refusal says why.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from concierge_app.domain.booking_input import BookingInput
from concierge_app.domain.money import Money


@dataclass(frozen=True, slots=True)
class BookingFacts:
    """What the ledger holds about one booking, as the rules need it."""

    reference: str
    cancelled: bool
    property_code: str
    check_in: date
    check_out: date
    currency: str
    accommodation_paid: Money
    invoices: int
    services: int


def edit_problems(
    current: BookingFacts, wanted: BookingInput, changed: Collection[str]
) -> list[tuple[str, str]]:
    """Why `wanted` may not replace the booking `current` describes, as (field, message);
    `changed` names the fields that differ (a cancelled booking refuses any)."""
    if current.cancelled and changed:
        return [
            (
                "booking",
                f"This booking is cancelled: {current.reference} keeps its details as they were.",
            )
        ]
    problems: list[tuple[str, str]] = []
    if wanted.currency != current.currency:
        priced = [
            what
            for what, count in (
                ("invoices", current.invoices),
                ("services", current.services),
                ("accommodation payments", int(not current.accommodation_paid.is_zero)),
            )
            if count
        ]
        if priced:
            problems.append(
                (
                    "currency",
                    f"The currency stays {current.currency}: the booking already has "
                    f"{' and '.join(priced)} in it.",
                )
            )
    elif wanted.accommodation_total < current.accommodation_paid:
        problems.append(
            (
                "accommodation_total",
                f"The accommodation total cannot go below what is already paid "
                f"({current.accommodation_paid}).",
            )
        )
    if wanted.property_code != current.property_code and current.invoices:
        problems.append(
            (
                "property",
                f"The property stays {current.property_code}: the booking already has invoices.",
            )
        )
    return problems
