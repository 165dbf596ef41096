"""Pay All grouping, the guest's badges, and the sandbox's reading of typed card details."""

from __future__ import annotations

from datetime import date

from concierge_app.adapters.payments.sandbox_cards import Card, card_problem
from concierge_app.domain.checkout_groups import checkout_groups
from concierge_app.domain.money import Money
from concierge_app.domain.payment_status import DEPOSIT_PAID, ServicePaymentStatus, guest_badge
from concierge_app.domain.strategies import PaymentStrategy


def test_pay_all_makes_one_checkout_per_currency_with_its_own_total():
    groups = checkout_groups(
        [(1, Money(10000, "EUR")), (2, Money(5000, "USD")), (3, Money(2550, "EUR"))]
    )
    assert [(g.currency, g.invoice_ids, g.total) for g in groups] == [
        ("EUR", (1, 3), Money(12550, "EUR")),
        ("USD", (2,), Money(5000, "USD")),
    ]


def test_pay_all_of_one_currency_is_one_checkout():
    (group,) = checkout_groups([(4, Money(300, "JPY")), (9, Money(700, "JPY"))])
    assert group.invoice_ids == (4, 9) and group.total == Money(1000, "JPY")


def test_nothing_open_means_no_checkout():
    assert checkout_groups([]) == []


def test_a_paid_deposit_tells_the_guest_who_collects_the_balance():
    paid = ServicePaymentStatus.PAID
    assert guest_badge(paid, PaymentStrategy.PLATFORM_COLLECTS_DEPOSIT) == (DEPOSIT_PAID, "green")
    assert guest_badge(paid, PaymentStrategy.PLATFORM_COLLECTS_FULL) == ("Paid", "green")
    assert guest_badge(ServicePaymentStatus.PAY_PROVIDER, PaymentStrategy.OPERATOR_COLLECTS_FULL)[
        0
    ] == ("Pay Provider")
    assert DEPOSIT_PAID == ("Deposit paid — balance payable to the provider at the time of service")


def test_typed_card_details_are_checked_as_checkout_checks_them():
    next_year = f"{(date.today().year + 1) % 100:02d}"
    assert card_problem(Card("4242 4242 4242 4242", f"12 / {next_year}", "123")) is None
    assert card_problem(Card("4242-4242-4242-4242", f"1/{next_year}", "1234")) is None
    assert card_problem(Card("4242 4242 4242 4243", "12/34", "123")) == (
        "Your card number is invalid."
    )
    assert card_problem(Card("4242", "12/34", "123")) == "Your card number is invalid."
    assert "incomplete" in (card_problem(Card("4242424242424242", "1234", "123")) or "")
    assert "invalid" in (card_problem(Card("4242424242424242", "13/34", "123")) or "")
    assert "past" in (card_problem(Card("4242424242424242", "01/20", "123")) or "")
    assert "security code" in (card_problem(Card("4242424242424242", "12/34", "12")) or "")
