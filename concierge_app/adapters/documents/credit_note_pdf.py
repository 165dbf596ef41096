"""The guest's credit note as PDF, in the guest's language: every label through the catalogs
(`gettext`), dates and amounts in the guest's locale; printed with the partner documents'
building blocks (`invoice_pdf.DocumentPdf`: the same fonts, parties, facts and amounts)."""

from __future__ import annotations

from fpdf import FontFace
from fpdf.enums import Align, TableBordersLayout, XPos, YPos

from concierge_app.adapters.documents.invoice_pdf import (
    GREY,
    HEADING_FILL,
    RULE,
    DocumentPdf,
)
from concierge_app.domain.formatting import format_day, format_money
from concierge_app.domain.guest_documents import CreditNoteDocument
from concierge_app.domain.i18n import gettext
from concierge_app.domain.money import Money


class _CreditNotePdf(DocumentPdf):
    def __init__(self, doc: CreditNoteDocument) -> None:
        self.doc = doc
        self.locale = doc.locale
        p = doc.platform
        self.title_text = gettext(doc.locale, "Credit note")
        texts = [doc.guest_name, doc.guest_email, doc.reason, p.legal_name, p.address, p.name]
        texts += [line.description for line in doc.lines]
        texts += [self.title_text, *self._labels()]
        super().__init__(
            title=f"{self.title_text} {doc.number}",
            author=p.legal_name,
            creator=p.name,
            texts=texts,
        )

    def _(self, message: str, **values: str) -> str:
        return gettext(self.locale, message, **values)

    def _labels(self) -> list[str]:
        """Every label printed, so the fonts cover the guest's language (e.g. Japanese)."""
        return [
            self._("No. {number}", number=self.doc.number),
            self._("From"),
            self._("Refunded to"),
            self._("Credit note number"),
            self._("Booking"),
            self._("Date"),
            self._("Currency"),
            self._("Corrects invoice(s)"),
            self._("Reason"),
            self._("Amount refunded"),
            self._("Refunded"),
            self._("Invoice"),
            self._("Service"),
            self._("Amount"),
            self._("Total refunded"),
            self._("VAT ID: {vat_id}", vat_id=self.doc.platform.vat_id or ""),
            self._(
                "This credit note corrects the invoice(s) above; they stay as issued. "
                "The amount refunded goes back to the card that paid them."
            ),
        ]

    def money(self, amount: Money) -> str:
        return format_money(amount, self.locale)

    def footer(self) -> None:
        d = self.doc
        self.set_y(-13)
        self.font(7.5, colour=GREY)
        self.cell(0, 5, self.t(f"{d.platform.legal_name} · {self.title_text} {d.number}"))

    def header_lines(self) -> None:
        d = self.doc
        self.font(15, bold=True)
        self.cell(self.epw / 2, 9, self.t(d.platform.name))
        self.font(17, bold=True)
        self.cell(self.epw / 2, 9, self.t(self.title_text), align=Align.R)
        self.ln(9)
        self.font(9, colour=GREY)
        self.cell(self.epw / 2, 5, "")
        self.cell(self.epw / 2, 5, self.t(self._("No. {number}", number=d.number)), align=Align.R)
        self.ln(5)
        self.rule()

    def render(self) -> bytes:
        d, p, _ = self.doc, self.doc.platform, self._
        self.add_page()
        self.header_lines()
        issuer = [p.address, _("VAT ID: {vat_id}", vat_id=p.vat_id) if p.vat_id else "", p.email]
        self.two_parties(
            [(_("From"), p.legal_name, issuer), (_("Refunded to"), d.guest_name, [d.guest_email])]
        )
        number, status = _("Credit note number"), _("Amount refunded")
        rows = [
            (number, d.number),
            (_("Booking"), d.booking_reference),
            (_("Date"), format_day(d.issued_on, self.locale)),
            (_("Corrects invoice(s)"), ", ".join(d.invoice_numbers)),
            (_("Currency"), d.currency),
            (status, self.money(d.amount)),
        ]
        if d.reason:
            rows.append((_("Reason"), d.reason))
        self.fact_rows(rows, bold=(number, status))
        self.heading(_("Refunded"))
        self.set_draw_color(*RULE)
        self.font(9)
        with self.table(
            col_widths=(45, 95, 40),
            text_align=("LEFT", "LEFT", "RIGHT"),
            headings_style=FontFace(emphasis="BOLD", fill_color=HEADING_FILL),
            borders_layout=TableBordersLayout.HORIZONTAL_LINES,
            line_height=5,
            repeat_headings=1,
            width=self.epw,
        ) as table:
            table.row([self.t(_("Invoice")), self.t(_("Service")), self.t(_("Amount"))])
            for line in d.lines:
                table.row(
                    [
                        self.t(line.invoice_number),
                        self.t(line.description),
                        self.money(line.amount),
                    ]
                )
        self.ln(4)
        self.amounts([(_("Total refunded"), self.money(d.amount), True)])
        self.font(9.5)
        note = _(
            "This credit note corrects the invoice(s) above; they stay as issued. "
            "The amount refunded goes back to the card that paid them."
        )
        self.multi_cell(0, 5, self.t(note), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return bytes(self.output())


def render_credit_note_pdf(doc: CreditNoteDocument) -> bytes:
    """The credit note as PDF bytes (A4): a pure function of the document."""
    return _CreditNotePdf(doc).render()
