"""One checkout lifecycle for every payer: the status guards, what an event does to a checkout,
and the one mapping of the provider's event types."""

from __future__ import annotations

import pytest

from concierge_app.domain.checkout import (
    CheckoutStatus,
    Step,
    can_become,
    check_transition,
    on_close,
    on_success,
)
from concierge_app.domain.errors import InvalidTransition
from concierge_app.domain.money import Money
from concierge_app.domain.provider_events import (
    CHECKOUT_EVENTS,
    CLOSES,
    DIRECT_DEBIT_ANSWERS,
    REFUND_EVENTS,
    Signal,
    is_checkout,
    signal_of,
)

OPEN, SUCCEEDED, FAILED, EXPIRED = (
    CheckoutStatus.OPEN,
    CheckoutStatus.SUCCEEDED,
    CheckoutStatus.FAILED,
    CheckoutStatus.EXPIRED,
)
ALLOWED = {(OPEN, SUCCEEDED), (OPEN, FAILED), (OPEN, EXPIRED), (FAILED, SUCCEEDED)}
ALLOWED |= {(EXPIRED, SUCCEEDED)}
EUR_100 = Money(10_000, "EUR")


@pytest.mark.parametrize("current", list(CheckoutStatus))
@pytest.mark.parametrize("target", list(CheckoutStatus))
def test_only_the_lifecycles_transitions_pass_the_guard(current, target):
    allowed = (current, target) in ALLOWED
    assert can_become(current, target) is allowed
    if allowed:
        check_transition(current, target)
    else:
        with pytest.raises(InvalidTransition, match="A checkout can't go from"):
            check_transition(current, target)


def test_only_an_open_checkout_is_not_final():
    assert [s for s in CheckoutStatus if not s.is_final] == [OPEN]


@pytest.mark.parametrize("status", [OPEN, FAILED, EXPIRED])
def test_a_success_of_the_checkouts_amount_fulfils_it_even_after_a_failure_or_an_expiry(status):
    assert on_success(status, EUR_100, Money(10_000, "EUR")) is Step.FULFILLED


def test_a_second_success_is_already_fulfilled_whatever_its_amount():
    assert on_success(SUCCEEDED, EUR_100, EUR_100) is Step.ALREADY_FULFILLED
    assert on_success(SUCCEEDED, EUR_100, Money(1, "USD")) is Step.ALREADY_FULFILLED


@pytest.mark.parametrize("received", [Money(9_999, "EUR"), Money(10_000, "USD")])
def test_another_amount_or_currency_is_a_mismatch(received):
    assert on_success(OPEN, EUR_100, received) is Step.AMOUNT_MISMATCH


def test_an_open_checkout_closes_as_failed_or_expired_and_a_closed_one_stays_as_it_is():
    assert on_close(OPEN, FAILED) is Step.MARKED_FAILED
    assert on_close(OPEN, EXPIRED) is Step.MARKED_EXPIRED
    for status in (SUCCEEDED, FAILED, EXPIRED):
        assert on_close(status, FAILED) is on_close(status, EXPIRED) is Step.ALREADY_FINAL


@pytest.mark.parametrize("target", [OPEN, SUCCEEDED])
def test_closing_takes_failed_or_expired_only(target):
    with pytest.raises(ValueError):
        on_close(OPEN, target)


@pytest.mark.parametrize(
    ("event_type", "payment_status", "signal"),
    [
        ("checkout.session.completed", "paid", Signal.CHECKOUT_PAID),
        ("checkout.session.completed", "no_payment_required", Signal.CHECKOUT_PAID),
        ("checkout.session.completed", "unpaid", Signal.CHECKOUT_PROCESSING),
        ("checkout.session.completed", None, Signal.CHECKOUT_PROCESSING),
        ("checkout.session.async_payment_succeeded", None, Signal.CHECKOUT_PAID),
        ("checkout.session.async_payment_failed", None, Signal.CHECKOUT_FAILED),
        ("checkout.session.expired", None, Signal.CHECKOUT_EXPIRED),
        ("refund.created", None, Signal.REFUND),
        ("refund.updated", None, Signal.REFUND),
        ("refund.failed", None, Signal.REFUND),
        ("charge.refunded", None, Signal.REFUND),
        ("charge.refund.updated", None, Signal.REFUND),
        ("payment_intent.succeeded", None, Signal.DEBIT_PAID),
        ("payment_intent.payment_failed", None, Signal.DEBIT_FAILED),
        ("customer.created", None, None),
        ("checkout.session.something_new", "paid", None),
        ("", None, None),
    ],
)
def test_each_provider_event_type_maps_to_what_the_ledger_does(event_type, payment_status, signal):
    assert signal_of(event_type, payment_status) is signal


def test_the_handled_types_are_checkouts_refunds_and_direct_debit_answers():
    assert all(is_checkout(t) for t in CHECKOUT_EVENTS)
    assert not any(is_checkout(t) for t in REFUND_EVENTS | DIRECT_DEBIT_ANSWERS)
    assert is_checkout("checkout.session.something_new") and not is_checkout("charge.refunded")
    for kind in CHECKOUT_EVENTS | REFUND_EVENTS | DIRECT_DEBIT_ANSWERS:
        assert signal_of(kind, "paid") is not None


def test_a_failed_or_expired_checkout_closes_with_its_reason():
    assert CLOSES[Signal.CHECKOUT_FAILED] == (FAILED, "The payment failed at the bank.")
    assert CLOSES[Signal.CHECKOUT_EXPIRED] == (
        EXPIRED,
        "The checkout expired before it was paid.",
    )
