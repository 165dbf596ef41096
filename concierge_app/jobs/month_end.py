"""The in-app schedule of the month-end run: in the first week of each month, invoice the
month before (hourly check; a finished run is not repeated, an interrupted one resumes)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from concierge_app.db.engine import get_database
from concierge_app.services.partner.billing.month_end import run_month_end, scheduled_period
from concierge_app.settings import get_settings

logger = logging.getLogger(__name__)


async def run_month_end_when_due() -> None:
    pause = get_settings().month_end_check_seconds
    if pause <= 0:
        logger.info("The month-end schedule is off (MONTH_END_CHECK_SECONDS=0).")
        return
    while True:
        try:
            today = datetime.now(UTC).date()
            period = await asyncio.to_thread(scheduled_period, db=get_database(), today=today)
            if period is not None:
                summary = await asyncio.to_thread(
                    run_month_end,
                    db=get_database(),
                    period=period,
                    run_date=today,
                    actor="system:schedule",
                )
                logger.info("Month-end run %s: %s", period, summary)
        except Exception:  # the next check tries again
            logger.exception("The scheduled month-end run failed")
        await asyncio.sleep(pause)
