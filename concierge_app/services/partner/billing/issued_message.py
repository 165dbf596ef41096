"""The values of the "Partner Invoice Issued" message, read from the issued document when the
message is rendered (it is sent, or shown in the outbox): a commission invoice or its VAT/GST
document, each named by its kind."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, bindparam, select
from sqlmodel import Session

from concierge_app import routes
from concierge_app.db.parties import Partner
from concierge_app.db.partner_billing import PartnerInvoice
from concierge_app.domain.documents import KIND_TITLES, payment_lines
from concierge_app.domain.formatting import format_long_day, format_money, format_month
from concierge_app.domain.i18n import gettext, in_sentence
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import (
    PartnerInvoiceKind,
    PartnerInvoiceState,
    Period,
)
from concierge_app.domain.vat import format_bps, tax_label
from concierge_app.services.partner.platform import platform_details
from concierge_app.services.shared.addresses import public_url
from concierge_app.settings import get_settings

_INV: Table = PartnerInvoice.__table__  # type: ignore[attr-defined]
_P: Table = Partner.__table__  # type: ignore[attr-defined]
_RELATED = _INV.alias("related")
_INVOICE = (
    select(
        _INV.c.id,
        _INV.c.number,
        _INV.c.period,
        _INV.c.kind,
        _INV.c.state,
        _INV.c.currency,
        _INV.c.amount_minor,
        _INV.c.deducted_minor,
        _INV.c.due_date,
        _INV.c.tax_rate_bps,
        _P.c.name,
        _P.c.code,
        _P.c.country,
        _P.c.commission_payment_method,
        _RELATED.c.number.label("related_number"),
    )
    .join(_P, _P.c.id == _INV.c.partner_id)
    .outerjoin(_RELATED, _RELATED.c.id == _INV.c.related_invoice_id)
    .where(_INV.c.id == bindparam("invoice_id"))
)


def document_naming(
    kind: PartnerInvoiceKind,
    *,
    period: str,
    country: str,
    tax_rate_bps: int | None,
    related_number: str | None,
    locale: str = "en_US",
) -> dict[str, str]:
    """How the message names the document: "commission invoice … for the reservations that
    departed in November 2026", "VAT document … (VAT 21 % on commission invoice CM-…)", in the
    language of `locale` (`period` already written in it)."""
    if kind is PartnerInvoiceKind.VAT:
        label = tax_label(country)
        rate = "" if tax_rate_bps is None else f" {format_bps(int(tax_rate_bps))} %"
        on = (
            gettext(locale, " on commission invoice {number}", number=related_number)
            if related_number
            else ""
        )
        return {
            "document_name": gettext(locale, "{label} document", label=label),
            "document_about": f"({label}{rate}{on}, {period})",
            "amount_label": label,
        }
    if kind is PartnerInvoiceKind.COMMISSION:
        return {
            "document_name": gettext(locale, "commission invoice"),
            "document_about": gettext(
                locale, "for the reservations that departed in {period}", period=period
            ),
            "amount_label": gettext(locale, "Commission"),
        }
    title = gettext(locale, KIND_TITLES[kind])
    return {
        "document_name": in_sentence(title, locale),
        "document_about": f"({period})",
        "amount_label": gettext(locale, "Amount"),
    }


def invoice_issued_context(
    session: Session, invoice_id: int, locale: str = "en_US"
) -> dict[str, Any]:
    """Placeholders of the partner_invoice_issued template for one invoice, in the language of
    `locale` (words, dates and money; English by default)."""
    settings = get_settings()
    r = session.connection().execute(_INVOICE, {"invoice_id": invoice_id}).one()
    payable = Money(r.amount_minor - r.deducted_minor, r.currency)
    period = Period.parse(r.period)
    period_label = format_month(period.year, period.month, locale)
    return {
        "platform_name": settings.platform_name,
        "partner_name": r.name,
        "partner_code": r.code,
        **document_naming(
            PartnerInvoiceKind(r.kind),
            period=period_label,
            country=r.country,
            tax_rate_bps=r.tax_rate_bps,
            related_number=r.related_number,
            locale=locale,
        ),
        "invoice_number": r.number,
        "period": period_label,
        "invoice_total": format_money(Money(r.amount_minor, r.currency), locale),
        "amount_payable": format_money(payable, locale),
        "nothing_to_pay": payable.is_zero,
        "due_date": format_long_day(r.due_date, locale),
        "payment_instructions": "\n".join(
            payment_lines(
                kind=PartnerInvoiceKind(r.kind),
                method=r.commission_payment_method,
                state=PartnerInvoiceState(r.state),
                payable=format_money(payable, locale),
                deducted=Money(r.deducted_minor, r.currency),
                nothing_to_pay=payable.is_zero,
                due=r.due_date,
                reference=f"{r.code} {r.number}",
                platform=platform_details(),
                locale=locale,
            )
        ),
        "finance_url": public_url(routes.PARTNER_INVOICES),
    }
