"""State of the guest portal `/portal/[reference]?t=…`: the booking and its Payments card.

The token in the link is checked on every load and every action; a missing, wrong, expired or
revoked link, or one for another booking, shows nothing of the booking. Back from the checkout
(`?checkout=<attempt>&r=<return code>`, never the token) the return code is checked the same
way. Live like the staff pages: a payment made anywhere flips the card to Paid without a reload.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections import Counter
from collections.abc import Sequence
from typing import Any

import reflex as rx

from concierge_app import routes
from concierge_app.domain.checkout_groups import CheckoutGroup
from concierge_app.domain.formatting import format_day, format_money
from concierge_app.domain.i18n import gettext
from concierge_app.services.guest.credit_notes import CreditNoteRow, booking_credit_notes
from concierge_app.services.guest.guest_invoices import InvoiceFileRow, booking_invoice_files
from concierge_app.services.guest.links import booking_for_guest, booking_for_return
from concierge_app.services.guest.portal import GuestPortal, GuestService, guest_portal
from concierge_app.services.guest.queries import InvoiceView
from concierge_app.services.guest.receipts import ReceiptRow, booking_receipts
from concierge_app.services.payments.guest_checkout import CANCELLED_BOOKING as CANCELLED_BOOKING
from concierge_app.services.payments.guest_checkout import (
    CheckoutStart,
    attempt_outcome,
    begin_checkout,
)
from concierge_app.services.shared.database import get_database
from concierge_app.settings import get_settings
from concierge_app.ui.shared.live_state import LiveMixin
from concierge_app.ui.shared.pay_online.state import PayOnlineMixin
from concierge_app.ui.shared.stay import format_stay, nights_text

logger = logging.getLogger(__name__)

COLLECTORS = {
    "platform": f"Paid to {get_settings().platform_name}",
    "property": "Paid at the property",
}


@dataclasses.dataclass(frozen=True)
class PortalLine:
    description: str
    amount: str


@dataclasses.dataclass(frozen=True)
class PortalInvoice:
    id: str
    number: str
    issued: str
    paid: str
    total: str
    currency: str
    lines: list[PortalLine]


@dataclasses.dataclass(frozen=True)
class PortalDocument:
    """A document of the booking to download: a sent invoice or a receipt."""

    title: str  # "Receipt RC-000001"
    date: str
    amount: str
    url: str


@dataclasses.dataclass(frozen=True)
class PayAllGroup:
    ids: str  # comma-separated invoice ids
    currency: str
    count: str
    total: str
    label: str


@dataclasses.dataclass(frozen=True)
class PortalService:
    title: str
    description: str
    operator: str
    date: str
    badge: str
    colour: str
    amount: str
    note: str


def _invoice(view: InvoiceView) -> PortalInvoice:
    return PortalInvoice(
        id=str(view.id),
        number=view.number or "",
        issued=format_day(view.issued_at.date()) if view.issued_at else "",
        paid=format_day(view.paid_at.date()) if view.paid_at else "",
        total=format_money(view.total),
        currency=view.total.currency,
        lines=[PortalLine(ln.description, format_money(ln.amount)) for ln in view.lines],
    )


def _pay_all_labels(groups: Sequence[CheckoutGroup]) -> list[str]:
    """Pay All's button per checkout: one per currency, or several where one currency's
    invoices come to more than one payment can take."""
    per_currency = Counter(g.currency for g in groups)
    seen: Counter[str] = Counter()
    labels = []
    for g in groups:
        seen[g.currency] += 1
        count, total = len(g.invoice_ids), format_money(g.total)
        if len(groups) == 1:
            labels.append(f"Pay all {count} invoices · {total}")
        elif per_currency[g.currency] == 1:
            labels.append(f"Pay all {g.currency} invoices · {total}")
        else:
            labels.append(
                f"Pay {count} {g.currency} invoices · {total} "
                f"(payment {seen[g.currency]} of {per_currency[g.currency]})"
            )
    return labels


def _amount_text(service: GuestService) -> str:
    if service.amount is None:
        return ""
    money = format_money(service.amount)
    return f"Deposit {money}" if service.provider_collects is not None else money


def _provider_note(service: GuestService) -> str:
    """Who the rest is paid to, and when; or what happened to a cancelled service's money."""
    refunded = "" if service.refunded is None else format_money(service.refunded)
    if service.cancelled:
        if service.refund_due:
            return "Cancelled — your refund is being arranged"
        return f"Cancelled — refunded {refunded}" if refunded else "Cancelled"
    if refunded:
        return f"Refunded {refunded}"
    if service.provider_collects is None:
        return ""
    rest = format_money(service.provider_collects)
    what = "Balance" if service.amount is not None else "Payable:"
    return f"{what} {rest} to {service.operator_name} at the time of service"


class PortalState(PayOnlineMixin, LiveMixin, rx.State):
    """One guest's view of one booking (no session: the link's token opens it)."""

    view: str = "loading"  # loading / invalid / portal / error
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
    def currencies_text(self) -> str:
        return " and ".join(sorted({g.currency for g in self.pay_all_groups}))

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

    def _may_poll(self) -> bool:
        return bool(self._booking_id) and not self.paying

    def _version_scope(self) -> dict[str, Any]:
        return {"booking_id": self._booking_id}

    async def _reload(self) -> None:
        try:
            portal = await asyncio.to_thread(
                guest_portal, db=get_database(), booking_id=self._booking_id
            )
            receipts = await asyncio.to_thread(
                booking_receipts, db=get_database(), booking_id=self._booking_id
            )
            invoices = await asyncio.to_thread(
                booking_invoice_files, db=get_database(), booking_id=self._booking_id
            )
            credit_notes = await asyncio.to_thread(
                booking_credit_notes, db=get_database(), booking_id=self._booking_id
            )
        except Exception:
            logger.exception("Could not load the portal of booking %s", self._booking_id)
            self.view = "error"
            return
        self._show(portal)
        self.documents = (
            [self._invoice_file(i) for i in invoices]
            + [self._document(r) for r in receipts]
            + [self._credit_note(n) for n in credit_notes]
        )
        self.version = portal.version
        self.view = "portal"
        if self._returned_attempt and self.notice_kind == "info":
            await self._show_return_notice()

    def _show(self, portal: GuestPortal) -> None:
        h, t = portal.header, portal.totals
        self.reference, self.guest_name, self.property_name = (
            h.reference,
            h.guest_name,
            h.property_name,
        )
        self.stay = format_stay(h.check_in, h.check_out)
        self.check_in, self.check_out = format_day(h.check_in), format_day(h.check_out)
        self.nights = nights_text(h.check_in, h.check_out)
        self.booking_cancelled = h.status == "cancelled"
        self.currency = h.currency
        self.accommodation_total = format_money(t.accommodation_total)
        self.accommodation_paid = format_money(t.accommodation_paid)
        self.accommodation_balance = format_money(t.outstanding_accommodation)
        self.accommodation_collector = COLLECTORS.get(h.accommodation_collected_by, "")
        self.open_invoices = [_invoice(v) for v in portal.open_invoices]
        self.paid_invoices = [_invoice(v) for v in portal.paid_invoices]
        self.total_due = " + ".join(format_money(m) for m in portal.total_due)
        self.pay_all_groups = [
            PayAllGroup(
                ids=",".join(map(str, g.invoice_ids)),
                currency=g.currency,
                count=str(len(g.invoice_ids)),
                total=format_money(g.total),
                label=label,
            )
            for g, label in zip(portal.pay_all, _pay_all_labels(portal.pay_all), strict=True)
        ]
        if len(self.open_invoices) < 2:
            self.pay_all = False
        self.services = [
            PortalService(
                title=s.title,
                description=s.description,
                operator=s.operator_name,
                date=format_day(s.service_date),
                badge=s.badge,
                colour=s.colour,
                amount=_amount_text(s),
                note=_provider_note(s),
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

    def _document(self, receipt: ReceiptRow) -> PortalDocument:
        return PortalDocument(
            f"Receipt {receipt.number}",
            format_day(receipt.paid_at.date()),
            format_money(receipt.amount),
            self._url(receipt.number),
        )

    def _credit_note(self, note: CreditNoteRow) -> PortalDocument:
        return PortalDocument(
            gettext(None, "Credit note {number}", number=note.number),  # the guest's locale: TBD
            format_day(note.issued_at.date()),
            format_money(note.amount),
            self._url(note.number),
        )

    def _invoice_file(self, invoice: InvoiceFileRow) -> PortalDocument:
        return PortalDocument(
            f"Invoice {invoice.number}",
            format_day(invoice.issued_at.date()),
            format_money(invoice.total),
            self._url(invoice.number),
        )

    async def _show_return_notice(self) -> None:
        """After the checkout: what the ledger says (the redirect itself proves nothing)."""
        attempt = self._returned_attempt
        if not attempt:
            return
        if attempt == "cancelled":
            self.notice, self.notice_kind = "Payment cancelled — nothing was charged.", "warning"
            return
        outcome = await asyncio.to_thread(
            attempt_outcome, db=get_database(), booking_id=self._booking_id, attempt_id=attempt
        )
        if outcome == "succeeded":
            self.notice = "Thank you — your payment was received."
            self.notice_kind = "success"
        elif outcome == "open":
            self.notice = "Thank you — we are confirming your payment with the bank…"
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
