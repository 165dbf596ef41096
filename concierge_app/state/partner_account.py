"""`/finance/partners/[code]`: one partner's documents for staff, with the decisions staff take
on them (write off, send to legal) and whether the property is closed. Live."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import unquote

import reflex as rx

from concierge_app.db.engine import get_database
from concierge_app.domain.errors import DomainError
from concierge_app.domain.partner_billing import PartnerInvoiceState
from concierge_app.services.common import today as business_day
from concierge_app.services.partner_corrections import close_invoice, property_status
from concierge_app.services.partner_documents import partner_invoices
from concierge_app.services.partner_finance import partner_by_code
from concierge_app.state.auth import AuthState
from concierge_app.state.live import LiveState
from concierge_app.state.partner_finance import InvoiceRow, invoice_row

logger = logging.getLogger(__name__)


class PartnerAccountState(LiveState, AuthState):
    code: str = ""
    name: str = ""
    not_found: bool = False
    loading: bool = True
    documents: list[InvoiceRow] = []
    closed: bool = False
    closed_reason: str = ""
    # the write-off / legal dialog
    dialog_open: bool = False
    dialog_invoice_id: str = ""
    dialog_number: str = ""
    dialog_error: str = ""
    saving: bool = False
    message: str = ""

    def _code_from_url(self) -> str:
        path = self.router.url.path.rstrip("/")
        return unquote(path.rsplit("/", 1)[-1]) if "/finance/partners/" in path else ""

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        self.loading, self.not_found, self.message = True, False, ""
        await self._reload()

    async def _reload(self) -> None:
        db, today = get_database(), business_day()
        self.version = await self._ledger_version()
        try:
            header = await asyncio.to_thread(partner_by_code, db=db, code=self._code_from_url())
        except DomainError:
            self.not_found, self.loading = True, False
            return
        self.code, self.name = header.code, header.name
        docs = await asyncio.to_thread(partner_invoices, db=db, partner_id=header.id, today=today)
        prop = await asyncio.to_thread(property_status, db=db, partner_id=header.id, today=today)
        self.documents = [invoice_row(d) for d in docs]
        self.closed, self.closed_reason = prop.closed, prop.reason
        self.loading = False

    @rx.event
    def ask_close(self, invoice_id: str, number: str) -> None:
        self.dialog_open, self.dialog_invoice_id, self.dialog_number = True, invoice_id, number
        self.dialog_error = ""

    @rx.event
    def set_dialog_open(self, value: bool) -> None:
        self.dialog_open = value

    @rx.event
    async def close_invoice(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        """Write the invoice off or send it to legal (the form's `to`), with the reason."""
        if self.saving:
            return
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        self.saving, self.dialog_error = True, ""
        yield
        to = (
            PartnerInvoiceState.LEGAL
            if form.get("to") == "legal"
            else PartnerInvoiceState.WRITTEN_OFF
        )
        try:
            await asyncio.to_thread(
                close_invoice,
                db=get_database(),
                invoice_id=int(self.dialog_invoice_id),
                to=to,
                reason=form.get("reason", ""),
                actor=self.staff_email,
            )
        except DomainError as refused:
            self.dialog_error = refused.message
            return
        finally:
            self.saving = False
        self.dialog_open = False
        words = "sent to legal" if to is PartnerInvoiceState.LEGAL else "written off"
        self.message = f"Invoice {self.dialog_number} was {words}; the property is closed."
        await self._reload()
