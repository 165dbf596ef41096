"""A partner document as PDF (fpdf2): issuer and recipient, dates, the reservation statement
(paginated, its header repeated on every page), totals, how to pay, and the payout.

Text is set in DejaVu Sans Condensed (embedded, subset): Latin with accents, Greek, Cyrillic and
the currency signs (€ $ £ ¥ ₹ …). DejaVu has no Chinese or Japanese glyphs: when the machine has
a CJK font (Debian's fonts-noto-cjk, fonts-droid-fallback, fonts-ipafont-gothic or
fonts-wqy-microhei) it is used for those characters; without one, each character no font has is
printed as "?" (the rest of the name still shows).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF, FontFace
from fpdf.enums import Align, TableBordersLayout, XPos, YPos

from concierge_app.domain.documents import InvoiceDocument, document_payment_lines
from concierge_app.domain.formatting import format_day, format_money
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import PartnerInvoiceKind

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FAMILY = "dejavu"
REGULAR = FONT_DIR / "DejaVuSansCondensed.ttf"
BOLD = FONT_DIR / "DejaVuSansCondensed-Bold.ttf"
FALLBACK = "fallback"
# (path, index in a font collection): CJK fonts used when installed, first found wins.
FALLBACK_FONTS: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 0),  # fonts-noto-cjk: JP
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),  # fonts-droid-fallback
    ("/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf", 0),  # fonts-ipafont-gothic
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),  # fonts-wqy-microhei
)
GREY = (110, 110, 110)
RULE = (200, 200, 200)
HEADING_FILL = (235, 237, 240)
# Reference, guest, description, start, end, base, rate, commission, collected by (mm; 180).
COLUMNS = (
    ("Reference", 21.0, "LEFT"),
    ("Guest", 29.0, "LEFT"),
    ("Description", 30.0, "LEFT"),
    ("Start", 17.0, "LEFT"),
    ("End", 17.0, "LEFT"),
    ("Base", 19.0, "RIGHT"),
    ("Rate", 12.0, "RIGHT"),
    ("Commission", 19.0, "RIGHT"),
    ("Collected by", 16.0, "LEFT"),
)


@lru_cache(maxsize=8)
def _codepoints(path: str, index: int = 0) -> frozenset[int]:
    """The characters a font file has glyphs for."""
    font = TTFont(path, fontNumber=index, lazy=True)
    try:
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()


def _fallback_font() -> tuple[str, int] | None:
    return next(((p, i) for p, i in FALLBACK_FONTS if Path(p).is_file()), None)


def money(amount: Money) -> str:
    return format_money(amount)


def minus(amount: Money) -> str:
    """A deduction: "−€150.00" (nothing shown as minus zero)."""
    return money(amount) if amount.is_zero else "−" + money(amount)


def payment_instructions(doc: InvoiceDocument) -> list[str]:
    """How to settle the document (the shared wording; see `documents.payment_lines`)."""
    return document_payment_lines(doc, money(doc.payable))


class DocumentPdf(FPDF):
    """An A4 document in the embedded fonts (the CJK fallback added when `texts` need it):
    the building blocks every document PDF prints with."""

    def __init__(self, *, title: str, author: str, creator: str, texts: Iterable[str]) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_title(title)
        self.set_author(author)
        self.set_creator(creator)
        self.add_font(FAMILY, "", REGULAR)
        self.add_font(FAMILY, "B", BOLD)
        self.coverage = _codepoints(str(REGULAR))
        self._use_fallback_if_needed(texts)
        self.alias_nb_pages()

    # -- text the fonts can print -------------------------------------------------------
    def _use_fallback_if_needed(self, texts: Iterable[str]) -> None:
        missing = {ord(c) for text in texts for c in text} - self.coverage
        if not missing:
            return
        found = _fallback_font()
        if found is None:
            return
        path, index = found
        self.add_font(FALLBACK, "", path, collection_font_number=index)
        self.set_fallback_fonts([FALLBACK], exact_match=False)
        self.coverage = self.coverage | _codepoints(path, index)

    def t(self, text: str) -> str:
        """`text` with each character no embedded font has replaced by '?'."""
        cover = self.coverage
        return "".join(c if ord(c) in cover or c in "\n\t" else "?" for c in text)

    def font(
        self, size: float, bold: bool = False, colour: tuple[int, int, int] = (0, 0, 0)
    ) -> None:
        self.set_font(FAMILY, "B" if bold else "", size)
        self.set_text_color(*colour)

    # -- blocks -------------------------------------------------------------------------
    def rule(self, gap: float = 3) -> None:
        self.ln(gap)
        self.set_draw_color(*RULE)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(gap)

    def heading(self, text: str) -> None:
        if self.will_page_break(20):
            self.add_page()
        self.font(11, bold=True)
        self.cell(0, 7, self.t(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def title_lines(self, name: str, title: str, number: str, number_label: str = "No.") -> None:
        """The issuer's name at the left, the document's title and number at the right."""
        self.font(15, bold=True)
        self.cell(self.epw / 2, 9, self.t(name))
        self.font(17, bold=True)
        self.cell(self.epw / 2, 9, self.t(title), align=Align.R)
        self.ln(9)
        self.font(9, colour=GREY)
        self.cell(self.epw / 2, 5, "")
        self.cell(self.epw / 2, 5, self.t(f"{number_label} {number}"), align=Align.R)
        self.ln(5)
        self.rule()

    def two_parties(self, parties: Sequence[tuple[str, str, Sequence[str]]]) -> None:
        """Side by side: each party's label, name (bold) and further lines."""
        top = self.get_y()
        width = (self.epw - 10) / 2
        bottoms = []
        for i, (label, name, rest) in enumerate(parties):
            self.set_xy(self.l_margin + i * (width + 10), top)
            self.font(8, colour=GREY)
            self.multi_cell(width, 4.5, self.t(label), new_x=XPos.LEFT, new_y=YPos.NEXT)
            self.font(10, bold=True)
            self.multi_cell(width, 5, self.t(name), new_x=XPos.LEFT, new_y=YPos.NEXT)
            self.font(9)
            text = "\n".join(line for line in rest if line)
            self.multi_cell(width, 4.5, self.t(text), new_x=XPos.LEFT, new_y=YPos.NEXT)
            bottoms.append(self.get_y())
        self.set_xy(self.l_margin, max(bottoms))
        self.rule()

    def fact_rows(self, rows: Sequence[tuple[str, str]], bold: Iterable[str] = ()) -> None:
        """Label / value rows; the labels in `bold` have their value in bold."""
        strong = set(bold)
        for label, value in rows:
            self.font(9, colour=GREY)
            self.cell(38, 5, self.t(label))
            self.font(9, bold=label in strong)
            self.multi_cell(0, 5, self.t(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(4)

    def amounts(self, rows: Sequence[tuple[str, str, bool]]) -> None:
        """Label / amount rows, right-aligned under the table."""
        if self.will_page_break(5.8 * len(rows) + 4):
            self.add_page()
        x = self.l_margin + self.epw - 95
        for label, value, bold in rows:
            self.set_x(x)
            self.font(10 if bold else 9, bold=bold)
            self.cell(60, 5.8, self.t(label))
            self.cell(35, 5.8, value, align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(3)


class _InvoicePdf(DocumentPdf):
    def __init__(self, doc: InvoiceDocument) -> None:
        self.doc = doc
        super().__init__(
            title=f"{doc.title} {doc.number}",
            author=doc.platform.legal_name,
            creator=doc.platform.name,
            texts=self._texts(),
        )

    def _texts(self) -> Iterable[str]:
        d = self.doc
        yield from (d.partner.name, d.partner.address, d.reason or "")
        yield from (d.platform.legal_name, d.platform.address, d.platform.name)
        for line in d.lines:
            yield from (line.guest_name, line.description, line.reference)

    # -- every page ---------------------------------------------------------------------
    def header(self) -> None:
        if self.page_no() == 1:
            return
        d = self.doc
        self.font(8, colour=GREY)
        self.cell(0, 5, self.t(f"{d.title} {d.number} · {d.partner.name} (continued)"))
        self.ln(8)

    def footer(self) -> None:
        d = self.doc
        self.set_y(-13)
        self.font(7.5, colour=GREY)
        left = f"{d.platform.legal_name} · {d.platform.vat_id} · {d.title} {d.number}"
        self.cell(self.epw - 24, 5, self.t(left))
        # Left-aligned at a fixed place: "{nb}" is replaced after layout, so right-aligning
        # would be measured against the placeholder.
        self.cell(24, 5, f"Page {self.page_no()} of {{nb}}")

    def title_block(self) -> None:
        self.title_lines(self.doc.platform.name, self.doc.title, self.doc.number)

    def parties(self) -> None:
        d = self.doc
        p, partner = d.platform, d.partner
        issuer = [p.address, f"VAT ID: {p.vat_id}" if p.vat_id else "", p.email]
        recipient = [
            f"{partner.id_label}: {partner.code}",
            partner.address or partner.country,
            partner.finance_email,
        ]
        self.two_parties([("From", p.legal_name, issuer), ("To", partner.name, recipient)])

    def facts(self) -> None:
        d = self.doc
        note = d.kind in (PartnerInvoiceKind.CREDIT_NOTE, PartnerInvoiceKind.DEBIT_NOTE)
        rows: list[tuple[str, str]] = [
            ("Note number" if note else "Invoice number", d.number),
            ("Date" if note else "Invoice date", format_day(d.invoice_date)),
            ("Due date", format_day(d.due_date)),
            ("Period", f"Reservations that departed in {d.period_label}"),
            ("Currency", d.currency),
            ("Payment method", d.partner.payment_method_label),
            ("Status", d.status.text),
        ]
        if d.kind is PartnerInvoiceKind.CREDIT_NOTE:  # owed to the partner: nothing falls due
            rows = [r for r in rows if r[0] not in ("Due date", "Payment method", "Status")]
        if d.related_number:
            related = "Commission invoice" if d.tax else "Corrects invoice"
            rows.insert(1, (related, d.related_number))
        if d.tax:
            rows.insert(2, (d.tax.label, d.tax.rate))
        if d.reason:
            rows.append(("Reason", d.reason))
        self.fact_rows(rows, bold=("Invoice number", "Note number", "Due date"))

    def taxed(self) -> None:
        """A VAT/GST document: what it taxes, instead of a statement."""
        tax = self.doc.tax
        assert tax is not None
        self.heading(f"{tax.label} on our commission — {self.doc.period_label}")
        self.amounts(
            [
                (f"Commission (invoice {tax.invoice_number})", money(tax.base), False),
                (f"{tax.label} at {tax.rate}", money(self.doc.amount), False),
            ]
        )
        self.font(8, colour=GREY)
        self.multi_cell(
            0,
            4,
            self.t(
                f"{tax.label} is charged on the commission as a whole and rounded once, half up, "
                "to the smallest unit of the currency."
            ),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.ln(3)

    def correction(self) -> None:
        """A credit or debit note: what it changes, instead of a statement."""
        d = self.doc
        related = d.related_number or "—"
        self.heading(f"Correction to invoice {related} — {d.period_label}")
        if d.kind is PartnerInvoiceKind.CREDIT_NOTE:
            text = (
                f"Invoice {related} remains valid. This credit note deducts {money(d.amount)} "
                "from it."
            )
        else:
            text = (
                f"Invoice {related} remains valid. This debit note adds {money(d.amount)} to it, "
                f"payable by its own due date, {format_day(d.due_date)}."
            )
        self.font(9.5)
        self.multi_cell(0, 5, self.t(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(4)

    def statement(self) -> None:
        d = self.doc
        if d.tax is not None:
            self.taxed()
            return
        if d.kind in (PartnerInvoiceKind.CREDIT_NOTE, PartnerInvoiceKind.DEBIT_NOTE):
            self.correction()
            return
        self.heading(f"Reservation statement — {d.period_label}")
        if not d.lines:
            self.font(9, colour=GREY)
            self.cell(0, 6, "No reservations on this document.", new_x=XPos.LMARGIN)
            self.ln(8)
            return
        self.set_draw_color(*RULE)
        self.font(7.5)
        with self.table(
            col_widths=tuple(w for _, w, _ in COLUMNS),
            text_align=tuple(a for _, _, a in COLUMNS),
            headings_style=FontFace(emphasis="BOLD", fill_color=HEADING_FILL),
            borders_layout=TableBordersLayout.HORIZONTAL_LINES,
            line_height=3.7,
            padding=(0.9, 1.0, 0.9, 1.0),
            repeat_headings=1,
            width=self.epw,
        ) as table:
            table.row([label for label, _, _ in COLUMNS])
            for line in d.lines:
                table.row(
                    [
                        self.t(line.reference),
                        self.t(line.guest_name),
                        self.t(line.description),
                        line.start_date.isoformat(),
                        line.end_date.isoformat(),
                        money(line.base),
                        line.rate,
                        money(line.commission),
                        line.collected_by_label,
                    ]
                )
            total = table.row(style=FontFace(emphasis="BOLD"))
            total.cell(
                f"Total ({len(d.lines)} {'line' if len(d.lines) == 1 else 'lines'})", colspan=5
            )
            total.cell(money(d.base_total))
            total.cell("")
            total.cell(money(d.commission_total))
            total.cell("")
        self.ln(4)

    def totals(self) -> None:
        d = self.doc
        if d.kind is PartnerInvoiceKind.CREDIT_NOTE:
            self.amounts([("Credited to you", money(d.amount), True)])
            return
        total_label = (
            "Commission total"
            if d.kind is PartnerInvoiceKind.COMMISSION
            else f"{d.tax.label} total"
            if d.tax
            else "Amount"
        )
        rows = [(total_label, money(d.amount), False)]
        if not d.deducted.is_zero:
            rows.append(("Deducted from your payout", minus(d.deducted), False))
        self.amounts([*rows, ("Amount payable", money(d.payable), True)])

    def payment(self) -> None:
        lines = payment_instructions(self.doc)
        to_pay = not self.doc.nothing_to_pay and self.doc.kind is not PartnerInvoiceKind.CREDIT_NOTE
        self.heading("How to pay" if to_pay else "Payment")
        if self.will_page_break(5 * len(lines) + 4):
            self.add_page()
        for i, line in enumerate(lines):
            important = line.startswith(("Quote this reference", "Deducted from your payout"))
            self.font(9.5, bold=important or i == 0)
            self.multi_cell(0, 5, self.t(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(3)

    def payout(self) -> None:
        d = self.doc
        if d.payout is None:
            return
        self.heading(f"Your payout for {d.period_label}")
        self.amounts(
            [
                ("Gross collected by us", money(d.payout.gross), False),
                ("Commission deducted", minus(d.payout.commission), False),
                *(
                    [("VAT/GST on it, deducted", minus(d.payout.vat), False)]
                    if d.payout.vat is not None and not d.payout.vat.is_zero
                    else []
                ),
                ("Net paid out to you", money(d.payout.net), True),
            ]
        )

    def render(self) -> bytes:
        self.add_page()
        self.title_block()
        self.parties()
        self.facts()
        self.statement()
        self.totals()
        self.payment()
        self.payout()
        return bytes(self.output())


def render_invoice_pdf(doc: InvoiceDocument) -> bytes:
    """The document as PDF bytes (A4)."""
    return _InvoicePdf(doc).render()
