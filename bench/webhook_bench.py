"""Webhook benchmark: signed `checkout.session.completed` events through the real ASGI app.

    .venv/bin/python -m bench.webhook_bench [--quick] [--events N] [--profile] [--show-sql]

The target (product issue): "Signed `checkout.session.completed` events for a Pay All of 10
invoices through the real ASGI app on SQLite: >= 300 events/s and p99 < 50 ms; duplicates
cost less than first deliveries."

A fresh, migrated SQLite file in a temporary directory becomes the app's database: the script
sets DATABASE_URL and clears the `get_settings` / `get_database` caches, so the endpoint
(`concierge_app.api.api`, `POST /api/stripe/webhook`) reads exactly what it reads in
production. Stripe's keys are removed from the environment: the sandbox's secret signs the
events (`stripe.WebhookSignature.generate_signature_header`, as Stripe signs them). Requests go
through `httpx.AsyncClient(transport=httpx.ASGITransport(app=api))`: the real Starlette app
in-process, with no network in between.

Setup (not measured): N bookings made through the services, each with 10 Active invoices of
2 confirmed *Platform Collects Full* services, and one payment attempt for the 10 invoices
(`checkout.start_payment_attempt`): a Pay All. It measures, in this order:

0. Baselines: a bare write transaction (1 UPDATE through `Database.transaction()`), and the
   endpoint's floor: a validly signed event of a type the app ignores (`customer.created`),
   which is verified, looked up in the event store and answered.
1. First deliveries: one event per attempt, sequentially (one request after the other, the
   honest measure for SQLite's single writer); each pays 10 invoices.
2. Duplicates: the same events again (re-signed, as Stripe re-signs its retries).
3. The same two with 4 concurrent clients (asyncio.gather), on a second set of attempts.
4. Statements per request, counted by a `before_cursor_execute` listener on the engine of
   the Database the app uses (sequential runs only).

The figures are printed and compared with the target, not asserted. The process fails
(exit 1) only on a wrong result: a non-200 answer or an unexpected outcome, an invoice not
Paid after its event, a missing or doubled Payment Received message, a ProviderEvent row
missing or stored by a duplicate / ignored event, or any row of any table changed by the
duplicates.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import hashlib
import io
import json
import os
import platform
import pstats
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from time import perf_counter
from typing import Any

import httpx
import sqlalchemy
import starlette
import stripe
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
from sqlmodel import SQLModel, col, select

import concierge_app.db.tables  # noqa: F401  (registers every table)
from bench.common import (
    PG_ADMIN_URL,
    bench_staff,
    cpu_name,
    postgres_database,
    postgres_info,
    sqlite_database,
    table,
)
from bench.result import print_result
from concierge_app.adapters.payments.configured import provider_name, webhook_secret
from concierge_app.api import api
from concierge_app.cli import run_migrations
from concierge_app.db.engine import Database, get_database
from concierge_app.db.invoicing import GuestInvoice, NumberSequence
from concierge_app.db.messaging import OutboxMessage
from concierge_app.db.payments import Commission, PaymentAttempt, ProviderEvent
from concierge_app.domain.checkout import CheckoutStatus
from concierge_app.domain.lifecycle import InvoiceStatus
from concierge_app.domain.money import Money
from concierge_app.domain.strategies import PaymentStrategy
from concierge_app.services.guest import bookings, invoicing, portfolio
from concierge_app.services.partner import accounts as partners
from concierge_app.services.payments import checkout
from concierge_app.services.payments.checkout import AttemptView, EventOutcome
from concierge_app.settings import get_settings

ACTOR = "bench@concierge.test"
CURRENCY = "EUR"
URL = "/api/stripe/webhook"
INVOICES_PER_ATTEMPT = 10  # a Pay All of 10 invoices (the case)
TARGET_EVENTS_PER_S = 300
TARGET_P99_MS = 50.0
WARMUP = 5  # untimed requests before each timed loop
CONCURRENT_CLIENTS = 4
SIGN_CHUNK = 1_000  # events signed at a time (untimed): signatures are valid for 300 s
BASELINE_SEQUENCE = "bench:webhook-baseline"
FLOOR_OUTCOME = "customer.created is not handled (ignored)"
BACKEND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
STRIPE_ENV = ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE")


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
class Run:
    name: str
    n: int
    seconds: float
    latencies: list[float]
    statements: int | None = None  # None: not counted (concurrent runs)
    sql_seconds: float | None = None
    sql_text: list[str] = field(default_factory=list)  # the statements of the first request

    @property
    def per_s(self) -> float:
        return self.n / self.seconds

    @property
    def mean_ms(self) -> float:
        """Mean latency (with concurrent clients, more than wall-clock time / N)."""
        return 1000 * statistics.fmean(self.latencies)

    @property
    def stmts(self) -> float | None:
        return None if self.statements is None else self.statements / self.n

    def ms(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Checks:
    """Wrong results found (they fail the process); figures never do."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def expect(self, ok: bool, message: str) -> bool:
        if not ok:
            self.problems.append(message)
        return ok


Signed = tuple[bytes, str]  # (raw body, Stripe-Signature header)


def checkout_event(attempt: AttemptView, *, delivery: str) -> dict[str, Any]:
    """The `checkout.session.completed` event Stripe sends when the Pay All is paid."""
    return {
        "id": f"evt_bench_{delivery}_{attempt.id}",
        "object": "event",
        "api_version": "2024-06-20",
        "type": "checkout.session.completed",
        "created": int(time.time()),
        "livemode": False,
        "data": {
            "object": {
                "id": f"cs_bench_{attempt.id}",
                "object": "checkout.session",
                "mode": "payment",
                "amount_total": attempt.amount.minor,
                "currency": attempt.amount.currency.lower(),
                "client_reference_id": attempt.id,
                "metadata": {"attempt_id": attempt.id},
                "payment_intent": f"pi_bench_{attempt.id}",
                "payment_status": "paid",
                "status": "complete",
            }
        },
    }


def ignored_event(i: int) -> dict[str, Any]:
    """A validly signed event of a type the app does not handle: the endpoint's floor."""
    return {
        "id": f"evt_bench_floor_{i:07d}",
        "object": "event",
        "type": "customer.created",
        "created": int(time.time()),
        "data": {"object": {"id": f"cus_bench_{i:07d}", "object": "customer"}},
    }


def sign(events: Sequence[dict[str, Any]]) -> list[Signed]:
    secret = webhook_secret()
    out = []
    for ev in events:
        body = json.dumps(ev)
        out.append((body.encode(), stripe.WebhookSignature.generate_signature_header(body, secret)))
    return out


def new_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://bench.test")


async def post(client: httpx.AsyncClient, signed: Signed) -> tuple[int, str]:
    body, header = signed
    response = await client.post(
        URL, content=body, headers={"Stripe-Signature": header, "Content-Type": "application/json"}
    )
    try:
        outcome = str(response.json().get("outcome"))
    except ValueError:
        outcome = response.text[:200]
    return response.status_code, outcome


async def sequential(
    progress: Progress,
    label: str,
    events: Sequence[dict[str, Any]],
    counter: StatementCounter,
    profiler: cProfile.Profile | None = None,
) -> tuple[Run, list[tuple[int, str]]]:
    """One request after the other; events are signed SIGN_CHUNK at a time, off the clock."""
    task = progress.add_task(label, total=len(events))
    answers: list[tuple[int, str]] = []
    latencies: list[float] = []
    first_sql: list[str] = []
    c0, s0 = counter.count, counter.sql_seconds
    off_clock = 0.0
    async with new_client() as client:
        start = perf_counter()
        for chunk_start in range(0, len(events), SIGN_CHUNK):
            t_sign = perf_counter()
            signed = sign(events[chunk_start : chunk_start + SIGN_CHUNK])
            off_clock += perf_counter() - t_sign
            if profiler is not None:
                profiler.enable()
            for i, item in enumerate(signed, chunk_start + 1):
                counter.captured = first_sql if i == 1 else None
                t0 = perf_counter()
                answers.append(await post(client, item))
                latencies.append(perf_counter() - t0)
                if i % 25 == 0:
                    progress.advance(task, 25)
            if profiler is not None:
                profiler.disable()
        elapsed = perf_counter() - start - off_clock
    counter.captured = None
    progress.update(task, completed=len(events))
    run = Run(
        label,
        len(events),
        elapsed,
        latencies,
        counter.count - c0,
        counter.sql_seconds - s0,
        first_sql,
    )
    return run, answers


async def concurrent(
    progress: Progress, label: str, events: Sequence[dict[str, Any]], clients: int
) -> tuple[Run, list[tuple[int, str]]]:
    """`clients` clients, each posting its share of the events one after the other."""
    task = progress.add_task(label, total=len(events))
    signed = sign(events)  # off the clock; a concurrent set is at most a few thousand events
    shares = [signed[k::clients] for k in range(clients)]
    latencies: list[float] = []

    async def worker(share: list[Signed]) -> list[tuple[int, str]]:
        out = []
        async with new_client() as client:
            for item in share:
                t0 = perf_counter()
                out.append(await post(client, item))
                latencies.append(perf_counter() - t0)
                progress.advance(task, 1)
        return out

    start = perf_counter()
    results = await asyncio.gather(*(worker(s) for s in shares))
    elapsed = perf_counter() - start
    progress.update(task, completed=len(events))
    answers: list[tuple[int, str]] = [None] * len(events)  # type: ignore[list-item]
    for k, share in enumerate(results):
        answers[k::clients] = share
    return Run(label, len(events), elapsed, latencies), answers


class ProfilingExecutor(ThreadPoolExecutor):
    """One worker thread that runs every `asyncio.to_thread` call under a profiler.

    The endpoint hands `receive_webhook` to a thread (`asyncio.to_thread`), where a profiler
    enabled on the event loop's thread does not see it. Used only with --profile.
    """

    def __init__(self, profiler: cProfile.Profile) -> None:
        super().__init__(max_workers=1, thread_name_prefix="bench-profiled")
        self.profiler = profiler
        self.enabled = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        def profiled() -> Any:
            if not self.enabled:
                return fn(*args, **kwargs)
            self.profiler.enable()
            try:
                return fn(*args, **kwargs)
            finally:
                self.profiler.disable()

        return super().submit(profiled)


# -- setup (not measured) --------------------------------------------------------------------


class World:
    """Partners, a guest, and bookings with a Pay All of 10 Active invoices: via the services."""

    def __init__(self, db: Database, services_per_invoice: int) -> None:
        self.db = db
        bench_staff(db, ACTOR)
        self.services_per_invoice = services_per_invoice
        self.bookings = 0
        self.property_id = partners.create_partner(
            db=db,
            code="WHB-PRP",
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
            code="WHB-OPR",
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

    def pay_all_attempt(self) -> AttemptView:
        """A booking with 10 Active invoices, and one payment attempt covering all of them."""
        db = self.db
        self.bookings += 1
        n = self.bookings
        booking_id = bookings.create_booking(
            db=db,
            reference=f"WHB-{n:06d}",
            guest_id=self.guest_id,
            property_id=self.property_id,
            check_in=date(2026, 7, 1),
            check_out=date(2026, 7, 8),
            currency=CURRENCY,
            accommodation_total=Money(250_000, CURRENCY),
            actor=ACTOR,
        )
        invoice_ids = []
        for k in range(INVOICES_PER_ATTEMPT):
            draft = None
            for j in range(self.services_per_invoice):
                sid = portfolio.add_service_item(
                    db=db,
                    booking_id=booking_id,
                    operator_id=self.operator_id,
                    title=f"Sunset sailing #{k + 1}.{j + 1}",
                    service_date=date(2026, 7, 2 + (k % 6)),
                    gross=Money(9_500 + ((n + k + j) % 37) * 250, CURRENCY),
                    strategy=PaymentStrategy.PLATFORM_COLLECTS_FULL,
                    actor=ACTOR,
                )
                draft = portfolio.confirm_service(db=db, service_id=sid, actor=ACTOR).invoice_id
            assert draft is not None
            invoice_ids.append(
                invoicing.send_invoice(db=db, invoice_id=draft, actor=ACTOR).invoice_id
            )
        return checkout.start_payment_attempt(db=db, invoice_ids=invoice_ids, actor="guest")

    def attempts(self, progress: Progress, label: str, count: int) -> list[AttemptView]:
        task = progress.add_task(label, total=count)
        out = []
        for _ in range(count):
            out.append(self.pay_all_attempt())
            progress.advance(task)
        return out


# -- checks ----------------------------------------------------------------------------------


def check_answers(
    checks: Checks, what: str, answers: Sequence[tuple[int, str]], expected: str
) -> None:
    expected = str(expected)  # an EventOutcome prints as its value
    wrong = [
        (status, outcome) for status, outcome in answers if (status, outcome) != (200, expected)
    ]
    checks.expect(
        not wrong,
        f"{what}: {len(wrong)} of {len(answers)} answers were not (200, {expected!r}); "
        f"first: {wrong[:1]}",
    )


def check_fulfilled(
    checks: Checks,
    db: Database,
    what: str,
    attempts: Sequence[AttemptView],
    services_per_invoice: int,
) -> None:
    """Every invoice Paid by its attempt, one Payment Received each, one stored event each."""
    ids = [a.id for a in attempts]
    invoices = {i: a.id for a in attempts for i in a.invoice_ids}
    with db.read() as s:
        paid = s.exec(
            select(GuestInvoice.id, GuestInvoice.status, GuestInvoice.paid_by_attempt_id).where(
                col(GuestInvoice.id).in_(list(invoices))
            )
        ).all()
        succeeded = s.exec(
            select(func.count())
            .select_from(PaymentAttempt)
            .where(
                col(PaymentAttempt.id).in_(ids),
                PaymentAttempt.status == CheckoutStatus.SUCCEEDED.value,
            )
        ).one()
        messages = s.exec(
            select(OutboxMessage.dedupe_key, func.count())
            .where(OutboxMessage.template_key == "payment_received")
            .group_by(col(OutboxMessage.dedupe_key))
        ).all()
        stored = s.exec(
            select(ProviderEvent.attempt_id, func.count(), func.max(ProviderEvent.outcome))
            .where(col(ProviderEvent.attempt_id).in_(ids))
            .group_by(col(ProviderEvent.attempt_id))
        ).all()
        commissions = s.exec(
            select(func.count()).select_from(Commission).where(col(Commission.attempt_id).in_(ids))
        ).one()
    not_paid = [
        i
        for i, status, by in paid
        if status != InvoiceStatus.PAID.value or by != invoices[i]  # type: ignore[index]
    ]
    checks.expect(
        len(paid) == len(invoices) and not not_paid,
        f"{what}: {len(not_paid)} of {len(invoices)} invoices not Paid by their attempt "
        f"(first: {not_paid[:3]})",
    )
    checks.expect(succeeded == len(ids), f"{what}: {succeeded} of {len(ids)} attempts succeeded")
    per_attempt = {key.removeprefix("payment_received:"): n for key, n in messages}
    bad = [a for a in ids if per_attempt.get(a) != 1]
    checks.expect(
        not bad, f"{what}: {len(bad)} attempts without exactly one Payment Received message"
    )
    events = {a: (n, outcome) for a, n, outcome in stored}
    bad = [a for a in ids if events.get(a) != (1, EventOutcome.FULFILLED.value)]
    checks.expect(
        not bad, f"{what}: {len(bad)} attempts without exactly one stored 'fulfilled' event"
    )
    expected_commissions = len(invoices) * services_per_invoice  # one per line
    checks.expect(
        commissions == expected_commissions,
        f"{what}: {commissions} commissions earned, expected {expected_commissions}",
    )


def fingerprint(db: Database) -> dict[str, tuple[int, str]]:
    """Row count and a hash of every row, per table: equal before and after = nothing written."""
    out = {}
    with db.read() as s:
        conn = s.connection()
        for table in SQLModel.metadata.sorted_tables:
            digest = hashlib.sha256()
            rows = 0
            order = list(table.primary_key.columns) or list(table.columns)
            for row in conn.execute(table.select().order_by(*order)):
                digest.update(repr(tuple(row)).encode())
                rows += 1
            out[table.name] = (rows, digest.hexdigest())
    return out


def count_events(db: Database) -> int:
    with db.read() as s:
        return int(s.exec(select(func.count()).select_from(ProviderEvent)).one())


# -- the benchmark ---------------------------------------------------------------------------


@dataclass
class Report:
    where: str
    backend: str = "sqlite"
    runs: dict[str, Run] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    profiles: list[tuple[str, str]] = field(default_factory=list)
    setup_seconds: float = 0.0


def bench_write_floor(db: Database, counter: StatementCounter, n: int, checks: Checks) -> Run:
    """The least a write transaction through Database.transaction() costs (no HTTP)."""
    with db.transaction() as s:
        s.add(NumberSequence(name=BASELINE_SEQUENCE, last_value=0))
    stmt = text("UPDATE number_sequence SET last_value = last_value + 1 WHERE name = :name")

    def one() -> None:
        with db.transaction() as s:
            s.execute(stmt, {"name": BASELINE_SEQUENCE})

    for _ in range(WARMUP):
        one()
    latencies = []
    c0, s0 = counter.count, counter.sql_seconds
    start = perf_counter()
    for _ in range(n):
        t0 = perf_counter()
        one()
        latencies.append(perf_counter() - t0)
    elapsed = perf_counter() - start
    run = Run(
        "baseline: 1-UPDATE write txn (no HTTP)",
        n,
        elapsed,
        latencies,
        counter.count - c0,
        counter.sql_seconds - s0,
    )
    with db.read() as s:
        last = s.get(NumberSequence, BASELINE_SEQUENCE)
    checks.expect(
        last is not None and last.last_value == n + WARMUP,
        f"baseline: sequence at {last and last.last_value}, expected {n + WARMUP}",
    )
    return run


async def run_bench(
    db: Database,
    where: str,
    args: argparse.Namespace,
    checks: Checks,
    *,
    n: int,
    m: int,
    profile: bool,
) -> Report:
    report = Report(where, db.dialect)
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description:44}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    counter = StatementCounter(db.engine)
    with progress:
        t_setup = perf_counter()
        world = World(db, args.services_per_invoice)
        warm = world.attempts(progress, "setup: warm-up attempts", WARMUP)
        seq = world.attempts(progress, f"setup: {n} Pay All attempts (sequential)", n)
        conc = world.attempts(progress, f"setup: {m} Pay All attempts (concurrent)", m) if m else []
        report.setup_seconds = perf_counter() - t_setup
        events_before = count_events(db)

        # 0. baselines
        report.runs["write"] = bench_write_floor(db, counter, n, checks)
        floor_events = [ignored_event(i) for i in range(n + WARMUP)]
        _, warm_answers = await sequential(progress, "warm-up", floor_events[:WARMUP], counter)
        check_answers(checks, "endpoint floor warm-up", warm_answers, FLOOR_OUTCOME)
        run, answers = await sequential(
            progress, "baseline: ignored event", floor_events[WARMUP:], counter
        )
        check_answers(checks, "endpoint floor", answers, FLOOR_OUTCOME)
        report.runs["floor"] = run
        floor_stored = count_events(db) - events_before
        checks.expect(
            floor_stored == n + WARMUP,
            f"endpoint floor: {floor_stored} ignored events stored in provider_event, expected "
            f"{n + WARMUP} (one each, with the reason: a redelivery is then a duplicate)",
        )

        # 1. first deliveries (sequential)
        warm_events = [checkout_event(a, delivery="first") for a in warm]
        _, warm_answers = await sequential(progress, "warm-up", warm_events, counter)
        check_answers(checks, "warm-up first deliveries", warm_answers, EventOutcome.FULFILLED)
        first_events = [checkout_event(a, delivery="first") for a in seq]
        profiler = cProfile.Profile() if profile else None
        worker_profiler = cProfile.Profile() if profile else None
        loop = asyncio.get_running_loop()
        executor = None
        if worker_profiler is not None:
            executor = ProfilingExecutor(worker_profiler)
            loop.set_default_executor(executor)
            executor.enabled = True
        run, answers = await sequential(
            progress, "first deliveries (sequential)", first_events, counter, profiler
        )
        if executor is not None:  # back to a pool like asyncio's own default one
            executor.enabled = False
            loop.set_default_executor(ThreadPoolExecutor(thread_name_prefix="asyncio"))
            executor.shutdown()
        report.runs["first"] = run
        check_answers(checks, "first deliveries", answers, EventOutcome.FULFILLED)
        check_fulfilled(checks, db, "first deliveries", [*warm, *seq], args.services_per_invoice)

        # 2. duplicates (sequential): the same events, re-signed as Stripe re-signs retries
        before = fingerprint(db)
        _, warm_answers = await sequential(progress, "warm-up", warm_events, counter)
        check_answers(checks, "warm-up duplicates", warm_answers, EventOutcome.DUPLICATE_EVENT)
        run, answers = await sequential(progress, "duplicates (sequential)", first_events, counter)
        report.runs["dup"] = run
        check_answers(checks, "duplicates", answers, EventOutcome.DUPLICATE_EVENT)
        after = fingerprint(db)
        changed = [t for t in before if before[t] != after.get(t)]
        checks.expect(not changed, f"duplicates changed table(s): {', '.join(changed)}")

        # 3. concurrent clients
        if conc:
            conc_events = [checkout_event(a, delivery="first") for a in conc]
            label = f"first deliveries ({args.clients} clients)"
            run, answers = await concurrent(progress, label, conc_events, args.clients)
            report.runs["first_conc"] = run
            check_answers(checks, "concurrent first deliveries", answers, EventOutcome.FULFILLED)
            check_fulfilled(
                checks, db, "concurrent first deliveries", conc, args.services_per_invoice
            )
            before = fingerprint(db)
            label = f"duplicates ({args.clients} clients)"
            run, answers = await concurrent(progress, label, conc_events, args.clients)
            report.runs["dup_conc"] = run
            check_answers(checks, "concurrent duplicates", answers, EventOutcome.DUPLICATE_EVENT)
            after = fingerprint(db)
            changed = [t for t in before if before[t] != after.get(t)]
            checks.expect(
                not changed, f"concurrent duplicates changed table(s): {', '.join(changed)}"
            )

        stored = count_events(db) - events_before - floor_stored
        expected = WARMUP + n + m
        checks.expect(
            stored == expected,
            f"provider_event: {stored} rows stored by the checkout events, expected {expected} "
            "(one per first delivery; duplicates store nothing)",
        )
        report.notes.append(
            f"provider_event rows stored: {stored:,} = {WARMUP} warm-up + {n:,} sequential"
            f" + {m:,} concurrent first deliveries (duplicates stored none), and {floor_stored:,}"
            " ignored events (stored once each, with the reason)"
        )
        for name, prof in (
            ("worker thread: receive_webhook", worker_profiler),
            ("event loop thread: httpx + Starlette", profiler),
        ):
            if prof is None:
                continue
            buf = io.StringIO()
            stats = pstats.Stats(prof, stream=buf).sort_stats("cumulative")
            stats.print_stats(args.profile_top)
            report.profiles.append((name, buf.getvalue()))
            if prof is worker_profiler:  # the same, restricted to the app's own functions
                buf = io.StringIO()
                stats.stream = buf  # type: ignore[attr-defined]
                stats.print_stats(r"concierge_app[/\\]", args.profile_top)
                report.profiles.append((f"{name}, concierge_app functions only", buf.getvalue()))
    return report


# -- printing --------------------------------------------------------------------------------


def print_context(args: argparse.Namespace) -> None:
    print("Concierge webhook benchmark")
    print(
        f"  Python      {platform.python_implementation()} {platform.python_version()} "
        f"on {platform.platform()}"
    )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    print(
        f"  CPU         {os.cpu_count()} logical cores, {cpu_name()}; load average {load} at start"
    )
    print(
        f"  SQLite      {sqlite3.sqlite_version} (library used by the sqlite3 module); "
        "WAL, synchronous=NORMAL, BEGIN IMMEDIATE for writes (Database defaults)"
    )
    print(
        f"  Libraries   SQLAlchemy {sqlalchemy.__version__}, Starlette {starlette.__version__}, "
        f"httpx {httpx.__version__} (ASGITransport, in-process), stripe {stripe.VERSION}"
    )
    print(
        f"  Run         N = {args.events:,} Pay All attempts of {INVOICES_PER_ATTEMPT} invoices "
        f"({args.services_per_invoice} Platform Collects Full lines each), sequential; "
        f"{args.concurrent_events:,} more for {args.clients} concurrent clients; "
        f"+{WARMUP} untimed warm-up requests per loop"
        f"{' (--quick)' if args.quick else ''}{' (under cProfile)' if args.profile else ''}"
    )


def print_report(report: Report, args: argparse.Namespace) -> None:
    runs = report.runs
    write, floor, first, dup = runs["write"], runs["floor"], runs["first"], runs["dup"]
    print()
    print(f"== {BACKEND_NAMES[report.backend]}: {report.where} ==")
    print(f"  setup (not timed): {report.setup_seconds:.1f} s through the services")
    print()
    print(
        "Requests: POST /api/stripe/webhook through the ASGI app "
        "(one event = one Pay All of 10 invoices)"
    )
    rows = []
    for key in ("write", "floor", "first", "dup", "first_conc", "dup_conc"):
        r = runs.get(key)
        if r is None:
            continue
        stmts = "-" if r.stmts is None else f"{r.stmts:.1f}"
        sql_ms = "-" if r.sql_seconds is None else f"{1000 * r.sql_seconds / r.n:.3f}"
        rows.append(
            [
                r.name,
                f"{r.n:,}",
                f"{r.per_s:,.0f}",
                f"{r.mean_ms:.2f}",
                f"{r.ms(0.50):.2f}",
                f"{r.ms(0.95):.2f}",
                f"{r.ms(0.99):.2f}",
                f"{1000 * max(r.latencies):.2f}",
                f"{sum(1 for x in r.latencies if 1000 * x >= TARGET_P99_MS):,}",
                stmts,
                sql_ms,
                f"{floor.per_s / r.per_s:.1f}x",
            ]
        )
    print(
        table(
            [
                "measurement",
                "N",
                "events/s",
                "mean ms",
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "max ms",
                f">= {TARGET_P99_MS:.0f} ms",
                "SQL stmts/req",
                "ms in SQL/req",
                "cost vs floor",
            ],
            rows,
            right=set(range(1, 12)),
        )
    )
    print(
        "  events/s = N / wall-clock time of the loop; latency per request as the client sees it."
    )
    print("  cost vs floor = events/s of the endpoint floor (a signed, ignored event) / events/s.")
    print(
        "  SQL stmts/req counts every statement on the app's engine, including the BEGIN "
        "that Database emits itself (COMMIT is a driver call, not counted)."
    )
    print(
        f"  first delivery = {first.mean_ms / write.mean_ms:.1f} bare write transactions, "
        f"{first.mean_ms / floor.mean_ms:.1f} ignored events; "
        f"duplicate = {dup.mean_ms / floor.mean_ms:.2f} ignored events"
    )
    for note in report.notes:
        print(f"  {note}")

    if report.backend != "sqlite":
        conc = runs.get("first_conc")
        if conc is not None:
            print(
                f"  {args.clients} concurrent clients / 1: {conc.per_s / first.per_s:.2f}x the "
                f"events/s ({conc.per_s:,.0f} vs {first.per_s:,.0f})"
            )
        return
    print()
    print("Target (SQLite, sequential deliveries through the ASGI app)")
    ratio = dup.mean_ms / first.mean_ms
    verdicts = [
        (
            f">= {TARGET_EVENTS_PER_S} events/s",
            first.per_s >= TARGET_EVENTS_PER_S,
            f"{first.per_s:,.0f} events/s",
        ),
        (
            f"p99 < {TARGET_P99_MS:.0f} ms",
            first.ms(0.99) < TARGET_P99_MS,
            f"{first.ms(0.99):.2f} ms",
        ),
        (
            "duplicates cheaper",
            ratio < 1,
            f"duplicate / first = {ratio:.2f}: mean {dup.mean_ms:.2f} ms vs {first.mean_ms:.2f} ms",
        ),
    ]
    for name, ok, figure in verdicts:
        print(f"  {name}: {'MET' if ok else 'NOT MET'} ({figure})")
    conc = runs.get("first_conc")
    if conc is not None:
        print(
            f"  with {args.clients} concurrent clients: {conc.per_s:,.0f} events/s, "
            f"p99 {conc.ms(0.99):.2f} ms (for information; SQLite has one writer)"
        )


def print_results(reports: Sequence[Report], args: argparse.Namespace) -> None:
    """One RESULT line per figure of issue 19 (bench/result.py)."""
    print()
    for report in reports:
        runs, prefix = report.runs, f"webhook_{report.backend}"
        first, floor, dup = runs["first"], runs["floor"], runs["dup"]
        if report.backend == "sqlite":
            print_result(f"{prefix}_first_events_per_s", first.per_s, f">= {TARGET_EVENTS_PER_S}")
            print_result(f"{prefix}_first_p99_ms", first.ms(0.99), f"< {TARGET_P99_MS:.0f}")
            print_result(f"{prefix}_duplicate_vs_first", dup.mean_ms / first.mean_ms, "< 1")
            print_result(
                f"{prefix}_first_vs_ignored_event", first.mean_ms / floor.mean_ms, "<= 2.0"
            )
            print_result(f"{prefix}_statements_per_first_delivery", first.stmts or 0, "<= 8")
        else:
            conc = runs.get("first_conc")
            if conc is not None:
                print_result(
                    f"{prefix}_{args.clients}_senders_vs_1", conc.per_s / first.per_s, ">= 2.0"
                )


def print_sql(report: Report) -> None:
    for key in ("floor", "first", "dup"):
        r = report.runs[key]
        print()
        print(
            f"-- {BACKEND_NAMES[report.backend]}, {r.name} (first timed request): "
            f"{len(r.sql_text)} statements"
        )
        for i, sql in enumerate(r.sql_text, 1):
            print(f"{i:3}. {sql[:240]}{'...' if len(sql) > 240 else ''}")


# -- main ------------------------------------------------------------------------------------


@contextmanager
def bench_database(backend: str = "sqlite") -> Iterator[tuple[Database, str]]:
    """A fresh migrated SQLite file (or a throwaway PostgreSQL database), made the app's
    database (DATABASE_URL, caches cleared)."""
    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", *STRIPE_ENV)}
    source = sqlite_database if backend == "sqlite" else postgres_database
    with source() as (url, where):
        os.environ["DATABASE_URL"] = url
        for key in STRIPE_ENV:
            os.environ.pop(key, None)
        get_settings.cache_clear()
        get_database.cache_clear()
        try:
            run_migrations(url)
            db = get_database()
            if db.url != url or provider_name() != "sandbox":
                raise SystemExit(f"the app would not use the bench database ({db.url})")
            try:
                yield db, where
            finally:
                db.dispose()
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            get_settings.cache_clear()
            get_database.cache_clear()


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.webhook_bench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--quick", action="store_true", help="N = 50, and 16 on PostgreSQL (under a minute)"
    )
    parser.add_argument(
        "--events", "-n", type=int, help="Pay All attempts, one event each (default 500, or 100)"
    )
    parser.add_argument(
        "--clients",
        type=int,
        default=CONCURRENT_CLIENTS,
        help=f"concurrent clients for the concurrent run (default {CONCURRENT_CLIENTS})",
    )
    parser.add_argument(
        "--concurrent-events",
        type=int,
        help="attempts for the concurrent run (default N / 2; 0 skips it)",
    )
    parser.add_argument(
        "--services-per-invoice",
        type=int,
        default=2,
        help="Platform Collects Full lines on each of the 10 invoices (default 2)",
    )
    parser.add_argument(
        "--show-sql",
        action="store_true",
        help="print the statements of one ignored event, one first delivery and one duplicate",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="run the sequential first deliveries under cProfile and print the top 15 "
        "functions by cumulative time (the timings are then inflated)",
    )
    parser.add_argument(
        "--backend",
        choices=("sqlite", "postgres", "both"),
        default="both",
        help="SQLite (the targets), PostgreSQL (1 sender vs 4), or both (default)",
    )
    parser.add_argument(
        "--pg-events",
        type=int,
        help="attempts per PostgreSQL run, sequential and concurrent (default N / 2, or 16)",
    )
    parser.add_argument("--profile-top", type=int, default=15, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.events = args.events or (50 if args.quick else 500)
    if args.concurrent_events is None:
        args.concurrent_events = args.events // 2
    if args.pg_events is None:
        args.pg_events = 16 if args.quick else args.events // 2
    if args.events < 1 or args.concurrent_events < 0 or args.clients < 1:
        parser.error("--events and --clients must be positive")
    if args.services_per_invoice < 1:
        parser.error("--services-per-invoice must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    print_context(args)
    sys.stdout.flush()
    checks = Checks()
    reports = []
    if args.backend in ("sqlite", "both"):
        with bench_database("sqlite") as (db, where):
            report = asyncio.run(
                run_bench(
                    db,
                    where,
                    args,
                    checks,
                    n=args.events,
                    m=args.concurrent_events,
                    profile=args.profile,
                )
            )
        print_report(report, args)
        sys.stdout.flush()
        reports.append(report)
    if args.backend in ("postgres", "both"):
        pg_info, pg_problem = postgres_info()
        if pg_info is None:
            print()
            print(f"== PostgreSQL: SKIPPED - {PG_ADMIN_URL.split('@')[-1]} ({pg_problem}) ==")
        else:
            with bench_database("postgresql") as (db, where):
                report = asyncio.run(
                    run_bench(
                        db, where, args, checks, n=args.pg_events, m=args.pg_events, profile=False
                    )
                )
            print_report(report, args)
            reports.append(report)
    for report in reports if args.show_sql else ():
        print_sql(report)
    for name, text_ in (p for r in reports for p in r.profiles):
        print()
        print(
            f"-- cProfile of the sequential first deliveries, {name} "
            f"(top {args.profile_top}, by cumulative time)"
        )
        print(text_.strip())
    print_results(reports, args)
    if checks.problems:
        print()
        print(f"WRONG RESULTS ({len(checks.problems)}):")
        for problem in checks.problems[:50]:
            print(f"  - {problem}")
        return 1
    print()
    print("All results checked: correct.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
