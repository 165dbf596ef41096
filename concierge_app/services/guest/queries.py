"""Read models: bookings list, the Payments panel, booking totals and the Trip Portfolio.

Each loads with a fixed number of statements, whatever the number of invoices or lines.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from concierge_app.db.bookings import AccommodationPayment, Booking, ServiceItem
from concierge_app.db.engine import Database
from concierge_app.db.invoicing import GuestInvoice, InvoiceLine
from concierge_app.db.parties import Guest, Partner
from concierge_app.db.payments import PaymentAttempt, Refund
from concierge_app.domain.checkout import CheckoutStatus
from concierge_app.domain.errors import NotFound
from concierge_app.domain.lifecycle import (
    BookingStatus,
    InvoiceStatus,
    ServiceLifecycle,
)
from concierge_app.domain.money import Money
from concierge_app.domain.payment_status import ServicePaymentStatus, derive_payment_status
from concierge_app.domain.statuses import RefundStatus
from concierge_app.domain.strategies import PaymentStrategy
from concierge_app.services.shared.changes import ledger_version
from concierge_app.services.shared.common import id_of, load


@dataclass(frozen=True, slots=True)
class BookingTotals:
    """Overall paid = concierge paid (paid invoices − refunds) + accommodation payments."""

    currency: str
    accommodation_total: Money
    accommodation_paid: Money
    concierge_invoiced: Money  # Active + Paid invoices
    concierge_paid: Money  # Paid invoices
    refunded: Money
    unapplied: Money  # captured for invoices voided meanwhile: to refund
    outstanding_concierge: Money  # Active invoices
    outstanding_accommodation: Money
    accommodation_billed: Money

    @property
    def concierge_net_paid(self) -> Money:
        return self.concierge_paid - self.refunded

    @property
    def overall_paid(self) -> Money:
        return self.concierge_net_paid + self.accommodation_paid

    @property
    def outstanding(self) -> Money:
        return self.outstanding_concierge + self.outstanding_accommodation

    @property
    def invoiced(self) -> Money:
        """Concierge invoices sent, plus the stay (only what was paid, once cancelled)."""
        return self.concierge_invoiced + self.accommodation_billed


def _totals(session: Session, bookings: Sequence[Booking]) -> dict[int, BookingTotals]:
    ids = [b.id for b in bookings]
    by_status: dict[tuple[int, str], int] = defaultdict(int)
    for booking_id, status, amount in session.exec(
        select(GuestInvoice.booking_id, GuestInvoice.status, func.sum(GuestInvoice.total_minor))
        .where(col(GuestInvoice.booking_id).in_(ids))
        .group_by(col(GuestInvoice.booking_id), col(GuestInvoice.status))
    ).all():
        by_status[(booking_id, status)] = int(amount or 0)

    def sums(stmt: object) -> dict[int, int]:
        return {k: int(v or 0) for k, v in session.exec(stmt).all()}  # type: ignore[call-overload]

    accommodation = sums(
        select(AccommodationPayment.booking_id, func.sum(AccommodationPayment.amount_minor))
        .where(col(AccommodationPayment.booking_id).in_(ids))
        .group_by(col(AccommodationPayment.booking_id))
    )
    refunded = sums(
        select(Refund.booking_id, func.sum(Refund.amount_minor))
        .where(col(Refund.booking_id).in_(ids), Refund.status == RefundStatus.SUCCEEDED)
        .group_by(col(Refund.booking_id))
    )
    unapplied = sums(
        select(PaymentAttempt.booking_id, func.sum(PaymentAttempt.unapplied_minor))
        .where(
            col(PaymentAttempt.booking_id).in_(ids),
            PaymentAttempt.status == CheckoutStatus.SUCCEEDED,
        )
        .group_by(col(PaymentAttempt.booking_id))
    )
    result = {}
    for b in bookings:
        assert b.id is not None
        cur = b.currency

        def m(minor: int, cur: str = cur) -> Money:
            return Money(minor, cur)

        active = by_status[(b.id, InvoiceStatus.ACTIVE.value)]
        paid = by_status[(b.id, InvoiceStatus.PAID.value)]
        acc_paid = accommodation.get(b.id, 0)
        acc_due = (
            0
            if b.status == BookingStatus.CANCELLED
            else max(0, b.accommodation_total_minor - acc_paid)
        )
        result[b.id] = BookingTotals(
            currency=cur,
            accommodation_total=m(b.accommodation_total_minor),
            accommodation_paid=m(acc_paid),
            concierge_invoiced=m(active + paid),
            concierge_paid=m(paid),
            refunded=m(refunded.get(b.id, 0)),
            unapplied=m(unapplied.get(b.id, 0)),
            outstanding_concierge=m(active),
            outstanding_accommodation=m(acc_due),
            accommodation_billed=m(
                acc_paid if b.status == BookingStatus.CANCELLED else b.accommodation_total_minor
            ),
        )
    return result


def booking_totals(*, db: Database, booking_id: int) -> BookingTotals:
    with db.read() as session:
        booking = load(session, Booking, booking_id, "Booking")
        return _totals(session, [booking])[booking_id]


@dataclass(frozen=True, slots=True)
class BookingSummary:
    id: int
    reference: str
    guest_name: str
    property_name: str
    property_timezone: str
    check_in: date
    check_out: date
    currency: str
    status: str
    invoiced: Money
    paid: Money
    outstanding: Money


def list_bookings(
    *,
    db: Database,
    search: str = "",
    status: str | None = None,
    only_outstanding: bool = False,
) -> list[BookingSummary]:
    """Bookings with their totals, newest stay first; search by guest or reference."""
    with db.read() as session:
        stmt = (
            select(Booking, Guest, Partner)
            .join(Guest, col(Guest.id) == Booking.guest_id)
            .join(Partner, col(Partner.id) == Booking.property_id)
            .order_by(col(Booking.check_in).desc(), col(Booking.id).desc())
        )
        if search.strip():
            pattern = f"%{search.strip().lower()}%"
            stmt = stmt.where(
                or_(
                    func.lower(Booking.reference).like(pattern),
                    func.lower(Guest.name).like(pattern),
                    func.lower(Guest.email).like(pattern),
                )
            )
        if status:
            stmt = stmt.where(Booking.status == status)
        rows = session.exec(stmt).all()
        totals = _totals(session, [b for b, _, _ in rows])
        result = []
        for booking, guest, prop in rows:
            t = totals[id_of(booking)]
            if only_outstanding and t.outstanding.is_zero:
                continue
            result.append(
                BookingSummary(
                    id_of(booking),
                    booking.reference,
                    guest.name,
                    prop.name,
                    prop.timezone,
                    booking.check_in,
                    booking.check_out,
                    booking.currency,
                    booking.status,
                    t.invoiced,
                    t.overall_paid,
                    t.outstanding,
                )
            )
        return result


@dataclass(frozen=True, slots=True)
class LineView:
    id: int
    service_id: int
    description: str
    kind: str
    amount: Money


@dataclass(frozen=True, slots=True)
class InvoiceView:
    id: int
    number: str | None
    status: InvoiceStatus
    total: Money
    created_at: datetime
    issued_at: datetime | None
    paid_at: datetime | None
    voided_at: datetime | None
    void_reason: str | None
    lines: tuple[LineView, ...]


@dataclass(frozen=True, slots=True)
class RefundLineView:
    """A refund of the booking: from the Refund dialog, or made at the payment provider."""

    id: int
    service_title: str
    amount: Money
    status: str  # pending / succeeded / failed
    source: str  # ledger / provider
    note: str
    provider_reference: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PaymentsPanel:
    booking_id: int
    reference: str
    currency: str
    booking_status: str
    draft: InvoiceView | None
    invoices: tuple[InvoiceView, ...]  # every invoice, newest first (the draft included)
    totals: BookingTotals
    refunds: tuple[RefundLineView, ...] = ()  # newest first


def _refund_lines(session: Session, booking_id: int) -> tuple[RefundLineView, ...]:
    rows = session.exec(
        select(Refund, ServiceItem.title)
        .join(ServiceItem, col(ServiceItem.id) == Refund.service_item_id)
        .where(Refund.booking_id == booking_id)
        .order_by(col(Refund.id).desc())
    ).all()
    return tuple(
        RefundLineView(
            id_of(r),
            title,
            Money(r.amount_minor, r.currency),
            r.status,
            r.source,
            r.note,
            r.provider_reference,
            r.created_at,
        )
        for r, title in rows
    )


def payments_panel(*, db: Database, booking_id: int) -> PaymentsPanel:
    """The booking's invoices with status, number, total, currency, dates and lines."""
    with db.read() as session:
        booking = load(session, Booking, booking_id, "Booking")
        invoices = session.exec(
            select(GuestInvoice)
            .where(GuestInvoice.booking_id == booking_id)
            .order_by(col(GuestInvoice.id).desc())
        ).all()
        lines: dict[int, list[LineView]] = defaultdict(list)
        for ln in session.exec(
            select(InvoiceLine)
            .where(col(InvoiceLine.invoice_id).in_([i.id for i in invoices]))
            .order_by(col(InvoiceLine.id))
        ).all():
            lines[ln.invoice_id].append(
                LineView(
                    id_of(ln),
                    ln.service_item_id,
                    ln.description,
                    ln.kind,
                    Money(ln.amount_minor, ln.currency),
                )
            )
        views = tuple(
            InvoiceView(
                id_of(i),
                i.number,
                InvoiceStatus(i.status),
                Money(i.total_minor, i.currency),
                i.created_at,
                i.issued_at,
                i.paid_at,
                i.voided_at,
                i.void_reason,
                tuple(lines[id_of(i)]),
            )
            for i in invoices
        )
        draft = next((v for v in views if v.status is InvoiceStatus.DRAFT), None)
        return PaymentsPanel(
            booking_id,
            booking.reference,
            booking.currency,
            booking.status,
            draft,
            views,
            _totals(session, [booking])[booking_id],
            _refund_lines(session, booking_id),
        )


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


@dataclass(frozen=True, slots=True)
class PartnerOption:
    id: int
    code: str
    name: str
    kind: str
    category: str


def list_partners(*, db: Database, kind: str | None = None) -> list[PartnerOption]:
    """Partners by name (for pickers such as the Add service form's operator)."""
    with db.read() as session:
        stmt = select(Partner).order_by(col(Partner.name))
        if kind:
            stmt = stmt.where(Partner.kind == kind)
        return [
            PartnerOption(id_of(p), p.code, p.name, p.kind, p.category)
            for p in session.exec(stmt).all()
        ]


@dataclass(frozen=True, slots=True)
class BookingHeader:
    """The booking overview and accommodation plan shown above the portfolio."""

    id: int
    reference: str
    status: str
    guest_name: str
    guest_email: str
    property_name: str
    property_timezone: str
    check_in: date
    check_out: date
    currency: str
    accommodation_total: Money
    accommodation_collected_by: str
    cancel_reason: str | None


def booking_by_reference(*, db: Database, reference: str) -> BookingHeader:
    """One booking's overview, or NotFound."""
    with db.read() as session:
        row = session.exec(
            select(Booking, Guest, Partner)
            .join(Guest, col(Guest.id) == Booking.guest_id)
            .join(Partner, col(Partner.id) == Booking.property_id)
            .where(Booking.reference == reference.strip().upper())
        ).first()
        if row is None:
            raise NotFound(f"There is no booking {reference}.")
        b, g, p = row
        return BookingHeader(
            id_of(b),
            b.reference,
            b.status,
            g.name,
            g.email,
            p.name,
            p.timezone,
            b.check_in,
            b.check_out,
            b.currency,
            Money(b.accommodation_total_minor, b.currency),
            b.accommodation_collected_by,
            b.cancel_reason,
        )


@dataclass(frozen=True, slots=True)
class BookingPage:
    """Everything the booking page shows: overview, Trip Portfolio and Payments panel."""

    header: BookingHeader
    services: list[ServiceView]
    panel: PaymentsPanel
    version: int  # the booking's newest change (see services.changes)


def booking_page(*, db: Database, booking_id: int) -> BookingPage:
    """All reads behind the booking page, with a fixed number of statements."""
    version = ledger_version(db=db, booking_id=booking_id)
    panel = payments_panel(db=db, booking_id=booking_id)
    return BookingPage(
        header=booking_by_reference(db=db, reference=panel.reference),
        services=trip_portfolio(db=db, booking_id=booking_id),
        panel=panel,
        version=version,
    )
