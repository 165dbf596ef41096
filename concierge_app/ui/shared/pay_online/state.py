"""The one pay-online handler: open the payment provider's checkout for some documents (one
currency) and send the browser there; a spinner on the button meanwhile, the refusal's message
when the service says no."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import reflex as rx

from concierge_app.domain.errors import DomainError
from concierge_app.domain.i18n import N_

logger = logging.getLogger(__name__)

NOT_STARTED = N_("The payment could not be started. Please try again in a moment.")


class PayOnlineMixin(rx.State, mixin=True):
    """`class PortalState(PayOnlineMixin, LiveMixin, rx.State)`. A subclass says who pays and
    how the checkout is begun: `_payer_ok` (the session or link still opens this page; else
    `_payer_gone`), `_begin_checkout` (in a worker thread) and `_payer_label` (for the log);
    `_may_pay` may refuse while another action runs, `_before_paying` clears other notices."""

    paying: str = ""  # the ids of the checkout being opened ("12,15")
    pay_error: str = ""

    def _may_pay(self) -> bool:
        return not self.paying

    async def _payer_ok(self) -> bool:
        raise NotImplementedError

    def _payer_gone(self) -> rx.event.EventSpec | None:
        """Not the payer any more: to the sign-in page."""
        return self._to_sign_in()  # type: ignore[attr-defined]

    def _begin_checkout(self, invoice_ids: list[int]) -> Any:
        """The service's checkout start (with the provider's `url`); raises DomainError."""
        raise NotImplementedError

    def _payer_label(self) -> str:
        raise NotImplementedError

    def _before_paying(self) -> None:
        """Clear what the page said before."""

    def _say(self, message: str) -> str:
        """A message for the payer (a page in the payer's language translates it)."""
        return message

    @rx.event
    async def pay_online(self, ids: str):  # type: ignore[no-untyped-def]
        """Open the payment provider's checkout for these documents (one currency), go there."""
        if not self._may_pay():
            return
        if not await self._payer_ok():
            yield self._payer_gone()
            return
        self.paying, self.pay_error = ids, ""
        self._before_paying()
        yield
        invoice_ids = [int(i) for i in ids.split(",") if i.isdigit()]
        try:
            start = await asyncio.to_thread(self._begin_checkout, invoice_ids)
        except DomainError as refused:
            self.pay_error, self.paying = self._say(refused.message), ""
            return
        except Exception:
            logger.exception("Could not start an online payment for %s", self._payer_label())
            self.pay_error, self.paying = self._say(NOT_STARTED), ""
            return
        yield rx.redirect(start.url)
