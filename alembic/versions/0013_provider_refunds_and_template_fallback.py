"""Refunds made at the payment provider (recorded from its events) are told from the Refund
dialog's by `refund.source`; one spread over several services carries the provider's refund id
on each of their rows (`refund.provider_reference` indexed, no longer unique). A message sent
with the built-in text because its stored template could not be used says why
(`outbox_message.template_problem`).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("refund", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("source", sa.String(length=20), nullable=False, server_default="ledger")
        )
        batch_op.create_check_constraint(
            op.f("ck_refund_source"), "source IN ('ledger', 'provider')"
        )
        batch_op.drop_constraint(op.f("uq_refund_provider_reference"), type_="unique")
        batch_op.create_index(
            batch_op.f("ix_refund_provider_reference"), ["provider_reference"], unique=False
        )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("template_problem", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("template_problem")
    with op.batch_alter_table("refund", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refund_provider_reference"))
        batch_op.create_unique_constraint(
            op.f("uq_refund_provider_reference"), ["provider_reference"]
        )
        batch_op.drop_constraint(op.f("ck_refund_source"), type_="check")
        batch_op.drop_column("source")
