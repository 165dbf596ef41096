"""The month-end run: one commission invoice per partner and currency for what departed.

Stays count by check-out date, services by service date; each line of the reservation statement
carries its base, its rate (the partner's rate in force on the day the reservation was made)
and the commission (half-up, per line). The part of the commission on money the platform
collected is deducted from the partner's payout when the partner is paid out net, and the
payout (gross collected − that commission) is recorded. Where the partner's country has VAT/GST,
a VAT/GST document goes with the invoice.

The run is set-based (`db.sql.month_end`) in steps (`month_end_steps`): every partner's
statement from one pass over the month's departures, the invoice numbers reserved at once, then
invoices, payouts and "Partner Invoice Issued" messages (rendered when sent) a chunk of
partners per transaction (two chunks at once on PostgreSQL): a crash loses only the chunks in
flight, and a rerun issues the statements that have no invoice yet, under the same numbers.
Unique indexes make a second invoice for a statement, or for the same partner, period and
currency, impossible. Here too: the preview, the past runs and the schedule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update

from concierge_app.db.engine import Database
from concierge_app.db.partner_billing import MonthEndRun
from concierge_app.db.sql.month_end.statements import DEPARTED_TOTALS
from concierge_app.db.types import utcnow
from concierge_app.domain.money import Money, totals_by_currency
from concierge_app.domain.partner_billing import Period, is_run_week
from concierge_app.services.partner.billing import month_end_steps as steps
from concierge_app.services.partner.money.credit import apply_pending_credit
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import table_of
from concierge_app.services.shared.permissions import Permission, require_in

CHUNK = 500  # partners per transaction
WORKERS = 2  # connections at once on PostgreSQL

Progress = Callable[[int, int], None]  # (partners done, partners in all)

_RUN = table_of(MonthEndRun)


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
    require_in(db, actor, Permission.MONTH_END)
    workers = 1 if db.dialect == "sqlite" else max(1, workers)
    steps.check_rates(db)
    run_id, finished, resumed = steps.open_run(db, period, run_date, actor)
    if finished:
        return _summary(db, run_id, 0, 0, resumed=False, already_done=True)
    if progress:
        progress(0, 0)
    steps.collect_statements(db, run_id, period, workers)
    steps.reserve_numbers(db, run_id)
    todo = steps.still_to_invoice(db, run_id)
    ids = todo.partners
    done_before = steps.partners_done(db, run_id)
    total = done_before + len(ids)
    if progress:
        progress(done_before, total)
    batches = [ids[start : start + chunk] for start in range(0, len(ids), chunk)]

    def issue(batch: list[int]) -> tuple[int, int, int]:
        statements, taxed = todo.before[batch[0]]
        bases = (todo.first_number - 1 + statements, todo.first_vat_number - 1 + taxed)
        with db.transaction() as session:
            made, copied = steps.invoice_chunk(
                session, run_id, period, batch[0], batch[-1], bases, todo.taxed
            )
        return made, copied, len(batch)

    created = lines = done = 0
    for made, copied, partners in steps.in_parallel(issue, batches, workers):
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
        totals = conn.execute(DEPARTED_TOTALS, window).all()
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
