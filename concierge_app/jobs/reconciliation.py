"""The in-app schedule of reconciliation: every RECONCILIATION_CHECK_SECONDS, once a day,
reconcile yesterday's month up to the end of yesterday with the provider; drift goes to the
finance address (the Outbox) and shows on Finance → Reconciliation, never corrected. Off when
RECONCILIATION_CHECK_SECONDS is 0. Staff (/finance) and the CLI (`reconcile`) run any period."""

from __future__ import annotations

import asyncio
import logging

from concierge_app.db.engine import get_database
from concierge_app.services.reconciliation.runs import run_daily
from concierge_app.services.shared.common import today
from concierge_app.settings import get_settings

logger = logging.getLogger(__name__)


async def reconcile_daily() -> None:
    pause = get_settings().reconciliation_check_seconds
    if pause <= 0:
        logger.info("The reconciliation schedule is off (RECONCILIATION_CHECK_SECONDS=0).")
        return
    while True:
        try:
            run = await asyncio.to_thread(run_daily, db=get_database(), today=today())
            if run.drift_count:
                logger.warning("Reconciliation %s: %s difference(s)", run.period, run.drift_count)
        except Exception:  # the next check tries again
            logger.exception("The scheduled reconciliation failed")
        await asyncio.sleep(pause)
