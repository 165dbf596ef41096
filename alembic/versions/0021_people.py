"""Staff roles and account links: `staff_user.roles` (sorted, comma-separated: concierge,
finance, admin; staff who existed before keep every role) and `account_link` (the emailed
invitation and password-reset links of staff and partner users, stored as token hashes).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 22:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("roles", sa.String(length=100), nullable=False, server_default="")
        )
    # Everyone who could sign in before roles existed could do everything: they keep it.
    op.execute("UPDATE staff_user SET roles = 'admin,concierge,finance'")

    op.create_table(
        "account_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('staff', 'partner')", name=op.f("ck_account_link_kind")),
        sa.CheckConstraint(
            "purpose IN ('invitation', 'reset')", name=op.f("ck_account_link_purpose")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_link_token_hash")),
    )
    op.create_index(op.f("ix_account_link_user_id"), "account_link", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_account_link_user_id"), table_name="account_link")
    op.drop_table("account_link")
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.drop_column("roles")
