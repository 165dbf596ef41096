"""The Trip Portfolio: one row a service, with its lifecycle and payment status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import col, select

from concierge_app.db.bookings import Booking, ServiceItem
from concierge_app.db.engine import Database
from concierge_app.db.invoicing import GuestInvoice, InvoiceLine
from concierge_app.db.parties import Partner
from concierge_app.db.payments import Refund
from concierge_app.domain.lifecycle import (
    InvoiceStatus,
    ServiceLifecycle,
)
from concierge_app.domain.money import Money
from concierge_app.domain.payment_status import ServicePaymentStatus, derive_payment_status
from concierge_app.domain.statuses import RefundStatus
from concierge_app.domain.strategies import PaymentStrategy
from concierge_app.services.shared.common import id_of, load


@dataclass(frozen=True, slots=True)
class ServiceView:
    id: int
    title: str
    description: str
    operator_name: str
    service_date: date
    strategy: PaymentStrategy
    lifecycle: ServiceLifecycle
    gross: Money
    deposit: Money | None
    provider_collects: Money  # the balance (deposit strategy) or everything (operator collects)
    billed: Money | None  # the amount on the live invoice line
    invoice_number: str | None
    payment_status: ServicePaymentStatus | None
    refund_required: bool
    refundable: Money  # what can still be refunded of what the guest paid for it (0 if unpaid)


def trip_portfolio(*, db: Database, booking_id: int) -> list[ServiceView]:
    """The booking's services with their derived payment status, by service date."""
    with db.read() as session:
        load(session, Booking, booking_id, "Booking")
        rows = session.exec(
            select(ServiceItem, Partner)
            .join(Partner, col(Partner.id) == ServiceItem.operator_id)
            .where(ServiceItem.booking_id == booking_id)
            .order_by(col(ServiceItem.service_date), col(ServiceItem.id))
        ).all()
        live = {
            ln.service_item_id: (ln, inv)
            for ln, inv in session.exec(
                select(InvoiceLine, GuestInvoice)
                .join(GuestInvoice, col(GuestInvoice.id) == InvoiceLine.invoice_id)
                .where(
                    GuestInvoice.booking_id == booking_id,
                    GuestInvoice.status != InvoiceStatus.VOIDED,
                )
            ).all()
        }
        refunded = {
            sid: int(total or 0)
            for sid, total in session.exec(
                select(Refund.service_item_id, func.sum(Refund.amount_minor))
                .where(Refund.booking_id == booking_id, Refund.status != RefundStatus.FAILED)
                .group_by(col(Refund.service_item_id))
            ).all()
        }
        views = []
        for svc, operator in rows:
            strategy = PaymentStrategy(svc.strategy)
            gross = Money(svc.gross_minor, svc.currency)
            deposit = None if svc.deposit_minor is None else Money(svc.deposit_minor, svc.currency)
            line_inv = live.get(id_of(svc))
            inv_status = None if line_inv is None else InvoiceStatus(line_inv[1].status)
            views.append(
                ServiceView(
                    id_of(svc),
                    svc.title,
                    svc.description,
                    operator.name,
                    svc.service_date,
                    strategy,
                    ServiceLifecycle(svc.lifecycle),
                    gross,
                    deposit,
                    strategy.provider_collects(gross, deposit),
                    None if line_inv is None else Money(line_inv[0].amount_minor, svc.currency),
                    None if line_inv is None else line_inv[1].number,
                    derive_payment_status(
                        strategy=strategy,
                        lifecycle=ServiceLifecycle(svc.lifecycle),
                        invoice_status=inv_status,
                    ),
                    svc.refund_required,
                    Money(
                        line_inv[0].amount_minor - refunded.get(id_of(svc), 0)
                        if line_inv is not None and inv_status is InvoiceStatus.PAID
                        else 0,
                        svc.currency,
                    ),
                )
            )
        return views
