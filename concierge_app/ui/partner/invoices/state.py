"""State of `/partner/invoices`: every document, and Outstanding balances with Pay online,
"I've paid" and refused direct debits; whether the property is closed ("Open your property")."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable
from datetime import date
from typing import Any

import reflex as rx

from concierge_app import routes
from concierge_app.domain.documents import group_iban
from concierge_app.domain.errors import DomainError
from concierge_app.domain.formatting import format_money
from concierge_app.domain.partner_billing import long_date
from concierge_app.domain.partner_checkout import how_you_pay, pay_all_online
from concierge_app.services.partner.money.corrections import property_status, reopen_property
from concierge_app.services.partner.money.transfers import announce_payment
from concierge_app.services.partner.views.documents import (
    FailedDebit,
    InvoicesView,
    invoices_view,
    platform_details,
)
from concierge_app.services.shared.common import today
from concierge_app.ui.partner.checkout import PartnerPayOnlineMixin
from concierge_app.ui.partner.session import PartnerAuthState
from concierge_app.ui.shared.document_rows import InvoiceRow, invoice_row
from concierge_app.ui.shared.pay_online.rows import PayAllRow, pay_all_row

logger = logging.getLogger(__name__)


def _today() -> date:
    return today()


def outstanding_rows(view: InvoicesView, partner_code: str) -> list[InvoiceRow]:
    """The Outstanding balances rows of the partner's own page: what remains of each, whether
    it can be paid online (and why not), and whether its direct debit failed."""
    failed_on = {
        number: f"Direct debit failed on {long_date(f.failed_on)}: {f.reason}"
        for f in reversed(view.failed_debits)  # the newest failure wins
        for number in f.documents
    }
    return [
        invoice_row(s, partner_code, view.way, failed_on.get(s.number, ""))
        for s in view.outstanding
    ]


@dataclasses.dataclass(frozen=True)
class FailedDebitNotice:
    """A refused direct debit on the Invoices page: what failed, why, and what to do."""

    payment_id: str
    headline: str  # "Your direct debit of €26.62 requested on December 10, 2026 failed."
    reason: str  # the bank's reason
    documents: str  # "CM-2026-000012, VT-2026-000012"
    still_due: str
    transfer: str  # how to pay by bank transfer: account, reference
    online: bool  # those documents can be paid online now


def failed_debit_notice(f: FailedDebit, partner_code: str, *, online: bool) -> FailedDebitNotice:
    platform = platform_details()
    reference = f"{partner_code} {' '.join(f.documents)}"
    return FailedDebitNotice(
        payment_id=str(f.payment_id),
        headline=(
            f"Your direct debit of {format_money(f.amount)} requested on "
            f"{long_date(f.requested_on)} failed on {long_date(f.failed_on)}."
        ),
        reason=f.reason,
        documents=", ".join(f.documents),
        still_due=format_money(f.still_due),
        transfer=(
            f"by bank transfer to {platform.legal_name}, IBAN {group_iban(platform.iban)}, "
            f"BIC {platform.bic}, quoting {reference}"
        ),
        online=online,
    )


class PartnerInvoicesState(PartnerPayOnlineMixin, PartnerAuthState):
    RETURN_PATH = routes.PARTNER_INVOICES
    invoices: list[InvoiceRow] = []
    failed_debits: list[FailedDebitNotice] = []  # refused direct debits still to pay
    how_you_pay: str = ""  # why no "Pay online": by transfer, or collected by direct debit
    open_items: list[InvoiceRow] = []
    total_outstanding: str = ""
    overdue: int = 0  # red invoices past their due date
    closed: bool = False  # the property is closed (an invoice written off or with legal)
    closed_reason: str = ""
    can_reopen: bool = False
    still_to_pay: str = ""  # the documents to pay in full before reopening
    message: str = ""  # the outcome of the last action
    error: str = ""
    busy: bool = False
    pay_all: list[PayAllRow] = []  # one per currency

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        self._remember_return()
        if not await self._enter():
            yield self._to_sign_in()
            return
        await self._reload()

    async def _reload(self) -> None:
        self.version = await self._ledger_version()
        try:
            view = await asyncio.to_thread(invoices_view, **self._scope(), today=_today())
            prop = await asyncio.to_thread(property_status, **self._scope(), today=_today())
            returned = await asyncio.to_thread(self._checkout_status)
        except Exception:
            logger.exception("Could not load invoices of partner %s", self._pid)
            self.view = "error"
            return
        code = self.partner_code
        self.invoices = [invoice_row(s) for s in view.documents]
        self.open_items = outstanding_rows(view, code)
        self.how_you_pay = how_you_pay(view.way, code) if view.outstanding else ""
        self.pay_all = [
            pay_all_row(g.invoice_ids, g.total)
            for g in pay_all_online(view.outstanding, code, view.way)
        ]
        online = {r.number for r in self.open_items if r.pay_online}
        self.failed_debits = [
            failed_debit_notice(f, code, online=any(n in online for n in f.documents))
            for f in view.failed_debits
        ]
        self._show_return(returned)
        self.total_outstanding = " + ".join(format_money(m) for m in view.total_due)
        self.overdue = view.overdue
        self.closed, self.closed_reason = prop.closed, prop.reason
        self.can_reopen, self.still_to_pay = prop.can_reopen, ", ".join(prop.unpaid)
        self.view = "ready"

    # -- Pay online (PartnerPayOnlineMixin): not while another action runs ------------------------
    def _may_pay(self) -> bool:
        return not (self.paying or self.busy)

    def _before_paying(self) -> None:
        self.message, self.error = "", ""

    def _start(self) -> None:
        """Another action starts: what the page said before goes."""
        self.message, self.error, self.pay_error, self.busy = "", "", "", True

    async def _act(self, work: Callable[[dict[str, Any]], str]):  # type: ignore[no-untyped-def]
        """One action of the page (not while another runs): `work(scope)` in a worker thread,
        then its message, or the refusal's; the page reloads either way."""
        if self.busy:
            return
        if not await self._enter():
            yield self._to_sign_in()
            return
        self._start()
        yield
        try:
            self.message = await asyncio.to_thread(work, self._scope())
        except DomainError as refused:
            self.error = refused.message
        finally:
            self.busy = False
        await self._reload()

    @rx.event
    async def announce_paid(self, invoice_id: str):  # type: ignore[no-untyped-def]
        """ "I've paid" (by bank transfer): the invoice stays red and says when it should be
        reflected."""

        def announce(scope: dict[str, Any]) -> str:
            by = announce_payment(**scope, invoice_id=int(invoice_id), today=_today())
            return (
                f"Thank you. Your payment is processing: it should be reflected by {long_date(by)}."
            )

        async for update in self._act(announce):
            yield update

    @rx.event
    async def open_property(self):  # type: ignore[no-untyped-def]
        """ "Open your property": once every outstanding invoice is paid in full."""

        def reopen(scope: dict[str, Any]) -> str:
            reopen_property(**scope, actor=f"partner:{scope['partner_id']}", today=_today())
            return "Your property is open again."

        async for update in self._act(reopen):
            yield update
