"""The month-end run: one commission invoice per partner and currency for what departed.

Stays count by check-out date, services by service date; cancelled ones are left out (and
Included in Stay services, which are not charged separately). Each line of the reservation
statement carries its base, the partner's rate and the commission (half-up, per line); the part
of the commission on money the platform collected is deducted from the partner's payout when the
partner is paid out net, and the payout (gross collected − that commission) is recorded.

The run is set-based in two steps. First INSERT .. SELECT writes every partner's reservation
statement (its lines, frozen as billed, and the totals they add up to) from one pass over the
month's departures: in one transaction on SQLite; on PostgreSQL over two connections at once, a
range of partners each, while the run's row is held (statements of an attempt that did not
finish are deleted first). Every invoice number is then reserved from the gapless sequence at
once, each statement's fixed by its place in partner and currency order. Then invoices,
payouts and "Partner Invoice Issued" messages (rendered when sent) are issued from the
statements a chunk of partners per transaction (two chunks at once on PostgreSQL): a crash
loses only the chunks in flight, and a rerun issues the statements that have no invoice yet,
under the same numbers. Unique indexes make a second invoice for a statement, or for the same
partner, period and currency, impossible.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, TypeVar

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
    delete,
    exists,
    func,
    insert,
    literal,
    select,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
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
from ..settings import get_settings
from .audit import record_event
from .common import next_in_sequence, table_of
from .partner_credit import apply_pending_credit

CHUNK = 500  # partners per transaction
WORKERS = 2  # connections at once on PostgreSQL
COLLECT_WORK_MEM = "64MB"  # per collecting connection: the statements' hash table in memory
INVOICE_MESSAGE = "partner_invoice_issued"

Progress = Callable[[int, int], None]  # (partners done, partners in all)
T = TypeVar("T")
R = TypeVar("R")


_B, _S, _P = table_of(Booking), table_of(ServiceItem), table_of(Partner)
_INV, _STMT, _PAYOUT, _RUN = (
    table_of(PartnerInvoice),
    table_of(PartnerStatement),
    table_of(Payout),
    table_of(MonthEndRun),
)
_OUTBOX, _REFUNDS = table_of(OutboxMessage), table_of(Refund)
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


def _departed(ranged: bool) -> Any:
    """Every line departed in the window (of the partners :p_lo..:p_hi when `ranged`)."""
    stays, services = _stays(), _services()
    if ranged:
        stays = stays.where(_B.c.property_id.between(bindparam("p_lo"), bindparam("p_hi")))
        services = services.where(_S.c.operator_id.between(bindparam("p_lo"), bindparam("p_hi")))
    return union_all(stays, services).subquery("departed")


TaxRates = tuple[tuple[str, int], ...]  # (country, bps), sorted


def _tax_rate(rates: TaxRates) -> Any:
    """The VAT/GST rate (bps) of the partner's country, 0 where none is configured."""
    if not rates:
        return literal(0, Integer)
    return case(dict(rates), value=_P.c.country, else_=0)


def _per_partner(departed: Any, lines: Any = None, rates: TaxRates = ()) -> Select[Any]:
    """Per partner and currency: the sums (and `lines` aggregated, if given), and the partner's
    payout method, rate and VAT/GST rate (only partners paid out net have the commission on
    what the platform collected deducted)."""
    sums = [
        departed.c.partner_id,
        departed.c.currency,
        func.sum(departed.c.commission_minor).label("amount"),
        func.sum(departed.c.deductible_minor).label("deductible"),
        func.sum(departed.c.platform_gross).label("gross"),
        func.count().label("lines"),
    ]
    if lines is not None:
        sums.append(lines(departed.c.line).label("statement"))
    g = select(*sums).group_by(departed.c.partner_id, departed.c.currency).subquery("g")
    net = _net_payout(_P)
    return select(
        g,
        case((net, g.c.deductible), else_=0).label("deducted"),
        net.label("net_payout"),
        _P.c.commission_rate_bps.label("rate_bps"),
        _tax_rate(rates).label("tax_rate_bps"),
    ).join(_P, _P.c.id == g.c.partner_id)


_TOTALS = _per_partner(_departed(ranged=False))


def _rates() -> TaxRates:
    """The configured VAT/GST rates, frozen into the statements when they are written."""
    return tuple(sorted((c, r.bps) for c, r in get_settings().tax_rates.items()))


@cache
def _collect(dialect: str, ranged: bool = False, rates: TaxRates = ()) -> Any:
    """Every partner's statement for the window (of the partners :p_lo..:p_hi when `ranged`),
    lines and totals, and the VAT/GST rate it is taxed at, in one INSERT .. SELECT."""

    def lines(line: Any) -> Any:
        if dialect == "postgresql":
            return func.string_agg(line, "\n")
        return func.group_concat(line, "\n")

    per_partner = _per_partner(_departed(ranged), lines, rates).subquery("s")
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
            "tax_rate_bps",
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
            per_partner.c.tax_rate_bps,
        ),
    )


_IN_CHUNK = and_(
    _STMT.c.run_id == bindparam("run_id"),
    _STMT.c.partner_id.between(bindparam("lo"), bindparam("hi")),
)
_NOT_INVOICED = ~exists().where(_INV.c.statement_id == _STMT.c.id)


def _formatted(dialect: str, year: int, n: Any, prefix: str = "CM") -> Any:
    """CM-YYYY-NNNNNN (or VT-…) in SQL."""
    if dialect == "postgresql":
        digits = case((n < 1_000_000, func.lpad(_text(n), 6, "0")), else_=_text(n))
        return literal(f"{prefix}-{year}-", String) + digits
    return func.printf(f"{prefix}-{year}-%06d", n)


@cache
def _issue(dialect: str, year: int) -> Any:
    """The chunk's invoices, one per statement not invoiced yet, numbered :base + its place in
    the chunk (in partner and currency order)."""
    place = func.row_number().over(order_by=(_STMT.c.partner_id, _STMT.c.currency))
    numbered = select(_STMT, place.label("place")).where(_IN_CHUNK).subquery("numbered")
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
            _formatted(dialect, year, bindparam("base", type_=Integer) + numbered.c.place),
            numbered.c.partner_id,
            numbered.c.run_id,
            literal(PartnerInvoiceKind.COMMISSION.value, String),
            bindparam("period", type_=String),
            numbered.c.currency,
            bindparam("invoice_date", type_=Date),
            bindparam("due_date", type_=Date),
            numbered.c.amount_minor,
            numbered.c.deducted_minor,
            literal(PartnerInvoiceState.ISSUED.value, String),
            numbered.c.id,
            bindparam("now", type_=_INV.c.created_at.type),
        ).where(~exists().where(_INV.c.statement_id == numbered.c.id)),
    )


# a statement whose VAT comes to at least one minor unit (no VAT document for 0.00)
_TAXED = and_(_STMT.c.tax_rate_bps > 0, _half_up(_STMT.c.amount_minor, _STMT.c.tax_rate_bps) > 0)
_VAT = aliased(_INV, name="vat")
_VAT_OF = and_(_VAT.c.related_invoice_id == _INV.c.id, _VAT.c.kind == PartnerInvoiceKind.VAT.value)


@cache
def _issue_vat(dialect: str, year: int) -> Any:
    """The chunk's VAT/GST documents, one per taxed statement's commission invoice, numbered
    :vat_base + its place among the chunk's taxed statements (partner and currency order). The
    tax is half up on the commission; on what was deducted from the payout, likewise."""
    place = func.row_number().over(order_by=(_STMT.c.partner_id, _STMT.c.currency))
    numbered = (
        select(
            _INV.c.id.label("invoice_id"),
            _INV.c.partner_id,
            _INV.c.currency,
            _STMT.c.amount_minor,
            _STMT.c.deducted_minor,
            _STMT.c.tax_rate_bps,
            place.label("place"),
        )
        .select_from(_STMT.join(_INV, _INV.c.statement_id == _STMT.c.id))
        .where(_IN_CHUNK, _TAXED)
        .subquery("taxed")
    )
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
            "related_invoice_id",
            "tax_rate_bps",
            "created_at",
        ],
        select(
            _formatted(
                dialect, year, bindparam("vat_base", type_=Integer) + numbered.c.place, "VT"
            ),
            numbered.c.partner_id,
            bindparam("run_id", type_=Integer),
            literal(PartnerInvoiceKind.VAT.value, String),
            bindparam("period", type_=String),
            numbered.c.currency,
            bindparam("invoice_date", type_=Date),
            bindparam("due_date", type_=Date),
            _half_up(numbered.c.amount_minor, numbered.c.tax_rate_bps),
            _half_up(numbered.c.deducted_minor, numbered.c.tax_rate_bps),
            literal(PartnerInvoiceState.ISSUED.value, String),
            numbered.c.invoice_id,
            numbered.c.tax_rate_bps,
            bindparam("now", type_=_INV.c.created_at.type),
        ).where(
            ~exists().where(
                _INV.c.related_invoice_id == numbered.c.invoice_id,
                _INV.c.kind == PartnerInvoiceKind.VAT.value,
            )
        ),
    )


_PAID_OUT = exists().where(
    _PAYOUT.c.partner_id == _STMT.c.partner_id,
    _PAYOUT.c.period == bindparam("period"),
    _PAYOUT.c.currency == _STMT.c.currency,
)
_PAY_OUT = insert(_PAYOUT).from_select(
    [
        "partner_id",
        "invoice_id",
        "period",
        "currency",
        "gross_minor",
        "commission_minor",
        "vat_minor",
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
        func.coalesce(_VAT.c.deducted_minor, 0),
        _STMT.c.gross_minor - _STMT.c.deducted_minor - func.coalesce(_VAT.c.deducted_minor, 0),
        bindparam("now", type_=_PAYOUT.c.created_at.type),
    )
    .select_from(_STMT.join(_INV, _INV.c.statement_id == _STMT.c.id).outerjoin(_VAT, _VAT_OF))
    .where(_IN_CHUNK, _STMT.c.gross_minor > 0, ~_PAID_OUT),
)


def _queue_messages(vat: bool) -> Any:
    """Queue the "Partner Invoice Issued" email of each document the chunk issued: the
    commission invoices, or (`vat`) their VAT/GST documents."""
    key = literal(f"{INVOICE_MESSAGE}:", String) + _text(_INV.c.id)
    issued = _STMT.join(_INV, _INV.c.statement_id == _STMT.c.id)
    if vat:
        comm = aliased(_INV, name="comm")
        issued = _STMT.join(comm, comm.c.statement_id == _STMT.c.id).join(
            _INV,
            and_(
                _INV.c.related_invoice_id == comm.c.id,
                _INV.c.kind == PartnerInvoiceKind.VAT.value,
            ),
        )
    return insert(_OUTBOX).from_select(
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
            key,
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
        .select_from(issued.join(_P, _P.c.id == _INV.c.partner_id))
        .where(_IN_CHUNK, ~exists().where(_OUTBOX.c.dedupe_key == key)),
    )


_QUEUE_MESSAGES, _QUEUE_VAT_MESSAGES = _queue_messages(False), _queue_messages(True)
# What the chunk still has to invoice: statements, lines, partners.
_TO_INVOICE = select(
    func.count(),
    func.coalesce(func.sum(_STMT.c.line_count), 0),
    func.count(_STMT.c.partner_id.distinct()),
).where(_IN_CHUNK, _NOT_INVOICED)
# Per partner of the run: its statements, and how many are invoiced.
_PARTNER_STATEMENTS = (
    select(
        _STMT.c.partner_id,
        func.count(),
        func.count(_INV.c.id),
        func.count(case((_TAXED, 1))),
    )
    .select_from(_STMT.outerjoin(_INV, _INV.c.statement_id == _STMT.c.id))
    .where(_STMT.c.run_id == bindparam("run_id"))
    .group_by(_STMT.c.partner_id)
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
    workers: int = WORKERS,
    progress: Progress | None = None,
) -> RunSummary:
    """Invoice every partner for `period` (idempotent; resumes an interrupted run).

    On PostgreSQL the statements are written and the chunks issued over `workers` connections
    at once (SQLite has one writer: one). `progress` is called with (0, 0) while the
    statements are written, then with (partners invoiced, partners to invoice) after each chunk.
    """
    workers = 1 if db.dialect == "sqlite" else max(1, workers)
    run_id, finished, resumed = _open_run(db, period, run_date, actor)
    if finished:
        return _summary(db, run_id, 0, 0, resumed=False, already_done=True)
    if progress:
        progress(0, 0)
    _collect_statements(db, run_id, period, workers)
    _reserve_numbers(db, run_id)
    todo = _still_to_invoice(db, run_id)
    ids = todo.partners
    done_before = _partners_done(db, run_id)
    total = done_before + len(ids)
    if progress:
        progress(done_before, total)
    batches = [ids[start : start + chunk] for start in range(0, len(ids), chunk)]

    def issue(batch: list[int]) -> tuple[int, int, int]:
        statements, taxed = todo.before[batch[0]]
        bases = (todo.first_number - 1 + statements, todo.first_vat_number - 1 + taxed)
        with db.transaction() as session:
            made, copied = _invoice_chunk(
                session, run_id, period, batch[0], batch[-1], bases, todo.taxed
            )
        return made, copied, len(batch)

    created = lines = done = 0
    for made, copied, partners in _in_parallel(issue, batches, workers):
        created, lines, done = created + made, lines + copied, done + partners
        if progress:
            progress(done_before + done, total)
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
    # credit waiting for "the next invoice issued" (credit notes, over-payments) pays it now
    apply_pending_credit(db=db, partner_ids=todo.partners, today=run_date)
    return _summary(db, run_id, created, lines, resumed=resumed, already_done=False)


def _in_parallel(work: Callable[[T], R], items: Sequence[T], workers: int) -> Iterator[R]:
    """`work` of each item, over `workers` threads (in order when one), yielded as each ends;
    the first error stops what has not started and is raised."""
    if workers == 1 or len(items) < 2:
        yield from map(work, items)
        return
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="month-end")
    try:
        for future in as_completed([pool.submit(work, item) for item in items]):
            yield future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@dataclass(frozen=True, slots=True)
class _ToInvoice:
    first_number: int  # the run's first commission invoice number
    first_vat_number: int  # and VAT/GST document number
    taxed: bool  # some statement of the run carries VAT/GST
    partners: list[int]  # with a statement not invoiced yet, in id order
    # per such partner: (statements, taxed statements) of the run before its first
    before: dict[int, tuple[int, int]]


def _still_to_invoice(db: Database, run_id: int) -> _ToInvoice:
    with db.read() as session:
        conn = session.connection()
        first, first_vat = conn.execute(
            select(_RUN.c.first_number, _RUN.c.first_vat_number).where(_RUN.c.id == run_id)
        ).one()
        rows = conn.execute(_PARTNER_STATEMENTS, {"run_id": run_id}).all()
    ids, before, seen, taxed_seen = [], {}, 0, 0
    for partner_id, statements, invoiced, taxed in rows:
        if invoiced < statements:
            ids.append(partner_id)
            before[partner_id] = (seen, taxed_seen)
        seen, taxed_seen = seen + statements, taxed_seen + taxed
    return _ToInvoice(int(first), int(first_vat or 1), taxed_seen > 0, ids, before)


def _collect_statements(db: Database, run_id: int, period: Period, workers: int) -> None:
    """Step one: every partner's statement (skipped once done). In one transaction, or over
    `workers` connections, a range of partners each, while this transaction holds the run:
    statements of an attempt that did not finish are deleted first."""
    window = {"first": period.first_day, "last": period.last_day, "run_id": run_id}
    with db.transaction() as session:
        conn = session.connection()
        # NO KEY UPDATE: other runners wait here, yet the collectors' foreign-key checks
        # (KEY SHARE on this row) go through
        mine = select(_RUN).where(_RUN.c.id == run_id).with_for_update(key_share=True)
        if conn.execute(mine).one().collected_at is not None:
            return
        if workers == 1:
            # a parallel attempt on PostgreSQL may have left some ranges' statements
            conn.execute(delete(_STMT).where(_STMT.c.run_id == run_id))
            if db.dialect == "sqlite":  # fresh statistics: the departure indexes get used
                conn.exec_driver_sql("PRAGMA optimize")
            else:
                conn.exec_driver_sql(f"SET LOCAL work_mem = '{COLLECT_WORK_MEM}'")
            conn.execute(_collect(db.dialect, rates=_rates()), window)
        else:
            with db.transaction() as other:
                other.connection().execute(delete(_STMT).where(_STMT.c.run_id == run_id))
            lo, hi = conn.execute(select(func.min(_P.c.id), func.max(_P.c.id))).one()

            def collect(bounds: tuple[int, int]) -> None:
                with db.transaction() as worker:
                    wconn = worker.connection()
                    wconn.exec_driver_sql(f"SET LOCAL work_mem = '{COLLECT_WORK_MEM}'")
                    params = window | {"p_lo": bounds[0], "p_hi": bounds[1]}
                    wconn.execute(_collect(db.dialect, True, _rates()), params)

            list(_in_parallel(collect, _split(lo or 0, hi or 0, workers), workers))
        conn.execute(update(_RUN).where(_RUN.c.id == run_id).values(collected_at=utcnow()))


def _split(lo: int, hi: int, parts: int) -> list[tuple[int, int]]:
    """lo..hi in `parts` consecutive ranges (fewer if there are fewer ids)."""
    size = max(1, -(-(hi - lo + 1) // parts))
    return [(start, min(hi, start + size - 1)) for start in range(lo, hi + 1, size)]


def _reserve_numbers(db: Database, run_id: int) -> None:
    """Reserve the numbers of every invoice of the run (once): each statement's is then fixed
    by its place in partner and currency order, whichever chunk or worker issues it."""
    with db.transaction() as session:
        conn = session.connection()
        run = conn.execute(select(_RUN).where(_RUN.c.id == run_id).with_for_update()).one()
        if run.first_number is not None:
            return
        statements, taxed = conn.execute(
            select(func.count(), func.count(case((_TAXED, 1)))).where(_STMT.c.run_id == run_id)
        ).one()
        year = run.run_date.year
        first = (
            next_in_sequence(session, f"partner_invoice:{year}", statements) if statements else 1
        )
        first_vat = next_in_sequence(session, f"partner_vat:{year}", taxed) if taxed else 1
        conn.execute(
            update(_RUN)
            .where(_RUN.c.id == run_id)
            .values(first_number=first, first_vat_number=first_vat)
        )


def _open_run(db: Database, period: Period, run_date: date, actor: str) -> tuple[int, bool, bool]:
    """The period's run (created on first use): (id, finished, resumed)."""
    try:
        return _open_or_create(db, period, run_date, actor)
    except IntegrityError:  # another worker created the run at the same moment: use it
        return _open_or_create(db, period, run_date, actor)


def _open_or_create(
    db: Database, period: Period, run_date: date, actor: str
) -> tuple[int, bool, bool]:
    with db.transaction() as session:
        conn = session.connection()
        row = conn.execute(select(_RUN).where(_RUN.c.period == str(period))).first()
        if row is not None:
            return int(row.id), row.finished_at is not None, True
        run_id = conn.execute(
            insert(_RUN)
            .values(
                period=str(period),
                run_date=run_date,
                started_by=actor,
                started_at=utcnow(),
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
        return int(run_id), False, False


def _invoice_chunk(
    session: Session,
    run_id: int,
    period: Period,
    lo: int,
    hi: int,
    bases: tuple[int, int],
    taxed: bool = True,
) -> tuple[int, int]:
    """Invoices, VAT/GST documents, payouts and messages for the statements of partners lo..hi
    not invoiced yet (numbered from `bases` + 1 — commission, VAT — in partner and currency
    order), and the run's counters."""
    conn = session.connection()
    chunk = {"run_id": run_id, "lo": lo, "hi": hi}
    # another runner on the same chunk waits here, then finds it invoiced
    conn.execute(select(_STMT.c.id).where(_IN_CHUNK).with_for_update(), chunk).all()
    invoices, lines, partners = conn.execute(_TO_INVOICE, chunk).one()
    if not invoices:
        return 0, 0
    run = conn.execute(select(_RUN).where(_RUN.c.id == run_id)).one()
    base, vat_base = bases
    values = chunk | {
        "base": base,
        "vat_base": vat_base,
        "period": str(period),
        "invoice_date": run.run_date,
        "due_date": due_date(run.run_date),
        "now": utcnow(),
    }
    year = run.run_date.year
    conn.execute(_issue(conn.dialect.name, year), values)
    if taxed:  # (no statement of the run carries VAT: nothing to look for)
        conn.execute(_issue_vat(conn.dialect.name, year), values)
    conn.execute(_PAY_OUT, values)
    conn.execute(_QUEUE_MESSAGES, values)
    if taxed:
        conn.execute(_QUEUE_VAT_MESSAGES, values)
    conn.execute(
        update(_RUN)
        .where(_RUN.c.id == run_id)
        .values(
            partners_done=_RUN.c.partners_done + int(partners),
            invoices_created=_RUN.c.invoices_created + int(invoices),
            lines_created=_RUN.c.lines_created + int(lines),
        )
    )
    record_event(
        session,
        actor="system:month_end",
        action="month_end.invoiced",
        subject=f"month_end:{period}",
        data={
            "partners": [lo, hi],
            "invoices": int(invoices),
            "first_number": _format_number(year, base + 1),  # of the chunk's first statement
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
