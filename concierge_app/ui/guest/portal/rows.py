"""The guest portal's rows, as the page shows them in the guest's language: invoices, Pay All's
buttons, documents and services, with the phrases computed for them (`gettext`, Babel)."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from typing import Any

from concierge_app.domain.checkout_groups import CheckoutGroup
from concierge_app.domain.formatting import format_day, format_money
from concierge_app.domain.i18n import LANGUAGES, N_, gettext
from concierge_app.services.guest.portal import GuestService
from concierge_app.services.guest.queries import InvoiceView

COLLECTORS = {
    "platform": N_("Paid to {platform}"),
    "property": N_("Paid at the property"),
}
# The services' badges (domain.payment_status), translated where they are shown.
BADGES = (
    N_("Pending Invoice"),
    N_("Payment Pending"),
    N_("Paid"),
    N_("Pay Provider"),
    N_("Included in Stay"),
    N_("Deposit paid — balance payable to the provider at the time of service"),
)
LANGUAGE_CHOICES = list(LANGUAGES.items())


@dataclasses.dataclass(frozen=True)
class PortalLine:
    description: str
    amount: str


@dataclasses.dataclass(frozen=True)
class PortalInvoice:
    id: str
    number: str
    title: str  # "Invoice CI-2026-00012"
    issued: str  # "Sent 12 Jul 2026"
    paid: str  # "Paid 14 Jul 2026"
    total: str
    pay_label: str  # "Pay €120.00"
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


def portal_invoice(view: InvoiceView, locale: str) -> PortalInvoice:
    def day(moment: Any) -> str:
        return format_day(moment.date(), locale) if moment else ""

    total = format_money(view.total, locale)
    return PortalInvoice(
        id=str(view.id),
        number=view.number or "",
        title=gettext(locale, "Invoice {number}", number=view.number or ""),
        issued=gettext(locale, "Sent {date}", date=day(view.issued_at)),
        paid=gettext(locale, "Paid {date}", date=day(view.paid_at)),
        total=total,
        pay_label=gettext(locale, "Pay {amount}", amount=total),
        currency=view.total.currency,
        lines=[PortalLine(ln.description, format_money(ln.amount, locale)) for ln in view.lines],
    )


def pay_all_labels(groups: Sequence[CheckoutGroup], locale: str) -> list[str]:
    """Pay All's button per checkout: one per currency, or several where one currency's
    invoices come to more than one payment can take."""
    per_currency = Counter(g.currency for g in groups)
    seen: Counter[str] = Counter()
    labels = []
    for g in groups:
        seen[g.currency] += 1
        count, total = len(g.invoice_ids), format_money(g.total, locale)
        if len(groups) == 1:
            labels.append(
                gettext(locale, "Pay all {count} invoices · {total}", count=count, total=total)
            )
        elif per_currency[g.currency] == 1:
            labels.append(
                gettext(
                    locale,
                    "Pay all {currency} invoices · {total}",
                    currency=g.currency,
                    total=total,
                )
            )
        else:
            labels.append(
                gettext(
                    locale,
                    "Pay {count} {currency} invoices · {total} (payment {nth} of {of})",
                    count=count,
                    currency=g.currency,
                    total=total,
                    nth=seen[g.currency],
                    of=per_currency[g.currency],
                )
            )
    return labels


def amount_text(service: GuestService, locale: str) -> str:
    if service.amount is None:
        return ""
    money = format_money(service.amount, locale)
    if service.provider_collects is None:
        return money
    return gettext(locale, "Deposit {amount}", amount=money)


def provider_note(service: GuestService, locale: str) -> str:
    """Who the rest is paid to, and when; or what happened to a cancelled service's money."""
    refunded = "" if service.refunded is None else format_money(service.refunded, locale)
    if service.cancelled:
        if service.refund_due:
            return gettext(locale, "Cancelled — your refund is being arranged")
        if refunded:
            return gettext(locale, "Cancelled — refunded {amount}", amount=refunded)
        return gettext(locale, "Cancelled")
    if refunded:
        return gettext(locale, "Refunded {amount}", amount=refunded)
    if service.provider_collects is None:
        return ""
    rest = format_money(service.provider_collects, locale)
    if service.amount is not None:
        return gettext(
            locale,
            "Balance {amount} to {provider} at the time of service",
            amount=rest,
            provider=service.operator_name,
        )
    return gettext(
        locale,
        "Payable: {amount} to {provider} at the time of service",
        amount=rest,
        provider=service.operator_name,
    )
