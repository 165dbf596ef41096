"""`concierge reconcile --period YYYY-MM`: prints the drift as a table and exits 1 when there is
any, 0 when none, 2 (with the reason) when it cannot run."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select
from typer.testing import CliRunner

from concierge_app.cli import app as cli
from concierge_app.db.engine import Database
from concierge_app.db.reconciliation import ReconciliationRun
from concierge_app.db.sandbox_refunds import SandboxRefund
from concierge_app.demo.seed import load_demo

WIDE = {"COLUMNS": "200"}


def this_month() -> str:
    return datetime.now(UTC).strftime("%Y-%m")


def reconcile(db: Database, *args: str):
    return CliRunner().invoke(cli, ["reconcile", *args, "--url", db.url], env=WIDE)


def test_no_drift_exits_0_and_drift_exits_1_with_each_difference(db: Database):
    load_demo(db)
    clean = reconcile(db, "--period", this_month())
    assert clean.exit_code == 0, clean.output
    assert "No drift" in clean.output and "Matched" in clean.output
    assert f"Reconciliation {this_month()} (up to" in clean.output
    with db.transaction() as s:
        refund = s.exec(select(SandboxRefund)).one()
        refund.amount_minor += 1
        s.add(refund)
    drift = reconcile(db, "--period", this_month())
    assert drift.exit_code == 1, drift.output
    assert "1 difference:" in drift.output and "Amount differs" in drift.output
    assert refund.id in drift.output
    with db.read() as s:
        assert len(s.exec(select(ReconciliationRun)).all()) == 2


def test_bad_periods_exit_2_with_the_reason_and_store_nothing(db: Database):
    for bad, said in (
        ("2026-13", "is not a month"),
        ("26-11", "YYYY-MM"),
        ("２０２６-１１", "YYYY-MM"),
        ("2026-11; DROP TABLE x", "YYYY-MM"),
        ("9" * 5000, "YYYY-MM"),
        ("2999-12", "has not started yet"),
    ):
        result = reconcile(db, "--period", bad)
        assert result.exit_code == 2, (bad, result.output)
        assert said in result.output, (bad, result.output)
    missing = CliRunner().invoke(cli, ["reconcile", "--url", db.url])
    assert missing.exit_code == 2
    with db.read() as s:
        assert s.exec(select(ReconciliationRun)).all() == []
