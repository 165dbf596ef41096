"""The guest's credit notes (`guest_credit_note`, `guest_credit_note_line`): one per refund,
numbered from their own gapless series (GCN-000001), naming the invoices they correct.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 02:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "guest_credit_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("refund_key", sa.String(length=300), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "length(currency) = 3 AND upper(currency) = currency",
            name=op.f("ck_guest_credit_note_currency_iso"),
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_guest_credit_note_amount_positive")),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["booking.id"], name=op.f("fk_guest_credit_note_booking_id_booking")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guest_credit_note")),
        sa.UniqueConstraint("number", name=op.f("uq_guest_credit_note_number")),
        sa.UniqueConstraint("refund_key", name=op.f("uq_guest_credit_note_refund_key")),
    )
    op.create_index(
        op.f("ix_guest_credit_note_booking_id"), "guest_credit_note", ["booking_id"], unique=False
    )
    op.create_table(
        "guest_credit_note_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credit_note_id", sa.Integer(), nullable=False),
        sa.Column("refund_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.CheckConstraint(
            "length(currency) = 3 AND upper(currency) = currency",
            name=op.f("ck_guest_credit_note_line_currency_iso"),
        ),
        sa.CheckConstraint(
            "amount_minor > 0", name=op.f("ck_guest_credit_note_line_amount_positive")
        ),
        sa.ForeignKeyConstraint(
            ["credit_note_id"],
            ["guest_credit_note.id"],
            name=op.f("fk_guest_credit_note_line_credit_note_id_guest_credit_note"),
        ),
        sa.ForeignKeyConstraint(
            ["refund_id"], ["refund.id"], name=op.f("fk_guest_credit_note_line_refund_id_refund")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["guest_invoice.id"],
            name=op.f("fk_guest_credit_note_line_invoice_id_guest_invoice"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guest_credit_note_line")),
        sa.UniqueConstraint("refund_id", name=op.f("uq_guest_credit_note_line_refund_id")),
    )
    op.create_index(
        op.f("ix_guest_credit_note_line_credit_note_id"),
        "guest_credit_note_line",
        ["credit_note_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_guest_credit_note_line_credit_note_id"), "guest_credit_note_line")
    op.drop_table("guest_credit_note_line")
    op.drop_index(op.f("ix_guest_credit_note_booking_id"), "guest_credit_note")
    op.drop_table("guest_credit_note")
