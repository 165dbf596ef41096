"""State of the "Direct debit" tab of staff Finance: collect now (with a spinner and the
summary) and, in the sandbox, the bank's answers."""

from __future__ import annotations

import asyncio
import dataclasses
import logging

import reflex as rx

from concierge_app.domain.documents import group_iban
from concierge_app.domain.errors import DomainError
from concierge_app.domain.formatting import format_money
from concierge_app.services.payments.direct_debit import (
    answer_sandbox_debits,
    collect_direct_debits,
    sandbox_pending_debits,
)
from concierge_app.services.shared.common import today
from concierge_app.services.shared.database import get_database
from concierge_app.settings import get_settings
from concierge_app.ui.shared.progress import with_progress
from concierge_app.ui.staff.session import AuthState

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class DebitRow:
    partner: str
    documents: str
    amount: str
    outcome: str
    ok: bool


class DirectDebitState(AuthState):
    """The "Direct debit" card of the staff finance page."""

    collecting: bool = False
    progress_text: str = ""
    summary: str = ""
    summary_ok: bool = True  # False: the bank refused a debit at once, or one is not sent yet
    rows: list[DebitRow] = []
    error: str = ""
    sandbox: bool = False
    pending: int = 0  # debits the sandbox bank has not answered yet
    failing_iban: str = ""  # the account the sandbox bank refuses (SANDBOX_FAILING_IBAN)
    answering: bool = False
    answers: str = ""

    @rx.event
    async def load(self) -> None:
        if not await self._signed_in():
            return
        self.failing_iban = group_iban(get_settings().sandbox_failing_iban)
        await self._count_pending()

    async def _count_pending(self) -> None:
        pending = await asyncio.to_thread(sandbox_pending_debits, db=get_database())
        self.sandbox, self.pending = pending is not None, pending or 0

    def _show_progress(self, done: int, total: int) -> None:
        if total:
            self.progress_text = f"{done:,} of {total:,} partners…"

    @rx.event(background=True)
    async def collect(self):  # type: ignore[no-untyped-def]
        async with self:
            if self.collecting or not await self._signed_in():
                return
            self.collecting, self.error, self.summary, self.rows = True, "", "", []
            self.answers, self.progress_text = "", "Starting…"
            actor = self.staff_email
        job = await with_progress(
            self,
            collect_direct_debits,
            self._show_progress,
            every=0.2,
            db=get_database(),
            today=today(),
            actor=actor,
        )
        async with self:
            self.collecting, self.progress_text = False, ""
            try:
                summary = job.result()
            except Exception:
                logger.exception("Direct-debit collection failed")
                self.error = (
                    "The collection stopped with an error. Collect again: what was recorded "
                    "is sent, nothing is requested twice."
                )
                return
            self.summary = summary.text
            self.summary_ok = not summary.refused and not summary.retrying
            self.rows = (
                [
                    DebitRow(
                        f"{r.partner_code} {r.partner_name}",
                        ", ".join(r.documents),
                        format_money(r.amount),
                        f"Refused: {r.refused}" if r.refused else "Requested from the bank",
                        r.refused is None,
                    )
                    for r in summary.requested
                ]
                + [
                    DebitRow(
                        f"{r.partner_code} {r.partner_name}",
                        ", ".join(r.documents),
                        format_money(r.amount),
                        f"Not sent yet ({r.not_sent}): retried by the next run",
                        False,
                    )
                    for r in summary.retrying
                ]
                + [
                    DebitRow(
                        f"{s.partner_code} {s.partner_name}",
                        s.number,
                        format_money(s.outstanding),
                        f"Skipped: {s.reason}",
                        False,
                    )
                    for s in summary.skipped
                ]
            )
            await self._count_pending()

    @rx.event
    async def answer(self):  # type: ignore[no-untyped-def]
        """The sandbox bank answers the pending debits (a demo of a failed debit)."""
        if self.answering:
            return
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        self.answering, self.answers, self.error = True, "", ""
        yield
        try:
            result = await asyncio.to_thread(answer_sandbox_debits, db=get_database())
        except DomainError as refused:
            self.error = refused.message
        else:
            answered = result.succeeded + result.failed
            told = " (invoices red again; partners emailed)" if result.failed else ""
            self.answers = (
                f"The bank answered {answered} debit(s): {result.succeeded} paid, "
                f"{result.failed} failed{told}."
                if answered
                else "No debit is waiting for the bank."
            )
            await self._count_pending()
        finally:
            self.answering = False
