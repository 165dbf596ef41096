"""Migration 0020 on SQLite and PostgreSQL: from 0019 it adds `api_key` and
`api_idempotent_request`, whose rules hold (a secret's hash once and 64 characters long, one
answer per key and Idempotency-Key); a downgrade removes them and leaves the rest as it was."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.exc import IntegrityError

from .migrations import downgrade, execute, migrate, tables

NEW = {"api_key", "api_idempotent_request"}
KEY = (
    "INSERT INTO api_key (id, name, prefix, secret_hash, scopes, created_by, created_at) "
    "VALUES ({id}, 'Guesty', 'ck_live_ab12', '{digest}', 'bookings:read', 't', CURRENT_TIMESTAMP)"
)
ANSWER = (
    "INSERT INTO api_idempotent_request (api_key_id, idempotency_key, fingerprint, status_code, "
    "body_json, created_at) VALUES ({key}, 'k1', 'f', 201, '{{}}', CURRENT_TIMESTAMP)"
)


def test_upgrade_adds_the_key_tables_with_their_rules_and_downgrade_removes_them(
    database_at: Callable[[str], str],
):
    at_0019 = database_at("0019")
    before = tables(at_0019)
    assert not NEW & before
    migrate(at_0019, "0020")
    assert tables(at_0019) >= NEW
    execute(at_0019, KEY.format(id=1, digest="a" * 64), KEY.format(id=2, digest="b" * 64))
    for bad in (KEY.format(id=3, digest="a" * 64), KEY.format(id=4, digest="short")):
        with pytest.raises(IntegrityError):  # a hash twice; not a SHA-256
            execute(at_0019, bad)
    execute(at_0019, ANSWER.format(key=1), ANSWER.format(key=2))
    with pytest.raises(IntegrityError):  # one answer per API key and Idempotency-Key
        execute(at_0019, ANSWER.format(key=1))
    downgrade(at_0019, "0019")
    assert tables(at_0019) == before
