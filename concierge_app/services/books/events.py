"""Every money event of a period read from the ledger's tables, as `domain.journal_rules`
events: the date each happened (a UTC business day) and its amounts in minor units.

The journal is derived from the ledger as it stands: a bank transfer that was queued and has
since been matched posts to the partner's receivable, not to unmatched receipts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement

from concierge_app.db.audit import AuditEvent
from concierge_app.db.bookings import AccommodationPayment, Booking
from concierge_app.db.invoicing import GuestInvoice
from concierge_app.db.parties import Partner
from concierge_app.db.partner_billing import PartnerInvoice, Payout
from concierge_app.db.partner_payments import PartnerAllocation, PartnerPayment
from concierge_app.db.payments import Commission, PaymentAttempt, Refund
from concierge_app.domain.checkout import CheckoutStatus
from concierge_app.domain.journal_rules import EventKind, LedgerEvent
from concierge_app.domain.partner_billing import PartnerInvoiceKind, Period
from concierge_app.domain.statuses import (
    AccommodationCollector,
    CommissionKind,
    PartnerPaymentMethod,
    PartnerPaymentStatus,
    RefundStatus,
)
from concierge_app.services.shared.common import table_of

_GI, _PA, _RF, _CM = (
    table_of(GuestInvoice),
    table_of(PaymentAttempt),
    table_of(Refund),
    table_of(Commission),
)
_B, _AP, _P = table_of(Booking), table_of(AccommodationPayment), table_of(Partner)
_PI, _PO, _PP = table_of(PartnerInvoice), table_of(Payout), table_of(PartnerPayment)
_AL, _AU = table_of(PartnerAllocation), table_of(AuditEvent)
WRITE_OFF_ACTION = "partner_invoice.written_off"
_DOC_KINDS = {
    PartnerInvoiceKind.COMMISSION.value: EventKind.PARTNER_COMMISSION_INVOICE,
    PartnerInvoiceKind.VAT.value: EventKind.PARTNER_VAT_DOCUMENT,
    PartnerInvoiceKind.DEBIT_NOTE.value: EventKind.PARTNER_DEBIT_NOTE,
    PartnerInvoiceKind.CREDIT_NOTE.value: EventKind.PARTNER_CREDIT_NOTE,
}
_RECEIVED = {
    PartnerPaymentMethod.BANK_TRANSFER.value: EventKind.PARTNER_TRANSFER,
    PartnerPaymentMethod.ONLINE.value: EventKind.PARTNER_ONLINE,
    PartnerPaymentMethod.DIRECT_DEBIT.value: EventKind.PARTNER_DIRECT_DEBIT,
}


def _bounds(period: Period) -> tuple[datetime, datetime]:
    start = datetime.combine(period.first_day, time.min, tzinfo=UTC)
    return start, datetime.combine(period.last_day + timedelta(days=1), time.min, tzinfo=UTC)


def _day(moment: datetime) -> date:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).date()


def ledger_events(conn: Connection, period: Period) -> Iterator[LedgerEvent]:
    """Every money event of `period`, kind by kind."""
    yield from _guest_invoices(conn, period)
    yield from _guest_payments(conn, period)
    yield from _guest_refunds(conn, period)
    yield from _stay_payments(conn, period)
    yield from _commissions(conn, period)
    yield from _partner_documents(conn, period)
    yield from _payouts(conn, period)
    yield from _partner_payments(conn, period)
    yield from _write_offs(conn, period)


def _in(column: ColumnElement[Any], period: Period) -> ColumnElement[bool]:
    start, end = _bounds(period)
    return and_(column >= start, column < end)


def _guest_invoices(conn: Connection, period: Period) -> Iterator[LedgerEvent]:
    cols = (_GI.c.number, _GI.c.currency, _GI.c.total_minor, _B.c.reference)
    base = select(*cols, _GI.c.issued_at, _GI.c.voided_at).join(_B, _B.c.id == _GI.c.booking_id)
    stmt = base.where(
        _GI.c.issued_at.is_not(None),
        or_(_in(_GI.c.issued_at, period), _in(_GI.c.voided_at, period)),
    ).order_by(_GI.c.id)
    start, end = _bounds(period)
    for r in conn.execute(stmt):
        number = r.number or "draft"
        for kind, moment in (
            (EventKind.GUEST_INVOICE_ISSUED, r.issued_at),
            (EventKind.GUEST_INVOICE_VOIDED, r.voided_at),
        ):
            if moment is not None and start <= _aware(moment) < end:
                yield LedgerEvent(
                    kind, _day(moment), number, r.currency, r.total_minor, who=r.reference
                )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _guest_payments(conn: Connection, period: Period) -> Iterator[LedgerEvent]:
    stmt = (
        select(_PA, _B.c.reference.label("booking"))
        .join(_B, _B.c.id == _PA.c.booking_id)
        .where(
            _PA.c.status == CheckoutStatus.SUCCEEDED.value,
            _in(_PA.c.completed_at, period),
        )
        .order_by(_PA.c.id)
    )
    for r in conn.execute(stmt):
        yield LedgerEvent(
            EventKind.GUEST_PAYMENT,
            _day(r.completed_at),
            r.id,
            r.currency,
            r.amount_minor,
            part=r.unapplied_minor,
            who=r.booking,
        )


def _guest_refunds(conn: Connection, period: Period) -> Iterator[LedgerEvent]:
    stmt = (
        select(_RF, _B.c.reference.label("booking"))
        .join(_B, _B.c.id == _RF.c.booking_id)
        .where(
            _RF.c.status == RefundStatus.SUCCEEDED.value,
            _in(_RF.c.created_at, period),
        )
        .order_by(_RF.c.id)
    )
    for r in conn.execute(stmt):
        yield LedgerEvent(
            EventKind.GUEST_REFUND,
            _day(r.created_at),
            f"RF-{r.id}",
            r.currency,
            r.amount_minor,
            who=r.booking,
        )


def _stay_payments(conn: Connection, period: Period) -> Iterator[LedgerEvent]:
    stmt = (
        select(_AP, _B.c.reference.label("booking"))
        .join(_B, _B.c.id == _AP.c.booking_id)
        .where(
            _B.c.accommodation_collected_by == AccommodationCollector.PLATFORM.value,
            _AP.c.received_on.between(period.first_day, period.last_day),
        )
        .order_by(_AP.c.id)
    )
    for r in conn.execute(stmt):
        yield LedgerEvent(
            EventKind.STAY_PAYMENT,
            r.received_on,
            r.reference or f"AP-{r.id}",
            r.currency,
            r.amount_minor,
            who=r.booking,
        )


def _commissions(conn: Connection, period: Period) -> Iterator[LedgerEvent]:
    stmt = (
        select(_CM, _P.c.code)
        .join(_P, _P.c.id == _CM.c.partner_id)
        .where(_in(_CM.c.created_at, period))
        .order_by(_CM.c.id)
    )
    for r in conn.execute(stmt):
        earned = r.kind == CommissionKind.EARNED.value
        yield LedgerEvent(
            EventKind.COMMISSION_EARNED if earned else EventKind.COMMISSION_REVERSED,
            _day(r.created_at),
            (r.attempt_id or f"CO-{r.id}") if earned else f"RF-{r.refund_id}",
            r.currency,
            r.amount_minor,
            who=r.code,
        )


def _accrued(conn: Connection, partner_id: int, currency: str, period: str, upto: datetime) -> int:
    """Commission accrued for a partner's month (earned − reversed) before its invoice."""
    month = Period.parse(period)
    sums: dict[CommissionKind, int] = {}
    for kind in (CommissionKind.EARNED, CommissionKind.REVERSED):
        sums[kind] = conn.execute(
            select(func.coalesce(func.sum(_CM.c.amount_minor), 0)).where(
                _CM.c.partner_id == partner_id,
                _CM.c.currency == currency,
                _CM.c.kind == kind.value,
                _CM.c.accrual_date.between(month.first_day, month.last_day),
                _CM.c.created_at <= upto,
            )
        ).scalar_one()
    return int(sums[CommissionKind.EARNED]) - int(sums[CommissionKind.REVERSED])


def _partner_documents(conn: Connection, period: Period) -> Iterator[LedgerEvent]:
    stmt = (
        select(_PI, _P.c.code)
        .join(_P, _P.c.id == _PI.c.partner_id)
        .where(_PI.c.invoice_date.between(period.first_day, period.last_day))
        .order_by(_PI.c.id)
    )
    for r in conn.execute(stmt):
        kind = _DOC_KINDS[r.kind]
        part = 0
        if kind is EventKind.PARTNER_COMMISSION_INVOICE:
            part = _accrued(conn, r.partner_id, r.currency, r.period, _aware(r.created_at))
        yield LedgerEvent(
            kind, r.invoice_date, r.number, r.currency, r.amount_minor, part=part, who=r.code
        )


def _payouts(conn: Connection, period: Period) -> Iterator[LedgerEvent]:
    stmt = (
        select(_PO, _P.c.code)
        .join(_P, _P.c.id == _PO.c.partner_id)
        .where(_in(_PO.c.created_at, period))
        .order_by(_PO.c.id)
    )
    for r in conn.execute(stmt):
        yield LedgerEvent(
            EventKind.PAYOUT,
            _day(r.created_at),
            f"PO-{r.partner_id}-{r.period}-{r.currency}",
            r.currency,
            r.gross_minor,
            part=r.commission_minor,
            tax=r.vat_minor,
            who=r.code,
        )


def _partner_payments(conn: Connection, period: Period) -> Iterator[LedgerEvent]:
    received = _PP.c.received_on.between(period.first_day, period.last_day)
    stmt = (
        select(_PP, _P.c.code)
        .outerjoin(_P, _P.c.id == _PP.c.partner_id)
        .where(or_(received, _in(_PP.c.failed_at, period)))
        .order_by(_PP.c.id)
    )
    for r in conn.execute(stmt):
        ref = f"{r.method}:{r.external_id}"[:100]
        who = r.code or r.payer or ""
        if period.contains(r.received_on):
            queued = r.status == PartnerPaymentStatus.QUEUED.value
            kind = EventKind.PARTNER_UNMATCHED if queued else _RECEIVED[r.method]
            yield LedgerEvent(kind, r.received_on, ref, r.currency, r.amount_minor, who=who)
        if r.failed_at is not None and period.contains(_day(r.failed_at)):
            yield LedgerEvent(
                EventKind.DIRECT_DEBIT_FAILED,
                _day(r.failed_at),
                ref,
                r.currency,
                r.amount_minor,
                who=who,
            )


def _write_offs(conn: Connection, period: Period) -> Iterator[LedgerEvent]:
    stmt = (
        select(_AU.c.subject, _AU.c.occurred_at)
        .where(_AU.c.action == WRITE_OFF_ACTION, _in(_AU.c.occurred_at, period))
        .order_by(_AU.c.id)
    )
    for audit in conn.execute(stmt).all():
        invoice_id = int(audit.subject.partition(":")[2])
        inv = conn.execute(
            select(_PI, _P.c.code)
            .join(_P, _P.c.id == _PI.c.partner_id)
            .where(_PI.c.id == invoice_id)
        ).one()
        paid = conn.execute(
            select(func.coalesce(func.sum(_AL.c.amount_minor), 0)).where(
                _AL.c.invoice_id == invoice_id,
                _AL.c.reversed_at.is_(None),
                _AL.c.created_at <= audit.occurred_at,
            )
        ).scalar_one()
        outstanding = max(inv.amount_minor - inv.deducted_minor - int(paid), 0)
        yield LedgerEvent(
            EventKind.WRITE_OFF,
            _day(audit.occurred_at),
            inv.number,
            inv.currency,
            outstanding,
            who=inv.code,
        )
