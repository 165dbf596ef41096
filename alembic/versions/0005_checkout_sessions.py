"""Checkouts: the provider's payment id and checkout URL on each attempt, and the sandbox
provider's own Checkout Session records.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 07:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sandbox_checkout_session",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("attempt_id", sa.String(length=40), nullable=False),
        sa.Column("booking_reference", sa.String(length=40), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("lines_json", sa.Text(), nullable=False),
        sa.Column("customer_email", sa.String(length=254), nullable=False),
        sa.Column("success_url", sa.String(length=2000), nullable=False),
        sa.Column("cancel_url", sa.String(length=2000), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("payment_intent", sa.String(length=80), nullable=True),
        sa.Column("declines", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'complete', 'expired')",
            name=op.f("ck_sandbox_checkout_session_status"),
        ),
        sa.CheckConstraint(
            "amount_minor > 0", name=op.f("ck_sandbox_checkout_session_amount_positive")
        ),
        sa.CheckConstraint(
            "length(currency) = 3 AND upper(currency) = currency",
            name=op.f("ck_sandbox_checkout_session_currency_iso"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sandbox_checkout_session")),
        sa.UniqueConstraint("attempt_id", name=op.f("uq_sandbox_checkout_session_attempt_id")),
    )
    with op.batch_alter_table("payment_attempt") as batch:
        batch.add_column(sa.Column("provider_payment_id", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("checkout_url", sa.String(length=2000), nullable=True))
        batch.create_index(
            batch.f("ix_payment_attempt_provider_payment_id"), ["provider_payment_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("payment_attempt") as batch:
        batch.drop_index(batch.f("ix_payment_attempt_provider_payment_id"))
        batch.drop_column("checkout_url")
        batch.drop_column("provider_payment_id")
    op.drop_table("sandbox_checkout_session")
