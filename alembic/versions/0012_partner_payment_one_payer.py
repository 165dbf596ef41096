"""A partner payment is a single partner's or a group's, never both (a queued transfer is
neither yet).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 10:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("partner_payment", schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f("ck_partner_payment_one_payer"), "partner_id IS NULL OR group_id IS NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("partner_payment", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_partner_payment_one_payer"), type_="check")
