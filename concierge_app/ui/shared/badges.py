"""Status badges: one colour per status, wherever the status is shown.

Service payment statuses take their colour from `ServicePaymentStatus.colour`; invoice statuses
(Draft, Active, Paid, Voided) from `INVOICE_STATUS_COLOURS` below, chosen to agree with them
(an Active invoice is what makes a service "Payment Pending", both orange; Paid is green).
"""

from __future__ import annotations

import reflex as rx

from concierge_app.domain.lifecycle import InvoiceStatus, ServiceLifecycle
from concierge_app.domain.payment_status import ServicePaymentStatus

INVOICE_STATUS_COLOURS: dict[InvoiceStatus, str] = {
    InvoiceStatus.DRAFT: "gray",
    InvoiceStatus.ACTIVE: ServicePaymentStatus.PAYMENT_PENDING.colour,
    InvoiceStatus.PAID: ServicePaymentStatus.PAID.colour,
    InvoiceStatus.VOIDED: "red",
}

LIFECYCLE_COLOURS: dict[ServiceLifecycle, str] = {
    ServiceLifecycle.DRAFT: "gray",
    ServiceLifecycle.CONFIRMED: "teal",
    ServiceLifecycle.CANCELLED: "red",
}


def _badge(label: str, colour: str, **props: object) -> rx.Component:
    return rx.badge(
        label,
        color_scheme=colour,
        variant="soft",
        radius="full",
        size="2",
        white_space="nowrap",
        **props,
    )


def payment_status_badge(status: rx.Var[str]) -> rx.Component:
    """The service's payment status (Pending Invoice, Payment Pending, Paid, Pay Provider,
    Included in Stay); nothing while it has none (unconfirmed, or cancelled unpaid)."""
    return rx.match(
        status,
        *[
            (s.value, _badge(s.value, s.colour, custom_attrs={"data-status": s.value}))
            for s in ServicePaymentStatus
        ],
        rx.text("—", color_scheme="gray", size="2", aria_label="No payment status"),
    )


def invoice_status_badge(status: rx.Var[str]) -> rx.Component:
    """An invoice's status by its label: Draft, Active, Paid or Voided."""
    return rx.match(
        status,
        *[
            (s.label, _badge(s.label, colour, custom_attrs={"data-status": s.label}))
            for s, colour in INVOICE_STATUS_COLOURS.items()
        ],
        _badge("Unknown", "gray"),
    )


def lifecycle_badge(lifecycle: rx.Var[str]) -> rx.Component:
    """A service's lifecycle by its label: Draft, Confirmed or Cancelled (outlined, so it does
    not read as a payment status)."""
    return rx.match(
        lifecycle,
        *[
            (
                s.label,
                rx.badge(
                    s.label,
                    color_scheme=colour,
                    variant="outline",
                    radius="full",
                    white_space="nowrap",
                ),
            )
            for s, colour in LIFECYCLE_COLOURS.items()
        ],
        rx.badge(lifecycle, variant="outline", color_scheme="gray", radius="full"),
    )


def booking_status_badge(status: rx.Var[str]) -> rx.Component:
    """The booking's status, as on the Bookings page."""
    return rx.match(
        status,
        (
            "confirmed",
            rx.badge("Confirmed", color_scheme="green", variant="soft", radius="full", size="2"),
        ),
        (
            "cancelled",
            rx.badge("Cancelled", color_scheme="red", variant="solid", radius="full", size="2"),
        ),
        rx.badge(status, color_scheme="gray", variant="outline", radius="full"),
    )
