"""The finance page's Month-end tab: choose a period, preview it, run it in the background with
a progress bar."""

from __future__ import annotations

import asyncio
import logging

import reflex as rx

from concierge_app.domain.errors import DomainError
from concierge_app.domain.formatting import format_money
from concierge_app.domain.partner_billing import Period
from concierge_app.services.partner.billing.month_end import (
    preview_month_end,
    run_month_end,
)
from concierge_app.services.shared.common import today
from concierge_app.services.shared.database import get_database
from concierge_app.ui.shared.progress import with_progress

logger = logging.getLogger(__name__)


class MonthEndMixin(rx.State, mixin=True):
    """Part of `FinanceState`: uses its `_reload` and the staff session."""

    period: str = ""
    preview: str = ""
    error: str = ""
    running: bool = False
    progress: int = 0  # percent
    progress_text: str = ""

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
            run_date=today(),
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
