"""Migration 0022 on SQLite and PostgreSQL: from 0019 it adds `partner.finance_contact` ("" for
the partners there are) in place, so the trigger that gives each new partner its opening rate
still fires; a downgrade removes the column and keeps the trigger too."""

from __future__ import annotations

from collections.abc import Callable

from .migrations import columns, downgrade, execute, migrate, rows

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


def test_upgrade_adds_the_finance_contact_and_keeps_the_opening_rate_trigger(
    database_at: Callable[[str], str],
):
    at_0019 = database_at("0019")
    execute(at_0019, PARTNER.format(code="OLD-1", bps=1000))
    migrate(at_0019, "0022")
    assert "finance_contact" in columns(at_0019, "partner")
    assert rows(at_0019, "SELECT code, finance_contact FROM partner") == [("OLD-1", "")]
    execute(at_0019, PARTNER.format(code="NEW-2", bps=1250))
    assert rows(at_0019, OPENING_RATES) == [("NEW-2", 1250), ("OLD-1", 1000)]
    downgrade(at_0019, "0019")
    assert "finance_contact" not in columns(at_0019, "partner")
    execute(at_0019, PARTNER.format(code="BACK-3", bps=900))
    assert rows(at_0019, OPENING_RATES) == [("BACK-3", 900), ("NEW-2", 1250), ("OLD-1", 1000)]
