"""The finance page's Reconciliation tab: pick a period, run it in the background (the
provider's records are read with a spinner and a count), show the last run — this one or the
daily job's — by kind and outcome, and its differences. Nothing is corrected here."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import reflex as rx

from concierge_app.domain.errors import DomainError
from concierge_app.domain.partner_billing import Period
from concierge_app.services.reconciliation.runs import run_reconciliation
from concierge_app.services.reconciliation.views import RunView, last_run
from concierge_app.services.shared.common import today
from concierge_app.services.shared.database import get_database
from concierge_app.ui.shared.progress import with_progress

logger = logging.getLogger(__name__)

FAILED = "The provider could not be read ({reason}); nothing was stored. Try again later."


def _reconcile(*, progress: Callable[[int, int], None], **kwargs: Any) -> RunView:
    """The run, reporting how many of the provider's records were read (no total known)."""
    return run_reconciliation(progress=lambda read: progress(read, 0), **kwargs)


def _last(db: Any) -> RunView | None:
    return last_run(db=db)


class ReconciliationMixin(rx.State, mixin=True):
    """Part of `FinanceState`: uses the staff session."""

    recon_period: str = ""
    recon_error: str = ""  # the run could not be made (the provider)
    recon_errors: dict[str, str] = {}  # per field: "period"
    recon_running: bool = False
    recon_read: str = ""
    recon_title: str = ""  # which month, up to which day, when and by whom; "" before any run
    recon_drift: int = 0
    recon_counts: list[dict[str, str]] = []
    recon_rows: list[dict[str, str]] = []

    @rx.event
    def set_recon_period(self, value: str) -> None:
        self.recon_period, self.recon_error, self.recon_errors = value[:20], "", {}

    async def _load_reconciliation(self) -> None:
        if not self.recon_period:
            self.recon_period = str(Period.of(today()))
        self._show_run(await asyncio.to_thread(_last, get_database()))

    def _show_run(self, run: RunView | None) -> None:
        if run is None:
            self.recon_title, self.recon_drift, self.recon_counts, self.recon_rows = "", 0, [], []
            return
        self.recon_title = (
            f"{run.period} (up to {run.ends_on.isoformat()}) with the {run.provider} provider"
            f" — run {run.created_at:%Y-%m-%d %H:%M} UTC by {run.created_by}"
        )
        self.recon_drift = run.drift_count
        self.recon_counts = [
            {
                "kind": c.kind,
                "outcome": c.outcome,
                "count": str(c.count),
                "drift": "1" if c.drift else "",
            }
            for c in run.counts
        ]
        self.recon_rows = [
            {
                "kind": d.kind,
                "reference": d.reference,
                "outcome": d.outcome,
                "provider": d.provider,
                "ledger": d.ledger,
                "note": d.note,
            }
            for d in run.differences
        ]

    def _show_read(self, read: int, _total: int) -> None:
        self.recon_read = f"Reading the provider's records… {read:,} read"

    @rx.event(background=True)
    async def run_reconciliation(self):  # type: ignore[no-untyped-def]
        async with self:
            if self.recon_running:
                return
            if not await self._signed_in():
                return
            try:
                period = Period.parse(self.recon_period)
            except DomainError as bad:
                self.recon_errors = {"period": bad.message}
                return
            self.recon_running, self.recon_error, self.recon_errors = True, "", {}
            self.recon_read = "Reading the provider's records…"
            actor = self.staff_email
        job = await with_progress(
            self,
            _reconcile,
            self._show_read,
            db=get_database(),
            period=period,
            actor=actor,
            today=today(),
        )
        async with self:
            self.recon_running = False
            try:
                run = job.result()
            except DomainError as refused:
                if refused.field == "period":
                    self.recon_errors = {"period": refused.message}
                else:
                    self.recon_error = refused.message
                return
            except Exception as failed:
                logger.exception("Reconciliation of %s failed", period)
                self.recon_error = FAILED.format(reason=str(failed)[:200] or "no reason given")
                return
            self._show_run(run)
