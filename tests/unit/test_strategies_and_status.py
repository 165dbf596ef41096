import pytest

from concierge_app.domain.errors import InvalidAmount, InvalidTransition
from concierge_app.domain.lifecycle import (
    InvoiceStatus,
    ServiceLifecycle,
    can_transition,
    check_can_cancel,
    check_can_confirm,
    check_invoice_transition,
    check_payable,
)
from concierge_app.domain.money import Money
from concierge_app.domain.payment_status import ServicePaymentStatus as P
from concierge_app.domain.payment_status import derive_payment_status
from concierge_app.domain.strategies import PaymentStrategy as S

EUR = "EUR"


def m(minor: int) -> Money:
    return Money(minor, EUR)


@pytest.mark.parametrize(
    ("strategy", "deposit", "billed"),
    [
        (S.PLATFORM_COLLECTS_FULL, None, m(10000)),
        (S.PLATFORM_COLLECTS_DEPOSIT, m(2500), m(2500)),
        (S.OPERATOR_COLLECTS_FULL, None, None),
        (S.INCLUDED_IN_STAY, None, None),
    ],
)
def test_only_platform_collects_strategies_bill_and_deposit_bills_the_deposit(
    strategy, deposit, billed
):
    assert strategy.billable_amount(m(10000), deposit) == billed
    assert strategy.generates_invoice is (billed is not None)


def test_what_the_provider_collects_is_the_balance_or_everything():
    assert S.PLATFORM_COLLECTS_DEPOSIT.provider_collects(m(10000), m(2500)) == m(7500)
    assert S.OPERATOR_COLLECTS_FULL.provider_collects(m(10000), None) == m(10000)
    assert S.PLATFORM_COLLECTS_FULL.provider_collects(m(10000), None) == m(0)


def test_labels_are_the_guides_words():
    assert [s.label for s in S] == [
        "Operator Collects Full",
        "Platform Collects Full",
        "Platform Collects Deposit",
        "Included in Stay",
    ]


@pytest.mark.parametrize(
    ("strategy", "gross", "deposit", "message", "field"),
    [
        (S.PLATFORM_COLLECTS_FULL, m(-1), None, "gross price cannot be negative", "gross_price"),
        (S.PLATFORM_COLLECTS_DEPOSIT, m(100), None, "needs a deposit", "deposit"),
        (S.PLATFORM_COLLECTS_DEPOSIT, m(100), m(0), "needs a deposit", "deposit"),
        (S.PLATFORM_COLLECTS_DEPOSIT, m(100), m(101), "cannot be more than the gross", "deposit"),
        (S.PLATFORM_COLLECTS_DEPOSIT, m(100), Money(50, "USD"), "same currency", "deposit"),
    ],
)
def test_invalid_prices_are_refused_at_the_field(strategy, gross, deposit, message, field):
    with pytest.raises(InvalidAmount, match=message) as err:
        strategy.billable_amount(gross, deposit)
    assert err.value.field == field


def test_invoice_state_machine_allows_only_the_designed_transitions():
    allowed = {(a, b) for a in InvoiceStatus for b in InvoiceStatus if can_transition(a, b)}
    assert allowed == {
        (InvoiceStatus.DRAFT, InvoiceStatus.ACTIVE),
        (InvoiceStatus.DRAFT, InvoiceStatus.VOIDED),
        (InvoiceStatus.ACTIVE, InvoiceStatus.PAID),
        (InvoiceStatus.ACTIVE, InvoiceStatus.VOIDED),
    }


@pytest.mark.parametrize(
    ("current", "target", "message"),
    [
        (InvoiceStatus.ACTIVE, InvoiceStatus.ACTIVE, "already been sent"),
        (InvoiceStatus.DRAFT, InvoiceStatus.PAID, "send it first"),
        (InvoiceStatus.PAID, InvoiceStatus.VOIDED, "issue a refund instead"),
        (InvoiceStatus.VOIDED, InvoiceStatus.PAID, "voided invoice can't be paid"),
    ],
)
def test_refused_transitions_say_why(current, target, message):
    with pytest.raises(InvalidTransition, match=message):
        check_invoice_transition(current, target)


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (InvoiceStatus.DRAFT, "still a draft"),
        (InvoiceStatus.VOIDED, "was voided"),
        (InvoiceStatus.PAID, "already paid"),
    ],
)
def test_only_active_invoices_are_payable(status, message):
    with pytest.raises(InvalidTransition, match=message):
        check_payable(status, "CI-2026-00001")
    check_payable(InvoiceStatus.ACTIVE, "CI-2026-00001")


def test_service_lifecycle_guards():
    with pytest.raises(InvalidTransition, match="cancelled service can't be confirmed"):
        check_can_confirm(ServiceLifecycle.CANCELLED, "Yacht")
    with pytest.raises(InvalidTransition, match="already confirmed"):
        check_can_confirm(ServiceLifecycle.CONFIRMED, "Yacht")
    with pytest.raises(InvalidTransition, match="already cancelled"):
        check_can_cancel(ServiceLifecycle.CANCELLED, "Yacht")
    check_can_confirm(ServiceLifecycle.DRAFT, "Yacht")


C, D, X = ServiceLifecycle.CONFIRMED, ServiceLifecycle.DRAFT, ServiceLifecycle.CANCELLED
I = InvoiceStatus  # noqa: E741


@pytest.mark.parametrize(
    ("strategy", "lifecycle", "invoice", "expected"),
    [
        (S.PLATFORM_COLLECTS_FULL, C, I.DRAFT, P.PENDING_INVOICE),
        (S.PLATFORM_COLLECTS_DEPOSIT, C, I.DRAFT, P.PENDING_INVOICE),
        (S.PLATFORM_COLLECTS_FULL, C, I.ACTIVE, P.PAYMENT_PENDING),
        (S.PLATFORM_COLLECTS_FULL, C, I.PAID, P.PAID),
        (S.PLATFORM_COLLECTS_FULL, X, I.PAID, P.PAID),
        (S.PLATFORM_COLLECTS_FULL, X, None, None),
        (S.PLATFORM_COLLECTS_FULL, D, None, None),
        (S.OPERATOR_COLLECTS_FULL, C, None, P.PAY_PROVIDER),
        (S.OPERATOR_COLLECTS_FULL, D, None, None),
        (S.INCLUDED_IN_STAY, C, None, P.INCLUDED_IN_STAY),
        (S.INCLUDED_IN_STAY, X, None, None),
    ],
)
def test_payment_status_is_derived(strategy, lifecycle, invoice, expected):
    assert (
        derive_payment_status(strategy=strategy, lifecycle=lifecycle, invoice_status=invoice)
        == expected
    )


def test_each_status_has_its_own_colour_and_the_guides_label():
    assert [s.value for s in P] == [
        "Pending Invoice",
        "Payment Pending",
        "Paid",
        "Pay Provider",
        "Included in Stay",
    ]
    assert len({s.colour for s in P}) == len(P)
