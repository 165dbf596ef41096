"""The guest portal's read model: what the booking's guest may see, and nothing else.

Drafts are never shown: neither the draft invoice nor the services only it carries. Cancelled
and unconfirmed services are left out too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from concierge_app.db.engine import Database
from concierge_app.domain.checkout_groups import CheckoutGroup, checkout_groups
from concierge_app.domain.lifecycle import InvoiceStatus, ServiceLifecycle
from concierge_app.domain.money import Money
from concierge_app.domain.payment_status import ServicePaymentStatus, guest_badge
from concierge_app.domain.strategies import PaymentStrategy
from concierge_app.services.guest.queries import (
    BookingHeader,
    BookingTotals,
    InvoiceView,
    ServiceView,
    booking_page,
)


@dataclass(frozen=True, slots=True)
class GuestService:
    title: str
    description: str
    operator_name: str
    service_date: date
    badge: str
    colour: str
    amount: Money | None  # what the guest pays the platform for it (None: nothing)
    provider_collects: Money | None  # the balance or whole price paid to the provider
    cancelled: bool = False  # cancelled after it was paid (shown with its refund)
    refunded: Money | None = None  # given back so far
    refund_due: bool = False  # cancelled after payment, refund not yet (fully) made


@dataclass(frozen=True, slots=True)
class GuestPortal:
    header: BookingHeader
    totals: BookingTotals
    open_invoices: tuple[InvoiceView, ...]  # Active, oldest first
    paid_invoices: tuple[InvoiceView, ...]  # Paid, newest first
    total_due: tuple[Money, ...]  # one per currency
    pay_all: tuple[CheckoutGroup, ...]  # one checkout per currency
    services: tuple[GuestService, ...]
    version: int


def guest_portal(*, db: Database, booking_id: int) -> GuestPortal:
    """The booking's portal for its guest (the caller has checked the guest's link)."""
    page = booking_page(db=db, booking_id=booking_id)
    invoices = page.panel.invoices
    open_ = tuple(sorted((i for i in invoices if i.status is InvoiceStatus.ACTIVE), key=_id))
    paid = tuple(i for i in invoices if i.status is InvoiceStatus.PAID)
    groups = tuple(checkout_groups((i.id, i.total) for i in open_))
    return GuestPortal(
        header=page.header,
        totals=page.panel.totals,
        open_invoices=open_,
        paid_invoices=paid,
        total_due=tuple(g.total for g in groups),
        pay_all=groups,
        services=tuple(s for s in map(_guest_service, page.services) if s is not None),
        version=page.version,
    )


def _id(invoice: InvoiceView) -> int:
    return invoice.id


def _guest_service(service: ServiceView) -> GuestService | None:
    status = service.payment_status
    cancelled = service.lifecycle is ServiceLifecycle.CANCELLED
    if (
        status is None
        or status is ServicePaymentStatus.PENDING_INVOICE
        or (cancelled and status is not ServicePaymentStatus.PAID)
    ):
        return None  # drafts and unpaid cancellations are not the guest's concern
    badge, colour = guest_badge(status, service.strategy)
    collects = None if service.provider_collects.is_zero else service.provider_collects
    if service.strategy is PaymentStrategy.INCLUDED_IN_STAY or cancelled:
        collects = None
    refunded = None
    if service.billed is not None and status is ServicePaymentStatus.PAID:
        given_back = service.billed - service.refundable
        refunded = None if given_back.is_zero else given_back
    return GuestService(
        service.title,
        service.description,
        service.operator_name,
        service.service_date,
        badge,
        colour,
        service.billed,
        collects,
        cancelled,
        refunded,
        service.refund_required,
    )
