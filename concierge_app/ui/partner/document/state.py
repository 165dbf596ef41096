"""State of `/partner/invoices/[number]`: one of the partner's documents and its reservation
statement, with its CSV and PDF (another partner's number is not found)."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date
from typing import Any

import reflex as rx

from concierge_app import routes
from concierge_app.domain.documents import document_payment_lines
from concierge_app.domain.errors import NotFound
from concierge_app.domain.formatting import format_day, format_money
from concierge_app.domain.i18n import gettext
from concierge_app.domain.partner_billing import PartnerInvoiceKind
from concierge_app.services.partner.document_files import invoice_pdf, statement_file
from concierge_app.services.partner.reminders import partner_reminders
from concierge_app.services.partner.views.documents import invoice_document
from concierge_app.services.partner.views.finance import invoice_id_by_number
from concierge_app.services.shared.common import today
from concierge_app.services.shared.database import get_database
from concierge_app.ui.partner.session import PartnerAuthState, PartnerLiveState
from concierge_app.ui.shared.document_rows import to_pay_text
from concierge_app.ui.shared.document_status import STATUS_COLOURS

PAGE_LOCALE = "en_US"


def _today() -> date:
    return today()


@dataclasses.dataclass(frozen=True)
class StatementRow:
    reference: str
    guest: str
    description: str
    dates: str
    base: str
    rate: str
    commission: str
    collected_by: str


class StatementState(PartnerLiveState, PartnerAuthState):
    """`/partner/invoices/[number]`: one document and its reservation statement."""

    number: str = ""
    title: str = ""
    period: str = ""
    invoice_date: str = ""
    due_date: str = ""
    amount: str = ""
    deducted: str = ""
    payable: str = ""
    nothing_to_pay: bool = False
    status: str = ""
    colour_css: str = ""
    payment_reference: str = ""
    instructions: list[str] = []
    reminders_sent: list[str] = []  # "Reminder sent on Dec 13, 2026", one per notice sent
    lines: list[StatementRow] = []
    # what the document is: a commission invoice (with its statement), a VAT/GST document, a
    # credit note (owed to the partner: nothing to pay) or a debit note
    is_commission: bool = True
    is_credit_note: bool = False
    subtitle: str = ""
    not_found: bool = False
    _invoice_id: int = 0

    def _number_from_url(self) -> str:
        return routes.path_parameter(self.router.url.path, routes.PARTNER_DOCUMENT_PREFIX)

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        self.view, self.not_found = "loading", False
        if not await self._enter():
            yield self._to_sign_in()
            return
        await self._reload()

    async def _reload(self) -> None:
        self.version = await self._ledger_version()
        number = self._number_from_url()
        try:
            doc = await asyncio.to_thread(self._load_document, number)
        except NotFound:
            self.not_found, self.view = True, "ready"
            return
        self._invoice_id = doc.id
        self.number, self.title, self.period = doc.number, doc.title, doc.period_label
        self.is_commission = doc.kind is PartnerInvoiceKind.COMMISSION
        self.is_credit_note = doc.kind is PartnerInvoiceKind.CREDIT_NOTE
        self.subtitle = doc.subtitle
        self.invoice_date, self.due_date = format_day(doc.invoice_date), format_day(doc.due_date)
        self.amount, self.deducted = format_money(doc.amount), format_money(doc.deducted)
        # what remains to pay (after payments and credit), as on the Invoices page
        remaining = doc.status.outstanding
        self.payable, self.nothing_to_pay = to_pay_text(remaining), doc.nothing_to_pay
        self.status = doc.status.text
        self.colour_css = STATUS_COLOURS[doc.status.colour.value]
        self.payment_reference = doc.payment_reference
        self.instructions = (
            ["Paid in full: nothing left to pay."]
            if remaining.minor <= 0 and doc.kind is not PartnerInvoiceKind.CREDIT_NOTE
            else document_payment_lines(doc, format_money(remaining))
        )
        reminders = await asyncio.to_thread(
            partner_reminders,
            db=get_database(),
            partner_id=self._pid,
            today=_today(),
            invoice_id=doc.id,
        )
        # The Extranet is written in English for now (PAGE_LOCALE); marked for the catalogs.
        self.reminders_sent = [
            gettext(PAGE_LOCALE, "Reminder sent on {date}", date=format_day(s.on, PAGE_LOCALE))
            for r in reminders
            for s in r.sent
        ]
        self.lines = [
            StatementRow(
                ln.reference,
                ln.guest_name,
                ln.description,
                format_day(ln.end_date)
                if ln.start_date == ln.end_date
                else f"{format_day(ln.start_date)} – {format_day(ln.end_date)}",
                format_money(ln.base),
                ln.rate,
                format_money(ln.commission),
                ln.collected_by_label,
            )
            for ln in doc.lines
        ]
        self.view = "ready"

    def _load_document(self, number: str):  # type: ignore[no-untyped-def]
        """The partner's own invoice by number (another partner's number is not found)."""
        invoice_id = invoice_id_by_number(db=get_database(), partner_id=self._pid, number=number)
        return invoice_document(
            db=get_database(), invoice_id=invoice_id, partner_id=self._pid, today=_today()
        )

    async def _own_document(self) -> Any:
        """This page's document, for the signed-in partner only (None: signed out)."""
        if not await self._enter():
            return None
        return await asyncio.to_thread(
            invoice_document,
            db=get_database(),
            invoice_id=self._invoice_id,
            partner_id=self._pid,
            today=_today(),
        )

    @rx.event
    async def download_csv(self):  # type: ignore[no-untyped-def]
        doc = await self._own_document()
        if doc is None:
            yield self._to_sign_in()
            return
        yield rx.download(data=statement_file(doc), filename=f"{doc.number}-statement.csv")

    @rx.event
    async def download_pdf(self):  # type: ignore[no-untyped-def]
        doc = await self._own_document()
        if doc is None:
            yield self._to_sign_in()
            return
        pdf = await asyncio.to_thread(invoice_pdf, doc)
        yield rx.download(data=pdf, filename=f"{doc.number}.pdf")
