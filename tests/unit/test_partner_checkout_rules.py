"""Which partner documents may be paid online, and what one checkout of them charges."""

from __future__ import annotations

import pytest

from concierge_app.domain.errors import CurrencyMismatch, DomainError
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import PartnerInvoiceState
from concierge_app.domain.partner_checkout import (
    OnlineCandidate,
    check_online_payable,
    online_refusal,
)


def doc(number="CM-2026-000001", due="80.00", currency="EUR", **kw):
    return OnlineCandidate(
        number=number,
        state=kw.pop("state", PartnerInvoiceState.ISSUED),
        outstanding=Money.parse(due, currency),
        reference=f"OPR-2001 {number}",
        **kw,
    )


def test_an_open_issued_document_can_be_paid_online():
    assert online_refusal(doc()) is None


@pytest.mark.parametrize(
    ("candidate", "message"),
    [
        (doc(due="0.00"), "Invoice CM-2026-000001 is already paid."),
        (
            doc(state=PartnerInvoiceState.WRITTEN_OFF),
            "This invoice was written off: it can only be paid by bank transfer, quoting "
            "OPR-2001 CM-2026-000001.",
        ),
        (
            doc(state=PartnerInvoiceState.LEGAL),
            "This invoice was sent to legal: it can only be paid by bank transfer, quoting "
            "OPR-2001 CM-2026-000001.",
        ),
        (
            doc(processing=True),
            "A bank transfer for invoice CM-2026-000001 is processing: paying it online as "
            "well would pay it twice. It turns Paid once the transfer is reflected.",
        ),
    ],
)
def test_refusals_say_why(candidate, message):
    assert online_refusal(candidate) == message
    with pytest.raises(DomainError) as refused:
        check_online_payable([doc("CM-2026-000002"), candidate])
    assert refused.value.message == message


def test_a_paid_black_document_is_simply_paid():
    paid_black = doc(due="0.00", state=PartnerInvoiceState.WRITTEN_OFF)
    assert online_refusal(paid_black) == "Invoice CM-2026-000001 is already paid."


def test_the_total_is_the_sum_of_what_is_still_due_in_one_currency():
    total = check_online_payable([doc(due="80.00"), doc("CM-2026-000002", due="50.05")])
    assert total == Money.parse("130.05", "EUR")
    assert check_online_payable([doc(due="1200", currency="JPY")]) == Money(1200, "JPY")


def test_currencies_are_never_mixed_and_an_empty_choice_is_refused():
    with pytest.raises(CurrencyMismatch, match="in EUR and USD"):
        check_online_payable([doc(), doc("CM-2026-000002", currency="USD")])
    with pytest.raises(DomainError, match="Choose at least one invoice"):
        check_online_payable([])
