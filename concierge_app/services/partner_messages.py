"""The values of the "Partner Invoice Issued" message, read from the issued invoice when the
message is rendered (it is sent, or shown in the outbox)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, bindparam, select
from sqlmodel import Session

from ..db.parties import Partner
from ..db.partner_billing import PartnerInvoice
from ..documents import payment_lines
from ..domain.money import Money
from ..domain.partner_billing import PartnerInvoiceKind, PartnerInvoiceState, Period, long_date
from ..settings import get_settings
from .formatting import format_money
from .partner_documents import platform_details

_INV: Table = PartnerInvoice.__table__  # type: ignore[attr-defined]
_P: Table = Partner.__table__  # type: ignore[attr-defined]
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
        _P.c.name,
        _P.c.code,
        _P.c.commission_payment_method,
    )
    .join(_P, _P.c.id == _INV.c.partner_id)
    .where(_INV.c.id == bindparam("invoice_id"))
)


def invoice_issued_context(session: Session, invoice_id: int) -> dict[str, Any]:
    """Placeholders of the partner_invoice_issued template for one invoice."""
    settings = get_settings()
    r = session.connection().execute(_INVOICE, {"invoice_id": invoice_id}).one()
    payable = Money(r.amount_minor - r.deducted_minor, r.currency)
    return {
        "platform_name": settings.platform_name,
        "partner_name": r.name,
        "partner_code": r.code,
        "invoice_number": r.number,
        "period": Period.parse(r.period).label,
        "invoice_total": format_money(Money(r.amount_minor, r.currency)),
        "amount_payable": format_money(payable),
        "nothing_to_pay": payable.is_zero,
        "due_date": long_date(r.due_date),
        "payment_instructions": "\n".join(
            payment_lines(
                kind=PartnerInvoiceKind(r.kind),
                method=r.commission_payment_method,
                state=PartnerInvoiceState(r.state),
                payable=format_money(payable),
                deducted=Money(r.deducted_minor, r.currency),
                nothing_to_pay=payable.is_zero,
                due=r.due_date,
                reference=f"{r.code} {r.number}",
                platform=platform_details(),
            )
        ),
        "finance_url": f"{settings.public_base_url.rstrip('/')}/partner/invoices",
    }
