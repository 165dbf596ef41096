"""Databases for the tests: a real SQLite file per test, and a throwaway PostgreSQL database.

The PostgreSQL variant runs when 127.0.0.1:5432 answers; otherwise it is skipped with a
message (and fails under CI=true, where PostgreSQL must be there).
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

import concierge_app.db.tables  # noqa: F401  (registers every table)
from concierge_app.cli import run_migrations
from concierge_app.db.engine import Database

PG_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _pg_unreachable() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"


def require_postgres() -> None:
    reason = _pg_unreachable()
    if reason:
        message = f"PostgreSQL at {PG_ADMIN_URL.split('@')[-1]} is not reachable ({reason})"
        if os.environ.get("CI"):
            pytest.fail(message + " — CI must run the PostgreSQL tests.")
        pytest.skip(message + ": skipping the PostgreSQL variant.")


def create_pg_database(prefix: str = "concierge_test") -> str:
    """A new empty database; returns its URL."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


# The staff member the tests act as (tests/factories.py ACTOR), holding every role: services
# refuse an email actor that is not an active staff user allowed to do it.
TEST_STAFF = "staff@test.example"
_ADD_TEST_STAFF = text(
    "INSERT INTO staff_user (email, name, password_hash, is_active, roles, created_at) "
    "VALUES (:email, 'Test Staff', '', true, 'admin,concierge,finance', CURRENT_TIMESTAMP)"
)


def add_test_staff(url: str) -> None:
    """Give a migrated database the tests' staff member."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(_ADD_TEST_STAFF, {"email": TEST_STAFF})
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with the tests' staff member, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "ledger.db"
    run_migrations(f"sqlite:///{path}")
    add_test_staff(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A throwaway migrated PostgreSQL database for this test run."""
    require_postgres()
    url = create_pg_database()
    try:
        run_migrations(url)
        yield url
    finally:
        drop_pg_database(url)


def _reset_pg(url: str) -> None:
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))  # audit triggers off
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    add_test_staff(url)


@pytest.fixture
def sqlite_db(tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    path = tmp_path / "ledger.db"
    shutil.copy(sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    yield db
    db.dispose()


@pytest.fixture
def pg_db(pg_url: str) -> Iterator[Database]:
    _reset_pg(pg_url)
    db = Database(pg_url)
    yield db
    db.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest) -> Database:
    """The same test on a real SQLite file and on PostgreSQL."""
    return request.getfixturevalue("sqlite_db" if request.param == "sqlite" else "pg_db")


def run_async(coroutine: Any) -> Any:
    """Run a coroutine to completion on a fresh event loop in its own thread.

    The browser tests keep Playwright's loop running in the main thread for the whole session,
    so `asyncio.run` cannot be called there afterwards.
    """
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
