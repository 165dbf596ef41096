"""Lifecycles of service items, guest invoices and bookings, with guards (a checkout's, guest
or partner, is `domain/checkout.py`)."""

from __future__ import annotations

import enum

from concierge_app.domain.errors import InvalidTransition


class ServiceLifecycle(enum.StrEnum):
    """draft → confirmed → cancelled (a draft may also be cancelled)."""

    DRAFT = "draft"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.capitalize()


def check_can_confirm(lifecycle: ServiceLifecycle, title: str) -> None:
    if lifecycle is ServiceLifecycle.CANCELLED:
        raise InvalidTransition(f"'{title}' was cancelled; a cancelled service can't be confirmed.")
    if lifecycle is ServiceLifecycle.CONFIRMED:
        raise InvalidTransition(f"'{title}' is already confirmed.")


def check_can_cancel(lifecycle: ServiceLifecycle, title: str) -> None:
    if lifecycle is ServiceLifecycle.CANCELLED:
        raise InvalidTransition(f"'{title}' is already cancelled.")


class InvoiceStatus(enum.StrEnum):
    """Guest invoice: Draft → Active → Paid; Draft → Voided; Active (unpaid) → Voided."""

    DRAFT = "draft"
    ACTIVE = "active"
    PAID = "paid"
    VOIDED = "voided"

    @property
    def label(self) -> str:
        return self.value.capitalize()


_INVOICE_TRANSITIONS: dict[InvoiceStatus, frozenset[InvoiceStatus]] = {
    InvoiceStatus.DRAFT: frozenset({InvoiceStatus.ACTIVE, InvoiceStatus.VOIDED}),
    InvoiceStatus.ACTIVE: frozenset({InvoiceStatus.PAID, InvoiceStatus.VOIDED}),
    InvoiceStatus.PAID: frozenset(),
    InvoiceStatus.VOIDED: frozenset(),
}

_INVOICE_REFUSALS: dict[tuple[InvoiceStatus, InvoiceStatus], str] = {
    (InvoiceStatus.ACTIVE, InvoiceStatus.ACTIVE): "This invoice has already been sent.",
    (InvoiceStatus.PAID, InvoiceStatus.ACTIVE): "This invoice has already been sent and paid.",
    (InvoiceStatus.VOIDED, InvoiceStatus.ACTIVE): "A voided invoice can't be sent.",
    (InvoiceStatus.DRAFT, InvoiceStatus.PAID): "A draft invoice can't be paid: send it first.",
    (InvoiceStatus.PAID, InvoiceStatus.PAID): "This invoice is already paid.",
    (InvoiceStatus.VOIDED, InvoiceStatus.PAID): "A voided invoice can't be paid.",
    (InvoiceStatus.PAID, InvoiceStatus.VOIDED): (
        "A paid invoice can't be voided: cancel the service and issue a refund instead."
    ),
    (InvoiceStatus.VOIDED, InvoiceStatus.VOIDED): "This invoice is already voided.",
}


def can_transition(current: InvoiceStatus, target: InvoiceStatus) -> bool:
    return target in _INVOICE_TRANSITIONS[current]


def check_invoice_transition(current: InvoiceStatus, target: InvoiceStatus) -> None:
    """Raise InvalidTransition with a readable reason unless current → target is allowed."""
    if not can_transition(current, target):
        raise InvalidTransition(
            _INVOICE_REFUSALS.get(
                (current, target),
                f"An invoice can't go from {current.label} to {target.label}.",
            )
        )


def check_payable(status: InvoiceStatus, number: str | None) -> None:
    """Only Active invoices can be put into a checkout."""
    name = f"Invoice {number}" if number else "This invoice"
    if status is InvoiceStatus.DRAFT:
        raise InvalidTransition(f"{name} is still a draft; only sent invoices can be paid.")
    if status is InvoiceStatus.VOIDED:
        raise InvalidTransition(f"{name} was voided and can't be paid.")
    if status is InvoiceStatus.PAID:
        raise InvalidTransition(f"{name} is already paid.")


class BookingStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
