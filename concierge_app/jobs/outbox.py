"""The in-app outbox delivery job: every OUTBOX_DELIVERY_SECONDS, send what is due over SMTP.

Registered as a Reflex lifespan task, so it runs in every worker; the delivery service's lease
(and SKIP LOCKED on PostgreSQL) keeps two workers from sending the same message. Without
SMTP_HOST it does nothing and the messages stay in the outbox.
"""

from __future__ import annotations

import asyncio
import logging

from concierge_app.adapters.notify.smtp import SmtpMailer
from concierge_app.db.engine import get_database
from concierge_app.services.outbox.delivery import deliver_due_messages
from concierge_app.settings import get_settings

logger = logging.getLogger(__name__)


async def deliver_outbox_forever() -> None:
    settings = get_settings()
    mailer = SmtpMailer.from_settings(settings)
    if mailer is None or settings.outbox_delivery_seconds <= 0:
        logger.info("Outbox delivery is off (no SMTP_HOST): messages stay in the outbox.")
        return
    while True:
        try:
            report = await asyncio.to_thread(deliver_due_messages, db=get_database(), mailer=mailer)
            if report.sent or report.retrying or report.failed:
                logger.info("Outbox: %s", report)
        except Exception:  # the next round tries again; the job must not die
            logger.exception("Outbox delivery round failed")
        await asyncio.sleep(settings.outbox_delivery_seconds)
