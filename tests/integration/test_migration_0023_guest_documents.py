"""Migration 0023 on SQLite and PostgreSQL: from 0022 it adds `guest_receipt` with its checks
(one receipt per checkout, each number once, a positive amount); a downgrade removes it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import create_engine, inspect
from sqlalchemy.exc import IntegrityError

from .migrations import downgrade, migrate, tables


def test_upgrade_adds_guest_receipt_with_its_checks_and_downgrade_removes_it(
    database_at: Callable[[str], str],
):
    at_0022 = database_at("0022")
    assert "guest_receipt" not in tables(at_0022)
    migrate(at_0022, "0023")
    assert "guest_receipt" in tables(at_0022)
    engine = create_engine(at_0022)
    try:
        with engine.connect() as conn:
            checks = {c["name"] for c in inspect(conn).get_check_constraints("guest_receipt")}
            uniques = {
                tuple(u["column_names"])
                for u in inspect(conn).get_unique_constraints("guest_receipt")
            }
        assert {"ck_guest_receipt_amount_positive", "ck_guest_receipt_currency_iso"} <= checks
        assert {("number",), ("attempt_id",)} <= uniques
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO guest_receipt (number, booking_id, attempt_id, amount_minor, "
                "currency, provider, paid_at) VALUES ('RC-000001', 1, 'pa_x', 0, 'EUR', 's', "
                "CURRENT_TIMESTAMP)"
            )
    finally:
        engine.dispose()
    downgrade(at_0022, "0022")
    assert "guest_receipt" not in tables(at_0022)
