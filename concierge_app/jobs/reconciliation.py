"""The in-app schedule of reconciliation: every RECONCILIATION_CHECK_SECONDS, once a day,
reconcile yesterday's month up to the end of yesterday with the provider; drift goes to the
finance address (the Outbox) and shows on Finance → Reconciliation, never corrected. Off when
RECONCILIATION_CHECK_SECONDS is 0. Staff (/finance) and the CLI (`reconcile`) run any period."""

from __future__ import annotations

import logging

from concierge_app.db.engine import get_database
from concierge_app.jobs.schedule import every
from concierge_app.services.reconciliation.runs import run_daily
from concierge_app.services.shared.common import today
from concierge_app.settings import get_settings

logger = logging.getLogger(__name__)


def _round() -> str | None:
    run = run_daily(db=get_database(), today=today())
    return f"{run.period}: {run.drift_count} difference(s)" if run.drift_count else None


async def reconcile_daily() -> None:
    await every(
        seconds=get_settings().reconciliation_check_seconds,
        setting="RECONCILIATION_CHECK_SECONDS",
        round_=_round,
        logger=logger,
        what="reconciliation",
    )
