"""A new platform's own database: `make run EMPTY=1` migrates it and loads no demo data; the
demo data never goes beside a platform's own data, nor into production."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from concierge_app.cli import app as cli
from concierge_app.cli import run_migrations
from concierge_app.db.bookings import Booking
from concierge_app.db.engine import Database
from concierge_app.db.parties import Partner, StaffUser
from concierge_app.domain.statuses import PartnerKind
from concierge_app.services.partner import accounts
from concierge_app.settings import get_settings

REPO_ROOT = Path(__file__).resolve().parents[2]


def _counts(db: Database) -> tuple[int, int, int]:
    with db.read() as session:
        return tuple(  # type: ignore[return-value]
            len(session.exec(select(table.id)).all())  # type: ignore[attr-defined]
            for table in (Booking, Partner, StaffUser)
        )


def _dry_run(*args: str) -> str:
    result = subprocess.run(
        ["make", "-n", "run", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(REPO_ROOT)},
    )
    return result.stdout


def test_make_run_empty_migrates_its_own_database_and_loads_no_demo():
    empty = _dry_run("EMPTY=1")
    assert "cli migrate" in empty
    assert "seed-demo" not in empty
    assert "create-admin" in empty
    demo = _dry_run()
    assert "seed-demo" in demo


def test_make_run_empty_uses_data_platform_db_unless_told_otherwise():
    probe = ["--eval", 'probe: ; @echo "$$DATABASE_URL"', "probe"]
    run = lambda *a: subprocess.run(  # noqa: E731
        ["make", "-s", *a], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert run("EMPTY=1", *probe).endswith("/data/platform.db")
    assert run("EMPTY=1", "DATABASE_URL=sqlite:///elsewhere.db", *probe) == "sqlite:///elsewhere.db"


def test_seed_demo_fills_an_empty_database_once(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    run_migrations(url)
    first = CliRunner().invoke(cli, ["seed-demo", "--url", url])
    assert first.exit_code == 0, first.output
    loaded = _counts(Database(url))
    assert all(count > 0 for count in loaded)
    again = CliRunner().invoke(cli, ["seed-demo", "--url", url])
    assert again.exit_code == 0 and "nothing loaded" in again.output
    assert _counts(Database(url)) == loaded


def test_seed_demo_leaves_a_platform_with_only_partners_alone(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'platform.db'}"
    run_migrations(url)
    db = Database(url)
    accounts.create_partner(
        db=db,
        code="OWN-1",
        name="Our First Villa",
        kind=PartnerKind.PROPERTY,
        category="villa",
        country="PT",
        currency="EUR",
        commission_rate_bps=1500,
        finance_email="finance@villa.example",
        actor="cli:test",
    )
    result = CliRunner().invoke(cli, ["seed-demo", "--url", url])
    assert result.exit_code == 0 and "nothing loaded" in result.output
    assert _counts(db) == (0, 1, 0)


def test_seed_demo_is_refused_in_production(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    url = f"sqlite:///{tmp_path / 'prod.db'}"
    run_migrations(url)
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-of-at-least-32-bytes!")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["seed-demo", "--url", url])
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "never goes into a production database" in result.output
    assert _counts(Database(url)) == (0, 0, 0)
