"""The month-end run reserves every invoice number once its statements are written, so that
chunks of invoices can be issued in parallel (each statement's number is fixed by its place in
partner and currency order); the last partner done is no longer a resume point.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-21 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A run interrupted after issuing some invoices took its numbers chunk by chunk; the new
    # code reserves them all at once and could not continue it without a gap or a clash.
    unfinished = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT r.period FROM month_end_run r WHERE r.finished_at IS NULL AND EXISTS "
                "(SELECT 1 FROM partner_invoice i WHERE i.run_id = r.id)"
            )
        )
        .scalars()
        .all()
    )
    if unfinished:
        raise RuntimeError(
            f"Finish the month-end run of {', '.join(unfinished)} with the previous version "
            "(`python -m concierge_app.cli month-end --period …`) before upgrading."
        )
    with op.batch_alter_table("month_end_run") as batch:
        batch.add_column(sa.Column("first_number", sa.Integer(), nullable=True))
        batch.drop_column("last_partner_id")  # chunks are no longer done in partner order


def downgrade() -> None:
    with op.batch_alter_table("month_end_run") as batch:
        batch.drop_column("first_number")
        batch.add_column(
            sa.Column("last_partner_id", sa.Integer(), nullable=False, server_default="0")
        )
