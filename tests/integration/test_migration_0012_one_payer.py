"""Migration 0012 on SQLite and PostgreSQL: a database at 0011 with payments (a property's, a
group's, a queued one) and allocations upgrades with every row kept; afterwards a payment can
no longer be both a property's and a group's, and the table's other checks still hold."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from concierge_app.db.engine import Database
from concierge_app.db.parties import PartnerCommissionRate
from concierge_app.domain.partner_billing import Period
from concierge_app.services.partner.billing import month_end
from concierge_app.services.partner.money import groups as partner_groups

from ..factories import ACTOR
from .migrations import downgrade, migrate, rows
from .test_partner_groups import prop, stay, transfer

# Booking columns of migration 0018, which today's services write.
LATER_BOOKING_COLUMNS = ("external_reference", "request_key")
# Booking column of migration 0024 (reminders), which today's services write and read.
LATER_BOOKING_FLAGS = ("reminders_paused",)
# Partner columns of migrations 0022 and 0026, which today's services write.
LATER_PARTNER_COLUMNS = ("finance_contact", "language")


def lend_partner_columns(url: str, lend: bool) -> None:
    """The partner columns today's services write, and the template language they read (0027),
    lent to the old schema for the set-up (and taken away before upgrading)."""
    engine = create_engine(url)
    with engine.begin() as conn:
        if lend:
            conn.execute(
                text(
                    "ALTER TABLE lifecycle_template ADD COLUMN language VARCHAR(10) "
                    "NOT NULL DEFAULT 'en'"
                )
            )
        else:
            conn.execute(text("ALTER TABLE lifecycle_template DROP COLUMN language"))
        for column in LATER_PARTNER_COLUMNS:
            if lend:
                conn.execute(
                    text(
                        f"ALTER TABLE partner ADD COLUMN {column} VARCHAR(200) NOT NULL DEFAULT ''"
                    )
                )
            else:
                conn.execute(text(f"ALTER TABLE partner DROP COLUMN {column}"))
    engine.dispose()


def lend_later_schema(url: str, lend: bool) -> None:
    """Today's services read the rate history of migration 0015 and write the booking columns of
    0018: the old schema gets a copy of that table (each partner's rate from the start) and
    those columns (plain, without their indexes) for the set-up, taken away before upgrading."""
    engine = create_engine(url)
    with engine.begin() as conn:
        if lend:
            PartnerCommissionRate.__table__.create(conn)
            conn.execute(
                text(
                    "INSERT INTO partner_commission_rate (partner_id, rate_bps, valid_from, "
                    "changed_by, changed_at) SELECT id, commission_rate_bps, '0001-01-01', "
                    "'test', created_at FROM partner"
                )
            )
            for column in LATER_BOOKING_COLUMNS:
                conn.execute(text(f"ALTER TABLE booking ADD COLUMN {column} VARCHAR(64)"))
            for column in LATER_BOOKING_FLAGS:
                conn.execute(
                    text(f"ALTER TABLE booking ADD COLUMN {column} BOOLEAN NOT NULL DEFAULT false")
                )
        else:
            PartnerCommissionRate.__table__.drop(conn)
            for column in (*LATER_BOOKING_COLUMNS, *LATER_BOOKING_FLAGS):
                conn.execute(text(f"ALTER TABLE booking DROP COLUMN {column}"))
    engine.dispose()


def test_upgrading_keeps_every_payment_and_refuses_one_with_two_payers(
    database_at: Callable[[str], str],
):
    url = database_at("0011")  # one step before this migration
    db = Database(url)
    lend_partner_columns(url, True)
    # the app itself makes it: the old schema has no staff roles (migration 0021)
    sol = prop(db, "PRP-SOL9", "Villa Sol", actor="system:test")
    lend_later_schema(url, True)
    stay(db, sol, "BK-9", date(2026, 11, 2), date(2026, 11, 6), "800.00")
    # the app itself runs it: the old schema has no staff roles (migration 0021)
    month_end.run_month_end(
        db=db, period=Period(2026, 11), run_date=date(2026, 12, 2), actor="system:test"
    )
    db.dispose()
    lend_later_schema(url, False)
    group = partner_groups.create_group(
        db=db, code="GRP-9009", name="Group", finance_email="g@example.com", actor=ACTOR
    )
    own = transfer(db, "100.00", "PRP-SOL9", external_id="BANK-1")  # €80.00 due: €20.00 credit
    grouped = transfer(db, "5.00", "GRP-9009", external_id="BANK-2")
    queued = transfer(db, "7.00", "no reference", external_id="BANK-3")
    assert own.matched and grouped.matched and not queued.matched
    db.dispose()
    payments = (
        "SELECT id, partner_id, group_id, amount_minor, status FROM partner_payment ORDER BY id"
    )
    allocations = "SELECT payment_id, invoice_id, amount_minor FROM partner_allocation ORDER BY id"
    before = (rows(url, payments), rows(url, allocations))
    assert before[1] and before[1][0][0] == own.payment_id

    lend_partner_columns(url, False)
    migrate(url, "head")
    assert (rows(url, payments), rows(url, allocations)) == before
    engine = create_engine(url)
    both = (
        "INSERT INTO partner_payment (method, external_id, partner_id, group_id, currency, "
        "amount_minor, reference, payer, received_on, reflected_on, status, created_by, "
        "created_at) VALUES ('bank_transfer', :ext, :partner, :group, 'EUR', :amount, '', '', "
        "'2026-12-04', '2026-12-08', 'applied', 'test', '2026-12-04 10:00:00')"
    )
    for partner_id, group_id, amount in ((sol, group, 100), (sol, None, 0)):
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(
                text(both),
                {"ext": "BANK-X", "partner": partner_id, "group": group_id, "amount": amount},
            )
    with engine.begin() as conn:  # one payer (or none yet) is fine
        conn.execute(text(both), {"ext": "BANK-Y", "partner": None, "group": group, "amount": 1})
    assert len(rows(url, payments)) == len(before[0]) + 1
    downgrade(url, "0011")  # and back: the check goes, the rows stay
    with engine.begin() as conn:
        conn.execute(text(both), {"ext": "BANK-Z", "partner": sol, "group": group, "amount": 1})
    engine.dispose()
    assert len(rows(url, payments)) == len(before[0]) + 2
