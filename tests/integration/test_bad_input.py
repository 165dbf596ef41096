"""Bad input gets a clear message and writes nothing."""

from datetime import date

import pytest

from concierge_app.domain.errors import DomainError
from concierge_app.domain.money import Money
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services.guest import bookings, invoicing, portfolio
from concierge_app.services.payments import checkout

from ..factories import ACTOR, add_service, draft_id, make_world, pay, send_draft, snapshot


def add(w, gross, strategy=S.PLATFORM_COLLECTS_FULL, deposit=None, title="Tour"):
    return portfolio.add_service_item(
        db=w.db,
        booking_id=w.booking_id,
        operator_id=w.operator_id,
        title=title,
        service_date=date(2026, 7, 2),
        gross=gross,
        strategy=strategy,
        deposit=deposit,
        actor=ACTOR,
    )


CASES = {
    "negative price": (lambda w: add(w, Money(-100, "EUR")), "gross price cannot be negative"),
    "deposit above gross": (
        lambda w: add(w, Money(1000, "EUR"), S.PLATFORM_COLLECTS_DEPOSIT, Money(1001, "EUR")),
        "deposit .* cannot be more than the gross price",
    ),
    "deposit strategy without a deposit": (
        lambda w: add(w, Money(1000, "EUR"), S.PLATFORM_COLLECTS_DEPOSIT, None),
        "needs a deposit greater than zero",
    ),
    "deposit on another strategy": (
        lambda w: add(w, Money(1000, "EUR"), S.PLATFORM_COLLECTS_FULL, Money(100, "EUR")),
        "deposit only applies to Platform Collects Deposit",
    ),
    "currency mismatch": (
        lambda w: add(w, Money(1000, "USD")),
        "billed in EUR; enter the price in EUR, not USD",
    ),
    "empty title": (lambda w: add(w, Money(1000, "EUR"), title="  "), "Give the service a title"),
    "unknown strategy": (
        lambda w: add(w, Money(1000, "EUR"), "pay_later"),
        "one of the four payment strategies",
    ),
    "unknown booking": (
        lambda w: portfolio.add_service_item(
            db=w.db,
            booking_id=999_999,
            operator_id=w.operator_id,
            title="x",
            service_date=date(2026, 7, 2),
            gross=Money(1, "EUR"),
            strategy=S.PLATFORM_COLLECTS_FULL,
            actor=ACTOR,
        ),
        "Booking 999999 was not found",
    ),
    "check-out before check-in": (
        lambda w: bookings.create_booking(
            db=w.db,
            reference="BAD-1",
            guest_id=w.guest_id,
            property_id=w.property_id,
            check_in=date(2026, 7, 8),
            check_out=date(2026, 7, 8),
            currency="EUR",
            accommodation_total=Money(0, "EUR"),
            actor=ACTOR,
        ),
        "Check-out must be after check-in",
    ),
    "booking at an operator": (
        lambda w: bookings.create_booking(
            db=w.db,
            reference="BAD-2",
            guest_id=w.guest_id,
            property_id=w.operator_id,
            check_in=date(2026, 7, 1),
            check_out=date(2026, 7, 8),
            currency="EUR",
            accommodation_total=Money(0, "EUR"),
            actor=ACTOR,
        ),
        "is not a property",
    ),
    "unknown currency": (
        lambda w: bookings.create_booking(
            db=w.db,
            reference="BAD-3",
            guest_id=w.guest_id,
            property_id=w.property_id,
            check_in=date(2026, 7, 1),
            check_out=date(2026, 7, 8),
            currency="XYZ",
            accommodation_total=Money(0, "EUR"),
            actor=ACTOR,
        ),
        "'XYZ' is not a currency",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_written(db, case):
    w = make_world(db)
    action, message = CASES[case]
    before = snapshot(db)
    with pytest.raises(DomainError, match=message):
        action(w)
    assert snapshot(db) == before


def test_sending_an_empty_draft_is_refused(db):
    w = make_world(db)
    sid = add_service(w, S.PLATFORM_COLLECTS_FULL, "10.00")
    draft = draft_id(w)
    portfolio.cancel_service(db=db, service_id=sid, actor=ACTOR)  # the draft is now empty
    before = snapshot(db)
    with pytest.raises(DomainError, match="This draft is empty"):
        invoicing.send_invoice(db=db, invoice_id=draft, actor=ACTOR)
    assert snapshot(db) == before


def test_confirming_a_cancelled_service_is_refused(db):
    w = make_world(db)
    sid = add_service(w, S.PLATFORM_COLLECTS_FULL, "10.00", confirm=False)
    portfolio.cancel_service(db=db, service_id=sid, actor=ACTOR)
    before = snapshot(db)
    with pytest.raises(DomainError, match="cancelled service can't be confirmed"):
        portfolio.confirm_service(db=db, service_id=sid, actor=ACTOR)
    assert snapshot(db) == before


def test_paying_a_draft_a_voided_or_a_paid_invoice_is_refused(db):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "10.00")
    voided = send_draft(w)
    invoicing.void_invoice(db=db, invoice_id=voided, actor=ACTOR, reason="Typo")
    paid = send_draft(w)  # the re-issued invoice
    pay(w, [paid])
    add_service(w, S.PLATFORM_COLLECTS_FULL, "5.00")
    draft = draft_id(w)
    before = snapshot(db)
    for invoice, message in [
        (draft, "still a draft"),
        (voided, "was voided"),
        (paid, "already paid"),
    ]:
        with pytest.raises(DomainError, match=message):
            checkout.start_payment_attempt(db=db, invoice_ids=[invoice], actor="guest")
    assert snapshot(db) == before


def test_one_payment_across_two_bookings_is_refused(db):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "10.00")
    a = send_draft(w)
    second = bookings.create_booking(
        db=db,
        reference="SECOND-1",
        guest_id=w.guest_id,
        property_id=w.property_id,
        check_in=date(2026, 9, 1),
        check_out=date(2026, 9, 3),
        currency="EUR",
        accommodation_total=Money(0, "EUR"),
        actor=ACTOR,
    )
    add_service(w, S.PLATFORM_COLLECTS_FULL, "10.00", booking_id=second)
    b = send_draft(w, second)
    before = snapshot(db)
    with pytest.raises(DomainError, match="One payment can only cover invoices of one booking"):
        checkout.start_payment_attempt(db=db, invoice_ids=[a, b], actor="guest")
    with pytest.raises(DomainError, match="at least one invoice"):
        checkout.start_payment_attempt(db=db, invoice_ids=[], actor="guest")
    assert snapshot(db) == before


def test_a_duplicate_booking_reference_is_refused(db):
    w = make_world(db)
    kwargs = dict(
        db=db,
        reference="DUP-1",
        guest_id=w.guest_id,
        property_id=w.property_id,
        check_in=date(2026, 7, 1),
        check_out=date(2026, 7, 2),
        currency="EUR",
        accommodation_total=Money(0, "EUR"),
        actor=ACTOR,
    )
    bookings.create_booking(**kwargs)
    before = snapshot(db)
    with pytest.raises(DomainError, match="DUP-1 already exists"):
        bookings.create_booking(**kwargs)
    assert snapshot(db) == before
