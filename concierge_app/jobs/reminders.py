"""The in-app reminder job: every REMINDER_CHECK_SECONDS, queue the guest payment reminders
(GUEST_REMINDER_DAYS) and the partner notices (PARTNER_REMINDER_DAYS) due today. Runs in every
worker; each reminder's unique outbox key and the document's lock keep two workers from sending
one twice. The CLI: `send-reminders`."""

from __future__ import annotations

import logging

from concierge_app.db.engine import get_database
from concierge_app.jobs.schedule import every
from concierge_app.services.guest.reminders import send_guest_reminders
from concierge_app.services.partner.reminders import send_partner_reminders
from concierge_app.services.shared.common import today
from concierge_app.settings import get_settings

logger = logging.getLogger(__name__)


def _round() -> str | None:
    day = today()
    guests = send_guest_reminders(db=get_database(), today=day)
    partners = send_partner_reminders(db=get_database(), today=day)
    return f"{guests.text} {partners.text}" if guests.sent or partners.sent else None


async def send_reminders_when_due() -> None:
    await every(
        seconds=get_settings().reminder_check_seconds,
        setting="REMINDER_CHECK_SECONDS",
        round_=_round,
        logger=logger,
        what="reminder",
    )
