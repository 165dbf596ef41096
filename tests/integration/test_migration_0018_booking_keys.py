"""Migration 0018 on SQLite and PostgreSQL: a database at 0017 with a booking upgrades with the
booking kept and no external reference or request key; each is then unique (many bookings may
have none); a downgrade drops both columns and keeps the bookings."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.exc import IntegrityError

from .migrations import downgrade, execute, migrate, rows

BOOKING = (
    "INSERT INTO booking (id, reference, guest_id, property_id, check_in, check_out, currency, "
    "accommodation_total_minor, accommodation_collected_by, status, created_at) VALUES "
    "({id}, 'BK-{id}', 1, 1, '2027-01-01', '2027-01-05', 'EUR', 1000, 'platform', 'confirmed', "
    "CURRENT_TIMESTAMP)"
)


@pytest.fixture
def at_0017(database_at: Callable[[str], str]) -> str:
    """A database at 0017 (one step before this migration) with one booking."""
    url = database_at("0017")
    execute(
        url,
        "INSERT INTO guest (id, name, email, locale, created_at) "
        "VALUES (1, 'Ana', 'ana@example.com', 'en_US', CURRENT_TIMESTAMP)",
        "INSERT INTO partner (id, code, name, kind, category, country, timezone, currency, "
        "commission_rate_bps, payout_method, commission_payment_method, finance_email, "
        "address, created_at) VALUES (1, 'PRP-1', 'Villa', 'property', 'villa', 'ES', 'UTC', "
        "'EUR', 1000, 'net_payout', 'payout_deduction', 'p@example.com', '', "
        "CURRENT_TIMESTAMP)",
        BOOKING.format(id=1),
    )
    return url


def test_external_reference_and_request_key_are_added_unique_and_dropped_again(at_0017: str):
    migrate(at_0017, "0018")
    assert rows(at_0017, "SELECT id, external_reference, request_key FROM booking") == [
        (1, None, None)
    ]
    execute(at_0017, BOOKING.format(id=2), BOOKING.format(id=3))  # many without one
    for column, value in (("external_reference", "HX-1"), ("request_key", "k-1")):
        execute(at_0017, f"UPDATE booking SET {column} = '{value}' WHERE id = 1")
        with pytest.raises(IntegrityError):
            execute(at_0017, f"UPDATE booking SET {column} = '{value}' WHERE id = 2")

    downgrade(at_0017, "0017")
    assert rows(at_0017, "SELECT id, reference FROM booking ORDER BY id") == [
        (1, "BK-1"),
        (2, "BK-2"),
        (3, "BK-3"),
    ]
    migrate(at_0017, "0018")
    assert rows(at_0017, "SELECT external_reference, request_key FROM booking WHERE id = 1") == [
        (None, None)
    ]
