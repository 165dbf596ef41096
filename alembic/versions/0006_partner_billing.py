"""Partner finance: partner logins and sessions, month-end runs, commission invoices with their
reservation statements, payouts, partner bank accounts and addresses, outbox attachments; indexes
to read stays and services by departure.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 08:04:22.218968
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "month_end_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("run_date", sa.Date(), nullable=False),
        sa.Column("started_by", sa.String(length=254), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_partner_id", sa.Integer(), nullable=False),
        sa.Column("partners_done", sa.Integer(), nullable=False),
        sa.Column("invoices_created", sa.Integer(), nullable=False),
        sa.Column("lines_created", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_month_end_run")),
        sa.UniqueConstraint("period", name=op.f("uq_month_end_run_period")),
    )
    op.create_table(
        "partner_invoice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("invoice_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("deducted_minor", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("related_invoice_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('commission', 'vat', 'debit_note', 'credit_note')",
            name=op.f("ck_partner_invoice_kind"),
        ),
        sa.CheckConstraint(
            "state IN ('issued', 'written_off', 'legal')", name=op.f("ck_partner_invoice_state")
        ),
        sa.CheckConstraint(
            "amount_minor >= 0", name=op.f("ck_partner_invoice_amount_minor_non_negative")
        ),
        sa.CheckConstraint(
            "deducted_minor <= amount_minor", name=op.f("ck_partner_invoice_deducted_within_amount")
        ),
        sa.CheckConstraint(
            "deducted_minor >= 0", name=op.f("ck_partner_invoice_deducted_minor_non_negative")
        ),
        sa.CheckConstraint(
            "due_date >= invoice_date", name=op.f("ck_partner_invoice_due_after_invoice")
        ),
        sa.CheckConstraint(
            "length(currency) = 3 AND upper(currency) = currency",
            name=op.f("ck_partner_invoice_currency_iso"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name=op.f("fk_partner_invoice_partner_id_partner")
        ),
        sa.ForeignKeyConstraint(
            ["related_invoice_id"],
            ["partner_invoice.id"],
            name=op.f("fk_partner_invoice_related_invoice_id_partner_invoice"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["month_end_run.id"], name=op.f("fk_partner_invoice_run_id_month_end_run")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_invoice")),
        sa.UniqueConstraint("number", name=op.f("uq_partner_invoice_number")),
    )
    with op.batch_alter_table("partner_invoice", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_invoice_partner_id"), ["partner_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_partner_invoice_period"), ["period"], unique=False)
        batch_op.create_index(batch_op.f("ix_partner_invoice_run_id"), ["run_id"], unique=False)
        batch_op.create_index(
            "uq_partner_invoice_commission",
            ["partner_id", "period", "currency"],
            unique=True,
            sqlite_where=sa.text("kind = 'commission'"),
            postgresql_where=sa.text("kind = 'commission'"),
        )

    op.create_table(
        "partner_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name=op.f("fk_partner_user_partner_id_partner")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_user")),
        sa.UniqueConstraint("email", name=op.f("uq_partner_user_email")),
    )
    with op.batch_alter_table("partner_user", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_user_partner_id"), ["partner_id"], unique=False
        )

    op.create_table(
        "partner_invoice_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("guest_name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("base_minor", sa.Integer(), nullable=False),
        sa.Column("rate_bps", sa.Integer(), nullable=False),
        sa.Column("commission_minor", sa.Integer(), nullable=False),
        sa.Column("deducted_minor", sa.Integer(), nullable=False),
        sa.Column("collected_by", sa.String(length=10), nullable=False),
        sa.CheckConstraint(
            "collected_by IN ('platform', 'partner', 'shared')",
            name=op.f("ck_partner_invoice_line_collected_by"),
        ),
        sa.CheckConstraint(
            "source IN ('stay', 'service')", name=op.f("ck_partner_invoice_line_source")
        ),
        sa.CheckConstraint(
            "base_minor >= 0", name=op.f("ck_partner_invoice_line_base_minor_non_negative")
        ),
        sa.CheckConstraint(
            "commission_minor >= 0",
            name=op.f("ck_partner_invoice_line_commission_minor_non_negative"),
        ),
        sa.CheckConstraint(
            "deducted_minor >= 0", name=op.f("ck_partner_invoice_line_deducted_minor_non_negative")
        ),
        sa.CheckConstraint(
            "rate_bps BETWEEN 0 AND 10000", name=op.f("ck_partner_invoice_line_rate")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["partner_invoice.id"],
            name=op.f("fk_partner_invoice_line_invoice_id_partner_invoice"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_invoice_line")),
        sa.UniqueConstraint(
            "invoice_id",
            "source",
            "source_id",
            name=op.f("uq_partner_invoice_line_invoice_id_source_source_id"),
        ),
    )
    op.create_table(
        "partner_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("partner_user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner_user_id"],
            ["partner_user.id"],
            name=op.f("fk_partner_session_partner_user_id_partner_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_partner_session_token_hash")),
    )
    with op.batch_alter_table("partner_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_session_partner_user_id"), ["partner_user_id"], unique=False
        )

    op.create_table(
        "payout",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("gross_minor", sa.Integer(), nullable=False),
        sa.Column("commission_minor", sa.Integer(), nullable=False),
        sa.Column("net_minor", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "commission_minor >= 0", name=op.f("ck_payout_commission_minor_non_negative")
        ),
        sa.CheckConstraint("gross_minor >= 0", name=op.f("ck_payout_gross_minor_non_negative")),
        sa.CheckConstraint(
            "length(currency) = 3 AND upper(currency) = currency",
            name=op.f("ck_payout_currency_iso"),
        ),
        sa.CheckConstraint(
            "net_minor = gross_minor - commission_minor", name=op.f("ck_payout_net")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["partner_invoice.id"],
            name=op.f("fk_payout_invoice_id_partner_invoice"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name=op.f("fk_payout_partner_id_partner")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payout")),
        sa.UniqueConstraint(
            "partner_id", "period", "currency", name=op.f("uq_payout_partner_id_period_currency")
        ),
    )
    with op.batch_alter_table("payout", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payout_partner_id"), ["partner_id"], unique=False)

    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.create_index("ix_booking_departure", ["property_id", "check_out"], unique=False)

    with op.batch_alter_table("service_item", schema=None) as batch_op:
        batch_op.create_index(
            "ix_service_item_departure", ["operator_id", "service_date"], unique=False
        )

    op.create_table(
        "partner_bank_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("account_holder", sa.String(length=200), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("bic", sa.String(length=11), nullable=False),
        sa.Column("updated_by", sa.String(length=254), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name=op.f("fk_partner_bank_account_partner_id_partner")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_bank_account")),
        sa.UniqueConstraint("partner_id", name=op.f("uq_partner_bank_account_partner_id")),
    )
    with op.batch_alter_table("outbox_message") as batch_op:
        batch_op.add_column(sa.Column("attachment", sa.String(length=100), nullable=True))
    with op.batch_alter_table("partner") as batch_op:
        batch_op.add_column(
            sa.Column("address", sa.String(length=500), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("partner") as batch_op:
        batch_op.drop_column("address")
    with op.batch_alter_table("outbox_message") as batch_op:
        batch_op.drop_column("attachment")
    op.drop_table("partner_bank_account")
    with op.batch_alter_table("service_item", schema=None) as batch_op:
        batch_op.drop_index("ix_service_item_departure")

    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_index("ix_booking_departure")

    with op.batch_alter_table("payout", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payout_partner_id"))

    op.drop_table("payout")
    with op.batch_alter_table("partner_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_session_partner_user_id"))

    op.drop_table("partner_session")
    op.drop_table("partner_invoice_line")
    with op.batch_alter_table("partner_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_user_partner_id"))

    op.drop_table("partner_user")
    with op.batch_alter_table("partner_invoice", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_partner_invoice_commission",
            sqlite_where=sa.text("kind = 'commission'"),
            postgresql_where=sa.text("kind = 'commission'"),
        )
        batch_op.drop_index(batch_op.f("ix_partner_invoice_run_id"))
        batch_op.drop_index(batch_op.f("ix_partner_invoice_period"))
        batch_op.drop_index(batch_op.f("ix_partner_invoice_partner_id"))

    op.drop_table("partner_invoice")
    op.drop_table("month_end_run")
