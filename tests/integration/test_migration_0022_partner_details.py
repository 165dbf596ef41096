"""Migration 0022 on SQLite and PostgreSQL: from 0019 it adds `partner.finance_contact` ("" for
the partners there are) in place, so the trigger that gives each new partner its opening rate
still fires; a downgrade removes the column and keeps the trigger too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect

from ..conftest import create_pg_database, drop_pg_database, require_postgres
from .test_migration_0012_one_payer import alembic_config, migrate, rows
from .test_migration_0017_checkout_status import execute

PARTNER = (
    "INSERT INTO partner (code, name, kind, category, country, timezone, currency, "
    "commission_rate_bps, payout_method, commission_payment_method, finance_email, address, "
    "created_at) VALUES ('{code}', 'P', 'property', 'villa', 'ES', 'UTC', 'EUR', {bps}, "
    "'net_payout', 'payout_deduction', 'f@example.com', '', CURRENT_TIMESTAMP)"
)
OPENING_RATES = (
    "SELECT p.code, r.rate_bps FROM partner_commission_rate r JOIN partner p "
    "ON p.id = r.partner_id ORDER BY p.code"
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def at_0019(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        require_postgres()
        url = create_pg_database("concierge_0022")
    try:
        migrate(url, "0019")
        yield url
    finally:
        if request.param == "postgres":
            drop_pg_database(url)


def columns(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return {c["name"] for c in inspect(engine).get_columns("partner")}
    finally:
        engine.dispose()


def test_upgrade_adds_the_finance_contact_and_keeps_the_opening_rate_trigger(at_0019: str):
    execute(at_0019, PARTNER.format(code="OLD-1", bps=1000))
    migrate(at_0019, "0022")
    assert "finance_contact" in columns(at_0019)
    assert rows(at_0019, "SELECT code, finance_contact FROM partner") == [("OLD-1", "")]
    execute(at_0019, PARTNER.format(code="NEW-2", bps=1250))
    assert rows(at_0019, OPENING_RATES) == [("NEW-2", 1250), ("OLD-1", 1000)]
    command.downgrade(alembic_config(at_0019), "0019")
    assert "finance_contact" not in columns(at_0019)
    execute(at_0019, PARTNER.format(code="BACK-3", bps=900))
    assert rows(at_0019, OPENING_RATES) == [("BACK-3", 900), ("NEW-2", 1250), ("OLD-1", 1000)]
