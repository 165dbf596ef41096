"""Argon2 (slow on purpose) never runs inside a database transaction: a burst of sign-ins must
not hold the write lock (a webhook once waited 8.4 s behind them).

Every Argon2 call is instrumented to record how many units of work (transactions or reads) are
open in this process at that moment; and on SQLite, a write completes while a sign-in hashes."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from pwdlib import PasswordHash

from concierge_app.db.engine import Database
from concierge_app.services.access import partner_sign_in as partner_auth
from concierge_app.services.access import staff_sign_in as auth
from concierge_app.services.partner import accounts as partners

from ..factories import make_partner
from .sign_in_support import (
    PARTNER_EMAIL,
    PARTNER_PASSWORD,
    STAFF_EMAIL,
    STAFF_PASSWORD,
    add_partner_login,
    add_staff,
)

NEW = "velvet harbour migrates sideways"


@pytest.fixture
def open_units(monkeypatch) -> list[int]:
    """For each Argon2 call (hash or verify), the units of work open at that moment."""
    depth = {"open": 0}
    seen: list[int] = []

    def wrap(method_name: str) -> None:
        real = getattr(Database, method_name)

        @contextmanager
        def counted(self: Database) -> Iterator[object]:
            with real(self) as session:
                depth["open"] += 1
                try:
                    yield session
                finally:
                    depth["open"] -= 1

        monkeypatch.setattr(Database, method_name, counted)

    wrap("transaction")
    wrap("read")
    for name in ("hash", "verify", "verify_and_update"):
        real = getattr(PasswordHash, name)

        def recording(self, *args, _real=real, **kwargs):
            seen.append(depth["open"])
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(PasswordHash, name, recording)
    return seen


def test_no_password_is_hashed_or_checked_inside_a_transaction(db, open_units):
    staff_id = add_staff(db)
    add_partner_login(db)
    partners.create_staff_user(db=db, email="ana@example.com", name="Ana", password=NEW)
    partner_auth.create_partner_user(
        db=db,
        partner_id=make_partner(db),
        email="op@example.com",
        name="Op",
        password=NEW,
        actor="test",
    )
    auth.sign_in(db=db, email=STAFF_EMAIL, password=STAFF_PASSWORD)
    for wrong in ("not the password", STAFF_PASSWORD + "!"):
        with pytest.raises(auth.SignInRefused):
            auth.sign_in(db=db, email=STAFF_EMAIL, password=wrong)
    with pytest.raises(auth.SignInRefused):
        auth.sign_in(db=db, email="nobody@example.com", password=STAFF_PASSWORD)
    partner_auth.partner_sign_in(db=db, email=PARTNER_EMAIL, password=PARTNER_PASSWORD)
    auth.change_password(
        db=db, staff_id=staff_id, current=STAFF_PASSWORD, new=NEW, repeat=NEW, keep_token=""
    )
    assert len(open_units) >= 10
    assert set(open_units) == {0}


def test_a_write_completes_while_a_sign_in_is_checking_its_password(sqlite_db, monkeypatch):
    """On SQLite the writers share one lock: before, a sign-in held it for its Argon2 check."""
    db = sqlite_db
    add_staff(db)
    hashing, release = threading.Event(), threading.Event()
    real = PasswordHash.verify_and_update

    def slow(self, *args, **kwargs):
        hashing.set()
        assert release.wait(10)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(PasswordHash, "verify_and_update", slow)
    signing_in = threading.Thread(
        target=auth.sign_in, kwargs={"db": db, "email": STAFF_EMAIL, "password": STAFF_PASSWORD}
    )
    signing_in.start()
    try:
        assert hashing.wait(10)
        started = time.monotonic()
        partners.create_staff_user(
            db=db, email="webhook@example.com", name="A write", password=NEW, policy=False
        )
        assert time.monotonic() - started < 2
    finally:
        release.set()
        signing_in.join(10)
