"""Migration 0019 on SQLite and PostgreSQL: from 0017 it adds the reconciliation tables and the
sandbox's refunds, whose constraints hold (one daily run per day, known kinds and outcomes, a
refund's key once); a downgrade removes them and leaves the rest as it was."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.exc import IntegrityError

from .migrations import downgrade, execute, migrate, tables

NEW = {"reconciliation_run", "reconciliation_difference", "sandbox_refund"}
RUN = (
    "INSERT INTO reconciliation_run (id, period, provider, ends_on, scheduled_for, drift_count, "
    "summary_json, created_by, created_at) VALUES ({id}, '2026-11', 'sandbox', '2026-11-30', "
    "{day}, 0, '[]', 't', CURRENT_TIMESTAMP)"
)


def test_upgrade_adds_the_tables_with_their_rules_and_downgrade_removes_them(
    database_at: Callable[[str], str],
):
    at_0017 = database_at("0017")
    before = tables(at_0017)
    assert not NEW & before
    migrate(at_0017, "0019")
    assert tables(at_0017) >= NEW
    execute(at_0017, RUN.format(id=1, day="'2026-12-01'"), RUN.format(id=2, day="NULL"))
    with pytest.raises(IntegrityError):  # the daily job's run of a day exists once
        execute(at_0017, RUN.format(id=3, day="'2026-12-01'"))
    with pytest.raises(IntegrityError):  # an unknown outcome
        execute(
            at_0017,
            "INSERT INTO reconciliation_difference (run_id, kind, reference, drift, "
            "provider_json, ledger_json, note) VALUES (1, 'payment', 'pi_1', 'fixed', '[]', "
            "'[]', '')",
        )
    refund = (
        "INSERT INTO sandbox_refund (id, idempotency_key, currency, amount_minor, created_at) "
        "VALUES ('{id}', 'k1', 'EUR', {amount}, CURRENT_TIMESTAMP)"
    )
    execute(at_0017, refund.format(id="re_1", amount=100))
    for bad in (refund.format(id="re_2", amount=100), refund.format(id="re_3", amount=0)):
        with pytest.raises(IntegrityError):  # the same key twice; nothing to give back
            execute(at_0017, bad)
    downgrade(at_0017, "0017")
    assert tables(at_0017) == before
