"""The partner inbox: threads (topic "Invoices and commission", a subtopic, optionally an invoice)
and their messages from the partner and from staff.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-21 11:19:12.306839
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "partner_thread",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("subtopic", sa.String(length=100), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_message_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unread_by_partner", sa.Boolean(), nullable=False),
        sa.Column("unread_by_staff", sa.Boolean(), nullable=False),
        sa.CheckConstraint("length(subject) > 0", name=op.f("ck_partner_thread_subject")),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["partner_invoice.id"],
            name=op.f("fk_partner_thread_invoice_id_partner_invoice"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name=op.f("fk_partner_thread_partner_id_partner")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_thread")),
    )
    with op.batch_alter_table("partner_thread", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_thread_last_message_at"), ["last_message_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_partner_thread_partner_id"), ["partner_id"], unique=False
        )

    op.create_table(
        "partner_thread_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("author_kind", sa.String(length=10), nullable=False),
        sa.Column("author", sa.String(length=254), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "author_kind IN ('partner', 'staff')",
            name=op.f("ck_partner_thread_message_author_kind"),
        ),
        sa.CheckConstraint("length(body) > 0", name=op.f("ck_partner_thread_message_body")),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["partner_thread.id"],
            name=op.f("fk_partner_thread_message_thread_id_partner_thread"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_thread_message")),
    )
    with op.batch_alter_table("partner_thread_message", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_thread_message_thread_id"), ["thread_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("partner_thread_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_thread_message_thread_id"))

    op.drop_table("partner_thread_message")
    with op.batch_alter_table("partner_thread", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_thread_partner_id"))
        batch_op.drop_index(batch_op.f("ix_partner_thread_last_message_at"))

    op.drop_table("partner_thread")
