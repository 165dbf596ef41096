"""Migration 0021 on SQLite and PostgreSQL: staff who existed before roles keep every role;
`account_link` holds only known kinds and purposes and each token once; a downgrade removes
the table and the column and keeps the staff."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from ..conftest import create_pg_database, drop_pg_database, require_postgres
from .test_migration_0012_one_payer import alembic_config, migrate
from .test_migration_0017_checkout_status import execute

LINK = (
    "INSERT INTO account_link (token_hash, kind, user_id, purpose, created_by, created_at, "
    "expires_at) VALUES ('{token}', '{kind}', 1, '{purpose}', 'cli:t', CURRENT_TIMESTAMP, "
    "CURRENT_TIMESTAMP)"
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def at_0019(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        require_postgres()
        url = create_pg_database("concierge_0021")
    try:
        migrate(url, "0019")
        yield url
    finally:
        if request.param == "postgres":
            drop_pg_database(url)


def rows(url: str, sql: str) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def test_existing_staff_keep_every_role_and_downgrade_undoes_it(at_0019: str):
    execute(
        at_0019,
        "INSERT INTO staff_user (email, name, password_hash, is_active, created_at) "
        "VALUES ('old@staff.example', 'Old', 'h', true, CURRENT_TIMESTAMP)",
    )
    migrate(at_0019, "0021")
    assert rows(at_0019, "SELECT email, roles FROM staff_user") == [
        ("old@staff.example", "admin,concierge,finance")
    ]
    execute(at_0019, LINK.format(token="a" * 64, kind="staff", purpose="invitation"))
    execute(at_0019, LINK.format(token="b" * 64, kind="partner", purpose="reset"))
    for bad in (
        LINK.format(token="a" * 64, kind="staff", purpose="reset"),  # the same token twice
        LINK.format(token="c" * 64, kind="guest", purpose="reset"),
        LINK.format(token="d" * 64, kind="staff", purpose="login"),
    ):
        with pytest.raises(IntegrityError):
            execute(at_0019, bad)
    command.downgrade(alembic_config(at_0019), "0019")
    engine = create_engine(at_0019)
    try:
        assert "account_link" not in inspect(engine).get_table_names()
        assert "roles" not in {c["name"] for c in inspect(engine).get_columns("staff_user")}
    finally:
        engine.dispose()
    assert rows(at_0019, "SELECT email FROM staff_user") == [("old@staff.example",)]
