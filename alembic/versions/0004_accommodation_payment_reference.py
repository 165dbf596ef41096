"""An accommodation payment's reference is recorded once per booking (replays are no-ops).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 07:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "uq_accommodation_payment_reference",
        "accommodation_payment",
        ["booking_id", "reference"],
        unique=True,
        sqlite_where=sa.text("reference IS NOT NULL"),
        postgresql_where=sa.text("reference IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_accommodation_payment_reference", table_name="accommodation_payment")
