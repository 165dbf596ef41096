"""Partner documents without a database: the statement CSV and the invoice PDF."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from concierge_app.adapters.documents import invoice_pdf as pdf_module
from concierge_app.adapters.documents.invoice_pdf import render_invoice_pdf
from concierge_app.adapters.documents.statement_csv import HEADER, statement_csv
from concierge_app.domain.documents import (
    InvoiceDocument,
    PartnerDetails,
    PayoutSummary,
    PlatformDetails,
    StatementLine,
    group_iban,
    rate_text,
)
from concierge_app.domain.formatting import format_money
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import (
    PartnerInvoiceKind,
    PartnerInvoiceState,
    Period,
    invoice_status,
)

DUE = date(2026, 12, 16)
PLATFORM = PlatformDetails(
    name="Azure Concierge",
    legal_name="Azure Concierge S.L.",
    address="Carrer de Balmes 150\n08008 Barcelona\nSpain",
    vat_id="ESB12345678",
    email="concierge@azure-concierge.test",
    bank_name="Banco Demo",
    iban="ES9121000418450200051332",
    bic="CAIXESBBXXX",
)
METHOD_LABELS = {
    "payout_deduction": "Deducted from your payout",
    "bank_transfer": "Bank transfer",
    "online": "Online payment",
    "direct_debit": "Direct debit",
}


def line(n: int, base: str, rate_bps: int, commission: str, by: str = "platform", **kw):
    values = {
        "reference": f"BK-{n:06d}",
        "guest_name": "Ana Ruiz",
        "description": "Stay",
        "start_date": date(2026, 11, 1),
        "end_date": date(2026, 11, 4),
        "base": Money.parse(base, kw.pop("currency", "EUR")),
        "rate": rate_text(rate_bps),
        "commission": None,
        "collected_by": by,
    }
    values.update(kw)
    values["commission"] = Money.parse(commission, values["base"].currency)
    return StatementLine(**values)


def document(
    lines: tuple[StatementLine, ...] | None = None,
    *,
    deducted: str | None = None,
    method: str = "bank_transfer",
    state: PartnerInvoiceState = PartnerInvoiceState.ISSUED,
    kind: PartnerInvoiceKind = PartnerInvoiceKind.COMMISSION,
    currency: str = "EUR",
    payout: bool = True,
    today: date = date(2026, 12, 5),
) -> InvoiceDocument:
    if lines is None:
        lines = (
            line(1, "1250.00", 1500, "187.50", "platform", guest_name="Zoë Müller"),
            line(2, "999.99", 1250, "125.00", "partner", description="Sailing tour"),
            line(3, "80.00", 1500, "12.00", "shared", guest_name="François Lefèvre"),
        )
    amount = Money(sum(ln.commission.minor for ln in lines), currency)
    taken = (
        Money(sum(ln.commission.minor for ln in lines if ln.collected_by == "platform"), currency)
        if deducted is None
        else Money.parse(deducted, currency)
    )
    gross = Money(sum(ln.base.minor for ln in lines if ln.collected_by == "platform"), currency)
    return InvoiceDocument(
        id=1,
        number="CM-2026-000042",
        kind=kind,
        period=Period(2026, 11),
        period_label="November 2026",
        invoice_date=date(2026, 12, 2),
        due_date=DUE,
        currency=currency,
        amount=amount,
        deducted=taken,
        payable=amount - taken,
        state=state,
        status=invoice_status(
            amount=amount, paid=taken, due=DUE, today=today, state=state, format_money=format_money
        ),
        nothing_to_pay=(amount - taken).is_zero,
        partner=PartnerDetails(
            id=7,
            name="Villa Sol y Mar",
            code="PRP-00042",
            kind="property",
            address="Camí de Cala d'Or 12\n07660 Santanyí\nSpain",
            country="ES",
            finance_email="finance@villasol.example",
            payment_method=method,
            payment_method_label=METHOD_LABELS[method],
        ),
        payout=PayoutSummary(gross, taken, gross - taken) if payout else None,
        lines=lines,
        payment_reference="PRP-00042 CM-2026-000042",
        platform=PLATFORM,
    )


def pdf_pages(doc: InvoiceDocument) -> list[str]:
    data = render_invoice_pdf(doc)
    assert data.startswith(b"%PDF")
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def pdf_text(doc: InvoiceDocument) -> str:
    return "\n".join(pdf_pages(doc))


# -- rates and the CSV --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bps", "text"),
    [(1500, "15%"), (1250, "12.5%"), (1234, "12.34%"), (1000, "10%"), (0, "0%"), (10000, "100%")],
)
def test_a_rate_reads_as_a_percentage(bps, text):
    assert rate_text(bps) == text


def test_the_statement_csv_has_a_header_one_row_per_line_and_a_total():
    rows = list(csv.reader(io.StringIO(statement_csv(document()))))
    assert tuple(rows[0]) == HEADER
    assert rows[1] == [
        "BK-000001",
        "Zoë Müller",
        "Stay",
        "2026-11-01",
        "2026-11-04",
        "1250.00",
        "15%",
        "187.50",
        "platform",
        "EUR",
    ]
    assert [r[5:9] for r in rows[2:4]] == [
        ["999.99", "12.5%", "125.00", "partner"],
        ["80.00", "15%", "12.00", "shared"],
    ]
    assert rows[4] == ["Total", "", "", "", "", "2329.99", "", "324.50", "", "EUR"]
    assert len(rows) == 5


def test_the_csv_writes_amounts_with_the_currency_s_own_digits():
    lines = (line(1, "120000", 1000, "12000", currency="JPY", guest_name="山田 太郎"),)
    rows = list(csv.reader(io.StringIO(statement_csv(document(lines, currency="JPY")))))
    assert rows[1][1] == "山田 太郎"
    assert (rows[1][5], rows[1][7], rows[1][9]) == ("120000", "12000", "JPY")
    assert rows[-1][5:] == ["120000", "", "12000", "", "JPY"]


def test_csv_text_that_a_spreadsheet_would_run_as_a_formula_is_quoted():
    lines = (line(1, "10.00", 1000, "1.00", guest_name='=HYPERLINK("x")', description="+1"),)
    row = list(csv.reader(io.StringIO(statement_csv(document(lines)))))[1]
    assert (row[1], row[2]) == ('\'=HYPERLINK("x")', "'+1")


def test_an_empty_statement_is_a_header_and_a_zero_total():
    rows = list(csv.reader(io.StringIO(statement_csv(document(())))))
    assert rows[1] == ["Total", "", "", "", "", "0.00", "", "0.00", "", "EUR"]


# -- the PDF --------------------------------------------------------------------------------


def test_the_pdf_names_issuer_recipient_dates_lines_and_totals():
    text = pdf_text(document())
    for expected in (
        "Commission invoice",
        "CM-2026-000042",
        "Azure Concierge S.L.",
        "VAT ID: ESB12345678",
        "concierge@azure-concierge.test",
        "Villa Sol y Mar",
        "Property ID: PRP-00042",
        "Santanyí",
        "finance@villasol.example",
        "Invoice date Dec 2, 2026",
        "Due date Dec 16, 2026",
        "Reservations that departed in November 2026",
        "BK-000001",
        "BK-000002",
        "BK-000003",
        "Zoë Müller",
        "François Lefèvre",
        "12.5%",
        "Total (3 lines)",
        "€2,329.99",
        "Commission total €324.50",
        "Deducted from your payout −€187.50",
        "Amount payable €137.00",
        "Page 1 of 1",
    ):
        assert expected in text, expected


def test_a_bank_transfer_invoice_says_where_to_pay_and_what_reference_to_quote():
    text = pdf_text(document(method="bank_transfer"))
    assert "Please pay €137.00 by bank transfer by December 16, 2026." in text
    assert "IBAN: ES91 2100 0418 4502 0005 1332" in text
    assert "BIC: CAIXESBBXXX" in text
    assert "Bank: Banco Demo" in text
    assert "Quote this reference: PRP-00042 CM-2026-000042" in text
    assert "nothing to pay" not in text


def test_an_invoice_deducted_from_the_payout_has_nothing_to_pay_and_shows_the_payout():
    doc = document(deducted="324.50", method="payout_deduction")
    text = pdf_text(doc)
    assert doc.nothing_to_pay and doc.status.text == "Paid"
    assert "Deducted from your payout — nothing to pay" in text
    assert "Quote this reference" not in text
    assert "Your payout for November 2026" in text
    assert "Gross collected by us €1,250.00" in text
    assert "Commission deducted −€324.50" in text
    assert "Net paid out to you €925.50" in text


@pytest.mark.parametrize(
    ("method", "instruction"),
    [
        ("direct_debit", "We will collect this amount by direct debit from your account on file."),
        ("online", "Pay online in Finance → Invoices."),
    ],
)
def test_the_instructions_follow_the_partner_s_payment_method(method, instruction):
    text = pdf_text(document(method=method, payout=False))
    assert instruction in text
    assert "Quote this reference" not in text and "Your payout" not in text


def test_a_written_off_invoice_can_only_be_paid_by_bank_transfer():
    text = pdf_text(document(method="direct_debit", state=PartnerInvoiceState.WRITTEN_OFF))
    assert "This invoice can only be paid by bank transfer." in text
    assert "Quote this reference: PRP-00042 CM-2026-000042" in text
    assert "Status Written off" in text


@pytest.mark.parametrize(
    ("kind", "title"),
    [
        (PartnerInvoiceKind.CREDIT_NOTE, "Credit note"),
        (PartnerInvoiceKind.DEBIT_NOTE, "Debit note"),
        (PartnerInvoiceKind.VAT, "VAT/GST document"),
    ],
)
def test_the_title_says_what_kind_of_document_it_is(kind, title):
    doc = dataclasses.replace(document(()), kind=kind, related_number="CM-2026-000001")
    text = pdf_text(doc)
    assert title in text and "Corrects invoice CM-2026-000001" in text
    if kind is PartnerInvoiceKind.VAT:
        assert "No reservations on this document." in text
    else:  # a note says what it changes instead of listing reservations
        assert "Correction to invoice CM-2026-000001" in text
        assert "Reservation statement" not in text


def test_a_credit_note_is_never_paid_out():
    doc = dataclasses.replace(document(()), kind=PartnerInvoiceKind.CREDIT_NOTE)
    assert "is not paid out to your bank account" in pdf_text(doc)


def test_yen_amounts_have_no_decimals_and_their_sign():
    lines = (line(1, "120000", 1000, "12000", currency="JPY"),)
    text = pdf_text(document(lines, currency="JPY", deducted="0"))
    assert "¥120,000" in text and "Amount payable ¥12,000" in text


def test_a_long_statement_runs_over_pages_with_the_table_header_on_each():
    lines = tuple(line(n, "100.00", 1500, "15.00") for n in range(1, 301))
    pages = pdf_pages(document(lines))
    assert len(pages) > 1
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        if "BK-" in text:
            assert "Reference Guest Description Start End Base Rate Commission" in text
    everything = "\n".join(pages)
    assert all(f"BK-{n:06d}" in everything for n in (1, 150, 300))
    assert "Total (300 lines)" in everything and "Commission total €4,500.00" in everything


def test_characters_no_font_has_are_printed_as_question_marks(monkeypatch):
    monkeypatch.setattr(pdf_module, "FALLBACK_FONTS", ())
    lines = (line(1, "10.00", 1000, "1.00", guest_name="山田 太郎 (Yamada)"),)
    text = pdf_text(document(lines))
    assert "?? ?? (Yamada)" in text


@pytest.mark.skipif(
    not any(Path(p).is_file() for p, _ in pdf_module.FALLBACK_FONTS),
    reason="no CJK font installed (fonts-noto-cjk, fonts-droid-fallback, …)",
)
def test_japanese_names_use_an_installed_cjk_font():
    lines = (line(1, "10.00", 1000, "1.00", guest_name="山田 太郎"),)
    text = pdf_text(document(lines))
    assert "山田太郎" in text.replace(" ", "").replace("\x00", "")  # pypdf's way with CID fonts


def test_an_iban_is_printed_in_groups_of_four():
    assert group_iban("es9121000418450200051332") == "ES91 2100 0418 4502 0005 1332"
