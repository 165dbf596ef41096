"""Reminders: staff can pause a booking's reminders (`booking.reminders_paused`). Each reminder
sent is an outbox message whose unique dedupe key names the document and the step, so no new
table is needed for "sent once".

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 23:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "booking",
        sa.Column("reminders_paused", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("booking", "reminders_paused")  # SQLite 3.35+ drops a column in place
