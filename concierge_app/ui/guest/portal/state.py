"""State of the guest portal `/portal/[reference]?t=…`: the booking and its Payments card.

The token in the link is checked on every load and every action; a missing, wrong, expired or
revoked link, or one for another booking, shows nothing of the booking. Back from the checkout
(`?checkout=<attempt>&r=<return code>`, never the token) the return code is checked the same
way. Live like the staff pages: a payment made anywhere flips the card to Paid without a reload.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import reflex as rx

from concierge_app import routes
from concierge_app.domain.formatting import format_day, format_money
from concierge_app.domain.i18n import LANGUAGES, gettext, language_of, portal_words
from concierge_app.services.guest.document_list import booking_documents
from concierge_app.services.guest.language import set_guest_language
from concierge_app.services.guest.links import booking_for_guest, booking_for_return
from concierge_app.services.guest.portal import GuestPortal, guest_portal
from concierge_app.services.payments.guest_checkout import CANCELLED_BOOKING as CANCELLED_BOOKING
from concierge_app.services.payments.guest_checkout import (
    CheckoutStart,
    attempt_outcome,
    begin_checkout,
)
from concierge_app.services.shared.database import get_database
from concierge_app.settings import get_settings
from concierge_app.ui.guest.portal.rows import (
    COLLECTORS,
    PayAllGroup,
    PortalDocument,
    PortalInvoice,
    PortalService,
    amount_text,
    pay_all_labels,
    portal_invoice,
    provider_note,
)
from concierge_app.ui.shared.live_state import LiveMixin
from concierge_app.ui.shared.pay_online.state import PayOnlineMixin
from concierge_app.ui.shared.stay import format_stay, nights_text

logger = logging.getLogger(__name__)


class PortalState(PayOnlineMixin, LiveMixin, rx.State):
    """One guest's view of one booking (no session: the link's token opens it)."""

    view: str = "loading"  # loading / invalid / portal / error
    # The guest's language: the booking guest's, or the one chosen on the portal (saved on the
    # guest, so messages and documents follow); `words` are the page's words in it (`T`).
    language: str = "en"
    locale: str = "en_US"
    words: dict[str, str] = portal_words("en")
    welcome: str = ""
    stay_heading: str = ""
    cancelled_notice: str = ""
    currency_note: str = ""
    reference: str = ""
    guest_name: str = ""
    property_name: str = ""
    stay: str = ""
    check_in: str = ""
    check_out: str = ""
    nights: str = ""
    booking_cancelled: bool = False
    currency: str = ""
    accommodation_total: str = ""
    accommodation_paid: str = ""
    accommodation_balance: str = ""
    accommodation_collector: str = ""
    open_invoices: list[PortalInvoice] = []
    paid_invoices: list[PortalInvoice] = []
    total_due: str = ""
    pay_all_groups: list[PayAllGroup] = []
    pay_all: bool = False
    services: list[PortalService] = []
    documents: list[PortalDocument] = []
    notice: str = ""  # after returning from the checkout
    notice_kind: str = ""  # success / info / warning
    _token: str = ""
    _return: tuple[str, str] = ("", "")  # (attempt id, return code) when back from a checkout
    _booking_id: int = 0
    _returned_attempt: str = ""

    @rx.var
    def open_count(self) -> int:
        return len(self.open_invoices)

    @rx.var
    def multi_currency(self) -> bool:
        return len({g.currency for g in self.pay_all_groups}) > 1

    @rx.var
    def language_name(self) -> str:
        return LANGUAGES.get(self.language, self.language)

    @rx.var
    def currencies_note(self) -> str:
        """Pay All's note when the open invoices are in several currencies."""
        return gettext(
            self.locale,
            "Your open invoices are in {currencies}. A payment is made in one currency, so "
            "Pay All opens one checkout per currency.",
            currencies=", ".join(sorted({g.currency for g in self.pay_all_groups})),
        )

    def _t(self, message: str, **values: Any) -> str:
        return gettext(self.locale, message, **values)

    def _use_language(self, locale: str) -> None:
        self.locale = locale or "en_US"
        self.language = language_of(self.locale)
        self.words = portal_words(self.language)

    def _say(self, message: str) -> str:
        """A refusal from the services (PayOnlineMixin), in the guest's language."""
        return self._t(message)

    @rx.event
    async def choose_language(self, language: str):  # type: ignore[no-untyped-def]
        """The switcher: the page in that language now, and saved on the guest (messages and
        documents follow) while this tab's link still opens the booking."""
        if language not in LANGUAGES or not self._booking_id:
            return
        if await self._opened(self.reference) != self._booking_id:
            self._forget()
            return
        locale = await asyncio.to_thread(
            set_guest_language, db=get_database(), booking_id=self._booking_id, language=language
        )
        self._use_language(locale)
        await self._reload()

    # -- loading ---------------------------------------------------------------------------
    def _reference_from_url(self) -> str:
        return routes.path_parameter(self.router.url.path, routes.PORTAL_PREFIX).upper()

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        """on_load: check the link, then show the booking it opens."""
        self._forget()  # nothing of a booking shown before stays in this tab's state
        self.view = "loading"
        params = self.router.url.query_parameters
        self._token = params.get("t", "")
        self._returned_attempt = params.get("checkout", "")
        returned = params.get("attempt", "") or self._returned_attempt
        self._return = (returned, params.get("r", "")) if not self._token else ("", "")
        yield
        booking_id = await self._opened(self._reference_from_url())
        if booking_id is None:
            self._forget()
            return
        self._booking_id = booking_id
        await self._reload()
        await self._show_return_notice()

    async def _opened(self, reference: str) -> int | None:
        """The booking this tab's link (or checkout return code) opens now, or None."""
        db = get_database()
        if self._token:
            return await asyncio.to_thread(
                booking_for_guest, db=db, token=self._token, reference=reference
            )
        attempt, code = self._return
        return await asyncio.to_thread(
            booking_for_return, db=db, attempt_id=attempt, code=code, reference=reference
        )

    def _forget(self) -> None:
        """Back to an empty, invalid portal: every field of every booking cleared."""
        self.reset()
        self.view = "invalid"
        self._token, self._booking_id, self._returned_attempt = "", 0, ""
        self._return = ("", "")

    def _may_reload(self) -> bool:
        return bool(self._booking_id) and not self.paying

    def _version_scope(self) -> dict[str, Any]:
        return {"booking_id": self._booking_id}

    async def _reload(self) -> None:
        try:
            portal = await asyncio.to_thread(
                guest_portal, db=get_database(), booking_id=self._booking_id
            )
            documents = await asyncio.to_thread(
                booking_documents, db=get_database(), booking_id=self._booking_id
            )
        except Exception:
            logger.exception("Could not load the portal of booking %s", self._booking_id)
            self.view = "error"
            return
        self._show(portal)
        self.documents = [
            PortalDocument(
                d.title(self.locale),
                format_day(d.day, self.locale),
                format_money(d.amount, self.locale),
                self._url(d.number),
            )
            for d in documents
        ]
        self.version = portal.version
        self.view = "portal"
        if self._returned_attempt and self.notice_kind == "info":
            await self._show_return_notice()

    def _show(self, portal: GuestPortal) -> None:
        h, t = portal.header, portal.totals
        self._use_language(h.locale)
        loc = self.locale
        self.reference, self.guest_name, self.property_name = (
            h.reference,
            h.guest_name,
            h.property_name,
        )
        self.welcome = self._t("Welcome, {name}", name=h.guest_name)
        self.stay_heading = self._t("Your stay at {place}", place=h.property_name)
        self.stay = format_stay(h.check_in, h.check_out, loc)
        self.check_in, self.check_out = format_day(h.check_in, loc), format_day(h.check_out, loc)
        self.nights = nights_text(h.check_in, h.check_out, loc)
        self.booking_cancelled = h.status == "cancelled"
        self.cancelled_notice = self._t(CANCELLED_BOOKING)
        self.currency = h.currency
        self.currency_note = self._t("Currency: {currency}", currency=h.currency)
        self.accommodation_total = format_money(t.accommodation_total, loc)
        self.accommodation_paid = format_money(t.accommodation_paid, loc)
        self.accommodation_balance = format_money(t.outstanding_accommodation, loc)
        collector = COLLECTORS.get(h.accommodation_collected_by)
        self.accommodation_collector = (
            self._t(collector, platform=get_settings().platform_name) if collector else ""
        )
        self.open_invoices = [portal_invoice(v, loc) for v in portal.open_invoices]
        self.paid_invoices = [portal_invoice(v, loc) for v in portal.paid_invoices]
        self.total_due = " + ".join(format_money(m, loc) for m in portal.total_due)
        self.pay_all_groups = [
            PayAllGroup(
                ids=",".join(map(str, g.invoice_ids)),
                currency=g.currency,
                count=str(len(g.invoice_ids)),
                total=format_money(g.total, loc),
                label=label,
            )
            for g, label in zip(portal.pay_all, pay_all_labels(portal.pay_all, loc), strict=True)
        ]
        if len(self.open_invoices) < 2:
            self.pay_all = False
        self.services = [
            PortalService(
                title=s.title,
                description=s.description,
                operator=s.operator_name,
                date=format_day(s.service_date, loc),
                badge=self._t(s.badge) if s.badge else "",
                colour=s.colour,
                amount=amount_text(s, loc),
                note=provider_note(s, loc),
            )
            for s in portal.services
        ]

    def _url(self, number: str) -> str:
        """A document's link this tab may open: its token, or its checkout's return code."""
        attempt, code = self._return
        return routes.guest_document(
            self.reference,
            number,
            token=self._token,
            returned=f"{attempt}:{code}" if attempt and not self._token else "",
        )

    async def _show_return_notice(self) -> None:
        """After the checkout: what the ledger says (the redirect itself proves nothing)."""
        attempt = self._returned_attempt
        if not attempt:
            return
        if attempt == "cancelled":
            self.notice = self._t("Payment cancelled — nothing was charged.")
            self.notice_kind = "warning"
            return
        outcome = await asyncio.to_thread(
            attempt_outcome, db=get_database(), booking_id=self._booking_id, attempt_id=attempt
        )
        if outcome == "succeeded":
            self.notice = self._t("Thank you — your payment was received.")
            self.notice_kind = "success"
        elif outcome == "open":
            self.notice = self._t("Thank you — we are confirming your payment with the bank…")
            self.notice_kind = "info"
        else:
            self.notice, self.notice_kind = "", ""

    # -- paying ----------------------------------------------------------------------------
    @rx.event
    def toggle_pay_all(self, on: bool) -> None:
        self.pay_all = on and len(self.open_invoices) >= 2

    # Pay and Pay All (PayOnlineMixin): while this tab's link still opens this booking.
    def _may_pay(self) -> bool:
        return bool(self._booking_id) and not self.paying

    async def _payer_ok(self) -> bool:
        return await self._opened(self.reference) == self._booking_id

    def _payer_gone(self) -> None:
        self._forget()

    def _begin_checkout(self, invoice_ids: list[int]) -> CheckoutStart:
        return begin_checkout(
            db=get_database(), booking_id=self._booking_id, invoice_ids=invoice_ids
        )

    def _payer_label(self) -> str:
        return f"booking {self._booking_id}"


def T(message: str) -> rx.Var[str]:
    """A word of the guest's pages, in the guest's language (extracted into `portal.po`)."""
    return PortalState.words[message].to(str)
