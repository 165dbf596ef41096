"""Migration 0017 on SQLite and PostgreSQL: a database at 0016 with partner checkouts (one paid,
one open, one expired) upgrades to the one checkout status (paid → succeeded, the others kept),
whose CHECK then refuses 'paid'; a downgrade gives back 'paid' and its old CHECK."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.exc import IntegrityError

from concierge_app.domain.checkout import CheckoutStatus

from .migrations import downgrade, execute, migrate, rows

STATUSES = "SELECT id, status FROM partner_checkout ORDER BY id"


@pytest.fixture
def at_0016(database_at: Callable[[str], str]) -> str:
    """A database at 0016 (one step before this migration) with three partner checkouts."""
    url = database_at("0016")
    execute(
        url,
        "INSERT INTO partner_group (id, code, name, finance_email, created_at) "
        "VALUES (1, 'GRP-1', 'Group', 'g@example.com', CURRENT_TIMESTAMP)",
        *(
            "INSERT INTO partner_checkout (id, group_id, currency, amount_minor, status, "
            f"provider, created_by, created_at) VALUES ('pc_{status}', 1, 'EUR', 1000, "
            f"'{status}', 'sandbox', 'test', CURRENT_TIMESTAMP)"
            for status in ("paid", "open", "expired")
        ),
    )
    return url


def test_a_paid_partner_checkout_becomes_succeeded_and_back(at_0016: str):
    migrate(at_0016, "0017")
    assert rows(at_0016, STATUSES) == [
        ("pc_expired", CheckoutStatus.EXPIRED.value),
        ("pc_open", CheckoutStatus.OPEN.value),
        ("pc_paid", CheckoutStatus.SUCCEEDED.value),
    ]
    with pytest.raises(IntegrityError):
        execute(at_0016, "UPDATE partner_checkout SET status = 'paid' WHERE id = 'pc_open'")
    execute(at_0016, "UPDATE partner_checkout SET status = 'failed' WHERE id = 'pc_open'")

    downgrade(at_0016, "0016")
    assert rows(at_0016, STATUSES) == [
        ("pc_expired", "expired"),
        ("pc_open", "failed"),
        ("pc_paid", "paid"),
    ]
    with pytest.raises(IntegrityError):
        execute(at_0016, "UPDATE partner_checkout SET status = 'succeeded' WHERE id = 'pc_open'")
