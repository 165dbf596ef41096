"""State of the staff finance view `/finance`: partner balances, the invoiced / paid /
outstanding chart, the month-end run (preview, run with progress), the latest documents, and
incoming bank transfers (record one, import a statement CSV, the queue of unmatched ones)."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from datetime import date
from typing import Any

import reflex as rx

from concierge_app.domain.bank_statement import (
    EXAMPLE,
    MAX_BYTES,
    MAX_ROWS,
    BankLineInvalid,
    StatementRefused,
    decode_bank_statement,
)
from concierge_app.domain.errors import DomainError
from concierge_app.domain.formatting import format_day, format_money, whole_units
from concierge_app.domain.partner_billing import Period
from concierge_app.services.partner.billing.month_end import (
    list_runs,
    preview_month_end,
    run_month_end,
)
from concierge_app.services.partner.document_files import invoice_pdf
from concierge_app.services.partner.money.bank_statement import (
    describe_transfer,
    import_bank_statement,
    record_transfer_entry,
)
from concierge_app.services.partner.money.transfers import assign_transfer, transfer_queue
from concierge_app.services.partner.views.documents import invoice_document
from concierge_app.services.partner.views.finance import (
    currency_totals,
    recent_partner_invoices,
    recent_payouts,
    staff_finance_overview,
)
from concierge_app.services.shared.common import today
from concierge_app.services.shared.database import get_database
from concierge_app.ui.shared.document_status import STATUS_COLOURS
from concierge_app.ui.shared.progress import with_progress
from concierge_app.ui.staff.live_state import LiveState
from concierge_app.ui.staff.session import AuthState

logger = logging.getLogger(__name__)

STATEMENT_UPLOAD = "bank-statement"
STATEMENT_EXAMPLE = EXAMPLE
STATEMENT_LIMITS = f"at most {MAX_ROWS:,} rows, {MAX_BYTES // (1024 * 1024)} MB"
STATEMENT_MAX_BYTES = MAX_BYTES
TRANSFER_FIELDS = ("received_on", "amount", "currency", "reference", "payer", "transaction_id")
IMPORT_ROWS_SHOWN = 100  # rows of an import's result listed on the page
_REJECTED = {  # why the browser refused a file, by react-dropzone's code
    "file-too-large": f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; split it.",
    "file-invalid-type": "Choose a .csv file (export the statement from the bank as CSV).",
    "too-many-files": "Choose one file at a time.",
}


# The page's tabs, in order: value (as in `/finance?tab=<value>`) → label.
FINANCE_TABS: dict[str, str] = {
    "overview": "Overview",
    "month-end": "Month-end",
    "transfers": "Bank transfers",
    "direct-debit": "Direct debit",
    "payouts": "Payouts",
    "documents": "Documents",
}
DEFAULT_TAB = "overview"
# The page shows dates only, each a day of the platform's business calendar (services.common).
DATES_NOTE = "Dates are the platform's business days (UTC)."


def _today() -> date:
    return today()


@dataclasses.dataclass(frozen=True)
class BalanceRow:
    code: str
    name: str
    currency: str
    invoices: str
    invoiced: str
    paid: str
    outstanding: str
    credit: str  # credit not applied yet (credit notes, over-payments)
    balance: str  # the partner's Ledger balance: outstanding less credit


@dataclasses.dataclass(frozen=True)
class DocumentRow:
    id: int
    number: str
    partner: str
    period: str
    amount: str
    to_pay: str  # what remains of it, as the partner's Invoices page says
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


@dataclasses.dataclass(frozen=True)
class QueueRow:
    id: int
    received: str
    amount: str
    reference: str
    payer: str
    reason: str


@dataclasses.dataclass(frozen=True)
class ImportRow:
    row: str
    transaction_id: str
    amount: str
    reference: str
    status: str  # matched / queued / already recorded
    detail: str


class FinanceState(LiveState, AuthState):
    balances: list[BalanceRow] = []
    chart: list[dict[str, Any]] = []
    runs: list[RunRow] = []
    documents: list[DocumentRow] = []
    payouts: list[dict[str, str]] = []
    tab: str = DEFAULT_TAB
    period: str = ""
    preview: str = ""
    error: str = ""
    running: bool = False
    progress: int = 0  # percent
    progress_text: str = ""
    loading: bool = True
    # Bank transfers: the form, the statement import and the queue.
    today_iso: str = ""
    transfer_errors: dict[str, str] = {}
    transfer_result: str = ""
    transfer_matched: bool = False
    recording: bool = False
    importing: bool = False
    import_progress: str = ""
    import_summary: str = ""
    import_rows: list[ImportRow] = []
    import_more: str = ""
    import_error: str = ""
    import_problems: list[str] = []
    queue: list[QueueRow] = []
    queue_notice: str = ""
    queue_error: str = ""
    assigning: int = 0  # the queued transfer being assigned
    _statement_text: str = ""  # an uploaded statement waiting for the import to start

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
                format_money(d.document.outstanding),
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
                format_money(b.credit_left),
                format_money(b.balance),
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
        self.queue = [
            QueueRow(
                q.payment_id,
                format_day(q.received_on),
                format_money(q.amount),
                q.reference,
                q.payer,
                q.reason,
            )
            for q in await asyncio.to_thread(transfer_queue, db=db)
        ]
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

    def _show_run_progress(self, done: int, total: int) -> None:
        if total:
            self.progress = int(100 * done / total)
            self.progress_text = f"{done:,} of {total:,} partners"
        else:
            self.progress_text = "Writing the reservation statements…"

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
        job = await with_progress(
            self,
            run_month_end,
            self._show_run_progress,
            db=get_database(),
            period=period,
            run_date=_today(),
            actor=actor,
        )
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
            today=_today(),
        )
        pdf = await asyncio.to_thread(invoice_pdf, doc)
        yield rx.download(data=pdf, filename=f"{doc.number}.pdf")

    # -- bank transfers -----------------------------------------------------------------------
    @rx.event
    async def record_transfer(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        """Staff typed an incoming transfer: record it (matched and allocated, or queued)."""
        if self.recording:
            return
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        self.recording, self.transfer_errors, self.transfer_result = True, {}, ""
        yield
        try:
            outcome = await asyncio.to_thread(
                record_transfer_entry,
                db=get_database(),
                fields={k: str(form.get(k, "")) for k in TRANSFER_FIELDS},
                actor=self.staff_email,
            )
        except BankLineInvalid as refused:
            self.transfer_errors = dict(refused.problems)
        except DomainError as refused:
            self.transfer_errors = {refused.field or "form": refused.message}
        else:
            self.transfer_matched = outcome.matched
            self.transfer_result = describe_transfer(outcome, today=_today())
            await self._reload()
            if not outcome.duplicate:  # ready for the next line of the statement
                yield [
                    rx.set_value(f"transfer-{k.replace('_', '-')}", "")
                    for k in ("amount", "reference", "payer", "transaction_id")
                ]
        finally:
            self.recording = False

    @rx.event
    def statement_rejected(self, rejected: list[dict[str, Any]]) -> None:
        """The browser refused the chosen file (too big, not CSV, several)."""
        codes = [e.get("code", "") for r in rejected for e in r.get("errors", [])]
        reasons = [_REJECTED.get(c, "This file cannot be imported.") for c in codes]
        self.import_error = " ".join(dict.fromkeys(reasons)) or "This file cannot be imported."
        self.import_problems, self.import_summary = [], ""

    @rx.event
    async def upload_statement(self, files: list[rx.UploadFile]):  # type: ignore[no-untyped-def]
        """The chosen statement file arrives: read it, then import it in the background."""
        if self.importing:
            return
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        self.import_error, self.import_problems, self.import_summary = "", [], ""
        self.import_rows, self.import_more = [], ""
        if not files:
            self.import_error = "Choose the bank statement's CSV file first."
            return
        data = await files[0].read(MAX_BYTES + 1)
        try:
            self._statement_text = decode_bank_statement(data)
        except StatementRefused as refused:
            self.import_error = refused.summary
            return
        self.importing, self.import_progress = True, "Checking every row…"
        yield rx.clear_selected_files(STATEMENT_UPLOAD)
        yield FinanceState.run_import

    def _show_import_progress(self, done: int, total: int) -> None:
        if total:
            self.import_progress = f"Recorded {done:,} of {total:,}…"

    @rx.event(background=True)
    async def run_import(self):  # type: ignore[no-untyped-def]
        """Check the whole statement, then record its transfers, with progress."""
        async with self:
            text, self._statement_text = self._statement_text, ""
            actor = self.staff_email
            if not text or not actor:
                self.importing = False
                return
        job = await with_progress(
            self,
            import_bank_statement,
            self._show_import_progress,
            db=get_database(),
            csv_text=text,
            actor=actor,
        )
        async with self:
            self.importing, self.import_progress = False, ""
            try:
                result = job.result()
            except StatementRefused as refused:
                self.import_error, self.import_problems = refused.summary, list(refused.problems)
                return
            except DomainError as refused:
                self.import_error = refused.message
                return
            except Exception:
                logger.exception("Bank statement import failed")
                self.import_error = (
                    "The import stopped with an error. Import the same file again: transfers "
                    "already recorded are skipped."
                )
                await self._reload()
                return
            today = _today()
            self.import_summary = result.summary
            self.import_rows = [
                ImportRow(
                    str(o.row),
                    o.transaction_id,
                    format_money(o.amount),
                    o.reference,
                    o.status,
                    describe_transfer(o.outcome, today=today),
                )
                for o in result.outcomes[:IMPORT_ROWS_SHOWN]
            ]
            hidden = len(result.outcomes) - IMPORT_ROWS_SHOWN
            self.import_more = f"… and {hidden:,} more rows." if hidden > 0 else ""
            await self._reload()

    @rx.event
    async def assign(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        """Staff match a queued transfer to a property ID: it is allocated oldest due first."""
        if self.assigning:
            return
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        self.queue_notice, self.queue_error = "", ""
        try:
            payment_id = int(form.get("payment_id", ""))
        except ValueError:
            self.queue_error = "That transfer is not in the queue any more."
            return
        code = str(form.get("partner_code", "")).strip()
        if not code:
            self.queue_error = "Type the property ID to assign the transfer to (e.g. PRP-1001)."
            return
        self.assigning = payment_id
        yield
        try:
            outcome = await asyncio.to_thread(
                assign_transfer,
                db=get_database(),
                payment_id=payment_id,
                partner_code=code,
                actor=self.staff_email,
            )
        except DomainError as refused:
            self.queue_error = refused.message
        else:
            self.queue_notice = describe_transfer(outcome, today=_today())
            await self._reload()
        finally:
            self.assigning = 0
