"""Ledger benchmark: write throughput of the billing services and the cost of the read models.

    .venv/bin/python -m bench.ledger_bench [--backend sqlite|postgres|both] [--quick]

Each backend gets a fresh, migrated database (a SQLite file in a temporary directory; a
throwaway PostgreSQL database, created and dropped here). It measures:

1. portfolio.confirm_service: N confirmations, one transaction each, every one adding a line
   to its booking's draft (50 services per booking, then the next booking).
2. invoicing.send_invoice: N drafts of 3 lines sent (gapless number, lock, Invoice Sent
   rendered into the outbox, hash-chained audit event). Both are compared with a baseline
   measured in the same run: one minimal write transaction through Database.transaction().
3. The SQL statements (counted with a `before_cursor_execute` listener on db.engine) and the
   wall-clock time of queries.payments_panel for 1, 10 and 50 invoices of 20 lines, and of
   queries.trip_portfolio for 5 services / 2 invoices and 50 services / 20 invoices.

The figures are printed, not asserted. The process fails (exit 1) only when a service returns
a wrong result (wrong draft, total, number sequence, outbox, audit chain or read model).
Setup rows (bookings, services, drafts, sent invoices for the read models) are inserted
directly through the SQLModel tables: they are not measured.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import os
import platform
import pstats
import sqlite3
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from time import perf_counter
from typing import Any

import sqlalchemy
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from sqlalchemy import event, func, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

import concierge_app.db.tables  # noqa: F401  (registers every table)
from bench.common import (
    PG_ADMIN_URL,
    bench_staff,
    postgres_database,
    postgres_info,
    sqlite_database,
    table,
)
from bench.result import print_result
from concierge_app.cli import run_migrations
from concierge_app.db.bookings import Booking, ServiceItem
from concierge_app.db.engine import Database
from concierge_app.db.invoicing import GuestInvoice, InvoiceLine, NumberSequence
from concierge_app.db.messaging import OutboxMessage
from concierge_app.db.types import utcnow
from concierge_app.domain.lifecycle import InvoiceStatus, ServiceLifecycle
from concierge_app.domain.money import Money
from concierge_app.domain.statuses import LineKind
from concierge_app.domain.strategies import PaymentStrategy
from concierge_app.services.guest import bookings, invoicing, portfolio, queries
from concierge_app.services.partner import accounts as partners
from concierge_app.services.shared.audit import verify_chain
from concierge_app.services.shared.common import next_in_sequence

ACTOR = "bench@concierge.test"
CURRENCY = "EUR"
TARGET_OPS = 1_000  # the target, on SQLite
TARGET_OPS_PG = 500  # issue 19, on PostgreSQL
TARGET_STATEMENTS = 6  # issue 19: statements per operation (SQLite counts include the BEGIN)
SERVICES_PER_BOOKING = 50  # confirm_service: then the next booking
LINES_PER_DRAFT = 3  # send_invoice: "a draft of a few lines"
WARMUP = 5  # untimed operations before each timed loop (statement caches, pool)
PANEL_SIZES = (1, 10, 50)  # invoices on the booking
LINES_PER_INVOICE = 20
PORTFOLIO_SIZES = ((5, 2), (50, 20))  # (services, invoices)
BASELINE_SEQUENCE = "bench:baseline"


# -- measuring -------------------------------------------------------------------------------


class StatementCounter:
    """Counts the statements sent to the database (and the time spent in cursor.execute)."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        self.sql_seconds = 0.0
        self.captured: list[str] | None = None
        self._started = 0.0
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.count += 1
        if self.captured is not None:
            self.captured.append(" ".join(statement.split()))
        self._started = perf_counter()

    def _after(self, *_args: Any) -> None:
        self.sql_seconds += perf_counter() - self._started


@dataclass
class Throughput:
    name: str
    n: int
    seconds: float
    latencies: list[float]
    statements: int
    sql_text: list[str] = field(default_factory=list)  # the statements of the first operation

    @property
    def ops_per_s(self) -> float:
        return self.n / self.seconds

    @property
    def stmts_per_op(self) -> float:
        return self.statements / self.n

    def ms(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class Load:
    name: str
    size: str
    statements: list[int]  # per measured call
    seconds: list[float]
    sql_seconds: list[float]
    sql_text: list[str]

    @property
    def stmt_label(self) -> str:
        lo, hi = min(self.statements), max(self.statements)
        return str(lo) if lo == hi else f"{lo}..{hi}"


@dataclass
class Report:
    backend: str
    where: str
    throughput: list[Throughput] = field(default_factory=list)
    loads: list[Load] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    profiles: list[tuple[str, str]] = field(default_factory=list)


class Checks:
    """Wrong results found (they fail the process); figures never do."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def expect(self, ok: bool, message: str) -> bool:
        if not ok:
            self.problems.append(message)
        return ok


def timed_loop(
    progress: Progress,
    label: str,
    items: Sequence[Any],
    call: Callable[[Any], Any],
    counter: StatementCounter,
    profiler: cProfile.Profile | None = None,
) -> tuple[Throughput, list[Any]]:
    task = progress.add_task(label, total=len(items))
    results: list[Any] = []
    latencies: list[float] = []
    first_sql: list[str] = []
    before = counter.count
    if profiler is not None:
        profiler.enable()
    start = perf_counter()
    for i, item in enumerate(items, 1):
        counter.captured = first_sql if i == 1 else None
        t0 = perf_counter()
        results.append(call(item))
        latencies.append(perf_counter() - t0)
        if i % 25 == 0:
            progress.advance(task, 25)
    elapsed = perf_counter() - start
    if profiler is not None:
        profiler.disable()
    counter.captured = None
    progress.update(task, completed=len(items))
    result = Throughput(label, len(items), elapsed, latencies, counter.count - before, first_sql)
    return result, results


def measure_load(
    name: str,
    size: str,
    call: Callable[[], Any],
    counter: StatementCounter,
    repeats: int,
) -> tuple[Load, Any]:
    call()  # warm-up: compiled-statement cache, pooled connection
    load = Load(name, size, [], [], [], [])
    result = None
    for i in range(repeats):
        counter.captured = load.sql_text if i == 0 else None
        c0, s0 = counter.count, counter.sql_seconds
        t0 = perf_counter()
        result = call()
        load.seconds.append(perf_counter() - t0)
        load.statements.append(counter.count - c0)
        load.sql_seconds.append(counter.sql_seconds - s0)
    counter.captured = None
    return load, result


# -- setup (not measured) --------------------------------------------------------------------


class Fixture:
    """Partners and a guest made through the services; bulk rows inserted through the tables."""

    def __init__(self, db: Database) -> None:
        self.db = db
        bench_staff(db, ACTOR)
        self._refs = itertools.count(1)
        self.property_id = partners.create_partner(
            db=db,
            code="BENCH-PRP",
            name="Bench Villa",
            kind="property",
            category="villa",
            country="ES",
            currency=CURRENCY,
            commission_rate_bps=1500,
            finance_email="villa@bench.test",
            actor=ACTOR,
        )
        self.operator_id = partners.create_partner(
            db=db,
            code="BENCH-OPR",
            name="Bench Sailing",
            kind="operator",
            category="sailing tour",
            country="ES",
            currency=CURRENCY,
            commission_rate_bps=1000,
            finance_email="sailing@bench.test",
            actor=ACTOR,
        )
        self.guest_id = bookings.create_guest(db=db, name="Bench Guest", email="guest@bench.test")

    def add_bookings(self, session: Session, count: int, prefix: str) -> list[int]:
        rows = [
            Booking(
                reference=f"{prefix}-{next(self._refs):06d}",
                guest_id=self.guest_id,
                property_id=self.property_id,
                check_in=date(2026, 7, 1),
                check_out=date(2026, 7, 8),
                currency=CURRENCY,
                accommodation_total_minor=250_000,
            )
            for _ in range(count)
        ]
        session.add_all(rows)
        session.flush()
        return [b.id for b in rows if b.id is not None]

    def add_services(
        self,
        session: Session,
        booking_id: int,
        grosses: Sequence[int],
        *,
        strategy: PaymentStrategy = PaymentStrategy.PLATFORM_COLLECTS_FULL,
        confirmed: bool,
        deposit: int | None = None,
    ) -> list[ServiceItem]:
        now = utcnow()
        rows = [
            ServiceItem(
                booking_id=booking_id,
                operator_id=self.operator_id,
                title=f"Sunset sailing #{i + 1}",
                service_date=date(2026, 7, 2) + timedelta(days=i % 6),
                currency=CURRENCY,
                gross_minor=gross,
                deposit_minor=deposit,
                strategy=strategy.value,
                lifecycle=(
                    ServiceLifecycle.CONFIRMED if confirmed else ServiceLifecycle.DRAFT
                ).value,
                confirmed_at=now if confirmed else None,
            )
            for i, gross in enumerate(grosses)
        ]
        session.add_all(rows)
        session.flush()
        return rows

    def add_invoice(
        self,
        session: Session,
        booking_id: int,
        billed: Sequence[tuple[ServiceItem, int, LineKind]],
        *,
        active: bool,
    ) -> GuestInvoice:
        """A draft, or an Active invoice numbered from the real gapless sequence."""
        now = utcnow()
        invoice = GuestInvoice(
            booking_id=booking_id,
            currency=CURRENCY,
            total_minor=sum(amount for _, amount, _ in billed),
        )
        if active:
            seq = next_in_sequence(session, f"guest_invoice:{now.year}")
            invoice.status, invoice.number = InvoiceStatus.ACTIVE.value, f"CI-{now.year}-{seq:05d}"
            invoice.issued_at = now
        session.add(invoice)
        session.flush()
        assert invoice.id is not None
        session.add_all(
            InvoiceLine(
                invoice_id=invoice.id,
                service_item_id=svc.id,
                description=svc.title,
                kind=kind.value,
                amount_minor=amount,
                currency=CURRENCY,
            )
            for svc, amount, kind in billed
        )
        session.flush()
        return invoice


def gross_of(i: int) -> int:
    return 9_500 + (i % 37) * 250  # €95.00 … €185.00


# -- the benchmarks --------------------------------------------------------------------------


def bench_baseline(
    db: Database, progress: Progress, counter: StatementCounter, n: int, checks: Checks
) -> Throughput:
    """The floor: one minimal write transaction (one UPDATE) through Database.transaction()."""
    with db.transaction() as s:
        s.add(NumberSequence(name=BASELINE_SEQUENCE, last_value=0))
    stmt = text("UPDATE number_sequence SET last_value = last_value + 1 WHERE name = :name")

    def one(_: int) -> None:
        with db.transaction() as s:
            s.execute(stmt, {"name": BASELINE_SEQUENCE})

    for i in range(WARMUP):
        one(i)
    result, _ = timed_loop(progress, "baseline: bare write transaction", range(n), one, counter)
    result.name = "baseline: 1-UPDATE write txn"
    with db.read() as s:
        last = s.get(NumberSequence, BASELINE_SEQUENCE)
    checks.expect(
        last is not None and last.last_value == n + WARMUP,
        f"baseline: sequence at {last and last.last_value}, expected {n + WARMUP}",
    )
    return result


def bench_confirm(
    fx: Fixture,
    progress: Progress,
    counter: StatementCounter,
    n: int,
    checks: Checks,
    profiler: cProfile.Profile | None,
) -> Throughput:
    db = fx.db
    setup = progress.add_task(f"setup: {n} draft services", total=n + WARMUP)
    booking_of: dict[int, int] = {}
    gross: dict[int, int] = {}
    with db.transaction() as s:
        (warm_booking,) = fx.add_bookings(s, 1, "BENCH-W")
        warm = [x.id for x in fx.add_services(s, warm_booking, [10_000] * WARMUP, confirmed=False)]
        progress.advance(setup, WARMUP)
        for start in range(0, n, SERVICES_PER_BOOKING):
            (bid,) = fx.add_bookings(s, 1, "BENCH-C")
            amounts = [gross_of(i) for i in range(start, min(n, start + SERVICES_PER_BOOKING))]
            for svc, amount in zip(
                fx.add_services(s, bid, amounts, confirmed=False), amounts, strict=True
            ):
                assert svc.id is not None
                booking_of[svc.id], gross[svc.id] = bid, amount
            progress.advance(setup, len(amounts))

    def confirm(service_id: int) -> portfolio.Confirmation:
        return portfolio.confirm_service(db=db, service_id=service_id, actor=ACTOR)

    for sid in warm:
        confirm(sid)
    ids = list(booking_of)  # in creation order: 50 for one booking, then the next
    result, confirmations = timed_loop(
        progress, "portfolio.confirm_service", ids, confirm, counter, profiler
    )
    result.name = "portfolio.confirm_service"

    draft_of: dict[int, int] = {}
    for c in confirmations:
        bid = booking_of[c.service_id]
        checks.expect(c.invoice_id is not None, f"confirm {c.service_id}: no draft")
        checks.expect(
            draft_of.setdefault(bid, c.invoice_id) == c.invoice_id,
            f"confirm {c.service_id}: line went to a second draft",
        )
        checks.expect(
            c.billed == Money(gross[c.service_id], CURRENCY),
            f"confirm {c.service_id}: billed {c.billed}",
        )
    expected: dict[int, tuple[int, int]] = {}
    for sid, bid in booking_of.items():
        lines, total = expected.get(bid, (0, 0))
        expected[bid] = (lines + 1, total + gross[sid])
    with db.read() as s:
        rows = s.exec(
            select(
                GuestInvoice.booking_id,
                GuestInvoice.total_minor,
                func.count(col(InvoiceLine.id)),
                func.sum(InvoiceLine.amount_minor),
            )
            .join(InvoiceLine, col(InvoiceLine.invoice_id) == GuestInvoice.id)
            .where(
                GuestInvoice.status == InvoiceStatus.DRAFT,
                col(GuestInvoice.booking_id).in_(list(expected)),
            )
            .group_by(
                col(GuestInvoice.id), col(GuestInvoice.booking_id), col(GuestInvoice.total_minor)
            )
        ).all()
    found = {
        bid: (int(count), int(total))
        for bid, total, count, line_sum in rows
        if checks.expect(
            total == line_sum, f"draft of booking {bid}: total {total} but lines sum to {line_sum}"
        )
    }
    checks.expect(found == expected, "confirm: drafts do not hold exactly the confirmed lines")
    return result


def bench_send(
    fx: Fixture,
    progress: Progress,
    counter: StatementCounter,
    n: int,
    checks: Checks,
    profiler: cProfile.Profile | None,
) -> Throughput:
    db = fx.db
    count = n + WARMUP
    setup = progress.add_task(f"setup: {n} drafts of {LINES_PER_DRAFT} lines", total=count)
    drafts: list[tuple[int, int]] = []  # (invoice id, total)
    with db.transaction() as s:
        for start in range(0, count, 250):
            ids = fx.add_bookings(s, min(250, count - start), "BENCH-S")
            for k, bid in enumerate(ids):
                amounts = [gross_of(start + k + j) for j in range(LINES_PER_DRAFT)]
                services = fx.add_services(s, bid, amounts, confirmed=True)
                inv = fx.add_invoice(
                    s,
                    bid,
                    [(svc, svc.gross_minor, LineKind.FULL) for svc in services],
                    active=False,
                )
                assert inv.id is not None
                drafts.append((inv.id, inv.total_minor))
            progress.advance(setup, len(ids))

    def send(invoice_id: int) -> invoicing.SentInvoice:
        return invoicing.send_invoice(db=db, invoice_id=invoice_id, actor=ACTOR)

    for inv_id, _ in drafts[:WARMUP]:
        send(inv_id)
    timed = drafts[WARMUP:]
    result, sent = timed_loop(
        progress, "invoicing.send_invoice", [i for i, _ in timed], send, counter, profiler
    )
    result.name = "invoicing.send_invoice"

    numbers = [int(x.number.rsplit("-", 1)[1]) for x in sent]
    checks.expect(
        numbers == list(range(numbers[0], numbers[0] + len(numbers))),
        "send: invoice numbers are not gapless and in order",
    )
    for x, (inv_id, total) in zip(sent, timed, strict=True):
        checks.expect(
            x.invoice_id == inv_id and x.total == Money(total, CURRENCY), f"send {inv_id}: got {x}"
        )
        checks.expect(x.message_queued, f"send {inv_id}: Invoice Sent not queued")
    with db.read() as s:
        queued = s.exec(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.template_key == "invoice_sent")
        ).one()
        active = s.exec(
            select(func.count())
            .select_from(GuestInvoice)
            .where(GuestInvoice.status == InvoiceStatus.ACTIVE)
        ).one()
    checks.expect(queued == count, f"send: {queued} Invoice Sent messages, expected {count}")
    checks.expect(active == count, f"send: {active} Active invoices, expected {count}")
    return result


def bench_payments_panel(
    fx: Fixture, counter: StatementCounter, repeats: int, checks: Checks
) -> list[Load]:
    db = fx.db
    built: list[tuple[int, int, int]] = []  # (invoices, booking id, total)
    with db.transaction() as s:
        for k in PANEL_SIZES:
            (bid,) = fx.add_bookings(s, 1, "BENCH-P")
            services = fx.add_services(
                s, bid, [gross_of(i) for i in range(k * LINES_PER_INVOICE)], confirmed=True
            )
            total = 0
            for j in range(k):
                chunk = services[j * LINES_PER_INVOICE : (j + 1) * LINES_PER_INVOICE]
                inv = fx.add_invoice(
                    s, bid, [(svc, svc.gross_minor, LineKind.FULL) for svc in chunk], active=True
                )
                total += inv.total_minor
            built.append((k, bid, total))
    loads = []
    for k, bid, total in built:
        size = f"{k} invoice{'s' if k > 1 else ''} x {LINES_PER_INVOICE} lines"
        load, panel = measure_load(
            "queries.payments_panel",
            size,
            lambda bid=bid: queries.payments_panel(db=db, booking_id=bid),
            counter,
            repeats,
        )
        loads.append(load)
        ok = (
            len(panel.invoices) == k
            and all(len(v.lines) == LINES_PER_INVOICE for v in panel.invoices)
            and all(v.status is InvoiceStatus.ACTIVE and v.number for v in panel.invoices)
            and panel.totals.outstanding_concierge == Money(total, CURRENCY)
        )
        checks.expect(ok, f"payments_panel ({size}): wrong invoices, lines or totals")
    return loads


def bench_trip_portfolio(
    fx: Fixture, counter: StatementCounter, repeats: int, checks: Checks
) -> list[Load]:
    """Per size: services billed two per Active invoice (full and deposit strategies), the
    rest split between unconfirmed drafts and Operator Collects Full."""
    db = fx.db
    built = []
    with db.transaction() as s:
        for n_services, n_invoices in PORTFOLIO_SIZES:
            (bid,) = fx.add_bookings(s, 1, "BENCH-T")
            billed_count = 2 * n_invoices
            rest = n_services - billed_count
            full = fx.add_services(
                s, bid, [gross_of(i) for i in range(0, billed_count, 2)], confirmed=True
            )
            dep = fx.add_services(
                s,
                bid,
                [20_000] * n_invoices,
                confirmed=True,
                deposit=5_000,
                strategy=PaymentStrategy.PLATFORM_COLLECTS_DEPOSIT,
            )
            drafts = fx.add_services(s, bid, [7_000] * (rest // 2), confirmed=False)
            operator = fx.add_services(
                s,
                bid,
                [12_000] * (rest - rest // 2),
                confirmed=True,
                strategy=PaymentStrategy.OPERATOR_COLLECTS_FULL,
            )
            expected: dict[int, tuple[int | None, str | None]] = {}
            for f, d in zip(full, dep, strict=True):
                inv = fx.add_invoice(
                    s,
                    bid,
                    [(f, f.gross_minor, LineKind.FULL), (d, 5_000, LineKind.DEPOSIT)],
                    active=True,
                )
                expected[f.id or 0] = (f.gross_minor, inv.number)
                expected[d.id or 0] = (5_000, inv.number)
            for svc in [*drafts, *operator]:
                expected[svc.id or 0] = (None, None)
            built.append((n_services, n_invoices, bid, expected))
    loads = []
    for n_services, n_invoices, bid, expected in built:
        size = f"{n_services} services, {n_invoices} invoices"
        load, views = measure_load(
            "queries.trip_portfolio",
            size,
            lambda bid=bid: queries.trip_portfolio(db=db, booking_id=bid),
            counter,
            repeats,
        )
        loads.append(load)
        got = {
            v.id: (None if v.billed is None else v.billed.minor, v.invoice_number) for v in views
        }
        checks.expect(got == expected, f"trip_portfolio ({size}): wrong services or lines")
        # The booking page's whole server-side read (issue 3): overview, portfolio, payments.
        load, page = measure_load(
            "queries.booking_page",
            size,
            lambda bid=bid: queries.booking_page(db=db, booking_id=bid),
            counter,
            repeats,
        )
        loads.append(load)
        checks.expect(
            len(page.services) == n_services and len(page.panel.invoices) == n_invoices,
            f"booking_page ({size}): wrong services or invoices",
        )
    return loads


def run_backend(
    backend: str, url: str, where: str, args: argparse.Namespace, checks: Checks
) -> Report:
    report = Report(backend, where)
    progress = Progress(
        SpinnerColumn(),
        TextColumn(f"[bold]{backend:8}[/bold] {{task.description:40}}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    with progress:
        task = progress.add_task("migrating a fresh database", total=None)
        run_migrations(url)
        progress.update(task, total=1, completed=1)
        db = Database(url)
        try:
            counter = StatementCounter(db.engine)
            fx = Fixture(db)
            checks_before = len(checks.problems)
            report.throughput.append(bench_baseline(db, progress, counter, args.n, checks))
            profiles = {}
            for name, bench in (("confirm_service", bench_confirm), ("send_invoice", bench_send)):
                profiler = cProfile.Profile() if args.profile else None
                report.throughput.append(bench(fx, progress, counter, args.n, checks, profiler))
                if profiler is not None:
                    profiles[name] = profiler
            task = progress.add_task("read models", total=None)
            report.loads += bench_payments_panel(fx, counter, args.repeats, checks)
            report.loads += bench_trip_portfolio(fx, counter, args.repeats, checks)
            progress.update(task, total=1, completed=1)
            task = progress.add_task("verifying the audit chain", total=None)
            chain = verify_chain(db=db)
            progress.update(task, total=1, completed=1)
            checks.expect(chain.ok, f"{backend}: audit chain broken: {chain}")
            report.notes.append(
                f"audit chain verified: {chain.events_checked} events, "
                + ("intact" if chain.ok else f"BROKEN ({chain.problem})")
            )
            if len(checks.problems) > checks_before:
                report.notes.append(f"{len(checks.problems) - checks_before} WRONG RESULT(S)")
            for name, profiler in profiles.items():
                buf = io.StringIO()
                stats = pstats.Stats(profiler, stream=buf)
                stats.sort_stats("cumulative").print_stats(args.profile_top)
                report.profiles.append((name, buf.getvalue()))
        finally:
            db.dispose()
    return report


# -- backends --------------------------------------------------------------------------------


# -- printing --------------------------------------------------------------------------------


def print_context(args: argparse.Namespace, pg: dict[str, str] | None) -> None:
    cpu = (
        next(
            (
                ln.split(":", 1)[1].strip()
                for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")
            ),
            platform.processor() or "unknown CPU",
        )
        if Path("/proc/cpuinfo").exists()
        else (platform.processor() or "unknown CPU")
    )
    try:
        import psycopg

        psycopg_version = psycopg.__version__
    except ImportError:  # pragma: no cover
        psycopg_version = "not installed"
    print("Concierge ledger benchmark")
    print(
        f"  Python      {platform.python_implementation()} {platform.python_version()} "
        f"on {platform.platform()}"
    )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    print(f"  CPU         {os.cpu_count()} logical cores, {cpu}; load average {load} at start")
    print(
        f"  SQLite      {sqlite3.sqlite_version} (library used by the sqlite3 module); "
        "WAL, synchronous=NORMAL, BEGIN IMMEDIATE for writes (Database defaults)"
    )
    print(f"  Drivers     SQLAlchemy {sqlalchemy.__version__}, psycopg {psycopg_version}")
    if args.backend in ("postgres", "both"):
        if pg:
            print(
                f"  PostgreSQL  {pg['server_version']} at {PG_ADMIN_URL.split('@')[-1]} "
                f"(synchronous_commit={pg['synchronous_commit']}, fsync={pg['fsync']}, "
                f"shared_buffers={pg['shared_buffers']})"
            )
        else:
            print(f"  PostgreSQL  unreachable at {PG_ADMIN_URL.split('@')[-1]}")
    print(f"  Backend     {args.backend}")
    print(
        f"  Run         N = {args.n} operations per throughput benchmark "
        f"(+{WARMUP} untimed warm-up), {args.repeats} loads per read model"
        f"{' (--quick)' if args.quick else ''}{' (under cProfile)' if args.profile else ''}"
    )


def print_report(report: Report) -> None:
    print()
    print(f"== {report.backend}: {report.where} ==")
    print()
    print("Write throughput (one operation = one transaction through Database.transaction())")
    base = report.throughput[0]
    rows = []
    for t in report.throughput:
        is_base = t is base
        if is_base or report.backend != "sqlite":
            target = "-"
        else:
            verdict = "met" if t.ops_per_s >= TARGET_OPS else "MISSED"
            target = f">= {TARGET_OPS:,}: {verdict}"
        rows.append(
            [
                t.name,
                f"{t.n:,}",
                f"{t.ops_per_s:,.0f}",
                f"{1000 * t.seconds / t.n:.3f}",
                f"{t.ms(0.50):.3f}",
                f"{t.ms(0.95):.3f}",
                f"{t.stmts_per_op:.2f}",
                "1.00" if is_base else f"{t.ops_per_s / base.ops_per_s:.2f}",
                "1.0x" if is_base else f"{base.ops_per_s / t.ops_per_s:.1f}x",
                target,
            ]
        )
    print(
        table(
            [
                "operation",
                "N",
                "ops/s",
                "mean ms",
                "p50 ms",
                "p95 ms",
                "SQL stmts/op",
                "ops/s vs base",
                "cost vs base",
                "target (SQLite)",
            ],
            rows,
            right={1, 2, 3, 4, 5, 6, 7, 8},
        )
    )
    print()
    print(
        "Read models (statements counted by a before_cursor_execute listener on db.engine; "
        "ms = wall-clock per call in this process)"
    )
    print(
        table(
            [
                "read model",
                "data on the booking",
                "SQL statements",
                "ms median",
                "ms p95",
                "ms in cursor.execute (median)",
            ],
            [
                [
                    ld.name,
                    ld.size,
                    ld.stmt_label,
                    f"{1000 * statistics.median(ld.seconds):.2f}",
                    f"{1000 * sorted(ld.seconds)[int(0.95 * (len(ld.seconds) - 1))]:.2f}",
                    f"{1000 * statistics.median(ld.sql_seconds):.2f}",
                ]
                for ld in report.loads
            ],
            right={2, 3, 4, 5},
        )
    )
    for name in dict.fromkeys(ld.name for ld in report.loads):
        group = [ld for ld in report.loads if ld.name == name]
        counts = sorted({c for ld in group for c in ld.statements})
        sizes = " / ".join(ld.size.split(",")[0].split(" x ")[0] for ld in group)
        if len(counts) == 1:
            print(f"  {name}: {counts[0]} statements for {sizes}: equal (no N+1)")
        else:
            print(
                f"  {name}: statements differ for {sizes} ({', '.join(map(str, counts))}): "
                "N+1 - grows with the data"
            )
    pages = [ld for ld in report.loads if ld.name == "queries.booking_page"]
    if pages:
        slowest = max(statistics.median(ld.seconds) for ld in pages) * 1000
        verdict = "met" if slowest < 300 else "MISSED"
        print(
            f"  queries.booking_page: slowest median {slowest:.1f} ms (target < 300 ms: {verdict})"
        )
    if report.backend == "sqlite":
        print("  (SQLite counts include the BEGIN that Database emits itself.)")
    for note in report.notes:
        print(f"  {note}")


def print_results(reports: Sequence[Report]) -> None:
    """One RESULT line per figure of issue 19 (bench/result.py): throughput of the two write
    operations on each backend, and their statements per operation on SQLite."""
    print()
    for report in reports:
        for t in report.throughput[1:]:
            name = f"ledger_{report.backend}_{t.name.split('.')[-1]}"
            if report.backend == "sqlite":
                print_result(f"{name}_ops_per_s", t.ops_per_s, f">= {TARGET_OPS}")
                print_result(f"{name}_statements", t.stmts_per_op, f"<= {TARGET_STATEMENTS}")
            else:
                print_result(f"{name}_ops_per_s", t.ops_per_s, f">= {TARGET_OPS_PG}")


def print_sql(report: Report) -> None:
    sections = [(f"{t.name} (first timed operation)", t.sql_text) for t in report.throughput]
    sections += [(f"{ld.name} ({ld.size})", ld.sql_text) for ld in report.loads]
    for title, statements in sections:
        print()
        print(f"-- {report.backend}: {title}: {len(statements)} statements")
        for i, sql in enumerate(statements, 1):
            print(f"{i:3}. {sql[:240]}{'...' if len(sql) > 240 else ''}")


# -- main ------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.ledger_bench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--quick", action="store_true", help="small N (200): a few seconds")
    parser.add_argument(
        "-n",
        type=int,
        help="operations per throughput benchmark (default 2000, or 200 with --quick)",
    )
    parser.add_argument(
        "--repeats", type=int, help="timed loads per read model (default 30, or 10 with --quick)"
    )
    parser.add_argument(
        "--show-sql",
        action="store_true",
        help="print the statements of the first timed operation of each write benchmark "
        "and of one load of each read model",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="run the confirm/send loops under cProfile and print the top "
        "functions (the timings are then inflated)",
    )
    parser.add_argument("--profile-top", type=int, default=30, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.n = args.n or (200 if args.quick else 2_000)
    args.repeats = args.repeats or (10 if args.quick else 30)
    if args.n < 1 or args.repeats < 1:
        parser.error("-n and --repeats must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    pg_info, pg_problem = postgres_info() if args.backend in ("postgres", "both") else (None, None)
    print_context(args, pg_info)
    checks = Checks()
    reports = []
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    for backend in backends:
        if backend == "postgres" and pg_info is None:
            print()
            print(
                f"== postgres: SKIPPED - {PG_ADMIN_URL.split('@')[-1]} is not reachable "
                f"({pg_problem}) =="
            )
            continue
        source = sqlite_database if backend == "sqlite" else postgres_database
        with source() as (url, where):
            report = run_backend(backend, url, where, args, checks)
        print_report(report)
        sys.stdout.flush()
        reports.append(report)
    for report in reports:
        if args.show_sql:
            print_sql(report)
        for name, text_ in report.profiles:
            print()
            print(
                f"-- {report.backend}: cProfile of the {name} loop (top {args.profile_top}, "
                "by cumulative time)"
            )
            print(text_.strip())
    print_results(reports)
    if checks.problems:
        print()
        print(f"WRONG RESULTS ({len(checks.problems)}):")
        for problem in checks.problems[:50]:
            print(f"  - {problem}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
