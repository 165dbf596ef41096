"""Guest links: a booking's portal access, stored as token hashes with an expiry.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 07:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "guest_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["booking.id"], name=op.f("fk_guest_link_booking_id_booking")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guest_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_guest_link_token_hash")),
    )
    op.create_index(op.f("ix_guest_link_booking_id"), "guest_link", ["booking_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_guest_link_booking_id"), table_name="guest_link")
    op.drop_table("guest_link")
