"""The guest's receipt and sent invoice as PDF, printed with the partner documents' building
blocks (`invoice_pdf.DocumentPdf`: the same fonts, title, parties, facts and amounts)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from fpdf import FontFace
from fpdf.enums import TableBordersLayout, XPos, YPos

from concierge_app.adapters.documents.invoice_pdf import (
    GREY,
    HEADING_FILL,
    RULE,
    DocumentPdf,
)
from concierge_app.domain.formatting import format_day, format_money
from concierge_app.domain.guest_documents import (
    INVOICE_TEXT,
    RECEIPT_TEXT,
    GuestInvoiceDocument,
    ReceiptDocument,
    document_words,
)
from concierge_app.domain.i18n import gettext
from concierge_app.domain.money import Money


def _texts(doc: ReceiptDocument, words: dict[str, str]) -> Iterable[str]:
    yield from (doc.guest_name, doc.guest_email, doc.booking_reference)
    yield from (doc.platform.legal_name, doc.platform.address, doc.platform.name)
    yield from words.values()


class _GuestPdf(DocumentPdf):
    """A document for the guest, in the guest's language (`locale`)."""

    locale = "en_US"

    def money(self, amount: Money) -> str:
        return format_money(amount, self.locale)

    def day(self, value: date) -> str:
        return format_day(value, self.locale)

    def issuer(self) -> list[str]:
        p = self.doc.platform  # type: ignore[attr-defined]
        vat = gettext(self.locale, "VAT ID: {vat_id}", vat_id=p.vat_id) if p.vat_id else ""
        return [p.address, vat, p.email]


class _ReceiptPdf(_GuestPdf):
    def __init__(self, doc: ReceiptDocument) -> None:
        self.doc, self.locale = doc, doc.locale
        self.words = words = document_words(RECEIPT_TEXT, doc.locale)
        super().__init__(
            title=f"{words['title']} {doc.number}",
            author=doc.platform.legal_name,
            creator=doc.platform.name,
            texts=_texts(doc, words),
        )

    def footer(self) -> None:
        d, words = self.doc, self.words
        self.set_y(-13)
        self.font(7.5, colour=GREY)
        self.cell(0, 5, self.t(f"{d.platform.legal_name} · {words['title']} {d.number}"))

    def render(self) -> bytes:
        d, p, words = self.doc, self.doc.platform, self.words
        self.add_page()
        self.title_lines(p.name, words["title"], d.number, gettext(d.locale, "No."))
        self.two_parties(
            [
                (words["from"], p.legal_name, self.issuer()),
                (words["to"], d.guest_name, [d.guest_email]),
            ]
        )
        self.fact_rows(
            [
                (words["number"], d.number),
                (words["booking"], d.booking_reference),
                (words["paid_on"], self.day(d.paid_on)),
                (words["method"], gettext(d.locale, d.method)),
                (words["currency"], d.currency),
                (words["status"], words["paid"]),
            ],
            bold=(words["number"], words["status"]),
        )
        self.heading(words["settled"])
        self.set_draw_color(*RULE)
        self.font(9)
        with self.table(
            col_widths=(120, 60),
            text_align=("LEFT", "RIGHT"),
            headings_style=FontFace(emphasis="BOLD", fill_color=HEADING_FILL),
            borders_layout=TableBordersLayout.HORIZONTAL_LINES,
            line_height=5,
            width=self.epw,
        ) as table:
            table.row([words["invoice"], words["amount"]])
            for invoice in d.invoices:
                table.row([self.t(invoice.number), self.money(invoice.amount)])
        self.ln(4)
        self.amounts([(words["total"], self.money(d.amount), True)])
        self.font(9.5)
        self.multi_cell(0, 5, self.t(words["thanks"]), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return bytes(self.output())


def render_receipt_pdf(doc: ReceiptDocument) -> bytes:
    """The receipt as PDF bytes (A4): a pure function of the document."""
    return _ReceiptPdf(doc).render()


class _GuestInvoicePdf(_GuestPdf):
    def __init__(self, doc: GuestInvoiceDocument) -> None:
        self.doc, self.locale = doc, doc.locale
        self.words = words = document_words(INVOICE_TEXT, doc.locale)
        p = doc.platform
        texts = [doc.guest_name, doc.guest_email, p.legal_name, p.address, p.name]
        texts += [t for line in doc.lines for t in (line.description, line.delivered_by)]
        texts += words.values()
        super().__init__(
            title=f"{words['title']} {doc.number}", author=p.legal_name, creator=p.name, texts=texts
        )

    def footer(self) -> None:
        d, words = self.doc, self.words
        self.set_y(-13)
        self.font(7.5, colour=GREY)
        self.cell(0, 5, self.t(f"{d.platform.legal_name} · {words['title']} {d.number}"))

    def render(self) -> bytes:
        d, p, words = self.doc, self.doc.platform, self.words
        self.add_page()
        self.title_lines(p.name, words["title"], d.number, gettext(d.locale, "No."))
        self.two_parties(
            [
                (words["from"], p.legal_name, self.issuer()),
                (words["to"], d.guest_name, [d.guest_email]),
            ]
        )
        rows = [
            (words["number"], d.number),
            (words["booking"], d.booking_reference),
            (words["issued"], self.day(d.issued_on)),
            (words["currency"], d.currency),
            (words["status"], gettext(d.locale, d.status_text)),
        ]
        if d.paid_on is not None:
            rows.insert(3, (words["paid_on"], self.day(d.paid_on)))
        self.fact_rows(rows, bold=(words["number"], words["status"]))
        self.heading(words["lines"])
        self.set_draw_color(*RULE)
        self.font(8.5)
        with self.table(
            col_widths=(80, 24, 46, 30),
            text_align=("LEFT", "LEFT", "LEFT", "RIGHT"),
            headings_style=FontFace(emphasis="BOLD", fill_color=HEADING_FILL),
            borders_layout=TableBordersLayout.HORIZONTAL_LINES,
            line_height=4.5,
            repeat_headings=1,
            width=self.epw,
        ) as table:
            table.row([words["service"], words["date"], words["delivered_by"], words["amount"]])
            for line in d.lines:
                table.row(
                    [
                        self.t(line.description),
                        self.day(line.service_date),
                        self.t(line.delivered_by),
                        self.money(line.amount),
                    ]
                )
        self.ln(4)
        paid = d.status == "paid"
        self.amounts(
            [
                (words["total"], self.money(d.total), not paid),
                *([] if paid else [(words["due"], self.money(d.total), True)]),
            ]
        )
        self.font(9.5)
        note = words["paid_note"] if paid else words["due_note"]
        self.multi_cell(0, 5, self.t(note), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return bytes(self.output())


def render_guest_invoice_pdf(doc: GuestInvoiceDocument) -> bytes:
    """The sent invoice as PDF bytes (A4): a pure function of the document."""
    return _GuestInvoicePdf(doc).render()
