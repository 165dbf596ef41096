"""The in-app schedule of the direct-debit collection: every DIRECT_DEBIT_CHECK_SECONDS, on or
after the collection day of the month (`domain.direct_debit.COLLECTION_DAY`, the 10th), collect
each partner with a mandate — once a month per partner and currency (a debit staff requested
before the collection day, or one that failed, does not count). Off when
DIRECT_DEBIT_CHECK_SECONDS is 0. Staff (/finance) and the CLI (`direct-debit`) collect any day."""

from __future__ import annotations

import asyncio
import logging

from concierge_app.db.engine import get_database
from concierge_app.domain.direct_debit import scheduled_collection_due
from concierge_app.services.payments.direct_debit import collect_direct_debits
from concierge_app.services.shared.common import today
from concierge_app.settings import get_settings

logger = logging.getLogger(__name__)


async def collect_direct_debits_when_due() -> None:
    pause = get_settings().direct_debit_check_seconds
    if pause <= 0:
        logger.info("The direct-debit schedule is off (DIRECT_DEBIT_CHECK_SECONDS=0).")
        return
    while True:
        try:
            day = today()
            if scheduled_collection_due(day):
                summary = await asyncio.to_thread(
                    collect_direct_debits,
                    db=get_database(),
                    today=day,
                    actor="system:schedule",
                    scheduled=True,
                )
                if summary.requested or summary.resent:
                    logger.info("Direct debits %s: %s", day, summary.text)
        except Exception:  # the next check tries again
            logger.exception("The scheduled direct-debit collection failed")
        await asyncio.sleep(pause)
