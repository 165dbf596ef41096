"""The fault soak (issue 19, part 5): the randomized ledger machines, guest and partner side,
with faults injected at the edges we do not own, for many examples.

    .venv/bin/python -m bench.soak                      # 10,000 per machine (SOAK_EXAMPLES)
    .venv/bin/python -m bench.soak --examples 500       # any size
    .venv/bin/python -m bench.soak --quick              # 6 per machine, under a minute
    .venv/bin/python -m bench.soak --machine guest      # or partner (default: both)
    .venv/bin/python -m bench.soak --backend postgres   # a throwaway PostgreSQL template per run

The machines and their faults are in tests/integration/test_fault_soak.py (CI runs a few
derandomized examples of each): provider errors and timeouts (refunds, checkouts, direct
debits), duplicate and out-of-order events, SMTP down, a crash between the transactions of a
month-end run or a direct-debit collection. Our own database is real: every example gets a
fresh copy of a migrated SQLite file (or a PostgreSQL database cloned from a migrated one).

A violation is a failed check: Hypothesis shrinks it and prints the steps and a
@reproduce_failure blob; the soak counts it and carries on with the examples left (at most
MAX_VIOLATIONS per machine). It prints runs (examples run, shrinking included), steps (rules or
actions executed), faults injected (by kind) and violations, then `RESULT` lines; exit status 1
when there was a violation. The progress bar goes to stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from bench.common import cpu_name, table
from bench.result import print_result
from concierge_app.cli import run_migrations
from concierge_app.settings import get_settings
from tests.conftest import add_test_staff, create_pg_database, drop_pg_database
from tests.integration import test_fault_soak as soak
from tests.integration.test_ledger_stateful import PostgresDatabases, SqliteDatabases

DEFAULT_EXAMPLES = int(os.environ.get("SOAK_EXAMPLES", "10000"))
QUICK_EXAMPLES = 6
MAX_VIOLATIONS = 10  # per machine: then the soak stops that machine
GOAL_RUNS = 10_000


@dataclass
class Outcome:
    machine: str
    runs: int = 0
    steps: int = 0
    faults: int = 0
    seconds: float = 0.0
    violations: list[str] = field(default_factory=list)
    by_kind: dict[str, int] = field(default_factory=dict)


@contextmanager
def databases(backend: str) -> Iterator[Any]:
    """Fresh databases per example: copies of a migrated SQLite file, or clones of a migrated
    PostgreSQL template (dropped at the end)."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="concierge-soak-") as tmp:
            template = Path(tmp) / "template.db"
            run_migrations(f"sqlite:///{template}")
            add_test_staff(f"sqlite:///{template}")
            examples = Path(tmp) / "examples"
            examples.mkdir()
            yield SqliteDatabases(template, examples)
        return
    url = create_pg_database("concierge_soak_template")
    try:
        run_migrations(url)
        add_test_staff(url)
        made = PostgresDatabases(url)
        try:
            yield made
        finally:
            made.admin.dispose()
    finally:
        drop_pg_database(url)


def vat(rates: str) -> None:
    """The machines' VAT settings (as the integration tests' conftest and the CI tests set)."""
    os.environ["VAT_RATES"] = rates
    get_settings.cache_clear()


def soak_machine(
    name: str,
    run: Callable[..., Any],
    backend: str,
    examples: int,
    steps: int,
) -> Outcome:
    outcome = Outcome(name)
    soak.STATS.clear()
    vat("" if name == "guest" else "ES:21")
    extra: dict[str, Any] = {"database": None}
    if name == "guest":
        extra["steps"] = steps
    start = time.perf_counter()
    with databases(backend) as made:
        while soak.STATS["runs"] < examples and len(outcome.violations) < MAX_VIOLATIONS:
            left = examples - soak.STATS["runs"]
            try:
                run(made, left, **extra)
            except Exception as exc:  # a check failed: a violation (Hypothesis printed it)
                found = list(exc.exceptions) if isinstance(exc, BaseExceptionGroup) else [exc]
                for one in found:  # Hypothesis reports distinct failures as a group
                    text = "".join(traceback.format_exception_only(type(one), one)).strip()
                    outcome.violations.append(text)
                    print(f"VIOLATION in the {name} machine: {text}", flush=True)
    outcome.seconds = time.perf_counter() - start
    outcome.runs, outcome.steps, outcome.faults = (
        soak.STATS["runs"],
        soak.STATS["steps"],
        soak.STATS["faults"],
    )
    outcome.by_kind = {
        k.removeprefix("fault: "): v for k, v in soak.STATS.items() if k.startswith("fault: ")
    }
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=DEFAULT_EXAMPLES, help="per machine")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_EXAMPLES} per machine")
    parser.add_argument("--machine", choices=("guest", "partner", "both"), default="both")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--steps", type=int, default=30, help="steps per guest example")
    args = parser.parse_args(argv)
    examples = QUICK_EXAMPLES if args.quick else args.examples
    machines = {
        "guest": soak.run_guest_machine,
        "partner": soak.run_partner_scenarios,
    }
    chosen = list(machines) if args.machine == "both" else [args.machine]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"Fault soak: {examples:,} examples per machine ({', '.join(chosen)}) on {args.backend}; "
        f"{os.cpu_count()} × {cpu_name()}, load {load:.2f}; Python {sys.version.split()[0]}",
        flush=True,
    )
    outcomes: list[Outcome] = []
    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as progress:
        for name in chosen:
            task = progress.add_task(f"{name} machine", total=examples)

            def moved(task: Any = task, name: str = name) -> None:
                stats = soak.STATS
                progress.update(
                    task,
                    completed=min(stats["runs"], examples),
                    description=(
                        f"{name} machine · {stats['steps']:,} steps · {stats['faults']:,} faults"
                    ),
                )

            soak.ON_RUN[:] = [moved]
            outcomes.append(soak_machine(name, machines[name], args.backend, examples, args.steps))
            soak.ON_RUN.clear()
    print()
    rows = [
        [
            o.machine,
            f"{o.runs:,}",
            f"{o.steps:,}",
            f"{o.faults:,}",
            str(len(o.violations)),
            f"{o.seconds:,.0f}",
            f"{o.runs / o.seconds:.2f}" if o.seconds else "-",
        ]
        for o in outcomes
    ]
    print(
        table(
            ["machine", "runs", "steps", "faults", "violations", "seconds", "runs/s"],
            rows,
            right={1, 2, 3, 4, 5, 6},
        )
    )
    print("\nFaults injected, by kind:")
    for o in outcomes:
        for kind, count in sorted(o.by_kind.items()):
            print(f"  {o.machine:<8} {kind:<45} {count:>8,}")
    for o in outcomes:
        for v in o.violations:
            print(f"\nVIOLATION ({o.machine}): {v}")
    for o in outcomes:
        per_10k = o.seconds / o.runs * GOAL_RUNS if o.runs else float("nan")
        print(
            f"\n{o.machine}: {o.seconds / max(o.runs, 1):.2f} s per example; "
            f"10,000 examples would take about {per_10k / 3600:.1f} h on this machine"
        )
    print()
    violations = sum(len(o.violations) for o in outcomes)
    for o in outcomes:
        print_result(f"soak_{o.machine}_runs", o.runs, f">= {GOAL_RUNS}")
        print_result(f"soak_{o.machine}_faults", o.faults, "> 0")
    print_result("soak_violations", violations, "<= 0")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
