"""The guest's receipts (`guest_receipt`): one per successful checkout, numbered from their own
gapless series (RC-000001), written in the payment's transaction.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 00:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "guest_receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.String(length=40), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "length(currency) = 3 AND upper(currency) = currency",
            name=op.f("ck_guest_receipt_currency_iso"),
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_guest_receipt_amount_positive")),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["booking.id"], name=op.f("fk_guest_receipt_booking_id_booking")
        ),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["payment_attempt.id"],
            name=op.f("fk_guest_receipt_attempt_id_payment_attempt"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guest_receipt")),
        sa.UniqueConstraint("number", name=op.f("uq_guest_receipt_number")),
        sa.UniqueConstraint("attempt_id", name=op.f("uq_guest_receipt_attempt_id")),
    )
    op.create_index(
        op.f("ix_guest_receipt_booking_id"), "guest_receipt", ["booking_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_guest_receipt_booking_id"), "guest_receipt")
    op.drop_table("guest_receipt")
