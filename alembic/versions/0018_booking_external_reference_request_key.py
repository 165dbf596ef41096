"""Two optional keys on a booking, each unique when set:

- `external_reference`: the id a PMS or channel manager gives it, so a CSV import (or a later
  API push) of the same booking updates it instead of duplicating it;
- `request_key`: one per opening of the New booking form, so a repeated submit returns the
  booking already made instead of making a second.

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

_COLUMNS = {"external_reference": 100, "request_key": 64}


def upgrade() -> None:
    with op.batch_alter_table("booking", schema=None) as batch_op:
        for column, length in _COLUMNS.items():
            batch_op.add_column(sa.Column(column, sa.String(length=length), nullable=True))
    for column in _COLUMNS:
        op.create_index(
            f"uq_booking_{column}",
            "booking",
            [column],
            unique=True,
            sqlite_where=sa.text(f"{column} IS NOT NULL"),
            postgresql_where=sa.text(f"{column} IS NOT NULL"),
        )


def downgrade() -> None:
    for column in _COLUMNS:
        op.drop_index(f"uq_booking_{column}", table_name="booking")
    with op.batch_alter_table("booking", schema=None) as batch_op:
        for column in reversed(_COLUMNS):
            batch_op.drop_column(column)
