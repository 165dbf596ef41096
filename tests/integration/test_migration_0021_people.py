"""Migration 0021 on SQLite and PostgreSQL: staff who existed before roles keep every role;
`account_link` holds only known kinds and purposes and each token once; a downgrade removes
the table and the column and keeps the staff."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.exc import IntegrityError

from .migrations import columns, downgrade, execute, migrate, rows, tables

LINK = (
    "INSERT INTO account_link (token_hash, kind, user_id, purpose, created_by, created_at, "
    "expires_at) VALUES ('{token}', '{kind}', 1, '{purpose}', 'cli:t', CURRENT_TIMESTAMP, "
    "CURRENT_TIMESTAMP)"
)


def test_existing_staff_keep_every_role_and_downgrade_undoes_it(database_at: Callable[[str], str]):
    at_0019 = database_at("0019")
    execute(
        at_0019,
        "INSERT INTO staff_user (email, name, password_hash, is_active, created_at) "
        "VALUES ('old@staff.example', 'Old', 'h', true, CURRENT_TIMESTAMP)",
    )
    migrate(at_0019, "0021")
    assert rows(at_0019, "SELECT email, roles FROM staff_user") == [
        ("old@staff.example", "admin,concierge,finance")
    ]
    execute(at_0019, LINK.format(token="a" * 64, kind="staff", purpose="invitation"))
    execute(at_0019, LINK.format(token="b" * 64, kind="partner", purpose="reset"))
    for bad in (
        LINK.format(token="a" * 64, kind="staff", purpose="reset"),  # the same token twice
        LINK.format(token="c" * 64, kind="guest", purpose="reset"),
        LINK.format(token="d" * 64, kind="staff", purpose="login"),
    ):
        with pytest.raises(IntegrityError):
            execute(at_0019, bad)
    downgrade(at_0019, "0019")
    assert "account_link" not in tables(at_0019)
    assert "roles" not in columns(at_0019, "staff_user")
    assert rows(at_0019, "SELECT email FROM staff_user") == [("old@staff.example",)]
