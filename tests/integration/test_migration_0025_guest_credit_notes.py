"""Migration 0025 on SQLite and PostgreSQL: from 0024 it adds `guest_credit_note` (each number
and each refund once, a positive amount) and `guest_credit_note_line` (each refund row on one
note); a downgrade removes both."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import create_engine, inspect
from sqlalchemy.exc import IntegrityError

from .migrations import downgrade, migrate, tables

REVISION = "0025"


@pytest.fixture
def at_0024(database_at: Callable[[str], str]) -> str:
    return database_at("0024")


def test_upgrade_adds_the_credit_note_tables_with_their_checks_and_downgrade_removes_them(
    at_0024: str,
):
    new = {"guest_credit_note", "guest_credit_note_line"}
    assert not new & tables(at_0024)
    migrate(at_0024, REVISION)
    assert new <= tables(at_0024)
    engine = create_engine(at_0024)
    try:
        with engine.connect() as conn:
            checks = {c["name"] for c in inspect(conn).get_check_constraints("guest_credit_note")}
            uniques = {
                tuple(u["column_names"])
                for u in inspect(conn).get_unique_constraints("guest_credit_note")
            }
            line_uniques = {
                tuple(u["column_names"])
                for u in inspect(conn).get_unique_constraints("guest_credit_note_line")
            }
        assert {
            "ck_guest_credit_note_amount_positive",
            "ck_guest_credit_note_currency_iso",
        } <= checks
        assert {("number",), ("refund_key",)} <= uniques
        assert ("refund_id",) in line_uniques
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO guest_credit_note (number, booking_id, refund_key, amount_minor, "
                "currency, reason, issued_at) VALUES ('GCN-000001', 1, 'refund:1', 0, 'EUR', '', "
                "CURRENT_TIMESTAMP)"
            )
    finally:
        engine.dispose()
    downgrade(at_0024, "0024")
    assert not new & tables(at_0024)
