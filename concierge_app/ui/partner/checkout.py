"""Pay online on the partner Extranet (Invoices: the partner's documents; All properties: a
group's): the shared handler (`ui/shared/pay_online`) for a partner or group payer, and what
the page says when the partner comes back from the checkout (`?checkout=…`)."""

from __future__ import annotations

from typing import ClassVar

from concierge_app.domain.checkout import CheckoutStatus
from concierge_app.services.payments.partner_checkout import (
    PartnerCheckoutStart,
    begin_partner_checkout,
    checkout_outcome,
)
from concierge_app.services.shared.common import today
from concierge_app.services.shared.database import get_database
from concierge_app.ui.partner.session import PartnerLiveState
from concierge_app.ui.shared.pay_online.state import PayOnlineMixin

# After the provider's checkout (`?checkout=…`): what the ledger says, never the redirect.
CHECKOUT_NOTICES = {
    "cancelled": ("Payment cancelled", "Nothing was charged.", "warning"),
    CheckoutStatus.SUCCEEDED.value: (
        "Payment received — thank you",
        "Your invoices are marked Paid.",
        "success",
    ),
    "open": (
        "Payment processing…",
        "We are confirming your payment with the card provider: this page updates by itself.",
        "info",
    ),
    "expired": ("Payment not completed", "Nothing was charged: you can pay again.", "warning"),
    "failed": ("Payment not completed", "The payment failed: you can pay again.", "warning"),
}


class PartnerPayOnlineMixin(PayOnlineMixin, PartnerLiveState, mixin=True):
    """`class PartnerInvoicesState(PartnerPayOnlineMixin, PartnerAuthState)`: the payer is the
    signed-in partner (`GROUP = False`) or its group (`GROUP = True`); the provider sends it
    back to `RETURN_PATH`."""

    GROUP: ClassVar[bool] = False
    RETURN_PATH: ClassVar[str] = ""
    checkout_title: str = ""  # back from the checkout: received / processing / cancelled
    checkout_detail: str = ""
    checkout_kind: str = ""  # success / info / warning
    _returned: str = ""  # ?checkout=… (a checkout id, or "cancelled")

    def _payer(self) -> dict[str, int]:
        return {"group_id": self._gid} if self.GROUP else {"partner_id": self._pid}

    def _actor(self) -> str:
        return f"group:{self._gid}" if self.GROUP else f"partner:{self._pid}"

    def _payer_label(self) -> str:
        return self._actor().replace(":", " ")

    async def _payer_ok(self) -> bool:
        return await self._enter() and (bool(self._gid) or not self.GROUP)

    def _begin_checkout(self, invoice_ids: list[int]) -> PartnerCheckoutStart:
        return begin_partner_checkout(
            db=get_database(),
            invoice_ids=invoice_ids,
            actor=self._actor(),
            return_path=self.RETURN_PATH,
            today=today(),
            **self._payer(),
        )

    def _remember_return(self) -> None:
        """on_load: the checkout this page is coming back from, if any."""
        self.paying = ""
        self._returned = self.router.url.query_parameters.get("checkout", "")[:40]

    def _checkout_status(self) -> str:
        """In a worker thread: the status of the checkout the payer came back from ("" when
        none or not its own)."""
        if self._returned in ("", "cancelled"):
            return self._returned
        return checkout_outcome(db=get_database(), checkout_id=self._returned, **self._payer())

    def _show_return(self, status: str) -> None:
        self.checkout_title, self.checkout_detail, self.checkout_kind = CHECKOUT_NOTICES.get(
            status, ("", "", "")
        )
