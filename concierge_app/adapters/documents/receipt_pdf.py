"""The guest's receipt and sent invoice as PDF, printed with the partner documents' building
blocks (`invoice_pdf.DocumentPdf`: the same fonts, title, parties, facts and amounts)."""

from __future__ import annotations

from collections.abc import Iterable

from fpdf import FontFace
from fpdf.enums import TableBordersLayout, XPos, YPos

from concierge_app.adapters.documents.invoice_pdf import (
    GREY,
    HEADING_FILL,
    RULE,
    DocumentPdf,
    money,
)
from concierge_app.domain.formatting import format_day
from concierge_app.domain.guest_documents import INVOICE_TEXT as I
from concierge_app.domain.guest_documents import RECEIPT_TEXT as T
from concierge_app.domain.guest_documents import GuestInvoiceDocument, ReceiptDocument


def _texts(doc: ReceiptDocument) -> Iterable[str]:
    yield from (doc.guest_name, doc.guest_email, doc.booking_reference)
    yield from (doc.platform.legal_name, doc.platform.address, doc.platform.name)


class _ReceiptPdf(DocumentPdf):
    def __init__(self, doc: ReceiptDocument) -> None:
        self.doc = doc
        super().__init__(
            title=f"{T['title']} {doc.number}",
            author=doc.platform.legal_name,
            creator=doc.platform.name,
            texts=_texts(doc),
        )

    def footer(self) -> None:
        d = self.doc
        self.set_y(-13)
        self.font(7.5, colour=GREY)
        self.cell(0, 5, self.t(f"{d.platform.legal_name} · {T['title']} {d.number}"))

    def render(self) -> bytes:
        d, p = self.doc, self.doc.platform
        self.add_page()
        self.title_lines(p.name, T["title"], d.number)
        issuer = [p.address, f"VAT ID: {p.vat_id}" if p.vat_id else "", p.email]
        self.two_parties(
            [(T["from"], p.legal_name, issuer), (T["to"], d.guest_name, [d.guest_email])]
        )
        self.fact_rows(
            [
                (T["number"], d.number),
                (T["booking"], d.booking_reference),
                (T["paid_on"], format_day(d.paid_on)),
                (T["method"], d.method),
                (T["currency"], d.currency),
                (T["status"], T["paid"]),
            ],
            bold=(T["number"], T["status"]),
        )
        self.heading(T["settled"])
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
            table.row([T["invoice"], T["amount"]])
            for invoice in d.invoices:
                table.row([self.t(invoice.number), money(invoice.amount)])
        self.ln(4)
        self.amounts([(T["total"], money(d.amount), True)])
        self.font(9.5)
        self.multi_cell(0, 5, self.t(T["thanks"]), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return bytes(self.output())


def render_receipt_pdf(doc: ReceiptDocument) -> bytes:
    """The receipt as PDF bytes (A4): a pure function of the document."""
    return _ReceiptPdf(doc).render()


class _GuestInvoicePdf(DocumentPdf):
    def __init__(self, doc: GuestInvoiceDocument) -> None:
        self.doc = doc
        p = doc.platform
        texts = [doc.guest_name, doc.guest_email, p.legal_name, p.address, p.name]
        texts += [t for line in doc.lines for t in (line.description, line.delivered_by)]
        super().__init__(
            title=f"{I['title']} {doc.number}", author=p.legal_name, creator=p.name, texts=texts
        )

    def footer(self) -> None:
        d = self.doc
        self.set_y(-13)
        self.font(7.5, colour=GREY)
        self.cell(0, 5, self.t(f"{d.platform.legal_name} · {I['title']} {d.number}"))

    def render(self) -> bytes:
        d, p = self.doc, self.doc.platform
        self.add_page()
        self.title_lines(p.name, I["title"], d.number)
        issuer = [p.address, f"VAT ID: {p.vat_id}" if p.vat_id else "", p.email]
        self.two_parties(
            [(I["from"], p.legal_name, issuer), (I["to"], d.guest_name, [d.guest_email])]
        )
        rows = [
            (I["number"], d.number),
            (I["booking"], d.booking_reference),
            (I["issued"], format_day(d.issued_on)),
            (I["currency"], d.currency),
            (I["status"], d.status_text),
        ]
        if d.paid_on is not None:
            rows.insert(3, (I["paid_on"], format_day(d.paid_on)))
        self.fact_rows(rows, bold=(I["number"], I["status"]))
        self.heading(I["lines"])
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
            table.row([I["service"], I["date"], I["delivered_by"], I["amount"]])
            for line in d.lines:
                table.row(
                    [
                        self.t(line.description),
                        line.service_date.isoformat(),
                        self.t(line.delivered_by),
                        money(line.amount),
                    ]
                )
        self.ln(4)
        paid = d.status == "paid"
        self.amounts(
            [
                (I["total"], money(d.total), not paid),
                *([] if paid else [(I["due"], money(d.total), True)]),
            ]
        )
        self.font(9.5)
        note = I["paid_note"] if paid else I["due_note"]
        self.multi_cell(0, 5, self.t(note), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return bytes(self.output())


def render_guest_invoice_pdf(doc: GuestInvoiceDocument) -> bytes:
    """The sent invoice as PDF bytes (A4): a pure function of the document."""
    return _GuestInvoicePdf(doc).render()
