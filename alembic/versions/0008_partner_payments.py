"""Partner payments (bank transfer, online, direct debit) and their allocations to partner
documents (credit notes too); a partner closed by staff; the partner's "I've paid".

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21 10:25:33.952281
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "partner_payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=300), nullable=False),
        sa.Column("payer", sa.String(length=200), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("reflected_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("queue_reason", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "method IN ('bank_transfer', 'online', 'direct_debit')",
            name=op.f("ck_partner_payment_method"),
        ),
        sa.CheckConstraint(
            "status IN ('queued', 'applied', 'failed')", name=op.f("ck_partner_payment_status")
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_partner_payment_positive")),
        sa.CheckConstraint(
            "length(currency) = 3 AND upper(currency) = currency",
            name=op.f("ck_partner_payment_currency_iso"),
        ),
        sa.CheckConstraint(
            "reflected_on >= received_on", name=op.f("ck_partner_payment_reflected_after_received")
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name=op.f("fk_partner_payment_partner_id_partner")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_payment")),
        sa.UniqueConstraint(
            "method", "external_id", name=op.f("uq_partner_payment_method_external_id")
        ),
    )
    with op.batch_alter_table("partner_payment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_payment_partner_id"), ["partner_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_partner_payment_status"), ["status"], unique=False)

    op.create_table(
        "partner_allocation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("credit_note_id", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("reversed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(payment_id IS NULL) <> (credit_note_id IS NULL)",
            name=op.f("ck_partner_allocation_one_source"),
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_partner_allocation_positive")),
        sa.CheckConstraint(
            "length(currency) = 3 AND upper(currency) = currency",
            name=op.f("ck_partner_allocation_currency_iso"),
        ),
        sa.ForeignKeyConstraint(
            ["credit_note_id"],
            ["partner_invoice.id"],
            name=op.f("fk_partner_allocation_credit_note_id_partner_invoice"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["partner_invoice.id"],
            name=op.f("fk_partner_allocation_invoice_id_partner_invoice"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["partner_payment.id"],
            name=op.f("fk_partner_allocation_payment_id_partner_payment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_allocation")),
    )
    with op.batch_alter_table("partner_allocation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_allocation_credit_note_id"), ["credit_note_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_partner_allocation_invoice_id"), ["invoice_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_partner_allocation_payment_id"), ["payment_id"], unique=False
        )

    with op.batch_alter_table("partner", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("closed_reason", sa.String(length=300), nullable=True))

    with op.batch_alter_table("partner_invoice", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paid_notice_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("partner_invoice", schema=None) as batch_op:
        batch_op.drop_column("paid_notice_on")

    with op.batch_alter_table("partner", schema=None) as batch_op:
        batch_op.drop_column("closed_reason")
        batch_op.drop_column("closed_at")

    with op.batch_alter_table("partner_allocation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_allocation_payment_id"))
        batch_op.drop_index(batch_op.f("ix_partner_allocation_invoice_id"))
        batch_op.drop_index(batch_op.f("ix_partner_allocation_credit_note_id"))

    op.drop_table("partner_allocation")
    with op.batch_alter_table("partner_payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_payment_status"))
        batch_op.drop_index(batch_op.f("ix_partner_payment_partner_id"))

    op.drop_table("partner_payment")
