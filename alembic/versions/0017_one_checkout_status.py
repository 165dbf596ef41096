"""One checkout status for every payer (`domain/checkout.CheckoutStatus`): a partner checkout
that was paid is 'succeeded', as a guest's payment attempt is. Its CHECK lists the same four
values as the payment attempt's (open, succeeded, failed, expired).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-10 09:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_NAME = "ck_partner_checkout_status"


def _recheck(old: str, new: str, values: str) -> None:
    """Rename one stored status under a CHECK that allows only the given values."""
    with op.batch_alter_table("partner_checkout", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(_NAME), type_="check")
    op.execute(f"UPDATE partner_checkout SET status = '{new}' WHERE status = '{old}'")
    with op.batch_alter_table("partner_checkout", schema=None) as batch_op:
        batch_op.create_check_constraint(op.f(_NAME), f"status IN ({values})")


def upgrade() -> None:
    _recheck("paid", "succeeded", "'open', 'succeeded', 'failed', 'expired'")


def downgrade() -> None:
    _recheck("succeeded", "paid", "'open', 'paid', 'expired', 'failed'")
