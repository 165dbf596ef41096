"""A booking's external reference: the id a PMS or channel manager gives it, unique when set, so
a CSV import (or a later API push) of the same booking updates it instead of duplicating it.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-14 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_INDEX = "uq_booking_external_reference"


def upgrade() -> None:
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_reference", sa.String(length=100), nullable=True))
    op.create_index(
        _INDEX,
        "booking",
        ["external_reference"],
        unique=True,
        sqlite_where=sa.text("external_reference IS NOT NULL"),
        postgresql_where=sa.text("external_reference IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index(_INDEX, table_name="booking")
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_column("external_reference")
