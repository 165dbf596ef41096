"""The steps of the month-end run (`month_end.run_month_end` strings them together), each in
its own transaction so that a run interrupted anywhere resumes.

First every partner's statement is written (`collect_statements`): in one transaction on SQLite;
on PostgreSQL over two connections at once, a range of partners each, while the run's row is
held (statements of an attempt that did not finish are deleted first). Every invoice number is
then reserved from the gapless sequence at once (`reserve_numbers`), each statement's fixed by
its place in partner and currency order. Then invoices, VAT/GST documents, payouts and messages
are issued a chunk of partners per transaction (`invoice_chunk`). The SQL is
`db.sql.month_end`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlalchemy import case, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from concierge_app.db.engine import Database
from concierge_app.db.parties import Partner
from concierge_app.db.partner_billing import MonthEndRun, PartnerStatement
from concierge_app.db.sql.month_end.documents import (
    IN_CHUNK,
    PARTNER_STATEMENTS,
    PAY_OUT,
    QUEUE_MESSAGES,
    QUEUE_VAT_MESSAGES,
    TAXED,
    TO_INVOICE,
    issue_invoices,
    issue_vat_documents,
)
from concierge_app.db.sql.month_end.statements import (
    UNRATED_PARTNERS,
    TaxRates,
    write_statements,
)
from concierge_app.db.types import utcnow
from concierge_app.domain.errors import DomainError
from concierge_app.domain.partner_billing import Period, due_date
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import next_in_sequence, table_of
from concierge_app.settings import get_settings

COLLECT_WORK_MEM = "64MB"  # per collecting connection: the statements' hash table in memory

T = TypeVar("T")
R = TypeVar("R")

_P, _STMT, _RUN = table_of(Partner), table_of(PartnerStatement), table_of(MonthEndRun)


def tax_rates() -> TaxRates:
    """The configured VAT/GST rates, frozen into the statements when they are written."""
    return tuple(sorted((c, r.bps) for c, r in get_settings().tax_rates.items()))


def check_rates(db: Database) -> None:
    """Refuse to run while a partner has no opening rate (nothing is written)."""
    with db.read() as session:
        codes = session.connection().execute(UNRATED_PARTNERS).scalars().all()
    if codes:
        raise DomainError(
            "No commission rate from the start for " + ", ".join(codes) + ": their "
            "reservations cannot be billed. Give each partner its opening rate, then run again."
        )


def in_parallel(work: Callable[[T], R], items: Sequence[T], workers: int) -> Iterator[R]:
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
class ToInvoice:
    first_number: int  # the run's first commission invoice number
    first_vat_number: int  # and VAT/GST document number
    taxed: bool  # some statement of the run carries VAT/GST
    partners: list[int]  # with a statement not invoiced yet, in id order
    # per such partner: (statements, taxed statements) of the run before its first
    before: dict[int, tuple[int, int]]


def still_to_invoice(db: Database, run_id: int) -> ToInvoice:
    with db.read() as session:
        conn = session.connection()
        first, first_vat = conn.execute(
            select(_RUN.c.first_number, _RUN.c.first_vat_number).where(_RUN.c.id == run_id)
        ).one()
        rows = conn.execute(PARTNER_STATEMENTS, {"run_id": run_id}).all()
    ids, before, seen, taxed_seen = [], {}, 0, 0
    for partner_id, statements, invoiced, taxed in rows:
        if invoiced < statements:
            ids.append(partner_id)
            before[partner_id] = (seen, taxed_seen)
        seen, taxed_seen = seen + statements, taxed_seen + taxed
    return ToInvoice(int(first), int(first_vat or 1), taxed_seen > 0, ids, before)


def collect_statements(db: Database, run_id: int, period: Period, workers: int) -> None:
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
            conn.execute(write_statements(db.dialect, rates=tax_rates()), window)
        else:
            with db.transaction() as other:
                other.connection().execute(delete(_STMT).where(_STMT.c.run_id == run_id))
            lo, hi = conn.execute(select(func.min(_P.c.id), func.max(_P.c.id))).one()

            def collect(bounds: tuple[int, int]) -> None:
                with db.transaction() as worker:
                    wconn = worker.connection()
                    wconn.exec_driver_sql(f"SET LOCAL work_mem = '{COLLECT_WORK_MEM}'")
                    params = window | {"p_lo": bounds[0], "p_hi": bounds[1]}
                    wconn.execute(write_statements(db.dialect, True, tax_rates()), params)

            list(in_parallel(collect, _split(lo or 0, hi or 0, workers), workers))
        conn.execute(update(_RUN).where(_RUN.c.id == run_id).values(collected_at=utcnow()))


def _split(lo: int, hi: int, parts: int) -> list[tuple[int, int]]:
    """lo..hi in `parts` consecutive ranges (fewer if there are fewer ids)."""
    size = max(1, -(-(hi - lo + 1) // parts))
    return [(start, min(hi, start + size - 1)) for start in range(lo, hi + 1, size)]


def reserve_numbers(db: Database, run_id: int) -> None:
    """Reserve the numbers of every invoice of the run (once): each statement's is then fixed
    by its place in partner and currency order, whichever chunk or worker issues it."""
    with db.transaction() as session:
        conn = session.connection()
        run = conn.execute(select(_RUN).where(_RUN.c.id == run_id).with_for_update()).one()
        if run.first_number is not None:
            return
        statements, taxed = conn.execute(
            select(func.count(), func.count(case((TAXED, 1)))).where(_STMT.c.run_id == run_id)
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


def open_run(db: Database, period: Period, run_date: date, actor: str) -> tuple[int, bool, bool]:
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


def invoice_chunk(
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
    conn.execute(select(_STMT.c.id).where(IN_CHUNK).with_for_update(), chunk).all()
    invoices, lines, partners = conn.execute(TO_INVOICE, chunk).one()
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
    conn.execute(issue_invoices(conn.dialect.name, year), values)
    if taxed:  # (no statement of the run carries VAT: nothing to look for)
        conn.execute(issue_vat_documents(conn.dialect.name, year), values)
    conn.execute(PAY_OUT, values)
    conn.execute(QUEUE_MESSAGES, values)
    if taxed:
        conn.execute(QUEUE_VAT_MESSAGES, values)
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


def partners_done(db: Database, run_id: int) -> int:
    with db.read() as session:
        return int(
            session.connection()
            .execute(select(_RUN.c.partners_done).where(_RUN.c.id == run_id))
            .scalar_one()
        )
