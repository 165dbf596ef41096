"""Service payment status, derived (never stored) from strategy, lifecycle and invoice."""

from __future__ import annotations

import enum

from concierge_app.domain.lifecycle import InvoiceStatus, ServiceLifecycle
from concierge_app.domain.strategies import PaymentStrategy


class ServicePaymentStatus(enum.StrEnum):
    PENDING_INVOICE = "Pending Invoice"
    PAYMENT_PENDING = "Payment Pending"
    PAID = "Paid"
    PAY_PROVIDER = "Pay Provider"
    INCLUDED_IN_STAY = "Included in Stay"

    @property
    def colour(self) -> str:
        """One colour per status, everywhere it is shown (Radix colour names)."""
        return _COLOURS[self]


_COLOURS = {
    ServicePaymentStatus.PENDING_INVOICE: "amber",
    ServicePaymentStatus.PAYMENT_PENDING: "orange",
    ServicePaymentStatus.PAID: "green",
    ServicePaymentStatus.PAY_PROVIDER: "blue",
    ServicePaymentStatus.INCLUDED_IN_STAY: "violet",
}


def derive_payment_status(
    *,
    strategy: PaymentStrategy,
    lifecycle: ServiceLifecycle,
    invoice_status: InvoiceStatus | None,
) -> ServicePaymentStatus | None:
    """The badge for a service, or None while it is unconfirmed.

    `invoice_status` is the status of the live invoice carrying the service's line (Draft,
    Active or Paid; a Voided one does not count), or None when no live invoice carries it.
    A cancelled service keeps Paid when it was paid (a refund may be due); otherwise None.
    """
    if strategy.generates_invoice and invoice_status is InvoiceStatus.PAID:
        return ServicePaymentStatus.PAID
    if lifecycle is not ServiceLifecycle.CONFIRMED:
        return None
    if strategy is PaymentStrategy.OPERATOR_COLLECTS_FULL:
        return ServicePaymentStatus.PAY_PROVIDER
    if strategy is PaymentStrategy.INCLUDED_IN_STAY:
        return ServicePaymentStatus.INCLUDED_IN_STAY
    if invoice_status is InvoiceStatus.ACTIVE:
        return ServicePaymentStatus.PAYMENT_PENDING
    return ServicePaymentStatus.PENDING_INVOICE


DEPOSIT_PAID = "Deposit paid — balance payable to the provider at the time of service"


def guest_badge(status: ServicePaymentStatus, strategy: PaymentStrategy) -> tuple[str, str]:
    """The badge the guest sees (label, colour); a paid deposit says who collects the rest."""
    if (
        status is ServicePaymentStatus.PAID
        and strategy is PaymentStrategy.PLATFORM_COLLECTS_DEPOSIT
    ):
        return DEPOSIT_PAID, status.colour
    return status.value, status.colour
