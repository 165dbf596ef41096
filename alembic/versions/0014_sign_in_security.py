"""Sign-in security: the sign-in log, throttling counts per account and per address, one-time
sign-in tickets (stored as hashes) and staff TOTP secrets (encrypted).

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-25 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

KINDS = "kind IN ('staff', 'partner')"
OUTCOMES = (
    "outcome IN ('signed_in', 'wrong_password', 'unknown_account', 'disabled', 'totp_failed', "
    "'throttled', 'locked', 'locked_out', 'unlocked', 'password_changed', 'two_factor_on', "
    "'two_factor_off')"
)


def upgrade() -> None:
    op.create_table(
        "sign_in_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.CheckConstraint(KINDS, name=op.f("ck_sign_in_attempt_kind")),
        sa.CheckConstraint(OUTCOMES, name=op.f("ck_sign_in_attempt_outcome")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_attempt")),
    )
    op.create_index(
        "ix_sign_in_attempt_occurred_at", "sign_in_attempt", ["occurred_at"], unique=False
    )

    op.create_table(
        "sign_in_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unlocked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unlocked_by", sa.String(length=254), nullable=True),
        sa.CheckConstraint(KINDS, name=op.f("ck_sign_in_account_kind")),
        sa.CheckConstraint("failures >= 0", name=op.f("ck_sign_in_account_failures_non_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_account")),
        sa.UniqueConstraint("kind", "email", name=op.f("uq_sign_in_account_kind_email")),
    )

    op.create_table(
        "sign_in_address",
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("failures >= 0", name=op.f("ck_sign_in_address_failures_non_negative")),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_sign_in_address")),
    )

    op.create_table(
        "sign_in_ticket",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(KINDS, name=op.f("ck_sign_in_ticket_kind")),
        sa.CheckConstraint(
            "purpose IN ('session', 'second_factor', 'enrolment')",
            name=op.f("ck_sign_in_ticket_purpose"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_ticket")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_sign_in_ticket_code_hash")),
    )

    op.create_table(
        "staff_two_factor",
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("secret_encrypted", sa.Text(), nullable=False),
        sa.Column("enabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_time_step", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_user.id"],
            name=op.f("fk_staff_two_factor_staff_user_id_staff_user"),
        ),
        sa.PrimaryKeyConstraint("staff_user_id", name=op.f("pk_staff_two_factor")),
    )


def downgrade() -> None:
    op.drop_table("staff_two_factor")
    op.drop_table("sign_in_ticket")
    op.drop_table("sign_in_address")
    op.drop_table("sign_in_account")
    op.drop_index("ix_sign_in_attempt_occurred_at", table_name="sign_in_attempt")
    op.drop_table("sign_in_attempt")
