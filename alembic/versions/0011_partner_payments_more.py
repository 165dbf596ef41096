"""Partner payments, part two: online checkouts of partner documents, direct debit mandates
(and the sandbox's debits), group accounts (the multiple property payment plan), VAT/GST
documents (their rate; VAT deducted from a payout with its commission), failed direct debits.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-21 12:15:59.005267
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "partner_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("finance_email", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_group")),
        sa.UniqueConstraint("code", name=op.f("uq_partner_group_code")),
    )
    op.create_table(
        "sandbox_debit",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("mandate_reference", sa.String(length=35), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("metadata_json", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'succeeded', 'failed')", name=op.f("ck_sandbox_debit_status")
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_sandbox_debit_amount_positive")),
        sa.CheckConstraint(
            "length(currency) = 3 AND upper(currency) = currency",
            name=op.f("ck_sandbox_debit_currency_iso"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sandbox_debit")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_sandbox_debit_idempotency_key")),
    )
    op.create_table(
        "partner_checkout",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("provider_reference", sa.String(length=255), nullable=True),
        sa.Column("checkout_url", sa.String(length=2000), nullable=True),
        sa.Column("failure_reason", sa.String(length=500), nullable=True),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'paid', 'expired', 'failed')",
            name=op.f("ck_partner_checkout_status"),
        ),
        sa.CheckConstraint(
            "(partner_id IS NULL) <> (group_id IS NULL)", name=op.f("ck_partner_checkout_one_payer")
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_partner_checkout_amount_positive")),
        sa.CheckConstraint(
            "length(currency) = 3 AND upper(currency) = currency",
            name=op.f("ck_partner_checkout_currency_iso"),
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["partner_group.id"],
            name=op.f("fk_partner_checkout_group_id_partner_group"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name=op.f("fk_partner_checkout_partner_id_partner")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_checkout")),
        sa.UniqueConstraint(
            "provider_reference", name=op.f("uq_partner_checkout_provider_reference")
        ),
    )
    with op.batch_alter_table("partner_checkout", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_checkout_group_id"), ["group_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_partner_checkout_partner_id"), ["partner_id"], unique=False
        )

    op.create_table(
        "partner_checkout_invoice",
        sa.Column("checkout_id", sa.String(length=40), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "amount_minor > 0", name=op.f("ck_partner_checkout_invoice_amount_positive")
        ),
        sa.ForeignKeyConstraint(
            ["checkout_id"],
            ["partner_checkout.id"],
            name=op.f("fk_partner_checkout_invoice_checkout_id_partner_checkout"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["partner_invoice.id"],
            name=op.f("fk_partner_checkout_invoice_invoice_id_partner_invoice"),
        ),
        sa.PrimaryKeyConstraint(
            "checkout_id", "invoice_id", name=op.f("pk_partner_checkout_invoice")
        ),
    )
    with op.batch_alter_table("partner_checkout_invoice", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_checkout_invoice_invoice_id"), ["invoice_id"], unique=False
        )

    with op.batch_alter_table("partner", schema=None) as batch_op:
        batch_op.add_column(sa.Column("group_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_partner_group_id"), ["group_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_partner_group_id_partner_group"), "partner_group", ["group_id"], ["id"]
        )

    with op.batch_alter_table("partner_bank_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mandate_reference", sa.String(length=35), nullable=True))
        batch_op.add_column(sa.Column("mandate_signed_on", sa.Date(), nullable=True))

    with op.batch_alter_table("partner_invoice", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tax_rate_bps", sa.Integer(), nullable=True))
        # a commission invoice's VAT document and notes are looked up by it
        batch_op.create_index(
            batch_op.f("ix_partner_invoice_related_invoice_id"), ["related_invoice_id"]
        )

    # Statements collected before this revision carry no tax rate: their run issues no VAT.
    with op.batch_alter_table("partner_statement", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tax_rate_bps", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch_op.create_check_constraint(
            op.f("ck_partner_statement_tax_rate"), "tax_rate_bps BETWEEN 0 AND 10000"
        )

    with op.batch_alter_table("month_end_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_vat_number", sa.Integer(), nullable=True))

    with op.batch_alter_table("partner_payment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("group_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("provider_reference", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("failure_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_partner_payment_group_id"), ["group_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_partner_payment_provider_reference"),
            ["provider_reference"],
            unique=False,
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_partner_payment_group_id_partner_group"),
            "partner_group",
            ["group_id"],
            ["id"],
        )

    with op.batch_alter_table("partner_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("group_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_partner_user_group_id"), ["group_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_partner_user_group_id_partner_group"),
            "partner_group",
            ["group_id"],
            ["id"],
        )

    with op.batch_alter_table("payout", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("vat_minor", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch_op.drop_constraint(op.f("ck_payout_net"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_payout_net"), "net_minor = gross_minor - commission_minor - vat_minor"
        )
        batch_op.create_check_constraint(op.f("ck_payout_vat_minor_non_negative"), "vat_minor >= 0")


def downgrade() -> None:
    with op.batch_alter_table("payout", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_payout_vat_minor_non_negative"), type_="check")
        batch_op.drop_constraint(op.f("ck_payout_net"), type_="check")
        batch_op.drop_column("vat_minor")
        batch_op.create_check_constraint(
            op.f("ck_payout_net"), "net_minor = gross_minor - commission_minor"
        )

    with op.batch_alter_table("partner_user", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_partner_user_group_id_partner_group"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_partner_user_group_id"))
        batch_op.drop_column("group_id")

    with op.batch_alter_table("partner_payment", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_partner_payment_group_id_partner_group"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_partner_payment_provider_reference"))
        batch_op.drop_index(batch_op.f("ix_partner_payment_group_id"))
        batch_op.drop_column("failed_at")
        batch_op.drop_column("failure_reason")
        batch_op.drop_column("provider_reference")
        batch_op.drop_column("group_id")

    with op.batch_alter_table("month_end_run", schema=None) as batch_op:
        batch_op.drop_column("first_vat_number")

    with op.batch_alter_table("partner_statement", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_partner_statement_tax_rate"), type_="check")
        batch_op.drop_column("tax_rate_bps")

    with op.batch_alter_table("partner_invoice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_invoice_related_invoice_id"))
        batch_op.drop_column("tax_rate_bps")

    with op.batch_alter_table("partner_bank_account", schema=None) as batch_op:
        batch_op.drop_column("mandate_signed_on")
        batch_op.drop_column("mandate_reference")

    with op.batch_alter_table("partner", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_partner_group_id_partner_group"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_partner_group_id"))
        batch_op.drop_column("group_id")

    with op.batch_alter_table("partner_checkout_invoice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_checkout_invoice_invoice_id"))

    op.drop_table("partner_checkout_invoice")
    with op.batch_alter_table("partner_checkout", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_checkout_partner_id"))
        batch_op.drop_index(batch_op.f("ix_partner_checkout_group_id"))

    op.drop_table("partner_checkout")
    op.drop_table("sandbox_debit")
    op.drop_table("partner_group")
