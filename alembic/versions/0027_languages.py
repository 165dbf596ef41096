"""Languages: a lifecycle template per language (`lifecycle_template.language`, one text per
template and language; existing texts are English), and the sandbox checkout's page language
(`sandbox_checkout_session.locale`, as Stripe Checkout's `locale`).

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 02:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lifecycle_template") as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=10), nullable=False, server_default="en")
        )
        batch_op.drop_constraint("uq_lifecycle_template_key", type_="unique")
        batch_op.create_unique_constraint("uq_lifecycle_template_key_language", ["key", "language"])
    op.add_column(
        "sandbox_checkout_session",
        sa.Column("locale", sa.String(length=10), nullable=False, server_default="auto"),
    )


def downgrade() -> None:
    op.drop_column("sandbox_checkout_session", "locale")
    op.execute("DELETE FROM lifecycle_template WHERE language <> 'en'")
    with op.batch_alter_table("lifecycle_template") as batch_op:
        batch_op.drop_constraint("uq_lifecycle_template_key_language", type_="unique")
        batch_op.create_unique_constraint("uq_lifecycle_template_key", ["key"])
        batch_op.drop_column("language")
