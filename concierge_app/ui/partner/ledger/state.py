"""`/partner/ledger`: the partner's ledger — every document, payment and allocation with the
running balance, one per currency (`ui/shared/ledger`). Live."""

from __future__ import annotations

import asyncio
import logging

from concierge_app.services.partner.views.ledger import ledger
from concierge_app.services.shared.common import today
from concierge_app.ui.partner.session import PartnerAuthState, PartnerLiveState
from concierge_app.ui.shared.ledger.rows import LedgerView, ledger_views

logger = logging.getLogger(__name__)


class PartnerLedgerState(PartnerLiveState, PartnerAuthState):
    ledgers: list[LedgerView] = []

    async def _reload(self) -> None:
        self.version = await self._ledger_version()
        try:
            books = await asyncio.to_thread(ledger, **self._scope(), today=today())
        except Exception:
            logger.exception("Could not load the ledger of partner %s", self._pid)
            self.view = "error"
            return
        self.ledgers = ledger_views(books)
        self.view = "ready"
