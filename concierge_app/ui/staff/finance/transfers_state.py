"""The finance page's Bank transfers tab: record a transfer by hand, import a bank statement
CSV in the background (with progress and a result per row), and assign the queued transfers
nobody could match."""

from __future__ import annotations

import asyncio
import logging
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
from concierge_app.domain.formatting import format_money
from concierge_app.services.partner.money.bank_statement import (
    describe_transfer,
    import_bank_statement,
    record_transfer_entry,
)
from concierge_app.services.partner.money.transfers import assign_transfer
from concierge_app.services.shared.common import today
from concierge_app.services.shared.database import get_database
from concierge_app.ui.shared.progress import with_progress
from concierge_app.ui.staff.finance.rows import ImportRow

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


class BankTransfersMixin(rx.State, mixin=True):
    """Part of `FinanceState`: uses its `_reload`, `queue` and the staff session."""

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
    queue_notice: str = ""
    queue_error: str = ""
    assigning: int = 0  # the queued transfer being assigned
    _statement_text: str = ""  # an uploaded statement waiting for the import to start

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
            self.transfer_result = describe_transfer(outcome, today=today())
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
        yield type(self).run_import

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
            day = today()
            self.import_summary = result.summary
            self.import_rows = [
                ImportRow(
                    str(o.row),
                    o.transaction_id,
                    format_money(o.amount),
                    o.reference,
                    o.status,
                    describe_transfer(o.outcome, today=day),
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
            self.queue_notice = describe_transfer(outcome, today=today())
            await self._reload()
        finally:
            self.assigning = 0
