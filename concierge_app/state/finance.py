"""State of the staff finance view `/finance`: partner balances, the invoiced / paid /
outstanding chart, the month-end run (preview, run with progress) and the latest documents."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from datetime import UTC, datetime
from typing import Any

import reflex as rx

from concierge_app.db.engine import get_database
from concierge_app.documents.partner_invoice_pdf import render_invoice_pdf
from concierge_app.domain.errors import DomainError
from concierge_app.domain.partner_billing import Period
from concierge_app.services.formatting import format_day, format_money, whole_units
from concierge_app.services.month_end import list_runs, preview_month_end, run_month_end
from concierge_app.services.partner_documents import invoice_document
from concierge_app.services.partner_finance import (
    currency_totals,
    recent_partner_invoices,
    recent_payouts,
    staff_finance_overview,
)
from concierge_app.state.auth import AuthState
from concierge_app.state.live import LiveState
from concierge_app.state.partner_finance import STATUS_COLOURS

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class BalanceRow:
    code: str
    name: str
    currency: str
    invoices: str
    invoiced: str
    paid: str
    outstanding: str


@dataclasses.dataclass(frozen=True)
class DocumentRow:
    id: int
    number: str
    partner: str
    period: str
    amount: str
    payable: str
    status: str
    colour: str
    colour_css: str


@dataclasses.dataclass(frozen=True)
class RunRow:
    period: str
    run_date: str
    started_by: str
    partners: str
    invoices: str
    lines: str
    status: str


class FinanceState(LiveState, AuthState):
    balances: list[BalanceRow] = []
    chart: list[dict[str, Any]] = []
    runs: list[RunRow] = []
    documents: list[DocumentRow] = []
    payouts: list[dict[str, str]] = []
    period: str = ""
    preview: str = ""
    error: str = ""
    running: bool = False
    progress: int = 0  # percent
    progress_text: str = ""
    loading: bool = True

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        if not self.period:
            self.period = str(Period.of(datetime.now(UTC).date()).previous())
        await self._reload()

    async def _reload(self) -> None:
        db = get_database()
        self.version = await self._ledger_version()
        balances = await asyncio.to_thread(staff_finance_overview, db=db)
        runs = await asyncio.to_thread(list_runs, db=db)
        docs = await asyncio.to_thread(
            recent_partner_invoices, db=db, today=datetime.now(UTC).date()
        )
        self.payouts = [
            {
                "partner": p.partner,
                "period": p.period,
                "gross": format_money(p.gross),
                "commission": format_money(p.commission),
                "net": format_money(p.net),
            }
            for p in await asyncio.to_thread(recent_payouts, db=db)
        ]
        self.documents = [
            DocumentRow(
                d.document.id,
                d.document.number,
                d.partner,
                d.document.period_label,
                format_money(d.document.amount),
                format_money(d.document.payable),
                d.document.status_text,
                d.document.status_colour.value,
                STATUS_COLOURS[d.document.status_colour.value],
            )
            for d in docs
        ]
        self.balances = [
            BalanceRow(
                b.code,
                b.name,
                b.currency,
                str(b.invoices),
                format_money(b.invoiced),
                format_money(b.paid),
                format_money(b.outstanding),
            )
            for b in balances
        ]
        self.chart = [
            {
                "currency": t.currency,
                "data": [
                    {"status": "Invoiced", "amount": whole_units(t.invoiced)},
                    {"status": "Paid", "amount": whole_units(t.paid)},
                    {"status": "Outstanding", "amount": whole_units(t.outstanding)},
                ],
            }
            for t in currency_totals(balances)
        ]
        self.runs = [
            RunRow(
                Period.parse(r.period).label,
                format_day(r.run_date),
                r.started_by,
                str(r.partners),
                str(r.invoices),
                str(r.lines),
                "Finished" if r.finished else "Interrupted — run again to resume",
            )
            for r in runs
        ]
        self.loading = False

    @rx.event
    def set_period(self, value: str) -> None:
        self.period, self.preview, self.error = value, "", ""

    @rx.event
    async def preview_run(self):  # type: ignore[no-untyped-def]
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        try:
            period = Period.parse(self.period)
        except DomainError as bad:
            self.error, self.preview = bad.message, ""
            return
        p = await asyncio.to_thread(preview_month_end, db=get_database(), period=period)
        commission = " + ".join(format_money(m) for m in p.commission) or "nothing"
        deducted = " + ".join(format_money(m) for m in p.deducted) or "nothing"
        self.error = ""
        self.preview = (
            f"{period.label}: {p.partners} partner(s), {p.lines} reservation(s) and service(s); "
            f"commission {commission}, of which {deducted} deducted from payouts."
            + (" Already run: a new run adds nothing." if p.already_run else "")
        )

    @rx.event(background=True)
    async def run(self):  # type: ignore[no-untyped-def]
        async with self:
            if self.running:
                return
            if not await self._signed_in():
                return
            try:
                period = Period.parse(self.period)
            except DomainError as bad:
                self.error = bad.message
                return
            self.running, self.progress, self.error = True, 0, ""
            self.progress_text = "Starting…"
            actor = self.staff_email
        seen = {"done": 0, "total": 0}

        def report(done: int, total: int) -> None:
            seen["done"], seen["total"] = done, total

        job = asyncio.create_task(
            asyncio.to_thread(
                run_month_end,
                db=get_database(),
                period=period,
                run_date=datetime.now(UTC).date(),
                actor=actor,
                progress=report,
            )
        )
        while not job.done():
            await asyncio.sleep(0.3)
            async with self:
                if seen["total"]:
                    self.progress = int(100 * seen["done"] / seen["total"])
                    self.progress_text = f"{seen['done']:,} of {seen['total']:,} partners"
                else:
                    self.progress_text = "Writing the reservation statements…"
        async with self:
            self.running = False
            try:
                summary = job.result()
            except Exception:
                logger.exception("Month-end run %s failed", period)
                self.error = "The run stopped with an error; run it again to resume."
                return
            self.progress, self.preview = (
                100,
                (
                    f"{period.label}: nothing added (already run)."
                    if summary.already_done
                    else f"{period.label}: {summary.invoices_created} invoice(s) issued, "
                    f"{summary.lines_created} statement line(s)."
                ),
            )
            await self._reload()

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
            today=datetime.now(UTC).date(),
        )
        pdf = await asyncio.to_thread(render_invoice_pdf, doc)
        yield rx.download(data=pdf, filename=f"{doc.number}.pdf")
