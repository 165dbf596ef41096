"""The Trip Portfolio: add, confirm and cancel service items."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace

from sqlalchemy import bindparam, select, update
from sqlmodel import Session

from concierge_app.db.bookings import Booking, ServiceItem
from concierge_app.db.engine import Database
from concierge_app.db.parties import Partner
from concierge_app.db.types import utcnow
from concierge_app.domain.errors import DomainError, InvalidAmount, InvalidTransition
from concierge_app.domain.lifecycle import (
    BookingStatus,
    InvoiceStatus,
    ServiceLifecycle,
    check_can_cancel,
    check_can_confirm,
)
from concierge_app.domain.money import Money
from concierge_app.domain.service_text import clean_description, clean_title
from concierge_app.domain.statuses import LineKind
from concierge_app.domain.strategies import PaymentStrategy
from concierge_app.services.guest.drafts import bill_on_draft, remove_line
from concierge_app.services.guest.invoicing import live_line, void_active_invoice
from concierge_app.services.guest.refunds import still_refundable
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import (
    BOOKINGS,
    id_of,
    load,
    lock_with_booking,
    locked_rows,
)
from concierge_app.services.shared.permissions import Permission, require_in

SERVICES = ServiceItem.__table__  # type: ignore[attr-defined]
_CONFIRM = (
    update(SERVICES)
    .where(SERVICES.c.id == bindparam("service_id"))
    .values(lifecycle=ServiceLifecycle.CONFIRMED.value, confirmed_at=bindparam("at"))
)

_BOOKING_OF_SERVICE = BOOKINGS.c.id == SERVICES.c.booking_id
_CONFIRM_RETURNING = (
    update(SERVICES)
    .where(
        SERVICES.c.id == bindparam("service_id"),
        SERVICES.c.lifecycle.not_in(
            [ServiceLifecycle.CANCELLED.value, ServiceLifecycle.CONFIRMED.value]
        ),
    )
    .values(lifecycle=ServiceLifecycle.CONFIRMED.value, confirmed_at=bindparam("at"))
    .returning(
        *SERVICES.c,
        select(BOOKINGS.c.status)
        .where(_BOOKING_OF_SERVICE)
        .correlate(SERVICES)
        .scalar_subquery()
        .label("booking__status"),
        select(BOOKINGS.c.currency)
        .where(_BOOKING_OF_SERVICE)
        .correlate(SERVICES)
        .scalar_subquery()
        .label("booking__currency"),
    )
)


def _open_booking(booking: Booking | SimpleNamespace) -> None:
    if booking.status == BookingStatus.CANCELLED:
        raise InvalidTransition("This booking is cancelled; its portfolio can't change.")


def add_service_item(
    *,
    db: Database,
    booking_id: int,
    operator_id: int,
    title: str,
    service_date: date,
    gross: Money,
    strategy: PaymentStrategy | str,
    deposit: Money | None = None,
    description: str = "",
    actor: str,
) -> int:
    """A new service on the portfolio, in draft until confirmed. Returns its id."""
    require_in(db, actor, Permission.SERVICES)
    title, description = clean_title(title), clean_description(description)
    try:
        strategy = PaymentStrategy(strategy)
    except ValueError:
        raise DomainError("Choose one of the four payment strategies.", field="strategy") from None
    strategy.validate_prices(gross, deposit)
    if strategy is not PaymentStrategy.PLATFORM_COLLECTS_DEPOSIT and deposit is not None:
        if not deposit.is_zero:
            raise InvalidAmount(
                f"A deposit only applies to {PaymentStrategy.PLATFORM_COLLECTS_DEPOSIT.label}.",
                field="deposit",
            )
        deposit = None
    with db.transaction() as session:
        booking = load(session, Booking, booking_id, "Booking", lock=True)
        _open_booking(booking)
        if gross.currency != booking.currency:
            raise InvalidAmount(
                f"This booking is billed in {booking.currency}; enter the price in "
                f"{booking.currency}, not {gross.currency}.",
                field="gross_price",
            )
        operator = load(session, Partner, operator_id, "Operator")
        item = ServiceItem(
            booking_id=booking_id,
            operator_id=id_of(operator),
            title=title,
            description=description,
            service_date=service_date,
            currency=gross.currency,
            gross_minor=gross.minor,
            deposit_minor=None if deposit is None else deposit.minor,
            strategy=strategy.value,
        )
        session.add(item)
        session.flush()
        record_event(
            session,
            actor=actor,
            action="service.added",
            subject=f"service:{item.id}",
            booking_id=booking_id,
            data={
                "title": item.title,
                "operator": operator.name,
                "gross": str(gross),
                "deposit": None if deposit is None else str(deposit),
                "strategy": strategy.value,
                "service_date": service_date.isoformat(),
            },
        )
        return id_of(item)


@dataclass(frozen=True, slots=True)
class Confirmation:
    service_id: int
    invoice_id: int | None  # the draft that received the line, None when nothing is billed
    billed: Money | None


def confirm_service(*, db: Database, service_id: int, actor: str) -> Confirmation:
    """Confirm a service; platform-collects ones become a line on the booking's draft."""
    require_in(db, actor, Permission.SERVICES)
    with db.transaction() as session:
        now = utcnow()
        booking, service = _confirm_first(session, service_id, now)
        _open_booking(booking)
        strategy = PaymentStrategy(service.strategy)
        gross = Money(service.gross_minor, service.currency)
        deposit = (
            None
            if service.deposit_minor is None
            else Money(service.deposit_minor, service.currency)
        )
        billed = strategy.billable_amount(gross, deposit)
        draft = None
        if billed is not None:
            kind = (
                LineKind.DEPOSIT
                if strategy is PaymentStrategy.PLATFORM_COLLECTS_DEPOSIT
                else LineKind.FULL
            )
            draft = bill_on_draft(session, booking, service, billed, kind.value)
        record_event(
            session,
            actor=actor,
            action="service.confirmed",
            subject=f"service:{service.id}",
            booking_id=booking.id,
            data={
                "strategy": strategy.value,
                "billed": None if billed is None else str(billed),
                "draft_invoice": draft,
            },
        )
        return Confirmation(service_id, draft, billed)


def _confirm_first(
    session: Session, service_id: int, now: datetime
) -> tuple[SimpleNamespace, SimpleNamespace]:
    """Lock the service and its booking, check that it can be confirmed and mark it confirmed:
    (booking, service as it was). On SQLite (one writer, nothing to lock) one UPDATE … RETURNING
    does it, with the booking's status and currency; a service that can't be confirmed is
    refused by `check_can_confirm` as on PostgreSQL. The caller still refuses a cancelled
    booking: its transaction rolls back."""
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        row = conn.execute(_CONFIRM_RETURNING, {"service_id": service_id, "at": now}).first()
        if row is not None:
            values = row._asdict()
            booking = SimpleNamespace(
                id=values["booking_id"],
                status=values.pop("booking__status"),
                currency=values.pop("booking__currency"),
            )
            return booking, SimpleNamespace(**values)
    booking, service = locked_rows(session, ServiceItem, service_id, "Service")
    check_can_confirm(ServiceLifecycle(service.lifecycle), service.title)
    conn.execute(_CONFIRM, {"service_id": service_id, "at": now})
    return booking, service


class CancelOutcome(enum.StrEnum):
    NOT_BILLED = "not billed"  # unconfirmed, or never billed by the platform
    REMOVED_FROM_DRAFT = "removed from draft"
    INVOICE_VOIDED = "invoice voided and re-issued"
    REFUND_REQUIRED = "refund required"
    ALREADY_REFUNDED = "already refunded in full"


@dataclass(frozen=True, slots=True)
class Cancellation:
    service_id: int
    outcome: CancelOutcome
    voided_invoice_id: int | None = None
    draft_invoice_id: int | None = None


def cancel_service(*, db: Database, service_id: int, actor: str, reason: str = "") -> Cancellation:
    """Cancel a service. Before send its line leaves the draft; on an Active unpaid invoice that
    invoice is voided and its other lines move to the draft; after payment a refund is flagged.
    """
    require_in(db, actor, Permission.SERVICES)
    with db.transaction() as session:
        booking, service = lock_with_booking(session, ServiceItem, service_id, "Service")
        check_can_cancel(ServiceLifecycle(service.lifecycle), service.title)
        service.lifecycle, service.cancelled_at = ServiceLifecycle.CANCELLED.value, utcnow()
        session.add(service)
        found = live_line(session, service_id)
        result = Cancellation(service_id, CancelOutcome.NOT_BILLED)
        if found is not None:
            line, invoice = found
            status = InvoiceStatus(invoice.status)
            if status is InvoiceStatus.DRAFT:
                remove_line(session, line)
                result = Cancellation(
                    service_id, CancelOutcome.REMOVED_FROM_DRAFT, draft_invoice_id=invoice.id
                )
            elif status is InvoiceStatus.ACTIVE:
                draft = void_active_invoice(
                    session,
                    booking,
                    invoice,
                    actor=actor,
                    drop_service_id=service_id,
                    reason=f"'{service.title}' was cancelled" + (f": {reason}" if reason else ""),
                )
                result = Cancellation(
                    service_id,
                    CancelOutcome.INVOICE_VOIDED,
                    voided_invoice_id=invoice.id,
                    draft_invoice_id=draft,
                )
            else:
                owed = not still_refundable(session, service).is_zero
                service.refund_required = owed
                result = Cancellation(
                    service_id,
                    CancelOutcome.REFUND_REQUIRED if owed else CancelOutcome.ALREADY_REFUNDED,
                )
        record_event(
            session,
            actor=actor,
            action="service.cancelled",
            subject=f"service:{service.id}",
            booking_id=booking.id,
            data={"outcome": result.outcome.value, "reason": reason},
        )
        return result
