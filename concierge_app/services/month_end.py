"""The month-end run: one commission invoice per partner and currency for what departed.

Stays count by check-out date, services by service date; cancelled ones are left out (and
Included in Stay services, which are not charged separately). Each line of the reservation
statement carries its base, the partner's rate and the commission (half-up, per line); the part
of the commission on money the platform collected is deducted from the partner's payout when the
partner is paid out net, and the payout (gross collected − that commission) is recorded.

The run is set-based and streams: partners are taken in id order, a chunk per transaction, and
the run's progress (the last partner done) commits with the chunk, so a crash loses at most the
chunk in flight and a rerun resumes after it. Unique indexes make a second invoice for the same
partner, period and currency impossible; numbers are reserved per chunk from a gapless sequence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    String,
    Table,
    and_,
    bindparam,
    case,
    cast,
    func,
    insert,
    literal,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import Select
from sqlmodel import Session

from ..db.bookings import Booking, ServiceItem
from ..db.engine import Database
from ..db.parties import Guest, Partner, PayoutMethod
from ..db.partner_billing import MonthEndRun, PartnerInvoice, PartnerInvoiceLine, Payout
from ..db.payments import Refund, RefundStatus
from ..db.types import utcnow
from ..documents import payment_lines
from ..domain.lifecycle import BookingStatus, ServiceLifecycle
from ..domain.money import Money, totals_by_currency
from ..domain.partner_billing import (
    PartnerInvoiceKind,
    PartnerInvoiceState,
    Period,
    due_date,
    is_run_week,
    long_date,
)
from ..domain.strategies import PaymentStrategy
from ..settings import get_settings
from .audit import record_event
from .formatting import format_money
from .messages import Outgoing, queue_messages
from .partner_documents import platform_details

CHUNK = 500  # partners per transaction

Progress = Callable[[int, int], None]  # (partners done, partners in all)


def _t(model: Any) -> Table:
    table: Table = model.__table__
    return table


_B, _S, _G, _P = _t(Booking), _t(ServiceItem), _t(Guest), _t(Partner)
_INV, _LINE, _PAYOUT, _RUN = _t(PartnerInvoice), _t(PartnerInvoiceLine), _t(Payout), _t(MonthEndRun)
_REFUNDS = _t(Refund)
_REFUNDED = (
    select(_REFUNDS.c.service_item_id, func.sum(_REFUNDS.c.amount_minor).label("refunded"))
    .where(_REFUNDS.c.status == RefundStatus.SUCCEEDED.value)
    .group_by(_REFUNDS.c.service_item_id)
    .subquery("refunded")
)


def _half_up(amount: Any, rate: Any) -> Any:
    """Commission in minor units, half-up, in SQL integer arithmetic (amounts are >= 0)."""
    # 64-bit: 15,000.00 (1,500,000 minor units) at 15 % overflows PostgreSQL's 32-bit integer
    return (cast(amount, BigInteger) * rate + 5000) // 10000


def _net_payout(partner: Table) -> Any:
    return partner.c.payout_method == PayoutMethod.NET_PAYOUT.value


def _stays() -> Select[Any]:
    """Stays that departed in the window, at properties with ids in [lo, hi]."""
    platform = _B.c.accommodation_collected_by == "platform"
    commission = _half_up(_B.c.accommodation_total_minor, _P.c.commission_rate_bps)
    return (
        select(
            _B.c.property_id.label("partner_id"),
            _B.c.currency.label("currency"),
            literal("stay", String).label("source"),
            _B.c.id.label("source_id"),
            _B.c.reference.label("reference"),
            _G.c.name.label("guest_name"),
            literal("Stay", String).label("description"),
            _B.c.check_in.label("start_date"),
            _B.c.check_out.label("end_date"),
            _B.c.accommodation_total_minor.label("base_minor"),
            _P.c.commission_rate_bps.label("rate_bps"),
            commission.label("commission_minor"),
            case((and_(platform, _net_payout(_P)), commission), else_=0).label("deducted_minor"),
            case((platform, "platform"), else_="partner").label("collected_by"),
            case((platform, _B.c.accommodation_total_minor), else_=0).label("platform_gross"),
        )
        .select_from(_B.join(_P, _P.c.id == _B.c.property_id).join(_G, _G.c.id == _B.c.guest_id))
        .where(
            _B.c.property_id.between(bindparam("lo"), bindparam("hi")),
            _B.c.check_out.between(bindparam("first"), bindparam("last")),
            _B.c.status == BookingStatus.CONFIRMED.value,
        )
    )


def _services() -> Select[Any]:
    """Services performed in the window, by operators with ids in [lo, hi].

    The base is what the guest finally paid for it: refunds (given back from what the platform
    collected) are taken off the gross and the platform's part before the commission.
    """
    strategy = _S.c.strategy
    refunded = func.coalesce(_REFUNDED.c.refunded, 0)
    collected = case(
        (strategy == PaymentStrategy.PLATFORM_COLLECTS_FULL.value, _S.c.gross_minor),
        (strategy == PaymentStrategy.PLATFORM_COLLECTS_DEPOSIT.value, _S.c.deposit_minor),
        else_=0,
    )
    platform_part = collected - refunded
    base = _S.c.gross_minor - refunded
    rate = _P.c.commission_rate_bps
    return (
        select(
            _S.c.operator_id.label("partner_id"),
            _S.c.currency.label("currency"),
            literal("service", String).label("source"),
            _S.c.id.label("source_id"),
            _B.c.reference.label("reference"),
            _G.c.name.label("guest_name"),
            func.substr(_S.c.title, 1, 200).label("description"),
            _S.c.service_date.label("start_date"),
            _S.c.service_date.label("end_date"),
            base.label("base_minor"),
            rate.label("rate_bps"),
            _half_up(base, rate).label("commission_minor"),
            case((_net_payout(_P), _half_up(platform_part, rate)), else_=0).label("deducted_minor"),
            case(
                (strategy == PaymentStrategy.OPERATOR_COLLECTS_FULL.value, "partner"),
                (strategy == PaymentStrategy.PLATFORM_COLLECTS_DEPOSIT.value, "shared"),
                else_="platform",
            ).label("collected_by"),
            platform_part.label("platform_gross"),
        )
        .select_from(
            _S.join(_P, _P.c.id == _S.c.operator_id)
            .join(_B, _B.c.id == _S.c.booking_id)
            .join(_G, _G.c.id == _B.c.guest_id)
            .outerjoin(_REFUNDED, _REFUNDED.c.service_item_id == _S.c.id)
        )
        .where(
            _S.c.operator_id.between(bindparam("lo"), bindparam("hi")),
            _S.c.service_date.between(bindparam("first"), bindparam("last")),
            _S.c.lifecycle == ServiceLifecycle.CONFIRMED.value,
            strategy != PaymentStrategy.INCLUDED_IN_STAY.value,
        )
    )


_DEPARTED = union_all(_stays(), _services()).subquery("departed")
_TOTALS = (
    select(
        _DEPARTED.c.partner_id,
        _DEPARTED.c.currency,
        func.sum(_DEPARTED.c.commission_minor).label("amount"),
        func.sum(_DEPARTED.c.deducted_minor).label("deducted"),
        func.sum(_DEPARTED.c.platform_gross).label("gross"),
        func.count().label("lines"),
    )
    .group_by(_DEPARTED.c.partner_id, _DEPARTED.c.currency)
    .order_by(_DEPARTED.c.partner_id, _DEPARTED.c.currency)
)
_LINE_COLUMNS = (
    "source",
    "source_id",
    "reference",
    "guest_name",
    "description",
    "start_date",
    "end_date",
    "base_minor",
    "rate_bps",
    "commission_minor",
    "deducted_minor",
    "collected_by",
)
_COPY_LINES = insert(_LINE).from_select(
    ["invoice_id", *_LINE_COLUMNS],
    select(_INV.c.id, *(_DEPARTED.c[c] for c in _LINE_COLUMNS)).select_from(
        _DEPARTED.join(
            _INV,
            and_(
                _INV.c.partner_id == _DEPARTED.c.partner_id,
                _INV.c.currency == _DEPARTED.c.currency,
                _INV.c.period == bindparam("period"),
                _INV.c.kind == PartnerInvoiceKind.COMMISSION.value,
                _INV.c.run_id == bindparam("run_id"),
            ),
        )
    ),
)
_RESERVE = text(
    "UPDATE number_sequence SET last_value = last_value + :n WHERE name = :name "
    "RETURNING last_value"
)
_PARTNER_IDS = select(_P.c.id).where(_P.c.id > bindparam("after")).order_by(_P.c.id)


@dataclass(frozen=True, slots=True)
class RunSummary:
    period: str
    run_date: date
    partners: int
    invoices_created: int  # by this call
    lines_created: int  # by this call
    invoices_total: int  # by the whole run so far
    resumed: bool
    already_done: bool


def run_month_end(
    *,
    db: Database,
    period: Period,
    run_date: date,
    actor: str,
    chunk: int = CHUNK,
    progress: Progress | None = None,
) -> RunSummary:
    """Invoice every partner for `period` (idempotent; resumes an interrupted run)."""
    run_id, after, finished, resumed = _open_run(db, period, run_date, actor)
    if db.dialect == "sqlite":
        with db.transaction() as session:  # fresh statistics: the departure indexes get used
            session.connection().exec_driver_sql("PRAGMA optimize")
    if finished:
        return _summary(db, run_id, 0, 0, resumed=False, already_done=True)
    with db.read() as session:
        ids = list(session.connection().execute(_PARTNER_IDS, {"after": after}).scalars())
    done_before = _partners_done(db, run_id)
    total = done_before + len(ids)
    created = lines = 0
    if progress:
        progress(done_before, total)
    for start in range(0, len(ids), chunk):
        batch = ids[start : start + chunk]
        with db.transaction() as session:
            made, copied = _invoice_chunk(session, run_id, period, batch[0], batch[-1])
        created, lines = created + made, lines + copied
        if progress:
            progress(done_before + start + len(batch), total)
    with db.transaction() as session:
        session.connection().execute(
            update(_RUN).where(_RUN.c.id == run_id).values(finished_at=utcnow())
        )
        record_event(
            session,
            actor=actor,
            action="month_end.finished",
            subject=f"month_end:{period}",
            data={"period": str(period), "invoices": created, "lines": lines},
        )
    return _summary(db, run_id, created, lines, resumed=resumed, already_done=False)


def _open_run(
    db: Database, period: Period, run_date: date, actor: str
) -> tuple[int, int, bool, bool]:
    """The period's run (created on first use): (id, last partner done, finished, resumed)."""
    try:
        return _open_or_create(db, period, run_date, actor)
    except IntegrityError:  # another worker created the run at the same moment: use it
        return _open_or_create(db, period, run_date, actor)


def _open_or_create(
    db: Database, period: Period, run_date: date, actor: str
) -> tuple[int, int, bool, bool]:
    with db.transaction() as session:
        conn = session.connection()
        row = conn.execute(select(_RUN).where(_RUN.c.period == str(period))).first()
        if row is not None:
            return int(row.id), int(row.last_partner_id), row.finished_at is not None, True
        run_id = conn.execute(
            insert(_RUN)
            .values(
                period=str(period),
                run_date=run_date,
                started_by=actor,
                started_at=utcnow(),
                last_partner_id=0,
                partners_done=0,
                invoices_created=0,
                lines_created=0,
            )
            .returning(_RUN.c.id)
        ).scalar_one()
        record_event(
            session,
            actor=actor,
            action="month_end.started",
            subject=f"month_end:{period}",
            data={"period": str(period), "run_date": run_date.isoformat()},
        )
        return int(run_id), 0, False, False


def _invoice_chunk(
    session: Session, run_id: int, period: Period, lo: int, hi: int
) -> tuple[int, int]:
    """Invoices, statement lines and payouts for partners lo..hi, and the run's progress."""
    conn = session.connection()
    run = conn.execute(select(_RUN).where(_RUN.c.id == run_id).with_for_update()).one()
    if run.last_partner_id >= hi:  # another runner did this chunk meanwhile
        return 0, 0
    window = {"lo": lo, "hi": hi, "first": period.first_day, "last": period.last_day}
    totals = conn.execute(_TOTALS, window).all()
    numbers = _reserve_numbers(session, run.run_date.year, len(totals))
    invoice_date = run.run_date
    if totals:
        conn.execute(
            insert(_INV),
            [
                {
                    "number": number,
                    "partner_id": t.partner_id,
                    "run_id": run_id,
                    "kind": PartnerInvoiceKind.COMMISSION.value,
                    "period": str(period),
                    "currency": t.currency,
                    "invoice_date": invoice_date,
                    "due_date": due_date(invoice_date),
                    "amount_minor": int(t.amount),
                    "deducted_minor": int(t.deducted),
                    "state": PartnerInvoiceState.ISSUED.value,
                    "related_invoice_id": None,
                    "reason": None,
                    "created_at": utcnow(),
                }
                for number, t in zip(numbers, totals, strict=True)
            ],
        )
        conn.execute(_COPY_LINES, window | {"period": str(period), "run_id": run_id})
        lines = sum(int(t.lines) for t in totals)
        _record_payouts(session, run_id, period, [t for t in totals if int(t.gross) > 0])
        _queue_invoice_messages(session, run_id, period, lo, hi)
    else:
        lines = 0
    conn.execute(
        update(_RUN)
        .where(_RUN.c.id == run_id)
        .values(
            last_partner_id=hi,
            partners_done=_RUN.c.partners_done + _partners_between(session, lo, hi),
            invoices_created=_RUN.c.invoices_created + len(totals),
            lines_created=_RUN.c.lines_created + lines,
        )
    )
    if totals:
        record_event(
            session,
            actor="system:month_end",
            action="month_end.invoiced",
            subject=f"month_end:{period}",
            data={"partners": [lo, hi], "invoices": [numbers[0], numbers[-1]], "lines": lines},
        )
    return len(totals), lines


def _partners_between(session: Session, lo: int, hi: int) -> int:
    return int(
        session.connection()
        .execute(select(func.count()).select_from(_P).where(_P.c.id.between(lo, hi)))
        .scalar_one()
    )


def _reserve_numbers(session: Session, year: int, count: int) -> list[str]:
    """`count` consecutive numbers of the year's gapless sequence (held until commit)."""
    if count == 0:
        return []
    conn = session.connection()
    name = f"partner_invoice:{year}"
    last = conn.execute(_RESERVE, {"n": count, "name": name}).scalar()
    if last is None:
        from ..db.invoicing import NumberSequence
        from .common import insert_ignore

        insert_ignore(session, NumberSequence, {"name": name, "last_value": 0})
        last = conn.execute(_RESERVE, {"n": count, "name": name}).scalar_one()
    first = int(last) - count + 1
    return [f"CM-{year}-{n:06d}" for n in range(first, int(last) + 1)]


def _record_payouts(session: Session, run_id: int, period: Period, totals: list[Any]) -> None:
    """Gross collected by the platform − the commission deducted, per partner and currency."""
    if not totals:
        return
    conn = session.connection()
    invoice_ids = {
        (r.partner_id, r.currency): r.id
        for r in conn.execute(
            select(_INV.c.id, _INV.c.partner_id, _INV.c.currency).where(
                _INV.c.run_id == run_id,
                _INV.c.partner_id.in_([t.partner_id for t in totals]),
            )
        )
    }
    conn.execute(
        insert(_PAYOUT),
        [
            {
                "partner_id": t.partner_id,
                "invoice_id": invoice_ids.get((t.partner_id, t.currency)),
                "period": str(period),
                "currency": t.currency,
                "gross_minor": int(t.gross),
                "commission_minor": int(t.deducted),
                "net_minor": int(t.gross) - int(t.deducted),
                "created_at": utcnow(),
            }
            for t in totals
        ],
    )


def _queue_invoice_messages(
    session: Session, run_id: int, period: Period, lo: int, hi: int
) -> None:
    """ "Partner Invoice Issued" to each partner's finance contact, the PDF attached."""
    settings = get_settings()
    rows = session.connection().execute(
        select(
            _INV.c.id,
            _INV.c.number,
            _INV.c.currency,
            _INV.c.amount_minor,
            _INV.c.deducted_minor,
            _INV.c.due_date,
            _P.c.id.label("partner_id"),
            _P.c.name,
            _P.c.code,
            _P.c.finance_email,
            _P.c.commission_payment_method,
        )
        .join(_P, _P.c.id == _INV.c.partner_id)
        .where(_INV.c.run_id == run_id, _INV.c.partner_id.between(lo, hi))
    )
    finance_url = f"{settings.public_base_url.rstrip('/')}/partner/invoices"
    platform = platform_details()
    messages = []
    for r in rows:
        payable = Money(r.amount_minor - r.deducted_minor, r.currency)
        reference = f"{r.code} {r.number}"
        messages.append(
            Outgoing(
                dedupe_key=f"partner_invoice_issued:{r.id}",
                recipient=r.finance_email,
                partner_id=r.partner_id,
                attachment=f"partner_invoice_pdf:{r.id}",
                context={
                    "platform_name": settings.platform_name,
                    "partner_name": r.name,
                    "partner_code": r.code,
                    "invoice_number": r.number,
                    "period": period.label,
                    "invoice_total": format_money(Money(r.amount_minor, r.currency)),
                    "amount_payable": format_money(payable),
                    "nothing_to_pay": payable.is_zero,
                    "due_date": long_date(r.due_date),
                    "payment_instructions": "\n".join(
                        payment_lines(
                            kind=PartnerInvoiceKind.COMMISSION,
                            method=r.commission_payment_method,
                            state=PartnerInvoiceState.ISSUED,
                            payable=format_money(payable),
                            deducted=Money(r.deducted_minor, r.currency),
                            nothing_to_pay=payable.is_zero,
                            due=r.due_date,
                            reference=reference,
                            platform=platform,
                        )
                    ),
                    "finance_url": finance_url,
                },
            )
        )
    queue_messages(session, template_key="partner_invoice_issued", messages=messages)


def _partners_done(db: Database, run_id: int) -> int:
    with db.read() as session:
        return int(
            session.connection()
            .execute(select(_RUN.c.partners_done).where(_RUN.c.id == run_id))
            .scalar_one()
        )


def _summary(
    db: Database, run_id: int, created: int, lines: int, *, resumed: bool, already_done: bool
) -> RunSummary:
    with db.read() as session:
        run = session.connection().execute(select(_RUN).where(_RUN.c.id == run_id)).one()
    return RunSummary(
        period=run.period,
        run_date=run.run_date,
        partners=int(run.partners_done),
        invoices_created=created,
        lines_created=lines,
        invoices_total=int(run.invoices_created),
        resumed=resumed and not already_done,
        already_done=already_done,
    )


@dataclass(frozen=True, slots=True)
class Preview:
    period: str
    partners: int  # partners with something departed
    lines: int
    commission: tuple[Money, ...]  # per currency
    deducted: tuple[Money, ...]
    already_run: bool


def preview_month_end(*, db: Database, period: Period) -> Preview:
    """What the run would issue for `period` (read only; nothing is written)."""
    window = {"lo": 0, "hi": 2**31 - 1, "first": period.first_day, "last": period.last_day}
    with db.read() as session:
        conn = session.connection()
        totals = conn.execute(_TOTALS, window).all()
        ran = conn.execute(select(_RUN.c.id).where(_RUN.c.period == str(period))).first()
    return Preview(
        period=str(period),
        partners=len({t.partner_id for t in totals}),
        lines=sum(int(t.lines) for t in totals),
        commission=totals_by_currency(Money(int(t.amount), t.currency) for t in totals),
        deducted=totals_by_currency(Money(int(t.deducted), t.currency) for t in totals),
        already_run=ran is not None,
    )


@dataclass(frozen=True, slots=True)
class RunView:
    period: str
    run_date: date
    started_by: str
    partners: int
    invoices: int
    lines: int
    finished: bool


def list_runs(*, db: Database, limit: int = 12) -> list[RunView]:
    with db.read() as session:
        rows = session.connection().execute(
            select(_RUN).order_by(_RUN.c.period.desc()).limit(limit)
        )
        return [
            RunView(
                r.period,
                r.run_date,
                r.started_by,
                int(r.partners_done),
                int(r.invoices_created),
                int(r.lines_created),
                r.finished_at is not None,
            )
            for r in rows
        ]


def scheduled_period(*, db: Database, today: date) -> Period | None:
    """The period the in-app schedule should run now: last month, during the first week of
    this month, unless its run has finished (an interrupted one is resumed)."""
    if not is_run_week(today):
        return None
    period = Period.of(today).previous()
    with db.read() as session:
        row = (
            session.connection()
            .execute(select(_RUN.c.finished_at).where(_RUN.c.period == str(period)))
            .first()
        )
    return period if row is None or row.finished_at is None else None
