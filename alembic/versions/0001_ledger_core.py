"""Ledger core: partners, guests, staff, bookings, services, invoices, payments, refunds,
commissions, templates, outbox and the append-only audit trail.

Revision ID: 0001
Revises:
Create Date: 2026-11-21 05:10:22.414991
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_chain_head",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_audit_chain_head")),
    )
    op.create_table(
        "guest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("locale", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guest")),
    )
    with op.batch_alter_table("guest", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guest_email"), ["email"], unique=False)

    op.create_table(
        "lifecycle_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=254), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lifecycle_template")),
        sa.UniqueConstraint("key", name=op.f("uq_lifecycle_template_key")),
    )
    op.create_table(
        "number_sequence",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "last_value >= 0", name=op.f("ck_number_sequence_last_value_non_negative")
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_number_sequence")),
    )
    op.create_table(
        "partner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("category", sa.String(length=50), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("commission_rate_bps", sa.Integer(), nullable=False),
        sa.Column("payout_method", sa.String(length=20), nullable=False),
        sa.Column("commission_payment_method", sa.String(length=20), nullable=False),
        sa.Column("finance_email", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "commission_payment_method IN ('payout_deduction', 'bank_transfer', 'online', 'direct_debit')",
            name=op.f("ck_partner_commission_method"),
        ),
        sa.CheckConstraint("kind IN ('property', 'operator')", name=op.f("ck_partner_kind")),
        sa.CheckConstraint(
            "payout_method IN ('net_payout', 'gross_stripe')", name=op.f("ck_partner_payout_method")
        ),
        sa.CheckConstraint(
            "commission_rate_bps BETWEEN 0 AND 10000", name=op.f("ck_partner_commission_rate")
        ),
        sa.CheckConstraint("length(country) = 2", name=op.f("ck_partner_country")),
        sa.CheckConstraint(
            "length(currency) = 3 AND upper(currency) = currency",
            name=op.f("ck_partner_currency_iso"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner")),
        sa.UniqueConstraint("code", name=op.f("uq_partner_code")),
    )
    op.create_table(
        "staff_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_user")),
        sa.UniqueConstraint("email", name=op.f("uq_staff_user_email")),
    )
    op.create_table(
        "booking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("guest_id", sa.Integer(), nullable=False),
        sa.Column("property_id", sa.Integer(), nullable=False),
        sa.Column("check_in", sa.Date(), nullable=False),
        sa.Column("check_out", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("accommodation_total_minor", sa.Integer(), nullable=False),
        sa.Column("accommodation_collected_by", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "accommodation_collected_by IN ('platform', 'property')",
            name=op.f("ck_booking_collector"),
        ),
        sa.CheckConstraint("status IN ('confirmed', 'cancelled')", name=op.f("ck_booking_status")),
        sa.CheckConstraint(
            "accommodation_total_minor >= 0",
            name=op.f("ck_booking_accommodation_total_minor_non_negative"),
        ),
        sa.CheckConstraint("check_out > check_in", name=op.f("ck_booking_stay_dates")),
        sa.CheckConstraint(
            "length(currency) = 3 AND upper(currency) = currency",
            name=op.f("ck_booking_currency_iso"),
        ),
        sa.ForeignKeyConstraint(["guest_id"], ["guest.id"], name=op.f("fk_booking_guest_id_guest")),
        sa.ForeignKeyConstraint(
            ["property_id"], ["partner.id"], name=op.f("fk_booking_property_id_partner")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking")),
        sa.UniqueConstraint("reference", name=op.f("uq_booking_reference")),
    )
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booking_guest_id"), ["guest_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_booking_property_id"), ["property_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_booking_status"), ["status"], unique=False)

    op.create_table(
        "accommodation_payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "amount_minor >= 0", name=op.f("ck_accommodation_payment_amount_minor_non_negative")
        ),
        sa.CheckConstraint(
            "length(currency) = 3 AND upper(currency) = currency",
            name=op.f("ck_accommodation_payment_currency_iso"),
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["booking.id"], name=op.f("fk_accommodation_payment_booking_id_booking")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accommodation_payment")),
    )
    with op.batch_alter_table("accommodation_payment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_accommodation_payment_booking_id"), ["booking_id"], unique=False
        )

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["booking.id"], name=op.f("fk_audit_event_booking_id_booking")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_event_hash")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_booking_id"), ["booking_id"], unique=False)

    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("template_key", sa.String(length=64), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'sent', 'failed')", name=op.f("ck_outbox_message_status")
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_outbox_message_attempts_non_negative")),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["booking.id"], name=op.f("fk_outbox_message_booking_id_booking")
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name=op.f("fk_outbox_message_partner_id_partner")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_message_dedupe_key")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_message_booking_id"), ["booking_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_outbox_message_partner_id"), ["partner_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_outbox_message_status"), ["status"], unique=False)

    op.create_table(
        "payment_attempt",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("provider_reference", sa.String(length=255), nullable=True),
        sa.Column("failure_reason", sa.String(length=500), nullable=True),
        sa.Column("unapplied_minor", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'succeeded', 'failed', 'expired')",
            name=op.f("ck_payment_attempt_status"),
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_payment_attempt_amount_positive")),
        sa.CheckConstraint(
            "length(currency) = 3 AND upper(currency) = currency",
            name=op.f("ck_payment_attempt_currency_iso"),
        ),
        sa.CheckConstraint(
            "unapplied_minor >= 0 AND unapplied_minor <= amount_minor",
            name=op.f("ck_payment_attempt_unapplied"),
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["booking.id"], name=op.f("fk_payment_attempt_booking_id_booking")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_attempt")),
        sa.UniqueConstraint(
            "provider_reference", name=op.f("uq_payment_attempt_provider_reference")
        ),
    )
    with op.batch_alter_table("payment_attempt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_attempt_booking_id"), ["booking_id"], unique=False
        )

    op.create_table(
        "service_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("gross_minor", sa.Integer(), nullable=False),
        sa.Column("deposit_minor", sa.Integer(), nullable=True),
        sa.Column("strategy", sa.String(length=40), nullable=False),
        sa.Column("lifecycle", sa.String(length=20), nullable=False),
        sa.Column("refund_required", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "lifecycle IN ('draft', 'confirmed', 'cancelled')",
            name=op.f("ck_service_item_lifecycle"),
        ),
        sa.CheckConstraint(
            "strategy <> 'platform_collects_deposit' OR (deposit_minor IS NOT NULL AND deposit_minor > 0)",
            name=op.f("ck_service_item_deposit_strategy_has_deposit"),
        ),
        sa.CheckConstraint(
            "strategy IN ('operator_collects_full', 'platform_collects_full', 'platform_collects_deposit', 'included_in_stay')",
            name=op.f("ck_service_item_strategy"),
        ),
        sa.CheckConstraint(
            "deposit_minor IS NULL OR (deposit_minor >= 0 AND deposit_minor <= gross_minor)",
            name=op.f("ck_service_item_deposit_within_gross"),
        ),
        sa.CheckConstraint(
            "gross_minor >= 0", name=op.f("ck_service_item_gross_minor_non_negative")
        ),
        sa.CheckConstraint(
            "length(currency) = 3 AND upper(currency) = currency",
            name=op.f("ck_service_item_currency_iso"),
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["booking.id"], name=op.f("fk_service_item_booking_id_booking")
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["partner.id"], name=op.f("fk_service_item_operator_id_partner")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_item")),
    )
    with op.batch_alter_table("service_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_item_booking_id"), ["booking_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_service_item_operator_id"), ["operator_id"], unique=False
        )

    op.create_table(
        "guest_invoice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total_minor", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("void_reason", sa.String(length=500), nullable=True),
        sa.Column("paid_by_attempt_id", sa.String(length=40), nullable=True),
        sa.Column("reissued_as_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'active', 'paid', 'voided')", name=op.f("ck_guest_invoice_status")
        ),
        sa.CheckConstraint(
            "length(currency) = 3 AND upper(currency) = currency",
            name=op.f("ck_guest_invoice_currency_iso"),
        ),
        sa.CheckConstraint(
            "total_minor >= 0", name=op.f("ck_guest_invoice_total_minor_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["booking.id"], name=op.f("fk_guest_invoice_booking_id_booking")
        ),
        sa.ForeignKeyConstraint(
            ["paid_by_attempt_id"],
            ["payment_attempt.id"],
            name=op.f("fk_guest_invoice_paid_by_attempt_id_payment_attempt"),
        ),
        sa.ForeignKeyConstraint(
            ["reissued_as_id"],
            ["guest_invoice.id"],
            name=op.f("fk_guest_invoice_reissued_as_id_guest_invoice"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guest_invoice")),
        sa.UniqueConstraint("number", name=op.f("uq_guest_invoice_number")),
    )
    with op.batch_alter_table("guest_invoice", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_guest_invoice_booking_id"), ["booking_id"], unique=False
        )
        batch_op.create_index(
            "uq_guest_invoice_one_draft_per_booking",
            ["booking_id"],
            unique=True,
            sqlite_where=sa.text("status = 'draft'"),
            postgresql_where=sa.text("status = 'draft'"),
        )

    op.create_table(
        "provider_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("attempt_id", sa.String(length=40), nullable=True),
        sa.Column("outcome", sa.String(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["payment_attempt.id"],
            name=op.f("fk_provider_event_attempt_id_payment_attempt"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_event")),
        sa.UniqueConstraint(
            "provider", "event_id", name=op.f("uq_provider_event_provider_event_id")
        ),
    )
    with op.batch_alter_table("provider_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_provider_event_attempt_id"), ["attempt_id"], unique=False
        )

    op.create_table(
        "refund",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("service_item_id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.String(length=40), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("provider_reference", sa.String(length=255), nullable=True),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'succeeded', 'failed')", name=op.f("ck_refund_status")
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_refund_amount_positive")),
        sa.CheckConstraint(
            "length(currency) = 3 AND upper(currency) = currency",
            name=op.f("ck_refund_currency_iso"),
        ),
        sa.CheckConstraint("length(note) > 0", name=op.f("ck_refund_note_required")),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["payment_attempt.id"],
            name=op.f("fk_refund_attempt_id_payment_attempt"),
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["booking.id"], name=op.f("fk_refund_booking_id_booking")
        ),
        sa.ForeignKeyConstraint(
            ["service_item_id"],
            ["service_item.id"],
            name=op.f("fk_refund_service_item_id_service_item"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refund")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_refund_idempotency_key")),
        sa.UniqueConstraint("provider_reference", name=op.f("uq_refund_provider_reference")),
    )
    with op.batch_alter_table("refund", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refund_attempt_id"), ["attempt_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_refund_booking_id"), ["booking_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_refund_service_item_id"), ["service_item_id"], unique=False
        )

    op.create_table(
        "commission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("service_item_id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.String(length=40), nullable=True),
        sa.Column("refund_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("base_minor", sa.Integer(), nullable=False),
        sa.Column("rate_bps", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("accrual_date", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('earned', 'reversed')", name=op.f("ck_commission_kind")),
        sa.CheckConstraint(
            "amount_minor >= 0", name=op.f("ck_commission_amount_minor_non_negative")
        ),
        sa.CheckConstraint("base_minor >= 0", name=op.f("ck_commission_base_minor_non_negative")),
        sa.CheckConstraint(
            "length(currency) = 3 AND upper(currency) = currency",
            name=op.f("ck_commission_currency_iso"),
        ),
        sa.CheckConstraint("rate_bps BETWEEN 0 AND 10000", name=op.f("ck_commission_rate")),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["payment_attempt.id"],
            name=op.f("fk_commission_attempt_id_payment_attempt"),
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["booking.id"], name=op.f("fk_commission_booking_id_booking")
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name=op.f("fk_commission_partner_id_partner")
        ),
        sa.ForeignKeyConstraint(
            ["refund_id"], ["refund.id"], name=op.f("fk_commission_refund_id_refund")
        ),
        sa.ForeignKeyConstraint(
            ["service_item_id"],
            ["service_item.id"],
            name=op.f("fk_commission_service_item_id_service_item"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission")),
        sa.UniqueConstraint("refund_id", name=op.f("uq_commission_refund_id")),
    )
    with op.batch_alter_table("commission", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commission_accrual_date"), ["accrual_date"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_commission_booking_id"), ["booking_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_commission_partner_id"), ["partner_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_commission_service_item_id"), ["service_item_id"], unique=False
        )
        batch_op.create_index(
            "uq_commission_earned_once",
            ["service_item_id", "attempt_id"],
            unique=True,
            sqlite_where=sa.text("kind = 'earned'"),
            postgresql_where=sa.text("kind = 'earned'"),
        )

    op.create_table(
        "invoice_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("service_item_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('full', 'deposit')", name=op.f("ck_invoice_line_kind")),
        sa.CheckConstraint(
            "amount_minor >= 0", name=op.f("ck_invoice_line_amount_minor_non_negative")
        ),
        sa.CheckConstraint(
            "length(currency) = 3 AND upper(currency) = currency",
            name=op.f("ck_invoice_line_currency_iso"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["guest_invoice.id"],
            name=op.f("fk_invoice_line_invoice_id_guest_invoice"),
        ),
        sa.ForeignKeyConstraint(
            ["service_item_id"],
            ["service_item.id"],
            name=op.f("fk_invoice_line_service_item_id_service_item"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_line")),
        sa.UniqueConstraint(
            "invoice_id", "service_item_id", name=op.f("uq_invoice_line_invoice_id_service_item_id")
        ),
    )
    with op.batch_alter_table("invoice_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invoice_line_invoice_id"), ["invoice_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_invoice_line_service_item_id"), ["service_item_id"], unique=False
        )

    op.create_table(
        "payment_attempt_invoice",
        sa.Column("attempt_id", sa.String(length=40), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "amount_minor >= 0", name=op.f("ck_payment_attempt_invoice_amount_minor_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["payment_attempt.id"],
            name=op.f("fk_payment_attempt_invoice_attempt_id_payment_attempt"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["guest_invoice.id"],
            name=op.f("fk_payment_attempt_invoice_invoice_id_guest_invoice"),
        ),
        sa.PrimaryKeyConstraint(
            "attempt_id", "invoice_id", name=op.f("pk_payment_attempt_invoice")
        ),
    )
    with op.batch_alter_table("payment_attempt_invoice", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_attempt_invoice_invoice_id"), ["invoice_id"], unique=False
        )

    # The audit trail is append-only: the database refuses updates and deletes. Each insert
    # moves the chain head to the new event, so the head always names the last event.
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
                "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
            )
        op.execute(
            "CREATE TRIGGER audit_event_advance_head AFTER INSERT ON audit_event BEGIN "
            "UPDATE audit_chain_head SET last_sequence = NEW.id, last_hash = NEW.hash "
            "WHERE name = 'audit'; END"
        )
    else:
        op.execute(
            "CREATE FUNCTION audit_event_advance_head() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN UPDATE audit_chain_head SET last_sequence = NEW.id, last_hash = NEW.hash "
            "WHERE name = 'audit'; RETURN NEW; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_event_advance_head AFTER INSERT ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_advance_head()"
        )
        op.execute(
            "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
        op.execute("DROP TRIGGER IF EXISTS audit_event_advance_head ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_advance_head()")
    with op.batch_alter_table("payment_attempt_invoice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_attempt_invoice_invoice_id"))

    op.drop_table("payment_attempt_invoice")
    with op.batch_alter_table("invoice_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoice_line_service_item_id"))
        batch_op.drop_index(batch_op.f("ix_invoice_line_invoice_id"))

    op.drop_table("invoice_line")
    with op.batch_alter_table("commission", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_commission_earned_once",
            sqlite_where=sa.text("kind = 'earned'"),
            postgresql_where=sa.text("kind = 'earned'"),
        )
        batch_op.drop_index(batch_op.f("ix_commission_service_item_id"))
        batch_op.drop_index(batch_op.f("ix_commission_partner_id"))
        batch_op.drop_index(batch_op.f("ix_commission_booking_id"))
        batch_op.drop_index(batch_op.f("ix_commission_accrual_date"))

    op.drop_table("commission")
    with op.batch_alter_table("refund", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refund_service_item_id"))
        batch_op.drop_index(batch_op.f("ix_refund_booking_id"))
        batch_op.drop_index(batch_op.f("ix_refund_attempt_id"))

    op.drop_table("refund")
    with op.batch_alter_table("provider_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provider_event_attempt_id"))

    op.drop_table("provider_event")
    with op.batch_alter_table("guest_invoice", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_guest_invoice_one_draft_per_booking",
            sqlite_where=sa.text("status = 'draft'"),
            postgresql_where=sa.text("status = 'draft'"),
        )
        batch_op.drop_index(batch_op.f("ix_guest_invoice_booking_id"))

    op.drop_table("guest_invoice")
    with op.batch_alter_table("service_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_item_operator_id"))
        batch_op.drop_index(batch_op.f("ix_service_item_booking_id"))

    op.drop_table("service_item")
    with op.batch_alter_table("payment_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_attempt_booking_id"))

    op.drop_table("payment_attempt")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_status"))
        batch_op.drop_index(batch_op.f("ix_outbox_message_partner_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_message_booking_id"))

    op.drop_table("outbox_message")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_booking_id"))
        batch_op.drop_index(batch_op.f("ix_audit_event_action"))

    op.drop_table("audit_event")
    with op.batch_alter_table("accommodation_payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accommodation_payment_booking_id"))

    op.drop_table("accommodation_payment")
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_status"))
        batch_op.drop_index(batch_op.f("ix_booking_property_id"))
        batch_op.drop_index(batch_op.f("ix_booking_guest_id"))

    op.drop_table("booking")
    op.drop_table("staff_user")
    op.drop_table("partner")
    op.drop_table("number_sequence")
    op.drop_table("lifecycle_template")
    with op.batch_alter_table("guest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guest_email"))

    op.drop_table("guest")
    op.drop_table("audit_chain_head")
