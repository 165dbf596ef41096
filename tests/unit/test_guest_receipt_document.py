"""The guest's receipt without a database: its number, its method label, and its PDF (a pure
function of the document) with the figures, currency and status a guest needs."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from concierge_app.adapters.documents.receipt_pdf import render_receipt_pdf
from concierge_app.domain.errors import DomainError
from concierge_app.domain.guest_documents import (
    RECEIPT_TEXT,
    ReceiptDocument,
    SettledInvoice,
    method_label,
    receipt_number,
)
from concierge_app.domain.money import Money

from .test_partner_documents import PLATFORM


def receipt(currency="EUR", name="Ana García", invoices=(("CI-2026-00001", 10000),)):
    settled = tuple(SettledInvoice(n, Money(m, currency)) for n, m in invoices)
    return ReceiptDocument(
        platform=PLATFORM,
        number="RC-000042",
        booking_reference="AZ-24001",
        guest_name=name,
        guest_email="ana@example.com",
        paid_on=date(2026, 7, 3),
        method=method_label("stripe"),
        amount=Money(sum(m for _, m in invoices), currency),
        invoices=settled,
    )


def text_of(doc: ReceiptDocument) -> str:
    data = render_receipt_pdf(doc)
    assert data.startswith(b"%PDF")
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize(
    ("value", "number"),
    [(1, "RC-000001"), (42, "RC-000042"), (999_999, "RC-999999"), (1_000_000, "RC-1000000")],
)
def test_receipt_numbers_are_zero_padded_and_never_cut(value, number):
    assert receipt_number(value) == number


@pytest.mark.parametrize("value", [0, -1, -(10**12)])
def test_a_receipt_number_below_one_is_refused(value):
    with pytest.raises(DomainError):
        receipt_number(value)


def test_method_labels():
    assert method_label("stripe") == "Card (Stripe)"
    assert method_label("sandbox") == "Card (test payment)"
    assert method_label("other") == "Card (other)"


def test_a_pay_all_receipt_lists_each_invoice_and_the_total():
    doc = receipt(invoices=(("CI-2026-00001", 10000), ("CI-2026-00002", 5000)))
    assert doc.settled_total == doc.amount == Money(15000, "EUR")
    text = text_of(doc)
    for expected in (
        RECEIPT_TEXT["title"],
        "RC-000042",
        "AZ-24001",
        "Ana García",
        "Azure Concierge S.L.",
        "ESB12345678",
        "Jul 3, 2026",
        "Card (Stripe)",
        "EUR",
        "Paid",
        "CI-2026-00001",
        "€100.00",
        "CI-2026-00002",
        "€50.00",
        RECEIPT_TEXT["total"],
        "€150.00",
    ):
        assert expected in text, expected


@pytest.mark.parametrize(
    ("currency", "minor", "shown"),
    [("JPY", 12345, "¥12,345"), ("GBP", 1, "£0.01"), ("USD", 99_999_999_999, "$999,999,999.99")],
)
def test_amounts_in_each_currency_use_its_minor_units(currency, minor, shown):
    text = text_of(receipt(currency=currency, invoices=(("CI-2026-00009", minor),)))
    assert shown in text and currency in text


@pytest.mark.parametrize(
    "name",
    ["Zoë O’Brien-Łukasz", "Ελένη Παπαδοπούλου", "x" * 2_000, "Guest\u200b\u202eevil", "山田太郎"],
)
def test_odd_or_huge_names_render_on_a_valid_pdf(name):
    text = text_of(receipt(name=name))
    assert "RC-000042" in text and "€100.00" in text
