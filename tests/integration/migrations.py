"""Helpers of the migration tests: move a database to a revision and back, run SQL on it, read
its rows, tables and columns. The database itself comes from the `database_at` fixture
(conftest.py): an empty SQLite file or a throwaway PostgreSQL database at a revision."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect, text

from concierge_app.cli.database import alembic_config, run_migrations


def migrate(url: str, revision: str) -> None:
    """alembic upgrade to `revision`."""
    run_migrations(url, revision)


def downgrade(url: str, revision: str) -> None:
    """alembic downgrade to `revision`."""
    command.downgrade(alembic_config(url), revision)


def execute(url: str, *statements: str) -> None:
    """Run the statements in one transaction."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for sql in statements:
                conn.execute(text(sql))
    finally:
        engine.dispose()


def rows(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def columns(url: str, table: str) -> set[str]:
    engine = create_engine(url)
    try:
        return {c["name"] for c in inspect(engine).get_columns(table)}
    finally:
        engine.dispose()
