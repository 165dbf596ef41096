"""The month-end bench's write baseline (issue 19): by hand, it writes what the run writes."""

from __future__ import annotations

from rich.progress import Progress
from sqlalchemy import text

from bench import month_end_bench as bench
from concierge_app.db.engine import Database
from concierge_app.services.partner.billing import month_end

SMALL = bench.Size(partners=40, guests=20, stays=600, services=80, other_stays=30, other_services=8)


def _expected(db: Database) -> bench.Totals:
    with db.read() as session:
        rows = session.connection().execute(
            text(bench.baseline_sql(db.dialect)), bench.window_params(db.dialect)
        )
        return {
            (int(r.partner_id), r.currency): (
                int(r.amount),
                int(r.deducted),
                int(r.gross),
                int(r.lines),
            )
            for r in rows
        }


def test_the_write_baseline_writes_what_the_run_writes(db: Database) -> None:
    with Progress(disable=True) as progress:
        bench.generate(db, SMALL, progress, bench.SEED)
    bench.prepare(db, analyze=True)
    expected = _expected(db)
    partners = len({pid for pid, _currency in expected})
    assert partners > 20

    steps = bench.write_baseline(db)
    assert set(steps) >= {"statements", "invoices", "payouts", "messages"}
    checks = bench.Checks()
    verdict = bench.verify_run(db, expected, partners, "write baseline", checks)
    assert checks.problems == [], checks.problems
    assert verdict.startswith("OK")
    wrote = bench.written(db)
    assert len(wrote) == len(expected)

    bench.reset_run(db)
    assert bench.written(db) == {}
    month_end.run_month_end(
        db=db, period=bench.PERIOD, run_date=bench.RUN_DATE, actor=bench.ACTOR, chunk=7
    )
    bench.verify_run(db, expected, partners, "run", checks)
    assert bench.compare_written(wrote, bench.written(db), "run", checks).startswith("OK")
    assert checks.problems == [], checks.problems


def test_a_wrong_row_is_told_apart(db: Database) -> None:
    with Progress(disable=True) as progress:
        bench.generate(db, SMALL, progress, bench.SEED)
    bench.write_baseline(db)
    wrote = bench.written(db)
    with db.transaction() as session:  # one payout off by a cent
        session.connection().execute(
            text(
                "UPDATE payout SET gross_minor = gross_minor + 1, net_minor = net_minor + 1 "
                "WHERE id = (SELECT min(id) FROM payout)"
            )
        )
    checks = bench.Checks()
    assert bench.compare_written(wrote, bench.written(db), "run", checks).startswith("WRONG")
    assert len(checks.problems) == 1
