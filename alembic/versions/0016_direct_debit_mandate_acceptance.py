"""A direct debit mandate is accepted by the partner, explicitly: who (the partner login), when
(the moment) and from where (the browser's address). A mandate made for a new account waits,
unsigned (`mandate_signed_on` NULL), until the partner accepts its text; no debit is requested
from it before. A mandate recorded before this revision without a date took its account's
save day as its signature day; it keeps it, so it stays in force as it was.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-09 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("partner_bank_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("mandate_accepted_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("mandate_accepted_by", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("mandate_accepted_from", sa.String(length=64), nullable=True))
    # From now on a mandate without a signature day is one waiting for the partner: the old
    # ones without a date were treated as signed the day their account was saved.
    if op.get_bind().dialect.name == "postgresql":
        day = "CAST(updated_at AT TIME ZONE 'UTC' AS DATE)"
    else:
        day = "date(updated_at)"
    op.execute(
        f"UPDATE partner_bank_account SET mandate_signed_on = {day} "
        "WHERE mandate_reference IS NOT NULL AND mandate_signed_on IS NULL"
    )


def downgrade() -> None:
    # A mandate still waiting for its partner cannot be told from a signed one without these
    # columns: it is withdrawn (a new one is made when the account is saved again).
    op.execute(
        "UPDATE partner_bank_account SET mandate_reference = NULL "
        "WHERE mandate_reference IS NOT NULL AND mandate_signed_on IS NULL"
    )
    with op.batch_alter_table("partner_bank_account", schema=None) as batch_op:
        batch_op.drop_column("mandate_accepted_from")
        batch_op.drop_column("mandate_accepted_by")
        batch_op.drop_column("mandate_accepted_at")
