"""Partner details staff type in the app: the finance contact's name (`partner.finance_contact`)
beside the finance email. Existing partners get "" (their name is asked for on the next edit).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 22:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE on both databases: a batch copy on SQLite would drop the trigger that
    # writes each new partner's opening rate.
    op.add_column(
        "partner",
        sa.Column("finance_contact", sa.String(length=200), nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_column("partner", "finance_contact")  # SQLite 3.35+ drops a column in place
