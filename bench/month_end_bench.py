"""Month-end bench: the partner month-end run on a month of 1,000,000 departures.

    .venv/bin/python -m bench.month_end_bench [--backend sqlite|postgres|both] [--quick]

Each backend gets a fresh, migrated database (a SQLite file in a temporary directory; a
throwaway PostgreSQL database, created and dropped here) filled straight through the tables
(not timed): 20,000 partners (one in ten an operator), 5,000 guests, 1,000,000 stays departing in
the month (2 % cancelled), 100,000 services in the month (all four strategies, some cancelled or
draft, 3 % of the platform-collected ones refunded), and stays and services of the neighbouring
months, which must not be counted. Commission rates have a history: every partner its opening
rate (from the start), one in four a change from July 1 (+2 points), one in four a change from
July 1 (−1 point) and a change back scheduled for next January; a third of the stays were
booked (and of the services confirmed) in May, the rest in September, so half the partners'
statements mix two rates. (`--quick`: 2,000 partners, 100,000 stays, 10,000 services.) It then
measures, each in a fresh child process (so that its peak resident memory is its own):

1. read baseline: one hand-written set-based statement, GROUP BY partner and currency over the
   union of departed stays and services, each at the rate in force on the day it was booked or
   confirmed (a join to the rate history by partner and day), giving each partner's commission,
   deducted commission, platform-collected gross (net of refunds) and line count (all rows
   fetched). Measured before the run and again after the rerun. Its totals are what every run
   is checked against.
1b. write baseline: what the run writes, by hand, in one transaction on one connection
   (`write_baseline`): the run row, every partner's statement with its packed lines (the read
   baseline's union with the lines added, one INSERT .. SELECT), the invoice numbers (one
   UPDATE of the sequence), then the invoices, payouts and messages (one INSERT .. SELECT
   each). No chunks, no audit events, no resumability. Checked as a run is, and row for row
   against the run (`written`); its rows are then deleted. Measured before the run and again
   after the chunk-2000 run; the target ratio uses the faster of the two.
2. services.month_end.run_month_end for the month: wall-clock time, peak RSS, and where the time
   goes (SQL time per statement kind, from a before/after_cursor_execute listener, summed over
   connections): every partner's statement (its packed lines and totals) by INSERT .. SELECT,
   one on SQLite, one per range of partners over 2 connections at once on PostgreSQL; then per
   chunk of partners the invoices, payouts and outbox messages, each an INSERT .. SELECT
   (chunks over 2 connections at once on PostgreSQL).
3. the same call again: a rerun, which must find the run finished and add nothing.
4. the run again with another chunk size (default 2,000 partners per transaction), after the
   statements, invoices, payouts, messages and the run row of (2) are deleted.
5. statement query alone: the run's own collection SELECT (no writes), for the whole month: how
   much of the run is building the statement lines vs writing.
6. growth: on a fresh database of each --growth size (default 300,000 and 3,000,000 stays, a
   partner per 50 stays), the run alone: its time per stay.

A child that reports nothing for --stall seconds (default 60; the run reports before its
statement step and after each chunk) is stopped. On PostgreSQL the run is then retried with
psycopg's automatic prepared statements off in the child (prepare_threshold = None): a guard
kept from the former per-chunk line copy, whose generic plan stalled the run. Database now
turns automatic prepares off itself, so the retry is not expected (see bench/README.md).

Targets (issue 19): run <= 1.25 x the write baseline, peak RSS < 300 MB, rerun <= 0.2 x first
run, time per stay at the largest growth size <= 1.2 x that at the smallest; printed as MET /
NOT MET and as `RESULT` lines (bench/result.py), not asserted. The process exits 1 only on a
wrong result: invoice totals, deductions, line counts or payouts that differ from the baseline,
statement lines that do not add up to their statement, invoice and the baseline, a statement
without exactly one invoice, two invoices for one partner and currency, numbers that are not
CM-YYYY-000001... without gaps, not one message per invoice, a rerun that adds rows, a run that
writes other rows than the write baseline, or a child process that crashes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import queue
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from time import perf_counter, process_time, sleep
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
from sqlalchemy import create_engine, event, text

import concierge_app.db.tables  # noqa: F401  (registers every table)
from bench.common import (
    PG_ADMIN_URL,
    cpu_name,
    postgres_database,
    postgres_info,
    sqlite_database,
    table,
)
from bench.result import print_result
from concierge_app.db.engine import Database
from concierge_app.db.sql.month_end.statements import write_statements
from concierge_app.domain.errors import DomainError
from concierge_app.domain.partner_billing import Period, due_date
from concierge_app.domain.statement import parse_statement
from concierge_app.services.partner.billing import month_end, month_end_steps

ACTOR = "cli:month-end-bench"  # the app itself (as the CLI): no staff user needed
PERIOD = Period(2026, 11)
RUN_DATE = date(2026, 12, 3)  # invoices are numbered in the run date's year
SEED = 20261130
TARGET_RATIO = 1.25  # run <= 1.25 x the write baseline (issue 19)
TARGET_GROWTH = 1.2  # time per stay at the large size <= 1.2 x that at the small one
TARGET_MB = 300.0  # peak RSS of the process doing the run
TARGET_RERUN = 0.2  # rerun <= 0.2 x first run
REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Size:
    partners: int  # one in ten is an operator
    guests: int
    stays: int  # departing in the period
    services: int  # performed in the period
    other_stays: int  # departing in the month before or after
    other_services: int


FULL = Size(20_000, 5_000, 1_000_000, 100_000, 50_000, 5_000)
QUICK = Size(2_000, 1_000, 100_000, 10_000, 5_000, 500)


# -- the baseline ----------------------------------------------------------------------------

# The products are computed in 64 bits (CAST … AS BIGINT): on PostgreSQL, INTEGER x INTEGER
# overflows past 2^31 (a 10,738.42 stay at 20 %).
_PLATFORM_PART = (
    "CASE s.strategy WHEN 'platform_collects_full' THEN s.gross_minor "
    "WHEN 'platform_collects_deposit' THEN s.deposit_minor ELSE 0 END - COALESCE(r.refunded, 0)"
)
# Each rate with the day the next one starts (NULL for the latest).
_RATE_PERIODS = (
    "(SELECT partner_id, rate_bps, valid_from, LEAD(valid_from) OVER "
    "(PARTITION BY partner_id ORDER BY valid_from) AS valid_until FROM partner_commission_rate)"
)
# The UTC day of a timestamp: PostgreSQL stores it with its zone, SQLite as UTC text.
_UTC_DAY = {"sqlite": "date({})", "postgresql": "CAST({} AT TIME ZONE 'UTC' AS DATE)"}


def _in_force(rates: str, partner: str, day: str) -> str:
    return (
        f"{rates}.partner_id = {partner} AND {rates}.valid_from <= {day} "
        f"AND ({rates}.valid_until IS NULL OR {rates}.valid_until > {day})"
    )


def baseline_sql(dialect: str) -> str:
    """The baseline for `dialect`: a stay at the rate in force on the day it was booked, a
    service on the day it was confirmed (UTC days)."""
    booked = _UTC_DAY[dialect].format("b.created_at")
    confirmed = _UTC_DAY[dialect].format("COALESCE(s.confirmed_at, s.created_at)")
    return f"""
SELECT d.partner_id, d.currency, SUM(d.commission) AS amount, SUM(d.deducted) AS deducted,
       SUM(d.gross) AS gross, COUNT(*) AS lines
FROM (
    SELECT b.property_id AS partner_id, b.currency AS currency,
           (CAST(b.accommodation_total_minor AS BIGINT) * h.rate_bps + 5000) / 10000
               AS commission,
           CASE WHEN b.accommodation_collected_by = 'platform' AND p.payout_method = 'net_payout'
                THEN (CAST(b.accommodation_total_minor AS BIGINT) * h.rate_bps + 5000)
                     / 10000
                ELSE 0 END AS deducted,
           CASE WHEN b.accommodation_collected_by = 'platform'
                THEN b.accommodation_total_minor ELSE 0 END AS gross
    FROM booking b JOIN partner p ON p.id = b.property_id
    JOIN {_RATE_PERIODS} h ON {_in_force("h", "b.property_id", booked)}
    WHERE b.check_out BETWEEN :first AND :last AND b.status = 'confirmed'
    UNION ALL
    SELECT s.operator_id, s.currency,
           (CAST(s.gross_minor - COALESCE(r.refunded, 0) AS BIGINT) * h.rate_bps
            + 5000) / 10000,
           CASE WHEN p.payout_method = 'net_payout'
                THEN (CAST({_PLATFORM_PART} AS BIGINT) * h.rate_bps + 5000) / 10000
                ELSE 0 END,
           {_PLATFORM_PART}
    FROM service_item s JOIN partner p ON p.id = s.operator_id
    JOIN {_RATE_PERIODS} h ON {_in_force("h", "s.operator_id", confirmed)}
    LEFT JOIN (SELECT service_item_id, SUM(amount_minor) AS refunded FROM refund
               WHERE status = 'succeeded' GROUP BY service_item_id) r ON r.service_item_id = s.id
    WHERE s.service_date BETWEEN :first AND :last AND s.lifecycle = 'confirmed'
      AND s.strategy <> 'included_in_stay'
) d
GROUP BY d.partner_id, d.currency
"""


Totals = dict[tuple[int, str], tuple[int, int, int, int]]  # (amount, deducted, gross, lines)


def window_params(dialect: str) -> dict[str, Any]:
    first, last = PERIOD.first_day, PERIOD.last_day
    if dialect == "sqlite":  # dates are stored as ISO text
        return {"first": first.isoformat(), "last": last.isoformat()}
    return {"first": first, "last": last}


# -- the write baseline: what the run writes, by hand ------------------------------------------

# A stay's and a service's statement line in the run's compact form (`domain.statement`):
# "b1042 p 120000 r1500", "s77 d 90000 30000 r1200" (a deposit line carries the platform part).
_SERVICE_KIND = (
    "CASE s.strategy WHEN 'operator_collects_full' THEN 'o' "
    "WHEN 'platform_collects_deposit' THEN 'd' ELSE 'p' END"
)
_SERVICE_BASE = "(s.gross_minor - COALESCE(r.refunded, 0))"


def _half_up(amount: str, rate: str) -> str:
    return f"((CAST({amount} AS BIGINT) * {rate} + 5000) / 10000)"


def write_baseline_statements(dialect: str) -> str:
    """Every partner's statement (lines packed, totals), one INSERT .. SELECT: the read-only
    baseline's union with the lines added, grouped once."""
    booked = _UTC_DAY[dialect].format("b.created_at")
    confirmed = _UTC_DAY[dialect].format("COALESCE(s.confirmed_at, s.created_at)")
    packed = (
        "string_agg(d.line, E'\\n')"
        if dialect == "postgresql"
        else "group_concat(d.line, char(10))"
    )
    net = "(p.payout_method = 'net_payout')"
    stay_commission = _half_up("b.accommodation_total_minor", "h.rate_bps")
    return f"""
INSERT INTO partner_statement (run_id, partner_id, currency, amount_minor, deducted_minor,
    gross_minor, line_count, rate_bps, net_payout, lines, tax_rate_bps)
SELECT :run_id, d.partner_id, d.currency, SUM(d.commission),
       CASE WHEN {net} THEN SUM(d.deductible) ELSE 0 END, SUM(d.gross), COUNT(*),
       (SELECT c.rate_bps FROM partner_commission_rate c
        WHERE c.partner_id = d.partner_id AND c.valid_from <= :last
        ORDER BY c.valid_from DESC LIMIT 1),
       {net}, {packed}, 0
FROM (
    SELECT b.property_id AS partner_id, b.currency AS currency, {stay_commission} AS commission,
           CASE WHEN b.accommodation_collected_by = 'platform' THEN {stay_commission} ELSE 0 END
               AS deductible,
           CASE WHEN b.accommodation_collected_by = 'platform'
                THEN b.accommodation_total_minor ELSE 0 END AS gross,
           'b' || b.id || ' ' || CASE WHEN b.accommodation_collected_by = 'platform'
               THEN 'p' ELSE 'o' END || ' ' || b.accommodation_total_minor || ' r' || h.rate_bps
               AS line
    FROM booking b
    JOIN {_RATE_PERIODS} h ON {_in_force("h", "b.property_id", booked)}
    WHERE b.check_out BETWEEN :first AND :last AND b.status = 'confirmed'
    UNION ALL
    SELECT s.operator_id, s.currency, {_half_up(_SERVICE_BASE, "h.rate_bps")},
           {_half_up(f"({_PLATFORM_PART})", "h.rate_bps")}, {_PLATFORM_PART},
           's' || s.id || ' ' || {_SERVICE_KIND} || ' ' || {_SERVICE_BASE}
               || CASE WHEN s.strategy = 'platform_collects_deposit'
                  THEN ' ' || ({_PLATFORM_PART}) ELSE '' END || ' r' || h.rate_bps
    FROM service_item s
    JOIN {_RATE_PERIODS} h ON {_in_force("h", "s.operator_id", confirmed)}
    LEFT JOIN (SELECT service_item_id, SUM(amount_minor) AS refunded FROM refund
               WHERE status = 'succeeded' GROUP BY service_item_id) r ON r.service_item_id = s.id
    WHERE s.service_date BETWEEN :first AND :last AND s.lifecycle = 'confirmed'
      AND s.strategy <> 'included_in_stay'
) d JOIN partner p ON p.id = d.partner_id
GROUP BY d.partner_id, d.currency, p.payout_method
"""


def write_baseline_invoices(dialect: str) -> str:
    """One commission invoice per statement, CM-YYYY-NNNNNN from :base + 1 in partner and
    currency order."""
    n = ":base + ROW_NUMBER() OVER (ORDER BY s.partner_id, s.currency)"
    year = RUN_DATE.year
    if dialect == "postgresql":
        number = f"'CM-{year}-' || lpad(CAST({n} AS TEXT), 6, '0')"
    else:
        number = f"printf('CM-{year}-%06d', {n})"
    return f"""
INSERT INTO partner_invoice (number, partner_id, run_id, kind, period, currency, invoice_date,
    due_date, amount_minor, deducted_minor, state, statement_id, created_at)
SELECT {number}, s.partner_id, s.run_id, 'commission', :period, s.currency, :invoice_date,
       :due_date, s.amount_minor, s.deducted_minor, 'issued', s.id, :now
FROM partner_statement s WHERE s.run_id = :run_id
"""


WRITE_BASELINE_PAYOUTS = """
INSERT INTO payout (partner_id, invoice_id, period, currency, gross_minor, commission_minor,
    vat_minor, net_minor, created_at)
SELECT s.partner_id, i.id, :period, s.currency, s.gross_minor, s.deducted_minor, 0,
       s.gross_minor - s.deducted_minor, :now
FROM partner_statement s JOIN partner_invoice i ON i.statement_id = s.id
WHERE s.run_id = :run_id AND s.gross_minor > 0
"""
WRITE_BASELINE_MESSAGES = """
INSERT INTO outbox_message (dedupe_key, template_key, recipient, subject, body, partner_id,
    attachment, render_from, status, attempts, created_at)
SELECT 'partner_invoice_issued:' || i.id, 'partner_invoice_issued', p.finance_email, '', '',
       p.id, 'partner_invoice_pdf:' || i.id, 'partner_invoice:' || i.id, 'queued', 0, :now
FROM partner_invoice i JOIN partner p ON p.id = i.partner_id
WHERE i.run_id = :run_id AND i.kind = 'commission'
"""


def write_baseline(db: Database) -> dict[str, float]:
    """What the run writes, by hand, in one transaction: the run row, every statement (one
    INSERT .. SELECT), the invoice numbers (one UPDATE of the sequence), the invoices, payouts
    and "Partner Invoice Issued" messages (one INSERT .. SELECT each), the run row's counts.
    No audit events, no chunks, no resumability. Returns seconds per step."""
    sqlite = db.dialect == "sqlite"
    now = datetime.now(UTC)
    stamp = now.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else now
    window = window_params(db.dialect)
    when: dict[str, Any] = {
        "period": str(PERIOD),
        "invoice_date": RUN_DATE.isoformat() if sqlite else RUN_DATE,
        "due_date": due_date(RUN_DATE).isoformat() if sqlite else due_date(RUN_DATE),
        "now": stamp,
    }
    steps: dict[str, float] = {}
    sequence = f"partner_invoice:{RUN_DATE.year}"
    with db.transaction() as session:
        conn = session.connection()
        start = perf_counter()
        run_id = conn.execute(
            text(
                "INSERT INTO month_end_run (period, run_date, started_by, started_at, "
                "collected_at, partners_done, invoices_created, lines_created) "
                "VALUES (:period, :run_date, :actor, :now, :now, 0, 0, 0) RETURNING id"
            ),
            when | {"run_date": when["invoice_date"], "actor": ACTOR},
        ).scalar_one()
        if not sqlite:  # as the run's statement step: the hash aggregate in memory
            conn.exec_driver_sql(f"SET LOCAL work_mem = '{month_end_steps.COLLECT_WORK_MEM}'")
        conn.execute(text(write_baseline_statements(db.dialect)), window | {"run_id": run_id})
        steps["statements"] = perf_counter() - start
        start = perf_counter()
        statements, lines, partners = conn.execute(
            text(
                "SELECT count(*), sum(line_count), count(DISTINCT partner_id) "
                "FROM partner_statement WHERE run_id = :run_id"
            ),
            {"run_id": run_id},
        ).one()
        conn.execute(
            text(
                "INSERT INTO number_sequence (name, last_value) VALUES (:name, 0) "
                "ON CONFLICT (name) DO NOTHING"
            ),
            {"name": sequence},
        )
        last = conn.execute(
            text(
                "UPDATE number_sequence SET last_value = last_value + :n WHERE name = :name "
                "RETURNING last_value"
            ),
            {"n": statements, "name": sequence},
        ).scalar_one()
        first = int(last) - int(statements) + 1
        conn.execute(
            text(write_baseline_invoices(db.dialect)),
            when | {"run_id": run_id, "base": first - 1},
        )
        steps["invoices"] = perf_counter() - start
        start = perf_counter()
        conn.execute(text(WRITE_BASELINE_PAYOUTS), when | {"run_id": run_id})
        steps["payouts"] = perf_counter() - start
        start = perf_counter()
        conn.execute(text(WRITE_BASELINE_MESSAGES), when | {"run_id": run_id})
        steps["messages"] = perf_counter() - start
        start = perf_counter()
        conn.execute(
            text(
                "UPDATE month_end_run SET first_number = :first, partners_done = :partners, "
                "invoices_created = :invoices, lines_created = :lines, finished_at = :now "
                "WHERE id = :run_id"
            ),
            {
                "first": first,
                "partners": partners,
                "invoices": statements,
                "lines": lines or 0,
                "now": stamp,
                "run_id": run_id,
            },
        )
        commit_start = perf_counter()
    steps["commit"] = perf_counter() - commit_start
    steps["other"] = commit_start - start
    return steps


# -- the child processes (one measurement each) ----------------------------------------------


def rss_mb(field_name: str = "VmRSS") -> float:
    for ln in Path("/proc/self/status").read_text().splitlines():
        if ln.startswith(field_name + ":"):
            return int(ln.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # pragma: no cover


def classify(statement: str) -> str:
    head = " ".join(statement.split())[:200].upper()
    if head.startswith("INSERT INTO PARTNER_STATEMENT"):
        return "statements"
    if head.startswith("INSERT INTO PARTNER_INVOICE"):
        return "invoices"
    if head.startswith("INSERT INTO PAYOUT"):
        return "payouts"
    if "OUTBOX_MESSAGE" in head:
        return "messages"
    if "AUDIT_" in head:
        return "audit"
    return "other"


class SqlClock:
    """Seconds spent in cursor.execute / executemany, per statement kind, summed over the
    connections (the run issues chunks over several at once on PostgreSQL, so the sum can
    exceed the wall-clock time)."""

    def __init__(self, db: Database) -> None:
        self.seconds: dict[str, float] = {}
        self.count = 0
        self._lock = threading.Lock()
        self._local = threading.local()
        event.listen(db.engine, "before_cursor_execute", self._before)
        event.listen(db.engine, "after_cursor_execute", self._after)

    def _before(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self._local.kind = classify(statement)
        self._local.started = perf_counter()

    def _after(self, *_args: Any) -> None:
        elapsed = perf_counter() - self._local.started
        with self._lock:
            self.count += 1
            self.seconds[self._local.kind] = self.seconds.get(self._local.kind, 0.0) + elapsed


def child_main(args: argparse.Namespace) -> int:
    """One measurement; progress lines and a final RESULT line on stdout."""
    rss_start = rss_mb()
    db = Database(args.url)
    if os.environ.get(NO_PREPARE) and db.dialect == "postgresql":

        @event.listens_for(db.engine, "connect")
        def _no_prepare(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.prepare_threshold = None  # psycopg: never prepare automatically

    with db.read() as session:  # connect before the clock starts
        session.connection().execute(text("SELECT 1"))
    result: dict[str, Any] = {"rss_start_mb": rss_start}
    if args.child == "baseline":
        sql = text(baseline_sql(db.dialect))
        params = window_params(db.dialect)
        with db.read() as session:
            start = perf_counter()
            rows = session.connection().execute(sql, params).all()
            result["seconds"] = perf_counter() - start
        result["rows"] = len(rows)
        totals = [
            [int(r.partner_id), r.currency, int(r.amount), int(r.deducted), int(r.gross), r.lines]
            for r in rows
        ]
        Path(args.out).write_text(json.dumps(totals))
    elif args.child == "write":
        start, cpu = perf_counter(), process_time()
        result["steps"] = write_baseline(db)
        result["seconds"] = perf_counter() - start
        result["cpu_seconds"] = process_time() - cpu
    elif args.child == "collect":
        # The run's own collection SELECT (the statement lines and totals of every partner),
        # for the whole month, without the INSERT: what building the statements costs.
        select_ = write_statements(db.dialect).select
        params = {"first": PERIOD.first_day, "last": PERIOD.last_day, "run_id": 0}
        with db.read() as session:
            start = perf_counter()
            rows = session.connection().execute(select_, params).all()
            result["seconds"] = perf_counter() - start
        result["rows"] = len(rows)
        result["lines"] = sum(int(r.lines) for r in rows)
    else:
        clock = SqlClock(db)

        def report(done: int, total: int) -> None:
            print(f"PROGRESS {done} {total}", flush=True)

        start, cpu = perf_counter(), process_time()
        summary = month_end.run_month_end(
            db=db,
            period=PERIOD,
            run_date=RUN_DATE,
            actor=ACTOR,
            chunk=args.chunk,
            progress=report,
        )
        result["seconds"] = perf_counter() - start
        result["cpu_seconds"] = process_time() - cpu  # this process's (not the server's)
        result["sql"] = clock.seconds
        result["statements"] = clock.count
        result["summary"] = {
            "partners": summary.partners,
            "invoices_created": summary.invoices_created,
            "lines_created": summary.lines_created,
            "invoices_total": summary.invoices_total,
            "resumed": summary.resumed,
            "already_done": summary.already_done,
        }
    db.dispose()
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec (the forked parent's RSS).
    result["peak_rss_mb"] = rss_mb("VmHWM")
    print("RESULT " + json.dumps(result), flush=True)
    return 0


@dataclass
class Measured:
    name: str
    chunk: int | None
    seconds: float
    peak_rss_mb: float
    rss_start_mb: float
    rows: int = 0  # baseline, statement query: result rows
    lines: int = 0  # statement query: the lines in its rows
    sql: dict[str, float] = field(default_factory=dict)
    statements: int = 0
    summary: dict[str, Any] = field(default_factory=dict)
    stalled: str | None = None  # why the child was stopped (no progress within --stall s)
    cpu_seconds: float = 0.0  # a run's CPU time in its own process (SQLite: nearly all of it)


class ChildFailed(Exception):
    """A child crashed: a wrong result."""


class ChildStopped(Exception):
    """A child that must finish (a baseline) was stopped for making no progress."""


CHILD_APP = "month_end_bench_child"  # application_name of the children's PostgreSQL sessions
NO_PREPARE = "BENCH_PG_NO_PREPARE"  # set for a child: psycopg's prepare_threshold = None


def child_url(url: str) -> str:
    if url.startswith("sqlite"):
        return url
    return f"{url}{'&' if '?' in url else '?'}application_name={CHILD_APP}"


def run_child(
    progress: Progress,
    label: str,
    url: str,
    kind: str,
    *,
    stall: float,
    chunk: int = month_end.CHUNK,
    out: Path | None = None,
    no_prepare: bool = False,
) -> Measured:
    """Runs one measurement in a fresh process; stops it if nothing comes for `stall` s."""
    task = progress.add_task(label, total=None)
    command = [sys.executable, "-m", "bench.month_end_bench", "--child", kind]
    command += ["--url", child_url(url), "--chunk", str(chunk)]
    if out is not None:
        command += ["--out", str(out)]
    env = dict(os.environ)
    env.pop(NO_PREPARE, None)
    # The run: commission invoices, statements, payouts. VAT/GST documents are off
    # (their checks are the integration tests'); BENCH_VAT_RATES turns them on.
    env["VAT_RATES"] = os.environ.get("BENCH_VAT_RATES", "")
    if no_prepare:
        env[NO_PREPARE] = "1"
    result: dict[str, Any] | None = None
    stalled: str | None = None
    done = total = 0
    with tempfile.TemporaryFile(mode="w+") as err:
        proc = subprocess.Popen(
            command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=err, text=True, env=env
        )
        lines: queue.Queue[str | None] = queue.Queue()

        def pump() -> None:
            assert proc.stdout is not None
            for ln in proc.stdout:
                lines.put(ln)
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        start = last = perf_counter()
        while True:
            try:
                line = lines.get(timeout=stall)
            except queue.Empty:
                active = active_statement(url)
                proc.kill()
                proc.wait()
                stop_child_sessions(url)
                progress_note = (
                    f" after {done:,} of {total:,} partners done in {last - start:.1f} s"
                    if total
                    else ""
                )
                stalled = f"nothing came for {stall:g} s{progress_note}" + (
                    f"; the child's statement then: {active}" if active else ""
                )
                break
            if line is None:
                break
            last = perf_counter()
            if line.startswith("PROGRESS "):
                done, total = map(int, line.split()[1:])
                progress.update(task, completed=done, total=total)
            elif line.startswith("RESULT "):
                result = json.loads(line[len("RESULT ") :])
        code = proc.wait()
        err.seek(0)
        stderr = err.read()
    progress.remove_task(task)
    if stalled is not None:
        run_chunk = chunk if kind == "run" else None
        return Measured(label, run_chunk, last - start, 0, 0, stalled=stalled)
    if code != 0 or result is None:
        tail = "\n".join(stderr.strip().splitlines()[-15:])
        raise ChildFailed(f"{label}: the child process failed (exit {code}):\n{tail}")
    return Measured(
        name=label,
        chunk=chunk if kind == "run" else None,
        seconds=result["seconds"],
        peak_rss_mb=result["peak_rss_mb"],
        rss_start_mb=result["rss_start_mb"],
        rows=result.get("rows", 0),
        lines=result.get("lines", 0),
        sql=result.get("sql", result.get("steps", {})),
        statements=result.get("statements", 0),
        summary=result.get("summary", {}),
        cpu_seconds=result.get("cpu_seconds", 0.0),
    )


def active_statement(url: str) -> str | None:
    """What a stalled child's PostgreSQL session is running, and for how long."""
    if url.startswith("sqlite"):
        return None
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT extract(epoch FROM now() - query_start), query FROM pg_stat_activity "
                    "WHERE datname = current_database() AND application_name = :app "
                    "AND state = 'active'"
                ),
                {"app": CHILD_APP},
            ).first()
    finally:
        engine.dispose()
    if row is None:
        return None
    return f"{' '.join(str(row[1]).split())[:90]}... (running for {float(row[0]):.0f} s)"


def stop_child_sessions(url: str) -> None:
    """End the killed child's PostgreSQL sessions (their statements run on otherwise)."""
    if url.startswith("sqlite"):
        return
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            for _ in range(50):
                ended = conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND application_name = :app"
                    ),
                    {"app": CHILD_APP},
                ).all()
                if not ended:
                    break
                sleep(0.2)
    finally:
        engine.dispose()


def read_totals(path: Path) -> Totals:
    return {
        (pid, cur): (amount, deducted, gross, lines)
        for pid, cur, amount, deducted, gross, lines in json.loads(path.read_text())
    }


# -- data ------------------------------------------------------------------------------------

COUNTRIES = (
    ("FR", "Europe/Paris", "EUR", 30),
    ("IT", "Europe/Rome", "EUR", 25),
    ("ES", "Europe/Madrid", "EUR", 20),
    ("GR", "Europe/Athens", "EUR", 12),
    ("PT", "Europe/Lisbon", "EUR", 8),
    ("US", "America/New_York", "USD", 5),
)
PROPERTY_CATEGORIES = ("villa", "apartment", "chalet", "boutique hotel")
OPERATOR_CATEGORIES = ("sailing tour", "private chef", "airport transfer", "spa", "guided hike")
STRATEGIES = (
    ("operator_collects_full", 30),
    ("platform_collects_full", 40),
    ("platform_collects_deposit", 20),
    ("included_in_stay", 10),
)
LIFECYCLES = (("confirmed", 90), ("cancelled", 5), ("draft", 5))
INVOICE_MESSAGE = "partner_invoice_issued"  # the outbox template of a new invoice
SECOND_CURRENCY = "GBP"  # a few properties also take some bookings in pounds


def weighted(rng: random.Random, items: Sequence[tuple[Any, int]], k: int) -> list[Any]:
    return rng.choices([i[0] for i in items], weights=[i[1] for i in items], k=k)


@dataclass
class PartnerMeta:
    id: int
    operator: bool
    currency: str
    category: str


class Loader:
    """Bulk inserts (not timed): executemany in batches on SQLite, COPY on PostgreSQL."""

    BATCH = 20_000

    def __init__(self, db: Database, progress: Progress) -> None:
        self.db = db
        self.progress = progress
        self.sqlite = db.dialect == "sqlite"
        self.created_at = self.stamp(datetime(2026, 9, 1, 8, 0, tzinfo=UTC))
        self.rows: dict[str, int] = {}

    def stamp(self, moment: datetime) -> str:
        """A UTC timestamp as the table stores it (SQLite: naive UTC text)."""
        if self.sqlite:
            return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        return moment.isoformat()

    def load(
        self, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]], n: int
    ) -> None:
        task = self.progress.add_task(f"generating {table}", total=n)
        cols = ", ".join(columns)
        batches = _batched(rows, self.BATCH)
        if self.sqlite:
            sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' * len(columns))})"
            raw = self.db.engine.raw_connection()  # autocommit: Database sets isolation_level None
            try:
                cur = raw.cursor()
                cur.execute("PRAGMA cache_size = -262144")  # 256 MB, this connection only
                for batch in batches:
                    cur.execute("BEGIN")
                    cur.executemany(sql, batch)
                    cur.execute("COMMIT")
                    self.progress.advance(task, len(batch))
                cur.execute("PRAGMA cache_size = -2000")  # back to the default for the pool
                cur.close()
            finally:
                raw.close()
        else:
            raw = self.db.engine.raw_connection()
            try:
                pg = raw.driver_connection
                assert pg is not None
                with pg.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for batch in batches:
                        copy.write("".join(_copy_line(row) for row in batch))
                        self.progress.advance(task, len(batch))
                pg.commit()
            finally:
                raw.close()
        self.rows[table] = self.rows.get(table, 0) + n
        self.progress.remove_task(task)


def _batched(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _copy_line(row: tuple[Any, ...]) -> str:
    # Every value here is generated by this script: no tab, newline or backslash to escape.
    return "\t".join("\\N" if v is None else str(v) for v in row) + "\n"


def generate(db: Database, size: Size, progress: Progress, seed: int) -> dict[str, int]:
    """Partners, guests, stays and services (explicit ids); returns rows per table."""
    rng = random.Random(seed)
    loader = Loader(db, progress)
    created = loader.created_at
    booked_early = loader.stamp(datetime(2026, 5, 15, 8, 0, tzinfo=UTC))  # before July's changes
    month_days = [PERIOD.first_day + timedelta(days=i) for i in range(PERIOD.last_day.day)]
    before = [PERIOD.first_day - timedelta(days=i) for i in range(1, 13)]  # last 12 of October
    after = [PERIOD.last_day + timedelta(days=i) for i in range(1, 11)]  # first 10 of December
    iso = {d: d.isoformat() for d in (*month_days, *before, *after)}
    for d in list(iso):
        for nights in range(1, 22):
            iso.setdefault(d - timedelta(days=nights), (d - timedelta(days=nights)).isoformat())

    # partners: one in ten an operator; 2 % of each kind have nothing departing
    partners: list[PartnerMeta] = []
    partner_rows = []
    for pid in range(1, size.partners + 1):
        operator = pid % 10 == 0
        country, tz, currency, _w = weighted(rng, [(c, c[3]) for c in COUNTRIES], 1)[0]
        category = rng.choice(OPERATOR_CATEGORIES if operator else PROPERTY_CATEGORIES)
        gross_stripe = rng.random() < 0.15
        partners.append(PartnerMeta(pid, operator, currency, category))
        partner_rows.append(
            (
                pid,
                f"P{pid:06d}",
                f"{category.title()} {pid}",
                "operator" if operator else "property",
                category,
                country,
                tz,
                currency,
                rng.randrange(800, 2001, 50),
                "gross_stripe" if gross_stripe else "net_payout",
                rng.choice(("bank_transfer", "online", "direct_debit"))
                if gross_stripe
                else "payout_deduction",
                f"finance+{pid}@partner.test",
                f"{pid} Harbour Road, {country}",
                created,
            )
        )
    loader.load(
        "partner",
        (
            "id",
            "code",
            "name",
            "kind",
            "category",
            "country",
            "timezone",
            "currency",
            "commission_rate_bps",
            "payout_method",
            "commission_payment_method",
            "finance_email",
            "address",
            "created_at",
        ),
        partner_rows,
        len(partner_rows),
    )
    # each partner's opening rate is the database's (a trigger); changes from July 1, and a
    # change back scheduled for January
    changes = []
    for row in partner_rows:
        pid, bps = row[0], row[8]
        if pid % 4 == 1:
            changes.append((pid, bps + 200, "2026-07-01", "bench", created))
        elif pid % 4 == 2:
            changes.append((pid, bps - 100, "2026-07-01", "bench", created))
            changes.append((pid, bps, "2027-01-01", "bench", created))
    loader.load(
        "partner_commission_rate",
        ("partner_id", "rate_bps", "valid_from", "changed_by", "changed_at"),
        changes,
        len(changes),
    )
    loader.load(
        "guest",
        ("id", "name", "email", "locale", "created_at"),
        (
            (g, f"Guest {g:05d}", f"guest{g}@example.test", "en_US", created)
            for g in range(1, size.guests + 1)
        ),
        size.guests,
    )
    properties = [p for p in partners if not p.operator and rng.random() >= 0.02]
    operators = [p for p in partners if p.operator and rng.random() >= 0.02]
    two_currencies = {p.id for p in properties if p.id % 97 == 1}

    def stays() -> Iterator[tuple[Any, ...]]:
        total = size.stays + size.other_stays
        for bid in range(1, total + 1):
            prop = rng.choice(properties)
            if bid <= size.stays:
                check_out = rng.choice(month_days)
            else:
                check_out = rng.choice(before if bid % 2 else after)
            nights = rng.randint(1, 14)
            currency = prop.currency
            if prop.id in two_currencies and rng.random() < 0.1:
                currency = SECOND_CURRENCY
            # at most 14 x 600.00: base x rate stays below 2^31 (see baseline_sql)
            amount = 0 if rng.random() < 0.001 else nights * rng.randint(8_000, 60_000)
            cancelled = bid <= size.stays and rng.random() < 0.02
            yield (
                bid,
                f"BK{bid:08d}",
                rng.randint(1, size.guests),
                prop.id,
                iso[check_out - timedelta(days=nights)],
                iso[check_out],
                currency,
                amount,
                "platform" if rng.random() < 0.7 else "property",
                "cancelled" if cancelled else "confirmed",
                booked_early if bid % 3 == 0 else created,
                created if cancelled else None,
                "guest cancelled" if cancelled else None,
            )

    loader.load(
        "booking",
        (
            "id",
            "reference",
            "guest_id",
            "property_id",
            "check_in",
            "check_out",
            "currency",
            "accommodation_total_minor",
            "accommodation_collected_by",
            "status",
            "created_at",
            "cancelled_at",
            "cancel_reason",
        ),
        stays(),
        size.stays + size.other_stays,
    )

    refunded: list[tuple[int, int, str, int]] = []  # (service, booking, currency, collected)

    def services() -> Iterator[tuple[Any, ...]]:
        total = size.services + size.other_services
        strategies = weighted(rng, STRATEGIES, total)
        lifecycles = weighted(rng, LIFECYCLES, total)
        for i in range(total):
            sid = i + 1
            op = rng.choice(operators)
            in_month = sid <= size.services
            day = rng.choice(month_days if in_month else (before if sid % 2 else after))
            strategy = strategies[i]
            lifecycle = lifecycles[i] if in_month else "confirmed"
            gross = rng.randint(5_000, 400_000)
            deposit = (
                rng.randint(gross // 10, gross // 2)
                if strategy == "platform_collects_deposit"
                else None
            )
            booking = rng.randint(1, size.stays)
            made = booked_early if sid % 3 == 0 else created  # added and confirmed
            if strategy.startswith("platform_collects") and rng.random() < 0.03:
                refunded.append((sid, booking, op.currency, deposit or gross))
            yield (
                sid,
                booking,
                op.id,
                f"{op.category.capitalize()} #{sid}",
                "",
                iso[day],
                op.currency,
                gross,
                deposit,
                strategy,
                lifecycle,
                False,
                made,
                made if lifecycle == "confirmed" else None,
                created if lifecycle == "cancelled" else None,
            )

    loader.load(
        "service_item",
        (
            "id",
            "booking_id",
            "operator_id",
            "title",
            "description",
            "service_date",
            "currency",
            "gross_minor",
            "deposit_minor",
            "strategy",
            "lifecycle",
            "refund_required",
            "created_at",
            "confirmed_at",
            "cancelled_at",
        ),
        services(),
        size.services + size.other_services,
    )

    # refunds of platform-collected services (what was collected, at most): the succeeded ones
    # come off the commission base and the payout; pending and failed ones must not
    refunds = []
    for service, booking, currency, collected in refunded:
        status = weighted(rng, (("succeeded", 80), ("pending", 10), ("failed", 10)), 1)[0]
        if status == "succeeded" and collected >= 2 and rng.random() < 0.2:  # refunded twice
            first = rng.randint(1, collected // 2)
            amounts = [(first, status), (rng.randint(1, collected - first), status)]
        else:
            amounts = [(rng.randint(1, collected), status)]
        for amount, state in amounts:
            refunds.append((service, booking, currency, collected, amount, state))
    loader.load(
        "payment_attempt",
        (
            "id",
            "booking_id",
            "currency",
            "amount_minor",
            "status",
            "provider",
            "unapplied_minor",
            "created_by",
            "created_at",
            "completed_at",
        ),
        (
            (
                f"pa_bench_{sid}",
                booking,
                cur,
                collected,
                "succeeded",
                "sandbox",
                0,
                ACTOR,
                created,
                created,
            )
            for sid, booking, cur, collected in refunded
        ),
        len(refunded),
    )
    loader.load(
        "refund",
        (
            "id",
            "booking_id",
            "service_item_id",
            "attempt_id",
            "amount_minor",
            "currency",
            "note",
            "status",
            "idempotency_key",
            "created_by",
            "created_at",
        ),
        (
            (
                rid,
                booking,
                sid,
                f"pa_bench_{sid}",
                amount,
                cur,
                "bench refund",
                state,
                f"bench-refund-{rid}",
                ACTOR,
                created,
            )
            for rid, (sid, booking, cur, _c, amount, state) in enumerate(refunds, 1)
        ),
        len(refunds),
    )
    return loader.rows


def prepare(db: Database, analyze: bool) -> str:
    """After the bulk load: sequences (PostgreSQL), checkpoint (SQLite), statistics."""
    if db.dialect == "sqlite":
        sqlite_autocommit(db, *(["ANALYZE"] if analyze else []), "PRAGMA wal_checkpoint(TRUNCATE)")
        return "ANALYZE run after the load" if analyze else "no ANALYZE (no sqlite_stat1)"
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("partner", "guest", "booking", "service_item", "refund"):
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        if analyze:
            conn.exec_driver_sql("VACUUM ANALYZE")
    return "VACUUM ANALYZE run after the load" if analyze else "no ANALYZE after the load"


RUN_TABLES = ("payout", "partner_invoice", "partner_statement", "month_end_run")  # FK order


def reset_run(db: Database) -> None:
    """Forget the run (payouts, invoices, statements, the run row, its messages, the numbers);
    audit events stay."""
    with db.engine.begin() as conn:
        for table in RUN_TABLES:  # payout -> invoice -> statement -> run
            conn.exec_driver_sql(f"DELETE FROM {table}")
        conn.execute(
            text("DELETE FROM outbox_message WHERE template_key = :t"), {"t": INVOICE_MESSAGE}
        )
        for name in ("partner_invoice", "partner_vat"):
            conn.execute(
                text("UPDATE number_sequence SET last_value = 0 WHERE name = :name"),
                {"name": f"{name}:{RUN_DATE.year}"},
            )
    if db.dialect == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"VACUUM ANALYZE {', '.join(RUN_TABLES)}, outbox_message")
    else:
        sqlite_autocommit(db, "PRAGMA wal_checkpoint(TRUNCATE)")


def sqlite_autocommit(db: Database, *statements: str) -> None:
    raw = db.engine.raw_connection()  # Database sets isolation_level None: no implicit BEGIN
    try:
        cur = raw.cursor()
        for statement in statements:
            cur.execute(statement).fetchall()
        cur.close()
    finally:
        raw.close()


# -- checks ----------------------------------------------------------------------------------


class Checks:
    """Wrong results found (they fail the process); figures never do."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def expect(self, ok: bool, message: str) -> bool:
        if not ok:
            self.problems.append(message)
        return ok


def counts(db: Database) -> dict[str, int]:
    tables = (
        "partner_invoice",
        "partner_statement",
        "payout",
        "month_end_run",
        "outbox_message",
        "audit_event",
    )
    with db.engine.connect() as conn:
        return {
            t: int(conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one()) for t in tables
        }


def _diff(expected: dict[Any, Any], got: dict[Any, Any], what: str, limit: int = 3) -> list[str]:
    problems = []
    missing = expected.keys() - got.keys()
    extra = got.keys() - expected.keys()
    if missing:
        problems.append(f"{what}: {len(missing)} missing, e.g. {sorted(missing)[:limit]}")
    if extra:
        problems.append(f"{what}: {len(extra)} unexpected, e.g. {sorted(extra)[:limit]}")
    wrong = sorted(k for k in expected.keys() & got.keys() if expected[k] != got[k])
    if wrong:
        sample = ", ".join(f"{k}: expected {expected[k]}, got {got[k]}" for k in wrong[:limit])
        problems.append(f"{what}: {len(wrong)} differ, e.g. {sample}")
    return problems


STATEMENT_BATCH = 1_000  # statements read and parsed at a time by verify_run


@dataclass(frozen=True)
class StatementSums:
    """One stored statement and the sums of its parsed lines."""

    invoice_id: int | None  # the invoice issued from it (statement_id is unique)
    partner_id: int
    currency: str
    lines: int  # parsed
    line_count: int  # stored
    commission: int  # sum of the lines' commissions
    amount: int  # stored
    deducted: int  # sum of the lines' deducted commissions (net payout only)
    deducted_minor: int  # stored
    platform: int  # sum of the lines' platform-collected parts
    gross: int  # stored
    duplicates: int  # lines billing a stay or service already on the statement
    unreadable: str | None = None  # why its lines could not be parsed


def read_statements(db: Database, period: str) -> Iterator[StatementSums]:
    """The statements of the period's run in id order, read a batch at a time (no more than
    STATEMENT_BATCH statements' text held at once), each with its lines parsed and summed."""
    sql = text(
        "SELECT s.id, s.partner_id, s.currency, s.amount_minor, s.deducted_minor, s.gross_minor, "
        "s.line_count, s.rate_bps, s.net_payout, s.lines, i.id AS invoice_id "
        "FROM partner_statement s JOIN month_end_run r ON r.id = s.run_id "
        "LEFT JOIN partner_invoice i ON i.statement_id = s.id "
        "WHERE r.period = :p AND s.id > :after ORDER BY s.id LIMIT :n"
    )
    after = 0
    while True:
        with db.engine.connect() as conn:
            batch = conn.execute(sql, {"p": period, "after": after, "n": STATEMENT_BATCH}).all()
        if not batch:
            return
        for st in batch:
            net = bool(st.net_payout)
            count = commission = deducted = platform = 0
            seen: set[tuple[str, int]] = set()
            unreadable = None
            try:
                for line in parse_statement(st.lines, int(st.rate_bps)):
                    count += 1
                    commission += line.commission_minor
                    deducted += line.deducted_minor(net)
                    platform += line.platform_minor
                    seen.add((line.source, line.source_id))
            except DomainError as exc:
                unreadable = str(exc)
            yield StatementSums(
                invoice_id=None if st.invoice_id is None else int(st.invoice_id),
                partner_id=int(st.partner_id),
                currency=st.currency,
                lines=count,
                line_count=int(st.line_count),
                commission=commission,
                amount=int(st.amount_minor),
                deducted=deducted,
                deducted_minor=int(st.deducted_minor),
                platform=platform,
                gross=int(st.gross_minor),
                duplicates=count - len(seen),
                unreadable=unreadable,
            )
        after = int(batch[-1].id)


def verify_run(db: Database, expected: Totals, partners: int, label: str, checks: Checks) -> str:
    """The run's statements (their lines parsed), invoices and payouts against the baseline;
    returns a one-line verdict. `partners`: the partners with something to invoice."""
    period = str(PERIOD)
    with db.engine.connect() as conn:
        invoices = conn.execute(
            text(
                "SELECT id, partner_id, currency, number, amount_minor, deducted_minor "
                "FROM partner_invoice WHERE period = :p AND kind = 'commission'"
            ),
            {"p": period},
        ).all()
        payouts = conn.execute(
            text(
                "SELECT partner_id, currency, gross_minor, commission_minor, net_minor "
                "FROM payout WHERE period = :p"
            ),
            {"p": period},
        ).all()
        messages = conn.execute(
            text("SELECT dedupe_key FROM outbox_message WHERE template_key = :t"),
            {"t": INVOICE_MESSAGE},
        ).scalars()
        message_keys = list(messages)
        run = conn.execute(
            text(
                "SELECT partners_done, invoices_created, lines_created, finished_at "
                "FROM month_end_run WHERE period = :p"
            ),
            {"p": period},
        ).one_or_none()
    before = len(checks.problems)
    keys = [(int(i.partner_id), i.currency) for i in invoices]
    checks.expect(
        len(keys) == len(set(keys)),
        f"{label}: {len(keys) - len(set(keys))} duplicate invoices (same partner and currency)",
    )
    # The statements, streamed: only their sums are kept.
    by_invoice: dict[int, StatementSums] = {}
    statements = parsed = 0
    orphans: list[tuple[int, str]] = []  # statements without an invoice
    duplicated: list[tuple[int, str]] = []  # statements billing a line twice
    unreadable: list[str] = []
    for st in read_statements(db, period):
        statements += 1
        parsed += st.lines
        if st.duplicates:
            duplicated.append((st.partner_id, st.currency))
        if st.unreadable:
            unreadable.append(f"({st.partner_id}, {st.currency}): {st.unreadable}")
        if st.invoice_id is None:
            orphans.append((st.partner_id, st.currency))
        else:
            by_invoice[st.invoice_id] = st
    checks.expect(
        not orphans, f"{label}: {len(orphans)} statements without an invoice, e.g. {orphans[:3]}"
    )
    checks.expect(
        not unreadable,
        f"{label}: {len(unreadable)} statements with unreadable lines, e.g. {unreadable[:2]}",
    )
    checks.expect(
        not duplicated,
        f"{label}: {len(duplicated)} statements bill a stay or service twice, "
        f"e.g. {duplicated[:3]}",
    )
    # Per invoice: its statement is the same partner's and currency's, and the parsed lines,
    # the statement, the invoice and the baseline agree.
    got: dict[tuple[int, str], tuple[Any, ...]] = {}
    for i in invoices:
        key = (int(i.partner_id), i.currency)
        billed = by_invoice.get(int(i.id))
        if billed is None:
            got[key] = ("no statement",)
        elif (billed.partner_id, billed.currency) != key:
            got[key] = ("the statement of", billed.partner_id, billed.currency)
        else:
            got[key] = (
                (billed.lines, billed.line_count),
                (billed.commission, billed.amount, int(i.amount_minor)),
                (billed.deducted, billed.deducted_minor, int(i.deducted_minor)),
                (billed.platform, billed.gross),
            )
    want = {
        k: ((lines, lines), (amount,) * 3, (deducted,) * 3, (gross, gross))
        for k, (amount, deducted, gross, lines) in expected.items()
    }
    what = (
        f"{label}: invoices ((lines parsed, line_count), (commission: lines, statement, invoice), "
        "(deducted: lines, statement, invoice), (platform part: lines, statement gross))"
    )
    for problem in _diff(want, got, what):
        checks.problems.append(problem)
    got_payouts = {
        (int(p.partner_id), p.currency): (int(p.gross_minor), int(p.commission_minor))
        for p in payouts
    }
    want_payouts = {k: (v[2], v[1]) for k, v in expected.items() if v[2] > 0}
    for problem in _diff(want_payouts, got_payouts, f"{label}: payouts (gross, commission)"):
        checks.problems.append(problem)
    bad_net = [
        p for p in payouts if int(p.net_minor) != int(p.gross_minor) - int(p.commission_minor)
    ]
    checks.expect(not bad_net, f"{label}: {len(bad_net)} payouts with net != gross - commission")
    wanted_keys = {f"{INVOICE_MESSAGE}:{i.id}" for i in invoices}
    got_keys = [k for k in message_keys if k in wanted_keys]
    checks.expect(
        len(got_keys) == len(set(got_keys)) == len(wanted_keys),
        f"{label}: {len(got_keys):,} '{INVOICE_MESSAGE}' messages for {len(wanted_keys):,} "
        f"invoices ({len(set(got_keys)):,} distinct)",
    )
    numbers = sorted(i.number for i in invoices)
    wanted = [f"CM-{RUN_DATE.year}-{n:06d}" for n in range(1, len(invoices) + 1)]
    if numbers != wanted:
        first_bad = next((a for a, b in zip(numbers, wanted, strict=False) if a != b), None)
        checks.problems.append(
            f"{label}: numbers are not CM-{RUN_DATE.year}-000001..{len(invoices):06d} without "
            f"gaps (first difference: {first_bad})"
        )
    total_lines = sum(v[3] for v in expected.values())
    checks.expect(
        parsed == total_lines,
        f"{label}: {parsed:,} statement lines parsed, baseline has {total_lines:,}",
    )
    if checks.expect(run is not None, f"{label}: no month_end_run row") and run is not None:
        checks.expect(run.finished_at is not None, f"{label}: the run is not marked finished")
        checks.expect(
            (int(run.partners_done), int(run.invoices_created), int(run.lines_created))
            == (partners, len(expected), total_lines),
            f"{label}: run row says {run.partners_done} partners, {run.invoices_created} "
            f"invoices, {run.lines_created} lines; expected {partners}, {len(expected)}, "
            f"{total_lines}",
        )
    if len(checks.problems) > before:
        return f"WRONG ({len(checks.problems) - before} problem(s), listed at the end)"
    return (
        f"OK: {len(invoices):,} invoices = {statements:,} statements = baseline's (partner, "
        f"currency) totals, {parsed:,} lines parsed and summed, {len(payouts):,} payouts, "
        f"{len(got_keys):,} messages queued, "
        f"numbers CM-{RUN_DATE.year}-000001..{len(invoices):06d} gapless"
    )


def written(db: Database) -> dict[tuple[int, str], tuple[Any, ...]]:
    """What a run (or the write baseline) wrote, per partner and currency, without ids and
    times: the statement (its lines as a set: their order is not part of it), the invoice, the
    payout and the message. Equal for the run and the write baseline: they write the same."""
    sql = text(
        "SELECT s.id, s.partner_id, s.currency, s.amount_minor, s.deducted_minor, s.gross_minor, "
        "s.line_count, s.rate_bps, s.net_payout, s.tax_rate_bps, s.lines, i.number, i.kind, "
        "i.amount_minor AS i_amount, i.deducted_minor AS i_deducted, i.invoice_date, "
        "i.due_date, i.state, i.period, o.gross_minor AS o_gross, o.commission_minor, "
        "o.vat_minor, o.net_minor, o.invoice_id = i.id AS o_of_invoice, m.recipient, "
        "m.template_key, m.status, m.partner_id AS m_partner, "
        "m.attachment = 'partner_invoice_pdf:' || i.id AS m_attachment, "
        "m.render_from = 'partner_invoice:' || i.id AS m_render "
        "FROM partner_statement s JOIN month_end_run r ON r.id = s.run_id "
        "LEFT JOIN partner_invoice i ON i.statement_id = s.id "
        "LEFT JOIN payout o ON o.partner_id = s.partner_id AND o.currency = s.currency "
        "AND o.period = r.period "
        "LEFT JOIN outbox_message m ON m.dedupe_key = 'partner_invoice_issued:' || i.id "
        "WHERE r.period = :p AND s.id > :after ORDER BY s.id LIMIT :n"
    )
    out: dict[tuple[int, str], tuple[Any, ...]] = {}
    after = 0
    while True:
        with db.engine.connect() as conn:
            batch = conn.execute(
                sql, {"p": str(PERIOD), "after": after, "n": STATEMENT_BATCH}
            ).all()
        if not batch:
            return out
        for row in batch:
            values = row._mapping
            lines = hashlib.sha256("\n".join(sorted(row.lines.split("\n"))).encode()).hexdigest()
            out[(int(row.partner_id), row.currency)] = (
                lines,
                *(
                    str(values[k])
                    for k in values
                    if k not in ("id", "partner_id", "currency", "lines")
                ),
            )
        after = int(batch[-1].id)


def compare_written(
    want: dict[tuple[int, str], tuple[Any, ...]],
    got: dict[tuple[int, str], tuple[Any, ...]],
    label: str,
    checks: Checks,
) -> str:
    problems = _diff(want, got, f"{label} against the write baseline", limit=1)
    checks.problems.extend(problems)
    if problems:
        return f"WRONG ({len(problems)} problem(s), listed at the end)"
    return (
        f"OK: the same {len(got):,} statements (lines as sets), invoices and numbers, payouts "
        "and messages as the write baseline"
    )


# -- plans -----------------------------------------------------------------------------------


def explain(db: Database) -> list[str]:
    """Query plans of the baseline and of the run's statement collection, whole month."""
    params = {"first": PERIOD.first_day, "last": PERIOD.last_day, "run_id": 0}
    collect_select = write_statements(db.dialect).select
    out = []
    sqlite = db.dialect == "sqlite"
    prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "
    items: list[tuple[str, str, dict[str, Any]]] = [
        ("baseline (whole month)", baseline_sql(db.dialect), window_params(db.dialect)),
        (
            "the run's statement collection, its SELECT (whole month; the INSERT itself not run)",
            str(
                collect_select.params(params).compile(
                    dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}
                )
            ),
            {},
        ),
    ]
    with db.engine.connect() as conn:
        for title, sql, bind in items:
            out.append(f"-- {title}")
            rows = conn.execute(text(prefix + sql), bind).all()
            if sqlite:
                depth: dict[int, int] = {}
                for node, parent, _unused, detail in rows:
                    depth[node] = depth.get(parent, -1) + 1
                    out.append("   " + "  " * depth[node] + detail)
                start = perf_counter()
                n = len(conn.execute(text(sql), bind).all())
                out.append(f"   ({n:,} rows in {1000 * (perf_counter() - start):.0f} ms)")
            else:
                out += ["   " + r[0] for r in rows]
        conn.rollback()
    return out


# -- one backend -----------------------------------------------------------------------------


@dataclass
class Report:
    backend: str
    where: str
    rows: dict[str, int] = field(default_factory=dict)
    generate_seconds: float = 0.0
    stats: str = ""
    baselines: list[Measured] = field(default_factory=list)
    writes: list[Measured] = field(default_factory=list)  # the write baseline
    as_is: Measured | None = None  # a first run that stalled, before the retry
    first: Measured | None = None
    rerun: Measured | None = None
    other: Measured | None = None  # the run with --alt-chunk
    collect: Measured | None = None  # the run's statement collection SELECT, no writes
    no_prepare: bool = False  # psycopg's automatic prepare off in the children, and why
    no_prepare_why: str = ""
    verdicts: list[tuple[str, str]] = field(default_factory=list)  # (run, the check's line)
    plans: list[str] = field(default_factory=list)
    failed: str | None = None

    @property
    def baseline(self) -> Measured:
        return min(self.baselines, key=lambda m: m.seconds)

    @property
    def write_base(self) -> Measured | None:
        done = [m for m in self.writes if not m.stalled]
        return min(done, key=lambda m: m.seconds) if done else None


def run_backend(
    backend: str, url: str, where: str, args: argparse.Namespace, checks: Checks
) -> Report:
    from concierge_app.cli import run_migrations  # here: the children need not load the CLI

    report = Report(backend, where)
    if backend == "postgres" and args.pg_no_prepare:
        report.no_prepare, report.no_prepare_why = True, "--pg-no-prepare"
    progress = Progress(
        SpinnerColumn(),
        TextColumn(f"[bold]{backend:8}[/bold] {{task.description:42}}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )

    def child(label: str, kind: str, chunk: int = args.chunk, out: Path | None = None) -> Measured:
        if report.no_prepare and kind == "run":
            label += " (no prepare)"
        measured = run_child(
            progress,
            label,
            url,
            kind,
            stall=args.stall,
            chunk=chunk,
            out=out,
            no_prepare=report.no_prepare,
        )
        if measured.stalled and kind == "baseline":
            raise ChildStopped(f"{label}: {measured.stalled}")
        return measured

    with progress, tempfile.TemporaryDirectory(prefix="concierge-month-end-") as tmp:
        task = progress.add_task("migrating a fresh database", total=None)
        run_migrations(url)
        progress.remove_task(task)
        db = Database(url)
        try:
            start = perf_counter()
            report.rows = generate(db, args.size, progress, args.seed)
            task = progress.add_task("statistics", total=None)
            report.stats = prepare(db, args.analyze)
            progress.remove_task(task)
            report.generate_seconds = perf_counter() - start

            first_totals, second_totals = Path(tmp) / "base1.json", Path(tmp) / "base2.json"
            report.baselines.append(
                child("baseline (before the run)", "baseline", out=first_totals)
            )
            expected = read_totals(first_totals)
            partners = len({pid for pid, _currency in expected})  # the partners to invoice
            total_lines = sum(v[3] for v in expected.values())
            # the write baseline: what the run writes, by hand; checked as the run is, then
            # its rows deleted
            write = child("write baseline", "write")
            report.writes.append(write)
            report.verdicts.append(
                (write.name, verify_run(db, expected, partners, write.name, checks))
            )
            task = progress.add_task("reading what the write baseline wrote", total=None)
            wrote = written(db)
            progress.remove_task(task)
            task = progress.add_task("deleting the write baseline's rows", total=None)
            reset_run(db)
            progress.remove_task(task)
            first = child("month-end run", "run")
            if first.stalled and backend == "postgres" and not report.no_prepare:
                # The cause once: psycopg prepared a statement after 5 executions and the
                # server switched to a generic plan for the former per-chunk line copy. Retry
                # with psycopg's automatic prepare off, set by the child on its connections
                # (Database already sets it; this guard only matters if that ever changes).
                report.as_is = first
                reset_run(db)
                report.no_prepare = True
                report.no_prepare_why = "retry after the run as is stalled"
                first = child("month-end run", "run")
            if first.stalled:
                report.as_is = first
                return report
            report.first = first
            report.verdicts.append(
                (first.name, verify_run(db, expected, partners, first.name, checks))
            )
            report.verdicts.append(
                (first.name, compare_written(wrote, written(db), first.name, checks))
            )
            checks.expect(
                first.summary.get("invoices_created") == len(expected),
                f"first run: RunSummary says {first.summary.get('invoices_created')} invoices "
                f"created, baseline has {len(expected)}",
            )
            checks.expect(
                first.summary.get("partners") == partners,
                f"first run: RunSummary says {first.summary.get('partners')} partners invoiced, "
                f"baseline has {partners}",
            )
            before = counts(db)
            rerun = child("rerun", "run")
            report.rerun = rerun
            after = counts(db)
            added = {t: after[t] - before[t] for t in before if after[t] != before[t]}
            checks.expect(not added, f"rerun added rows: {added}")
            checks.expect(
                bool(rerun.summary.get("already_done"))
                and rerun.summary.get("invoices_created") == 0,
                f"rerun: expected already_done and nothing created, got {rerun.summary}",
            )
            report.verdicts.append(
                (
                    rerun.name,
                    ("OK" if not added else "WRONG")
                    + f": already_done={rerun.summary.get('already_done')}, rows added: "
                    + (", ".join(f"{t} +{n}" for t, n in added.items()) if added else "none")
                    + f" (invoices {after['partner_invoice']:,}, statements "
                    f"{after['partner_statement']:,}, payouts {after['payout']:,}, "
                    f"outbox {after['outbox_message']:,}, audit events {after['audit_event']:,})",
                )
            )
            report.baselines.append(
                child("baseline (after the rerun)", "baseline", out=second_totals)
            )
            checks.expect(read_totals(second_totals) == expected, "the two baseline runs differ")
            if args.plans:
                task = progress.add_task("query plans", total=None)
                report.plans = explain(db)
                progress.remove_task(task)
            if args.alt_chunk:
                task = progress.add_task("deleting the run's rows", total=None)
                reset_run(db)
                progress.remove_task(task)
                other = child(f"month-end run, chunk {args.alt_chunk}", "run", args.alt_chunk)
                report.other = other
                if not other.stalled:
                    report.verdicts.append(
                        (other.name, verify_run(db, expected, partners, other.name, checks))
                    )
                    report.verdicts.append(
                        (other.name, compare_written(wrote, written(db), other.name, checks))
                    )
            task = progress.add_task("deleting the run's rows", total=None)
            reset_run(db)
            progress.remove_task(task)
            write = child("write baseline (again)", "write")
            report.writes.append(write)
            report.verdicts.append(
                (write.name, compare_written(wrote, written(db), write.name, checks))
            )
            if args.collect:  # writes nothing: no rows to delete first
                collect = child("statement query alone (no writes)", "collect")
                report.collect = collect
                if not collect.stalled:
                    ok = checks.expect(
                        (collect.rows, collect.lines) == (len(expected), total_lines),
                        f"statement query: {collect.rows:,} statements of {collect.lines:,} "
                        f"lines; baseline has {len(expected):,} and {total_lines:,}",
                    )
                    report.verdicts.append(
                        (
                            collect.name,
                            ("OK" if ok else "WRONG")
                            + f": {collect.rows:,} statements of {collect.lines:,} lines "
                            f"(baseline: {len(expected):,} (partner, currency) rows, "
                            f"{total_lines:,} lines)",
                        )
                    )
        except ChildFailed as exc:
            report.failed = str(exc)
            checks.problems.append(f"{backend}: {str(exc).splitlines()[0]}")
        except ChildStopped as exc:
            report.failed = str(exc)
        finally:
            db.dispose()
    return report


# -- backends --------------------------------------------------------------------------------


# -- printing --------------------------------------------------------------------------------


def print_context(args: argparse.Namespace, pg: dict[str, str] | None) -> None:
    try:
        import psycopg

        psycopg_version = psycopg.__version__
    except ImportError:  # pragma: no cover
        psycopg_version = "not installed"
    size: Size = args.size
    print("Concierge month-end benchmark")
    print(
        f"  Python      {platform.python_implementation()} {platform.python_version()} "
        f"on {platform.platform()}"
    )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    print(
        f"  CPU         {os.cpu_count()} logical cores, {cpu_name()}; load average {load} at start"
    )
    mem = (
        next(
            (
                ln.split(":")[1].strip()
                for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal")
            ),
            "?",
        )
        if Path("/proc/meminfo").exists()
        else "?"
    )
    print(f"  Memory      {mem}")
    print(
        f"  SQLite      {sqlite3.sqlite_version}; WAL, synchronous=NORMAL, default cache_size "
        "(Database defaults)"
    )
    print(f"  Drivers     SQLAlchemy {sqlalchemy.__version__}, psycopg {psycopg_version}")
    if args.backend in ("postgres", "both"):
        if pg:
            print(
                f"  PostgreSQL  {pg['server_version']} at {PG_ADMIN_URL.split('@')[-1]} "
                f"(synchronous_commit={pg['synchronous_commit']}, "
                f"shared_buffers={pg['shared_buffers']}, work_mem={pg['work_mem']})"
            )
        else:
            print(f"  PostgreSQL  unreachable at {PG_ADMIN_URL.split('@')[-1]}")
    print(
        f"  Data        period {PERIOD}: {size.stays:,} stays and {size.services:,} services "
        f"over {size.partners:,} partners ({size.partners // 10:,} operators), "
        f"{size.guests:,} guests; + {size.other_stays:,} stays and {size.other_services:,} "
        f"services in October / December (seed {args.seed}){' (--quick)' if args.quick else ''}"
    )
    print(
        f"  Run         baseline; run_month_end(chunk={args.chunk}); rerun; baseline"
        + (f"; chunk={args.alt_chunk} after deleting the run" if args.alt_chunk else "")
        + ("; statement query alone" if args.collect else "")
        + f"; each in a fresh child process, stopped after {args.stall:g} s without progress"
        + ("; PostgreSQL with prepare_threshold=None" if args.pg_no_prepare else "")
    )


def print_report(report: Report) -> None:
    print()
    print(f"== {report.backend}: {report.where} ==")
    rows = report.rows
    print(
        f"  data (not timed): {rows.get('partner', 0):,} partners, {rows.get('guest', 0):,} "
        f"guests, {rows.get('booking', 0):,} bookings, {rows.get('service_item', 0):,} "
        f"services, {rows.get('refund', 0):,} refunds in {report.generate_seconds:.0f} s; "
        f"{report.stats}"
    )
    if report.no_prepare:
        print(
            "  runs with psycopg's automatic prepared statements off (prepare_threshold=None, "
            f"set by the child on its connections): {report.no_prepare_why}"
        )
    if not report.baselines:
        print(f"  FAILED: {report.failed}")
        return
    base = report.baseline
    print()
    wbase = report.write_base
    measured = [
        *report.baselines,
        *report.writes,
        *(
            m
            for m in (report.as_is, report.first, report.rerun, report.other, report.collect)
            if m is not None
        ),
    ]
    table_rows = []
    for m in measured:
        is_run = m.chunk is not None
        invoices = m.summary.get("invoices_created") if is_run else m.rows
        lines = m.summary.get("lines_created") if is_run else None
        if m is report.collect:
            invoices, lines = m.rows, m.lines
        if m.stalled:
            chunk = str(m.chunk) if is_run else "-"
            table_rows.append([m.name, chunk, "stalled", "-", "-", "-", "-", "-", "-", "-"])
            continue
        table_rows.append(
            [
                m.name,
                str(m.chunk) if is_run else "-",
                f"{m.seconds:.2f}" if m.seconds >= 0.1 else f"{m.seconds:.3f}",
                f"{m.seconds / base.seconds:.2f}",
                f"{m.seconds / wbase.seconds:.2f}" if wbase else "-",
                f"{invoices:,}" if invoices is not None else "-",
                f"{lines:,}" if lines is not None else "-",
                f"{lines / m.seconds:,.0f}" if lines else "-",
                f"{m.rss_start_mb:.0f}",
                f"{m.peak_rss_mb:.0f}",
            ]
        )
    print(
        table(
            [
                "measurement",
                "chunk",
                "seconds",
                "x read base",
                "x write base",
                "invoices / rows",
                "lines",
                "lines/s",
                "RSS start MB",
                "peak RSS MB",
            ],
            table_rows,
            right={1, 2, 3, 4, 5, 6, 7, 8, 9},
        )
    )
    print(
        f"  x read base: against the faster read-only baseline ({base.seconds:.2f} s: the "
        "totals, nothing written); x write base: against the faster write baseline"
        + (f" ({wbase.seconds:.2f} s)" if wbase else "")
        + " (by hand, one transaction: the\n  statements with their lines, the numbers, "
        "invoices, payouts and messages the run writes). RSS of the child process\n  (Python, "
        "SQLAlchemy and the app imported, connected) at start and its peak (VmHWM)."
    )
    if report.backend == "sqlite" and wbase and report.first and not report.first.stalled:
        # SQLite works in the child's own process: its CPU time is the work, whatever else the
        # machine is doing (wall-clock time also counts the waits for a core)
        cpu_base = min(w.cpu_seconds for w in report.writes if not w.stalled)
        print(
            "  CPU time in the child (SQLite: the work itself): "
            f"run {report.first.cpu_seconds:.2f} s, write baseline {cpu_base:.2f} s "
            "(faster of two) = "
            f"{report.first.cpu_seconds / cpu_base:.2f} x"
            if cpu_base
            else ""
        )
    for w in report.writes:
        if not w.stalled and w.sql:
            print(
                f"  {w.name}, seconds per step: "
                + ", ".join(f"{k} {v:.2f}" for k, v in w.sql.items())
            )
    if report.as_is and report.as_is.stalled:
        print(f"  {report.as_is.name} stopped: {report.as_is.stalled}")
    if report.collect and report.collect.stalled:
        print(f"  {report.collect.name} stopped: {report.collect.stalled}")
    elif report.collect and report.first:
        collect, run = report.collect, report.first
        beyond = run.seconds - collect.seconds
        print(
            f"  statement query alone: {collect.seconds:.2f} s = "
            f"{collect.seconds / base.seconds:.2f} x baseline; "
            + (
                f"the run spends {beyond:.2f} s beyond it (writing the statements, issuing "
                "invoices, payouts and messages)"
                if beyond >= 0
                else f"the whole run took {-beyond:.2f} s less than it (timing noise)"
            )
        )
    runs = [m for m in (report.first, report.other) if m is not None and not m.stalled]
    if runs:
        print()
        print(
            "Where a run's time goes (seconds in cursor.execute per statement kind, summed over "
            "connections)"
        )
        kinds = ("statements", "invoices", "payouts", "messages", "audit", "other")
        breakdown = []
        for m in runs:
            in_sql = sum(m.sql.values())
            breakdown.append(
                [
                    m.name,
                    str(m.chunk),
                    *(f"{m.sql.get(k, 0.0):.2f}" for k in kinds),
                    f"{m.seconds - in_sql:.2f}",
                    f"{m.statements:,}",
                ]
            )
        print(
            table(
                [
                    "run",
                    "chunk",
                    "statements",
                    "invoices",
                    "payouts",
                    "messages",
                    "audit",
                    "other SQL",
                    "Python+commits",
                    "executions",
                ],
                breakdown,
                right=set(range(1, 10)),
            )
        )
        print(
            "  statements: the one INSERT .. SELECT of every partner's statement (lines packed, "
            "totals) for the month;\n  invoices, payouts, messages: an INSERT .. SELECT each "
            "per chunk, from the chunk's statements (the messages are\n  rendered later, at "
            "send time); other SQL: the run row, chunk sizes, number reservation, partner ids;\n"
            "  Python+commits: the rest of the wall-clock time (building parameters, COMMIT, "
            "SQLite's WAL checkpoints); executions: statements sent.\n  On PostgreSQL the "
            "statements and the chunks are written over 2 connections at once: the SQL seconds "
            "are\n  summed over both and can exceed the wall-clock time (Python+commits is then "
            "negative)."
        )
    print()
    for name, verdict in report.verdicts:
        print(f"  check, {name}: {verdict}")
    print()
    print(f"Targets ({report.backend})")
    for name, ok, figure in verdicts(report):
        print(f"  {name}: {'MET' if ok else 'NOT MET'} ({figure})")
    if report.failed:
        print(f"  FAILED: {report.failed}")
    if report.plans:
        print()
        print(f"Query plans ({report.backend})")
        for ln in report.plans:
            print(ln)


def verdicts(report: Report) -> list[tuple[str, bool, str]]:
    """(target, met, figure) for the issue's three targets."""
    if not report.baselines:
        return []
    items: list[tuple[str, bool, str]] = []
    ratio = f"run <= {TARGET_RATIO} x write baseline"
    if report.as_is is not None and report.as_is.stalled:
        items.append((f"{ratio}, as is", False, "the run did not finish: see above"))
        ratio += ", no prepare"
    first = report.first
    if first is None:
        return items
    wbase = report.write_base
    if wbase is not None:
        items.append(
            (
                ratio,
                first.seconds <= TARGET_RATIO * wbase.seconds,
                f"{first.seconds:.2f} s / {wbase.seconds:.2f} s = "
                f"{first.seconds / wbase.seconds:.2f}",
            )
        )
    items.append(
        (
            f"peak memory < {TARGET_MB:.0f} MB",
            first.peak_rss_mb < TARGET_MB,
            f"{first.peak_rss_mb:.0f} MB peak RSS of the run's process",
        )
    )
    if report.rerun is not None and not report.rerun.stalled:
        rerun = report.rerun
        items.append(
            (
                f"rerun <= {TARGET_RERUN} x first run",
                rerun.seconds <= TARGET_RERUN * first.seconds,
                f"{rerun.seconds:.3f} s / {first.seconds:.2f} s = "
                f"{rerun.seconds / first.seconds:.4f}",
            )
        )
    return items


def print_summary(reports: Sequence[Report]) -> None:
    print()
    print("Summary")
    rows = []
    for r in reports:
        for name, ok, figure in verdicts(r):
            rows.append([r.backend, name, "MET" if ok else "NOT MET", figure])
    if rows:
        print(table(["backend", "target", "verdict", "figure"], rows, right=set()))


# -- growth ----------------------------------------------------------------------------------


@dataclass
class GrowthPoint:
    size: Size
    run: Measured | None = None
    verdict: str = ""
    failed: str | None = None

    @property
    def per_stay_us(self) -> float | None:
        if self.run is None or self.run.stalled:
            return None
        return 1e6 * self.run.seconds / self.size.stays


def growth_size(stays: int) -> Size:
    """The whole month scaled with its stays: a partner per 50 stays (20,000 at 1,000,000),
    a service per 10 stays, the neighbouring months a twentieth."""
    return Size(max(10, stays // 50), 5_000, stays, stays // 10, stays // 20, stays // 200)


def run_growth(backend: str, args: argparse.Namespace, checks: Checks) -> list[GrowthPoint]:
    """The run alone (checked against the read-only baseline) on a fresh database of each of
    the growth sizes: its time per stay."""
    from concierge_app.cli import run_migrations

    points = []
    source = sqlite_database if backend == "sqlite" else postgres_database
    for stays in args.growth:
        point = GrowthPoint(growth_size(stays))
        points.append(point)
        progress = Progress(
            SpinnerColumn(),
            TextColumn(f"[bold]{backend:8}[/bold] {{task.description:42}}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        with (
            source() as (url, _where),
            progress,
            tempfile.TemporaryDirectory(prefix="concierge-month-end-") as tmp,
        ):
            run_migrations(url)
            db = Database(url)
            try:
                generate(db, point.size, progress, args.seed)
                prepare(db, args.analyze)
                totals = Path(tmp) / "base.json"
                label = f"growth {stays:,} stays"
                run_child(
                    progress, f"{label}: baseline", url, "baseline", stall=args.stall, out=totals
                )
                expected = read_totals(totals)
                partners = len({pid for pid, _currency in expected})
                point.run = run_child(
                    progress, f"{label}: run", url, "run", stall=args.stall, chunk=args.chunk
                )
                if not point.run.stalled:
                    point.verdict = verify_run(db, expected, partners, label, checks)
            except ChildFailed as exc:
                point.failed = str(exc)
                checks.problems.append(f"{backend}: {str(exc).splitlines()[0]}")
            finally:
                db.dispose()
    return points


def print_growth(backend: str, points: Sequence[GrowthPoint]) -> None:
    print()
    print(f"== {backend}: growth (each size a fresh database; run_month_end(chunk) alone) ==")
    rows = []
    for p in points:
        run = p.run
        rows.append(
            [
                f"{p.size.stays:,}",
                f"{p.size.partners:,}",
                f"{p.size.services:,}",
                "-" if run is None else ("stalled" if run.stalled else f"{run.seconds:.2f}"),
                "-" if p.per_stay_us is None else f"{p.per_stay_us:.2f}",
                "-" if run is None or run.stalled else f"{run.cpu_seconds:.2f}",
                "-"
                if run is None or run.stalled
                else f"{1e6 * run.cpu_seconds / p.size.stays:.2f}",
                "-" if run is None or run.stalled else f"{run.peak_rss_mb:.0f}",
            ]
        )
    print(
        table(
            [
                "stays",
                "partners",
                "services",
                "run s",
                "us per stay",
                "CPU s",
                "CPU us per stay",
                "peak RSS MB",
            ],
            rows,
            right=set(range(8)),
        )
    )
    print(
        "  CPU: the run's process only (on SQLite nearly all the work; on PostgreSQL the server "
        "does most):\n  less sensitive than wall-clock time to other jobs on a shared machine."
    )
    for p in points:
        print(f"  check, {p.size.stays:,} stays: {p.failed or p.verdict or '-'}")


def growth_ratio(points: Sequence[GrowthPoint]) -> float:
    small, large = points[0].per_stay_us, points[-1].per_stay_us
    return float("inf") if small is None or large is None else large / small


def print_results(reports: Sequence[Report], growth: dict[str, list[GrowthPoint]]) -> None:
    """One RESULT line per figure (bench/result.py)."""
    print()
    for r in reports:
        first, wbase = r.first, r.write_base
        ran = first is not None and not first.stalled
        ratio = first.seconds / wbase.seconds if ran and first and wbase else float("inf")
        print_result(f"month_end_{r.backend}_run_vs_write_baseline", ratio, f"<= {TARGET_RATIO}")
        rss = first.peak_rss_mb if ran and first else float("inf")
        print_result(f"month_end_{r.backend}_peak_rss_mb", rss, f"< {TARGET_MB:g}")
        rerun = r.rerun
        rerun_ratio = (
            rerun.seconds / first.seconds
            if ran and first and rerun is not None and not rerun.stalled
            else float("inf")
        )
        print_result(f"month_end_{r.backend}_rerun_vs_run", rerun_ratio, f"<= {TARGET_RERUN}")
    for backend, points in growth.items():
        if len(points) >= 2:
            print_result(
                f"month_end_{backend}_growth_per_stay_{_short(points[-1].size.stays)}_vs_"
                f"{_short(points[0].size.stays)}",
                growth_ratio(points),
                f"<= {TARGET_GROWTH}",
            )


def _short(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1_000}k"


# -- main ------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.month_end_bench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--quick", action="store_true", help="100,000 stays over 2,000 partners, 10,000 services"
    )
    parser.add_argument("--stays", type=int, help="stays departing in the month (overrides)")
    parser.add_argument("--partners", type=int, help="partners (overrides; one in ten operators)")
    parser.add_argument("--services", type=int, help="services in the month (overrides)")
    parser.add_argument(
        "--chunk",
        type=int,
        default=month_end.CHUNK,
        help="partners per transaction (default %(default)s)",
    )
    parser.add_argument(
        "--alt-chunk",
        type=int,
        default=None,
        help="chunk size of the extra run (default 2000; --quick: 0; 0 skips it)",
    )
    parser.add_argument(
        "--plans",
        action="store_true",
        help="print the plans of the baseline and of the run's statement collection SELECT "
        "for the whole month (EXPLAIN QUERY PLAN / EXPLAIN ANALYZE)",
    )
    parser.add_argument(
        "--no-analyze",
        dest="analyze",
        action="store_false",
        help="don't gather planner statistics after the load",
    )
    parser.add_argument(
        "--no-collect",
        dest="collect",
        action="store_false",
        default=None,
        help="skip the statement query alone (the run's collection SELECT, no writes; "
        "skipped with --quick unless --collect)",
    )
    parser.add_argument("--collect", dest="collect", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--stall",
        type=float,
        default=60.0,
        help="stop a child that reports nothing for this many seconds (default %(default)s; "
        "the run reports before its statement step and after each chunk)",
    )
    parser.add_argument(
        "--pg-no-prepare",
        action="store_true",
        help="PostgreSQL children turn psycopg's automatic prepared statements off "
        "(prepare_threshold=None) from the start; otherwise only after a run as is stalls",
    )
    parser.add_argument(
        "--growth",
        type=lambda v: [int(x) for x in v.split(",") if x] if v else [],
        default=None,
        help="stays of each growth point, comma separated (default 300000,3000000; --quick "
        "10000,100000; '' skips): the run alone on a fresh database of each size, a partner "
        "per 50 stays, a service per 10; time per stay of the largest over the smallest",
    )
    parser.add_argument("--seed", type=int, default=SEED, help=argparse.SUPPRESS)
    parser.add_argument(
        "--child", choices=("run", "baseline", "write", "collect"), help=argparse.SUPPRESS
    )
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    base = QUICK if args.quick else FULL
    args.size = Size(
        partners=args.partners or base.partners,
        guests=base.guests,
        stays=args.stays or base.stays,
        services=args.services or base.services,
        other_stays=(args.stays or base.stays) // 20,
        other_services=(args.services or base.services) // 20,
    )
    if args.alt_chunk is None:  # --quick: under a minute for both backends
        args.alt_chunk = 0 if args.quick else 2_000
    if args.collect is None:
        args.collect = not args.quick
    if args.growth is None:
        args.growth = [10_000, 100_000] if args.quick else [300_000, 3_000_000]
    if args.chunk < 1 or args.alt_chunk < 0 or args.size.partners < 10 or args.stall <= 0:
        parser.error("--chunk must be positive, --alt-chunk >= 0, --partners >= 10")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return child_main(args)
    pg_info, pg_problem = postgres_info() if args.backend in ("postgres", "both") else (None, None)
    print_context(args, pg_info)
    sys.stdout.flush()
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
    print_summary(reports)
    growth: dict[str, list[GrowthPoint]] = {}
    if len(args.growth) >= 2:
        for report in reports:  # the backends that ran
            growth[report.backend] = run_growth(report.backend, args, checks)
            print_growth(report.backend, growth[report.backend])
            sys.stdout.flush()
    print_results(reports, growth)
    if checks.problems:
        print()
        print(f"WRONG RESULTS ({len(checks.problems)}):")
        for problem in checks.problems[:50]:
            print(f"  - {problem}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
