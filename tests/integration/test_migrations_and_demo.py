"""`alembic upgrade head` gives the schema the tables describe; the demo data is complete."""

from collections.abc import Callable

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlmodel import SQLModel

from concierge_app.cli import run_migrations
from concierge_app.db.engine import Database
from concierge_app.demo.seed import has_data, load_demo
from concierge_app.domain.lifecycle import InvoiceStatus
from concierge_app.domain.strategies import PaymentStrategy
from concierge_app.services.guest import queries
from concierge_app.services.shared.audit import verify_chain


def assert_schema_matches_tables(url: str) -> None:
    engine = create_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
        tables = set(inspect(conn).get_table_names())
    engine.dispose()
    assert diff == []
    assert tables == set(SQLModel.metadata.tables) | {"alembic_version"}


def test_upgrade_head_on_an_empty_database_gives_the_tables_schema(
    database_at: Callable[[str], str],
):
    url = database_at("head")
    assert_schema_matches_tables(url)
    run_migrations(url)  # a second run is a no-op
    assert_schema_matches_tables(url)


def test_demo_data_covers_every_strategy_invoice_status_and_three_currencies(db: Database):
    ids = load_demo(db)  # (an empty database: tests/integration/test_empty_platform.py)
    assert has_data(db)
    summaries = queries.list_bookings(db=db)
    assert len(summaries) >= 4
    assert {b.currency for b in summaries} >= {"EUR", "USD", "JPY"}
    statuses, strategies = set(), set()
    for booking_id in ids.values():
        statuses |= {
            i.status for i in queries.payments_panel(db=db, booking_id=booking_id).invoices
        }
        strategies |= {s.strategy for s in queries.trip_portfolio(db=db, booking_id=booking_id)}
    assert statuses == set(InvoiceStatus)
    assert strategies == set(PaymentStrategy)
    assert verify_chain(db=db).ok
