"""State of the staff finance view `/finance`: its tabs, and what the Overview, Payouts and
Documents tabs show (partner balances, the invoiced / paid / outstanding chart, the latest
documents). The month-end run and the bank transfers are its mixins (`month_end_state`,
`transfers_state`); the tables' rows are formatted in `rows`."""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from typing import Any

import reflex as rx

from concierge_app.domain.partner_billing import Period
from concierge_app.services.partner.billing.month_end import list_runs
from concierge_app.services.partner.document_files import invoice_pdf
from concierge_app.services.partner.money.transfers import transfer_queue
from concierge_app.services.partner.views.documents import invoice_document
from concierge_app.services.partner.views.finance import (
    currency_totals,
    recent_partner_invoices,
    recent_payouts,
    staff_finance_overview,
)
from concierge_app.services.shared.common import today
from concierge_app.services.shared.database import get_database
from concierge_app.ui.staff.finance.books_state import BooksMixin
from concierge_app.ui.staff.finance.month_end_state import MonthEndMixin
from concierge_app.ui.staff.finance.reconciliation_state import ReconciliationMixin
from concierge_app.ui.staff.finance.rows import (
    BalanceRow,
    DocumentRow,
    QueueRow,
    RunRow,
    to_balance_row,
    to_chart,
    to_document_row,
    to_payout,
    to_queue_row,
    to_run_row,
)
from concierge_app.ui.staff.finance.transfers_state import BankTransfersMixin
from concierge_app.ui.staff.live_state import LiveState
from concierge_app.ui.staff.session import AuthState

logger = logging.getLogger(__name__)

# The page's tabs, in order: value (as in `/finance?tab=<value>`) → label.
FINANCE_TABS: dict[str, str] = {
    "overview": "Overview",
    "month-end": "Month-end",
    "transfers": "Bank transfers",
    "direct-debit": "Direct debit",
    "payouts": "Payouts",
    "documents": "Documents",
    "books": "Books",
    "reconciliation": "Reconciliation",
}
DEFAULT_TAB = "overview"
# The page shows dates only, each a day of the platform's business calendar (services.common).
DATES_NOTE = "Dates are the platform's business days (UTC)."


def _today() -> date:
    return today()


class FinanceState(
    MonthEndMixin, BankTransfersMixin, BooksMixin, ReconciliationMixin, LiveState, AuthState
):
    balances: list[BalanceRow] = []
    chart: list[dict[str, Any]] = []
    runs: list[RunRow] = []
    documents: list[DocumentRow] = []
    payouts: list[dict[str, str]] = []
    queue: list[QueueRow] = []  # bank transfers nobody could match
    tab: str = DEFAULT_TAB
    loading: bool = True

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        wanted = self.router.url.query_parameters.get("tab", "")
        self.tab = wanted if wanted in FINANCE_TABS else DEFAULT_TAB
        if not self.period:
            self.period = str(Period.of(_today()).previous())
        self.today_iso = _today().isoformat()
        await self._reload()

    async def _reload(self) -> None:
        db = get_database()
        self.version = await self._ledger_version()
        balances = await asyncio.to_thread(staff_finance_overview, db=db)
        runs = await asyncio.to_thread(list_runs, db=db)
        docs = await asyncio.to_thread(recent_partner_invoices, db=db, today=_today())
        self.payouts = [to_payout(p) for p in await asyncio.to_thread(recent_payouts, db=db)]
        self.documents = [to_document_row(d) for d in docs]
        self.balances = [to_balance_row(b) for b in balances]
        self.chart = [to_chart(t) for t in currency_totals(balances)]
        self.runs = [to_run_row(r) for r in runs]
        self.queue = [to_queue_row(q) for q in await asyncio.to_thread(transfer_queue, db=db)]
        await self._load_reconciliation()
        self.loading = False

    @rx.event
    def choose_tab(self, value: str):  # type: ignore[no-untyped-def]
        """Show another tab and put it in the address (a reload or a shared link opens it)."""
        if value not in FINANCE_TABS:
            return None
        self.tab = value
        query = "" if value == DEFAULT_TAB else f"?tab={value}"
        return rx.call_script(
            f"window.history.replaceState(window.history.state, '', "
            f"window.location.pathname + '{query}')"
        )

    @rx.event
    async def download_pdf(self, invoice_id: int):  # type: ignore[no-untyped-def]
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        doc = await asyncio.to_thread(
            invoice_document,
            db=get_database(),
            invoice_id=invoice_id,
            partner_id=None,
            today=_today(),
        )
        pdf = await asyncio.to_thread(invoice_pdf, doc)
        yield rx.download(data=pdf, filename=f"{doc.number}.pdf")
