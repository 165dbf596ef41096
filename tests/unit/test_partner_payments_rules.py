"""Reading a transfer's reference, when a transfer is reflected, and who may pay black invoices."""

from __future__ import annotations

from datetime import date

import pytest

from concierge_app.domain.errors import DomainError
from concierge_app.domain.partner_billing import PartnerInvoiceState
from concierge_app.domain.partner_payments import (
    check_method_allowed,
    read_reference,
    reflected_on,
)


def test_invoice_numbers_and_property_ids_are_read_whatever_the_case_and_punctuation():
    quoted = read_reference("prp-1001 / cm-2026-000123, CM-2026-000123 and DN-2026-000004.")
    assert quoted.numbers == ("CM-2026-000123", "DN-2026-000004")
    assert "PRP-1001" in quoted.words and "CM-2026-000123" not in quoted.words


def test_a_reference_without_numbers_has_only_words():
    assert read_reference("Villa Azul commission").numbers == ()
    assert read_reference("").words == ()


def test_a_transfer_is_reflected_after_business_days_skipping_weekends_and_holidays():
    friday = date(2026, 12, 4)
    assert reflected_on(friday, 2) == date(2026, 12, 8)  # Tuesday
    assert reflected_on(friday, 3, holidays=[date(2026, 12, 8)]) == date(2026, 12, 10)
    assert reflected_on(friday, 0) == friday
    with pytest.raises(DomainError):
        reflected_on(friday, 11)


@pytest.mark.parametrize("state", [PartnerInvoiceState.WRITTEN_OFF, PartnerInvoiceState.LEGAL])
def test_a_black_invoice_is_paid_by_bank_transfer_only(state):
    check_method_allowed("bank_transfer", state, "PRP-1 CM-2026-000001")
    for method in ("online", "direct_debit"):
        with pytest.raises(DomainError, match="only be paid by bank transfer"):
            check_method_allowed(method, state, "PRP-1 CM-2026-000001")
    check_method_allowed("online", PartnerInvoiceState.ISSUED, "PRP-1 CM-2026-000001")
