"""Money bounds: nothing a person or a file enters goes past what one payment can take, no
amount leaves 64 bits, and only ASCII digits are amounts."""

from __future__ import annotations

import pytest

from concierge_app.adapters.payments.gateway import GatewayError
from concierge_app.adapters.payments.stripe_amounts import to_stripe_amount
from concierge_app.domain.allocation import OpenItem
from concierge_app.domain.charge_limits import MAX_PROVIDER_AMOUNT, check_chargeable, max_charge
from concierge_app.domain.checkout_groups import checkout_groups
from concierge_app.domain.credit import check_debit_note
from concierge_app.domain.direct_debit import plan_collection
from concierge_app.domain.errors import InvalidAmount
from concierge_app.domain.money import MAX_MINOR, Money
from concierge_app.domain.partner_billing import PartnerInvoiceState
from concierge_app.domain.strategies import PaymentStrategy as S


@pytest.mark.parametrize(
    ("currency", "limit"),
    [
        ("EUR", "999999.99"),
        ("USD", "999999.99"),
        ("JPY", "99999999"),
        ("KWD", "99999.990"),  # Stripe: three decimals, the last one 0
        ("ISK", "999999"),  # Stripe writes ISK with two decimals that are always 00
        ("MGA", "99999999.00"),  # zero-decimal at Stripe, two decimals in ISO 4217
    ],
)
def test_the_most_one_payment_can_take_is_stripes_eight_digits(currency, limit):
    assert max_charge(currency) == Money.parse(limit, currency)
    assert to_stripe_amount(max_charge(currency)) <= MAX_PROVIDER_AMOUNT


def test_a_cent_over_the_limit_is_refused_with_the_figure():
    over = Money.parse("1000000.00", "EUR")
    with pytest.raises(InvalidAmount, match=r"at most 999999.99 EUR"):
        check_chargeable(over, "A gross price", field="gross_price")
    with pytest.raises(GatewayError, match="more than Stripe takes in one charge"):
        to_stripe_amount(over)


@pytest.mark.parametrize(
    "text",
    ["１２３", "12.５0", "٣٤", "१२३", "1²", "99999999999999999999999", "1" * 5000, "1e9", "0x10"],
)
def test_only_ascii_digits_of_sane_length_are_amounts(text):
    with pytest.raises(InvalidAmount):
        Money.parse(text, "EUR")


def test_no_amount_leaves_64_bits():
    with pytest.raises(InvalidAmount, match="too large"):
        Money(MAX_MINOR + 1, "EUR")
    biggest = Money(MAX_MINOR, "EUR")
    with pytest.raises(InvalidAmount, match="too large"):
        biggest + Money(1, "EUR")
    with pytest.raises(InvalidAmount):
        Money.parse("99999999999999999", "KWD")  # 10^17 × 1000 minor units


def test_service_prices_and_deposits_are_bounded_and_platform_services_cost_something():
    eur = lambda text: Money.parse(text, "EUR")  # noqa: E731
    with pytest.raises(InvalidAmount, match=r"at most 999999\.99 EUR") as refused:
        S.PLATFORM_COLLECTS_FULL.validate_prices(eur("99999999999"), None)
    assert refused.value.field == "gross_price"
    with pytest.raises(InvalidAmount, match="deposit") as refused:
        S.PLATFORM_COLLECTS_DEPOSIT.validate_prices(eur("999999.99"), eur("1000000"))
    with pytest.raises(InvalidAmount, match="needs a price above zero"):
        S.PLATFORM_COLLECTS_FULL.validate_prices(eur("0"), None)
    S.INCLUDED_IN_STAY.validate_prices(eur("0"), None)  # nothing billed: zero is fine
    S.OPERATOR_COLLECTS_FULL.validate_prices(eur("999999.99"), None)


def test_pay_all_splits_what_one_payment_cannot_take():
    big, small = Money.parse("600000.00", "EUR"), Money.parse("10.00", "EUR")
    groups = checkout_groups([(1, big), (2, big), (3, small), (4, Money(500, "USD"))])
    assert [(g.currency, g.invoice_ids) for g in groups] == [
        ("EUR", (1,)),
        ("EUR", (2, 3)),
        ("USD", (4,)),
    ]
    assert all(g.total <= max_charge(g.currency) for g in groups)


def test_a_direct_debit_never_asks_for_more_than_one_payment_can_take():
    from datetime import date

    docs = [
        OpenItem(i, date(2026, 11, i), f"CM-{i}", Money.parse(amount, "EUR"))
        for i, amount in ((1, "700000.00"), (2, "400000.00"), (3, "200000.00"))
    ]
    states = dict.fromkeys((1, 2, 3), PartnerInvoiceState.ISSUED)
    plan = plan_collection(docs, states, failed_this_month=())
    assert [i.invoice_id for i in plan.collect] == [1, 3]
    assert [i.invoice_id for i in plan.over_limit] == [2]
    assert plan.amount is not None and plan.amount <= max_charge("EUR")


def test_a_debit_note_is_bounded():
    from datetime import date

    with pytest.raises(Exception, match=r"at most 999999\.99 EUR"):
        check_debit_note(Money.parse("1000000", "EUR"), date(2026, 12, 31), date(2026, 12, 4))
