"""A partner's commission rate has a dated history (`partner_commission_rate`): each reservation
is billed at the rate in force on the day it was made. Every existing partner gets its current
rate as its opening rate, in force from the start (0001-01-01), so everything booked so far is
billed as before; a trigger gives each new partner its opening rate the same way.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

OPENING = (
    "INSERT INTO partner_commission_rate (partner_id, rate_bps, valid_from, changed_by, "
    "changed_at) "
)


def upgrade() -> None:
    op.create_table(
        "partner_commission_rate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("rate_bps", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("changed_by", sa.String(length=254), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "rate_bps BETWEEN 0 AND 10000", name=op.f("ck_partner_commission_rate_rate")
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_partner_commission_rate_partner_id_partner"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_commission_rate")),
        sa.UniqueConstraint(
            "partner_id",
            "valid_from",
            name=op.f("uq_partner_commission_rate_partner_id_valid_from"),
        ),
    )
    # every partner so far: its one rate, from the start
    op.execute(
        OPENING + "SELECT id, commission_rate_bps, '0001-01-01', 'system:migration 0015', "
        "created_at FROM partner"
    )
    # and every partner created from now on (by the app, a bulk load or by hand). On SQLite a
    # later batch_alter_table("partner") copies the table and drops this trigger: such a
    # migration must create it again.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER partner_opening_rate AFTER INSERT ON partner BEGIN "
            + OPENING
            + "VALUES (NEW.id, NEW.commission_rate_bps, '0001-01-01', 'system:opening rate', "
            "NEW.created_at); END"
        )
    else:
        op.execute(
            "CREATE FUNCTION partner_opening_rate() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            + OPENING
            + "VALUES (NEW.id, NEW.commission_rate_bps, DATE '0001-01-01', "
            "'system:opening rate', NEW.created_at); RETURN NEW; END $$"
        )
        op.execute(
            "CREATE TRIGGER partner_opening_rate AFTER INSERT ON partner "
            "FOR EACH ROW EXECUTE FUNCTION partner_opening_rate()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS partner_opening_rate")
    else:
        op.execute("DROP TRIGGER IF EXISTS partner_opening_rate ON partner")
        op.execute("DROP FUNCTION IF EXISTS partner_opening_rate()")
    op.drop_table("partner_commission_rate")
