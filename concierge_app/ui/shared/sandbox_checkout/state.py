"""State of the sandbox checkout page `/sandbox/checkout/[session]` (test mode only).

It plays Stripe's hosted Checkout: shows the session's lines and total, takes a test card and
charges it through the sandbox provider, which sends the signed event to the webhook handler.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging

import reflex as rx

from concierge_app import routes
from concierge_app.domain.formatting import format_money
from concierge_app.domain.i18n import LANGUAGE_LOCALES, N_, gettext, language_of, portal_words
from concierge_app.services.payments.sandbox_checkout import (
    CardRefused,
    SandboxClosed,
    pay_session,
    session_of,
)
from concierge_app.services.shared.database import get_database

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class CheckoutLineRow:
    name: str
    description: str
    amount: str


class SandboxCheckoutState(rx.State):
    view: str = "loading"  # loading / open / complete / expired / missing / off
    # The page's language: the checkout's locale, as Stripe Checkout shows it.
    language: str = "en"
    words: dict[str, str] = portal_words("en")
    pay_label: str = ""
    booking_reference: str = ""
    reference_label: str = "Booking"  # "Property ID" / "Partner ID" / "Group" for a partner
    return_label: str = "Return to your booking"
    email: str = ""
    total: str = ""
    lines: list[CheckoutLineRow] = []
    cancel_url: str = ""
    error: str = ""
    processing: bool = False
    _session: str = ""

    def _session_from_url(self) -> str:
        return routes.path_parameter(self.router.url.path, routes.SANDBOX_CHECKOUT_PREFIX)

    @rx.event
    async def load(self) -> None:
        self.view, self.error, self.processing = "loading", "", False
        self._session = self._session_from_url()
        try:
            session = await asyncio.to_thread(
                session_of, db=get_database(), reference=self._session
            )
        except SandboxClosed:
            self.view = "off"
            return
        if session is None:
            self.view = "missing"
            return
        self.language = language_of(session.locale)
        self.words = portal_words(self.language)
        locale = LANGUAGE_LOCALES[self.language]
        self.booking_reference, self.email = session.booking_reference, session.customer_email
        label, back = _wording(session.booking_reference)
        self.reference_label, self.return_label = gettext(locale, label), gettext(locale, back)
        self.total = format_money(session.amount, locale)
        self.pay_label = gettext(locale, "Pay {amount}", amount=self.total)
        self.lines = [
            CheckoutLineRow(ln.name, ln.description, format_money(ln.amount, locale))
            for ln in session.lines
        ]
        self.cancel_url = session.cancel_url
        self.view = {"open": "open", "complete": "complete"}.get(session.status.value, "expired")

    @rx.event
    async def pay(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        if self.processing:
            return
        self.processing, self.error = True, ""
        yield
        try:
            success_url = await asyncio.to_thread(
                pay_session,
                db=get_database(),
                reference=self._session,
                number=form.get("card", ""),
                expiry=form.get("expiry", ""),
                cvc=form.get("cvc", ""),
            )
        except SandboxClosed:
            self.view, self.processing = "off", False
            return
        except CardRefused as refused:
            self.error, self.processing = gettext(self.language, str(refused)), False
            return
        except Exception:
            logger.exception("Sandbox payment failed for %s", self._session)
            self.error = gettext(
                self.language, "Something went wrong while processing the payment. Try again."
            )
            self.processing = False
            return
        yield rx.redirect(success_url)


# A partner paying commission documents: the checkout carries its property ID (or group code).
_PARTNER_LABELS = {"PRP-": N_("Property ID"), "OPR-": N_("Partner ID"), "GRP-": N_("Group")}


def _wording(reference: str) -> tuple[str, str]:
    """How the page names the checkout's reference, and the way back."""
    label = _PARTNER_LABELS.get(reference[:4].upper())
    if label is None:
        return N_("Booking"), N_("Return to your booking")
    return label, N_("Return to your invoices")


def T(message: str) -> rx.Var[str]:
    """A word of the checkout page, in its language (extracted into `portal.po`)."""
    return SandboxCheckoutState.words[message].to(str)
