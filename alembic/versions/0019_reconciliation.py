"""Reconciliation with the payment provider: each run (`reconciliation_run`, one per day for the
daily job) and the differences it found (`reconciliation_difference`); the sandbox provider keeps
the refunds it made (`sandbox_refund`), as Stripe does, so its records can be reconciled.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-12 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

KINDS = "'payment', 'refund', 'payout', 'fee'"
DRIFTS = (
    "'matched', 'provider_only', 'ledger_only', 'amount_differs', 'currency_differs', 'reported'"
)


def upgrade() -> None:
    op.create_table(
        "reconciliation_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("scheduled_for", sa.Date(), nullable=True),
        sa.Column("drift_count", sa.Integer(), nullable=False),
        sa.Column("summary_json", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(period) = 7", name=op.f("ck_reconciliation_run_period_format")),
        sa.CheckConstraint(
            "drift_count >= 0", name=op.f("ck_reconciliation_run_drift_count_non_negative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliation_run")),
        sa.UniqueConstraint("scheduled_for", name=op.f("uq_reconciliation_run_scheduled_for")),
    )
    op.create_index(
        op.f("ix_reconciliation_run_period"), "reconciliation_run", ["period"], unique=False
    )
    op.create_table(
        "reconciliation_difference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reference", sa.String(length=255), nullable=False),
        sa.Column("drift", sa.String(length=20), nullable=False),
        sa.Column("provider_json", sa.Text(), nullable=False),
        sa.Column("ledger_json", sa.Text(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.CheckConstraint(f"kind IN ({KINDS})", name=op.f("ck_reconciliation_difference_kind")),
        sa.CheckConstraint(f"drift IN ({DRIFTS})", name=op.f("ck_reconciliation_difference_drift")),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["reconciliation_run.id"],
            name=op.f("fk_reconciliation_difference_run_id_reconciliation_run"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliation_difference")),
    )
    op.create_index(
        op.f("ix_reconciliation_difference_run_id"),
        "reconciliation_difference",
        ["run_id"],
        unique=False,
    )
    op.create_table(
        "sandbox_refund",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("payment_intent", sa.String(length=80), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "length(currency) = 3 AND upper(currency) = currency",
            name=op.f("ck_sandbox_refund_currency_iso"),
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_sandbox_refund_amount_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sandbox_refund")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_sandbox_refund_idempotency_key")),
    )


def downgrade() -> None:
    op.drop_table("sandbox_refund")
    op.drop_index(op.f("ix_reconciliation_difference_run_id"), "reconciliation_difference")
    op.drop_table("reconciliation_difference")
    op.drop_index(op.f("ix_reconciliation_run_period"), "reconciliation_run")
    op.drop_table("reconciliation_run")
