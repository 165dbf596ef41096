"""The month-end run: one commission invoice per partner and currency for what departed.

Stays count by check-out date, services by service date; cancelled ones are left out (and
Included in Stay services, which are not charged separately). Each line of the reservation
statement carries its base, the partner's rate and the commission (half-up, per line); the part
of the commission on money the platform collected is deducted from the partner's payout when the
partner is paid out net, and the payout (gross collected − that commission) is recorded.

The run is set-based in two steps. First one statement writes every partner's reservation
statement (its lines, frozen as billed, and the totals they add up to) in one transaction, from
one pass over the month's departures. Then invoices, payouts and "Partner Invoice Issued"
messages (rendered when sent) are issued from the statements in partner id order, a chunk per
transaction, and the run's progress (the last partner done) commits with the chunk: a crash
loses at most the chunk in flight and a rerun resumes after it. Unique indexes make a second
invoice for the same partner, period and currency impossible; numbers come from a gapless
sequence, reserved per chunk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    Integer,
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
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import Select
from sqlmodel import Session

from ..db.bookings import Booking, ServiceItem
from ..db.engine import Database
from ..db.messaging import OutboxMessage, OutboxStatus
from ..db.parties import Partner, PayoutMethod
from ..db.partner_billing import MonthEndRun, PartnerInvoice, PartnerStatement, Payout
from ..db.payments import Refund, RefundStatus
from ..db.types import utcnow
from ..domain.lifecycle import BookingStatus, ServiceLifecycle
from ..domain.money import Money, totals_by_currency
from ..domain.partner_billing import (
    PartnerInvoiceKind,
    PartnerInvoiceState,
    Period,
    due_date,
    is_run_week,
)
from ..domain.strategies import PaymentStrategy
from .audit import record_event
from .common import next_in_sequence

CHUNK = 500  # partners per transaction
INVOICE_MESSAGE = "partner_invoice_issued"

Progress = Callable[[int, int], None]  # (partners done, partners in all)


def _t(model: Any) -> Table:
    table: Table = model.__table__
    return table


_B, _S, _P = _t(Booking), _t(ServiceItem), _t(Partner)
_INV, _STMT, _PAYOUT, _RUN = (
    _t(PartnerInvoice),
    _t(PartnerStatement),
    _t(Payout),
    _t(MonthEndRun),
)
_OUTBOX, _REFUNDS = _t(OutboxMessage), _t(Refund)
_REFUNDED = (
    select(_REFUNDS.c.service_item_id, func.sum(_REFUNDS.c.amount_minor).label("refunded"))
    .where(_REFUNDS.c.status == RefundStatus.SUCCEEDED.value)
    .group_by(_REFUNDS.c.service_item_id)
    .subquery("refunded")
)


def _half_up(amount: Any, rate: Any) -> Any:
    """Commission in minor units, half-up, in SQL integer arithmetic (amounts are >= 0);
    `domain.statement.commission_minor` is the same rule in Python."""
    # 64-bit: 15,000.00 (1,500,000 minor units) at 15 % overflows PostgreSQL's 32-bit integer
    return (cast(amount, BigInteger) * rate + 5000) // 10000


def _net_payout(partner: Table) -> Any:
    return partner.c.payout_method == PayoutMethod.NET_PAYOUT.value


def _text(value: Any) -> Any:
    return cast(value, String)


def _line(source: str, source_id: Any, collected: Any, base: Any) -> Any:
    """A statement line in the form of `domain.statement` ("b1042 p 120000")."""
    return literal(source, String) + _text(source_id) + " " + collected + " " + _text(base)


def _stays() -> Select[Any]:
    """Stays that departed in the window."""
    platform = _B.c.accommodation_collected_by == "platform"
    commission = _half_up(_B.c.accommodation_total_minor, _P.c.commission_rate_bps)
    return (
        select(
            _B.c.property_id.label("partner_id"),
            _B.c.currency.label("currency"),
            commission.label("commission_minor"),
            case((platform, commission), else_=0).label("deductible_minor"),
            case((platform, _B.c.accommodation_total_minor), else_=0).label("platform_gross"),
            _line(
                "b", _B.c.id, case((platform, "p"), else_="o"), _B.c.accommodation_total_minor
            ).label("line"),
        )
        .select_from(_B.join(_P, _P.c.id == _B.c.property_id))
        .where(
            _B.c.check_out.between(bindparam("first"), bindparam("last")),
            _B.c.status == BookingStatus.CONFIRMED.value,
        )
    )


def _services() -> Select[Any]:
    """Services performed in the window.

    The base is what the guest finally paid for it: refunds (given back from what the platform
    collected) are taken off the gross and the platform's part before the commission.
    """
    strategy = _S.c.strategy
    refunded = func.coalesce(_REFUNDED.c.refunded, 0)
    deposit = strategy == PaymentStrategy.PLATFORM_COLLECTS_DEPOSIT.value
    collected = case(
        (strategy == PaymentStrategy.PLATFORM_COLLECTS_FULL.value, _S.c.gross_minor),
        (deposit, _S.c.deposit_minor),
        else_=0,
    )
    platform_part = collected - refunded
    base = _S.c.gross_minor - refunded
    rate = _P.c.commission_rate_bps
    line = _line(
        "s",
        _S.c.id,
        case(
            (strategy == PaymentStrategy.OPERATOR_COLLECTS_FULL.value, "o"),
            (deposit, "d"),
            else_="p",
        ),
        base,
    )
    return (
        select(
            _S.c.operator_id.label("partner_id"),
            _S.c.currency.label("currency"),
            _half_up(base, rate).label("commission_minor"),
            _half_up(platform_part, rate).label("deductible_minor"),
            platform_part.label("platform_gross"),
            case((deposit, line + " " + _text(platform_part)), else_=line).label("line"),
        )
        .select_from(
            _S.join(_P, _P.c.id == _S.c.operator_id).outerjoin(
                _REFUNDED, _REFUNDED.c.service_item_id == _S.c.id
            )
        )
        .where(
            _S.c.service_date.between(bindparam("first"), bindparam("last")),
            _S.c.lifecycle == ServiceLifecycle.CONFIRMED.value,
            strategy != PaymentStrategy.INCLUDED_IN_STAY.value,
        )
    )


_DEPARTED = union_all(_stays(), _services()).subquery("departed")
_SUMS = (
    _DEPARTED.c.partner_id,
    _DEPARTED.c.currency,
    func.sum(_DEPARTED.c.commission_minor).label("amount"),
    func.sum(_DEPARTED.c.deductible_minor).label("deductible"),
    func.sum(_DEPARTED.c.platform_gross).label("gross"),
    func.count().label("lines"),
)
_GROUPS = (_DEPARTED.c.partner_id, _DEPARTED.c.currency)


def _per_partner(*sums: Any) -> Select[Any]:
    """Per partner and currency: the sums, and the partner's payout method and rate (only
    partners paid out net have the commission on what the platform collected deducted)."""
    g = select(*sums).group_by(*_GROUPS).subquery("g")
    net = _net_payout(_P)
    return select(
        g,
        case((net, g.c.deductible), else_=0).label("deducted"),
        net.label("net_payout"),
        _P.c.commission_rate_bps.label("rate_bps"),
    ).join(_P, _P.c.id == g.c.partner_id)


_TOTALS = _per_partner(*_SUMS)


@cache
def _collect(dialect: str) -> Any:
    """Every partner's statement for the window, lines and totals, in one INSERT .. SELECT."""
    line = _DEPARTED.c.line
    lines = (
        func.string_agg(line, "\n") if dialect == "postgresql" else func.group_concat(line, "\n")
    )
    per_partner = _per_partner(*_SUMS, lines.label("statement")).subquery("s")
    return insert(_STMT).from_select(
        [
            "run_id",
            "partner_id",
            "currency",
            "amount_minor",
            "deducted_minor",
            "gross_minor",
            "line_count",
            "rate_bps",
            "net_payout",
            "lines",
        ],
        select(
            bindparam("run_id", type_=Integer),
            per_partner.c.partner_id,
            per_partner.c.currency,
            per_partner.c.amount,
            per_partner.c.deducted,
            per_partner.c.gross,
            per_partner.c.lines,
            per_partner.c.rate_bps,
            per_partner.c.net_payout,
            per_partner.c.statement,
        ),
    )


_IN_CHUNK = and_(
    _STMT.c.run_id == bindparam("run_id"),
    _STMT.c.partner_id.between(bindparam("lo"), bindparam("hi")),
)


def _number(dialect: str, year: int) -> Any:
    """CM-YYYY-NNNNNN for the chunk's statements in (partner, currency) order, after :base."""
    n = bindparam("base", type_=Integer) + func.row_number().over(
        order_by=(_STMT.c.partner_id, _STMT.c.currency)
    )
    if dialect == "postgresql":
        digits = case((n < 1_000_000, func.lpad(_text(n), 6, "0")), else_=_text(n))
        return literal(f"CM-{year}-", String) + digits
    return func.printf(f"CM-{year}-%06d", n)


@cache
def _issue(dialect: str, year: int) -> Any:
    """The chunk's invoices, one per statement."""
    return insert(_INV).from_select(
        [
            "number",
            "partner_id",
            "run_id",
            "kind",
            "period",
            "currency",
            "invoice_date",
            "due_date",
            "amount_minor",
            "deducted_minor",
            "state",
            "statement_id",
            "created_at",
        ],
        select(
            _number(dialect, year),
            _STMT.c.partner_id,
            _STMT.c.run_id,
            literal(PartnerInvoiceKind.COMMISSION.value, String),
            bindparam("period", type_=String),
            _STMT.c.currency,
            bindparam("invoice_date", type_=Date),
            bindparam("due_date", type_=Date),
            _STMT.c.amount_minor,
            _STMT.c.deducted_minor,
            literal(PartnerInvoiceState.ISSUED.value, String),
            _STMT.c.id,
            bindparam("now", type_=_INV.c.created_at.type),
        ).where(_IN_CHUNK),
    )


_PAY_OUT = insert(_PAYOUT).from_select(
    [
        "partner_id",
        "invoice_id",
        "period",
        "currency",
        "gross_minor",
        "commission_minor",
        "net_minor",
        "created_at",
    ],
    select(
        _STMT.c.partner_id,
        _INV.c.id,
        bindparam("period", type_=String),
        _STMT.c.currency,
        _STMT.c.gross_minor,
        _STMT.c.deducted_minor,
        _STMT.c.gross_minor - _STMT.c.deducted_minor,
        bindparam("now", type_=_PAYOUT.c.created_at.type),
    )
    .select_from(_STMT.join(_INV, _INV.c.statement_id == _STMT.c.id))
    .where(_IN_CHUNK, _STMT.c.gross_minor > 0),
)
_QUEUE_MESSAGES = insert(_OUTBOX).from_select(
    [
        "dedupe_key",
        "template_key",
        "recipient",
        "subject",
        "body",
        "partner_id",
        "attachment",
        "render_from",
        "status",
        "attempts",
        "created_at",
    ],
    select(
        literal(f"{INVOICE_MESSAGE}:", String) + _text(_INV.c.id),
        literal(INVOICE_MESSAGE, String),
        _P.c.finance_email,
        literal("", String),
        literal("", String),
        _P.c.id,
        literal("partner_invoice_pdf:", String) + _text(_INV.c.id),
        literal("partner_invoice:", String) + _text(_INV.c.id),
        literal(OutboxStatus.QUEUED.value, String),
        literal(0, Integer),
        bindparam("now", type_=_OUTBOX.c.created_at.type),
    )
    .select_from(
        _STMT.join(_INV, _INV.c.statement_id == _STMT.c.id).join(_P, _P.c.id == _INV.c.partner_id)
    )
    .where(_IN_CHUNK),
)
_CHUNK_SIZE = select(
    func.count(),
    func.coalesce(func.sum(_STMT.c.line_count), 0),
    func.count(_STMT.c.partner_id.distinct()),
).where(_IN_CHUNK)
_STATEMENT_PARTNERS = (
    select(_STMT.c.partner_id)
    .distinct()
    .where(_STMT.c.run_id == bindparam("run_id"), _STMT.c.partner_id > bindparam("after"))
    .order_by(_STMT.c.partner_id)
)


@dataclass(frozen=True, slots=True)
class RunSummary:
    period: str
    run_date: date
    partners: int  # partners invoiced
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
    """Invoice every partner for `period` (idempotent; resumes an interrupted run).

    `progress` is called with (0, 0) while the statements are written, then with (partners
    invoiced, partners to invoice) after each chunk.
    """
    run_id, after, finished, resumed = _open_run(db, period, run_date, actor)
    if finished:
        return _summary(db, run_id, 0, 0, resumed=False, already_done=True)
    if progress:
        progress(0, 0)
    _collect_statements(db, run_id, period)
    with db.read() as session:
        ids = list(
            session.connection()
            .execute(_STATEMENT_PARTNERS, {"run_id": run_id, "after": after})
            .scalars()
        )
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


def _collect_statements(db: Database, run_id: int, period: Period) -> None:
    """Step one: every partner's statement, in one transaction (skipped once done)."""
    with db.transaction() as session:
        conn = session.connection()
        run = conn.execute(select(_RUN).where(_RUN.c.id == run_id).with_for_update()).one()
        if run.collected_at is not None:
            return
        if db.dialect == "sqlite":  # fresh statistics: the departure indexes get used
            conn.exec_driver_sql("PRAGMA optimize")
        window = {"first": period.first_day, "last": period.last_day}
        conn.execute(_collect(db.dialect), window | {"run_id": run_id})
        conn.execute(update(_RUN).where(_RUN.c.id == run_id).values(collected_at=utcnow()))


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
    """Invoices, payouts and messages for the statements of partners lo..hi, and the run's
    progress."""
    conn = session.connection()
    run = conn.execute(select(_RUN).where(_RUN.c.id == run_id).with_for_update()).one()
    if run.last_partner_id >= hi:  # another runner did this chunk meanwhile
        return 0, 0
    lo = max(lo, run.last_partner_id + 1)
    chunk = {"run_id": run_id, "lo": lo, "hi": hi}
    invoices, lines, partners = conn.execute(_CHUNK_SIZE, chunk).one()
    first = (
        next_in_sequence(session, f"partner_invoice:{run.run_date.year}", int(invoices))
        if invoices
        else 0
    )
    if invoices:
        dialect = conn.dialect.name
        values = chunk | {
            "base": first - 1,
            "period": str(period),
            "invoice_date": run.run_date,
            "due_date": due_date(run.run_date),
            "now": utcnow(),
        }
        conn.execute(_issue(dialect, run.run_date.year), values)
        conn.execute(_PAY_OUT, values)
        conn.execute(_QUEUE_MESSAGES, values)
    conn.execute(
        update(_RUN)
        .where(_RUN.c.id == run_id)
        .values(
            last_partner_id=hi,
            partners_done=_RUN.c.partners_done + int(partners),
            invoices_created=_RUN.c.invoices_created + int(invoices),
            lines_created=_RUN.c.lines_created + int(lines),
        )
    )
    if invoices:
        year = run.run_date.year
        record_event(
            session,
            actor="system:month_end",
            action="month_end.invoiced",
            subject=f"month_end:{period}",
            data={
                "partners": [lo, hi],
                "invoices": [
                    _format_number(year, first),
                    _format_number(year, first + invoices - 1),
                ],
                "lines": int(lines),
            },
        )
    return int(invoices), int(lines)


def _format_number(year: int, n: int) -> str:
    return f"CM-{year}-{n:06d}"


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
    window = {"first": period.first_day, "last": period.last_day}
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
