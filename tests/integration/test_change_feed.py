"""The change feed the live-update watcher reads (`services/shared/changes.py`): which bookings
and partners a change concerns, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services.access.guard import SignInRefused
from concierge_app.services.access.staff_sign_in import sign_in
from concierge_app.services.shared.changes import changes_since, ledger_version

from ..factories import add_service, make_booking, make_partner, make_world, pay, send_draft


def test_nothing_moved_is_one_look_and_no_change(db):
    make_world(db)
    head = ledger_version(db=db)
    changes = changes_since(db=db, after=head)
    assert changes.head == head
    assert not changes.any and not changes.everything
    assert changes.bookings == frozenset() and changes.partners == frozenset()


def test_a_payment_concerns_its_booking_its_property_and_operators_only(db):
    w = make_world(db)
    other_property = make_partner(db, kind="property")
    other_booking = make_booking(db, property_id=other_property)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00")
    invoice = send_draft(w)
    before = ledger_version(db=db)

    pay(w, [invoice])

    changes = changes_since(db=db, after=before)
    assert changes.head == ledger_version(db=db) > before
    assert changes.bookings == {w.booking_id}
    assert other_booking not in changes.bookings
    assert changes.partners == {w.property_id, w.operator_id}
    assert other_property not in changes.partners


def test_a_change_naming_a_partner_concerns_that_partner(db):
    w = make_world(db)
    before = ledger_version(db=db)
    partner = make_partner(db, kind="property")  # audited as "partner:<id>"
    changes = changes_since(db=db, after=before)
    assert partner in changes.partners
    assert w.booking_id not in changes.bookings


def test_too_many_changes_at_once_tell_every_page(db):
    w = make_world(db)
    before = ledger_version(db=db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "10.00")
    add_service(w, S.PLATFORM_COLLECTS_FULL, "20.00")
    assert changes_since(db=db, after=before, most=1).everything
    assert not changes_since(db=db, after=before, most=100).everything


def test_a_failed_sign_in_moves_the_sign_in_head_not_the_ledger(db):
    make_world(db)
    start = changes_since(db=db, after=0)
    with pytest.raises(SignInRefused):
        sign_in(db=db, email="nobody@example.com", password="wrong", client_address="127.0.0.1")
    changes = changes_since(db=db, after=start.head, after_sign_in=start.sign_in_head)
    assert changes.sign_ins and changes.sign_in_head > start.sign_in_head
    assert changes.head == start.head and not changes.any
