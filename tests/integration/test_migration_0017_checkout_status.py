"""Migration 0017 on SQLite and PostgreSQL: a database at 0016 with partner checkouts (one paid,
one open, one expired) upgrades to the one checkout status (paid → succeeded, the others kept),
whose CHECK then refuses 'paid'; a downgrade gives back 'paid' and its old CHECK."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from concierge_app.domain.checkout import CheckoutStatus

from ..conftest import create_pg_database, drop_pg_database, require_postgres
from .test_migration_0012_one_payer import alembic_config, migrate, rows

STATUSES = "SELECT id, status FROM partner_checkout ORDER BY id"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def at_0016(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database at 0016 (one step before this migration) with three partner checkouts."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        require_postgres()
        url = create_pg_database("concierge_0017")
    try:
        migrate(url, "0016")
        execute(
            url,
            "INSERT INTO partner_group (id, code, name, finance_email, created_at) "
            "VALUES (1, 'GRP-1', 'Group', 'g@example.com', CURRENT_TIMESTAMP)",
            *(
                "INSERT INTO partner_checkout (id, group_id, currency, amount_minor, status, "
                f"provider, created_by, created_at) VALUES ('pc_{status}', 1, 'EUR', 1000, "
                f"'{status}', 'sandbox', 'test', CURRENT_TIMESTAMP)"
                for status in ("paid", "open", "expired")
            ),
        )
        yield url
    finally:
        if request.param == "postgres":
            drop_pg_database(url)


def execute(url: str, *statements: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for sql in statements:
                conn.execute(text(sql))
    finally:
        engine.dispose()


def test_a_paid_partner_checkout_becomes_succeeded_and_back(at_0016: str):
    migrate(at_0016, "0017")
    assert rows(at_0016, STATUSES) == [
        ("pc_expired", CheckoutStatus.EXPIRED.value),
        ("pc_open", CheckoutStatus.OPEN.value),
        ("pc_paid", CheckoutStatus.SUCCEEDED.value),
    ]
    with pytest.raises(IntegrityError):
        execute(at_0016, "UPDATE partner_checkout SET status = 'paid' WHERE id = 'pc_open'")
    execute(at_0016, "UPDATE partner_checkout SET status = 'failed' WHERE id = 'pc_open'")

    command.downgrade(alembic_config(at_0016), "0016")
    assert rows(at_0016, STATUSES) == [
        ("pc_expired", "expired"),
        ("pc_open", "failed"),
        ("pc_paid", "paid"),
    ]
    with pytest.raises(IntegrityError):
        execute(at_0016, "UPDATE partner_checkout SET status = 'succeeded' WHERE id = 'pc_open'")
