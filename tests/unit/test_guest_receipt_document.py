"""The guest's receipt and invoice without a database: the receipt's number and method label,
and both PDFs (pure functions of the document) with the figures, currency and status a guest
needs, whatever the text."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from concierge_app.adapters.documents.receipt_pdf import (
    render_guest_invoice_pdf,
    render_receipt_pdf,
)
from concierge_app.domain.errors import DomainError
from concierge_app.domain.guest_documents import (
    INVOICE_TEXT,
    RECEIPT_TEXT,
    GuestInvoiceDocument,
    GuestInvoiceLine,
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


def invoice(status="active", description="Sunset sailing", delivered_by="Aegean Sailing Co."):
    lines = (
        GuestInvoiceLine(description, date(2026, 7, 3), delivered_by, Money(12000, "EUR")),
        GuestInvoiceLine("Private chef", date(2026, 7, 4), "Chef Marco", Money(5050, "EUR")),
    )
    return GuestInvoiceDocument(
        platform=PLATFORM,
        number="CI-2026-00007",
        booking_reference="AZ-24001",
        guest_name="Ana García",
        guest_email="ana@example.com",
        issued_on=date(2026, 7, 1),
        paid_on=date(2026, 7, 2) if status == "paid" else None,
        status=status,
        total=Money(17050, "EUR"),
        lines=lines,
    )


def invoice_text(doc: GuestInvoiceDocument) -> str:
    data = render_guest_invoice_pdf(doc)
    assert data.startswith(b"%PDF")
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_an_active_invoice_shows_each_line_who_delivers_it_and_the_amount_due():
    text = invoice_text(invoice())
    for expected in (
        "CI-2026-00007",
        "AZ-24001",
        "Ana García",
        "Azure Concierge S.L.",
        "Sunset sailing",
        "Aegean Sailing Co.",
        "Chef Marco",
        "€120.00",
        "€50.50",
        "€170.50",
        INVOICE_TEXT["due"],
        "Due",
        "EUR",
    ):
        assert expected in text, expected
    assert "Paid in full" not in text


def test_a_paid_invoice_says_paid_and_when():
    text = invoice_text(invoice(status="paid"))
    assert "Paid" in text and "Jul 2, 2026" in text and INVOICE_TEXT["paid_note"] in text
    assert INVOICE_TEXT["due"] not in text


# the longest a line's description (300) and a partner's name (200) can be in the database
@pytest.mark.parametrize(
    ("description", "delivered_by"),
    [("Δ" * 300, "Ж" * 200), ("W" * 300, "W" * 200), ("Zoë\u202e", "京都の料理教室")],
)
def test_odd_or_longest_lines_render_on_a_valid_pdf(description, delivered_by):
    rendered = invoice_text(invoice(description=description, delivered_by=delivered_by))
    assert "CI-2026-00007" in rendered and "€170.50" in rendered
