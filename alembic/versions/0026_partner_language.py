"""A partner's language (`partner.language`, a locale such as "es_ES"): its payment notices are
written in it. Existing partners get "en_US".

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 01:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE on both databases: a batch copy on SQLite would drop the trigger that
    # writes each new partner's opening rate.
    op.add_column(
        "partner",
        sa.Column("language", sa.String(length=10), nullable=False, server_default="en_US"),
    )


def downgrade() -> None:
    op.drop_column("partner", "language")  # SQLite 3.35+ drops a column in place
