"""Finding a partner by code and a document by number, and the staff's lists of the recent
partner invoices and payouts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select as core_select
from sqlmodel import col, select

from concierge_app.db.engine import Database
from concierge_app.db.parties import Partner
from concierge_app.db.partner_billing import PartnerInvoice, Payout
from concierge_app.domain.errors import NotFound
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import Period
from concierge_app.services.partner.views.documents.summaries import (
    InvoiceSummary,
    document_payments,
    summary_of,
)


def invoice_id_by_number(*, db: Database, partner_id: int, number: str) -> int:
    """The partner's own document by its number; another partner's number is not found."""
    with db.read() as session:
        found = session.exec(
            select(PartnerInvoice.id).where(
                PartnerInvoice.number == number.strip().upper(),
                PartnerInvoice.partner_id == partner_id,
            )
        ).first()
    if found is None:
        raise NotFound("Invoice not found.")
    return int(found)


@dataclass(frozen=True, slots=True)
class StaffInvoiceView:
    partner: str
    document: InvoiceSummary


def recent_partner_invoices(
    *, db: Database, today: date, limit: int = 25
) -> list[StaffInvoiceView]:
    """The newest partner documents across all partners, with their derived status."""
    i, p = PartnerInvoice.__table__, Partner.__table__  # type: ignore[attr-defined]
    stmt = (
        core_select(i, p.c.name.label("partner_name"))
        .join(p, p.c.id == i.c.partner_id)
        .order_by(i.c.id.desc())
        .limit(limit)
    )
    with db.read() as session:
        rows = session.connection().execute(stmt).all()
        payments = document_payments(session, rows, today)
    return [StaffInvoiceView(r.partner_name, summary_of(r, today, payments)) for r in rows]


@dataclass(frozen=True, slots=True)
class StaffPayoutView:
    partner: str
    period: str
    gross: Money
    commission: Money
    net: Money


def recent_payouts(*, db: Database, limit: int = 25) -> list[StaffPayoutView]:
    """The newest payouts across partners: collected gross − commission deducted."""
    with db.read() as session:
        rows = session.exec(
            select(Payout, Partner.name)
            .join(Partner, col(Partner.id) == Payout.partner_id)
            .order_by(col(Payout.period).desc(), col(Partner.name))
            .limit(limit)
        ).all()
    return [
        StaffPayoutView(
            name,
            Period.parse(p.period).label,
            Money(p.gross_minor, p.currency),
            Money(p.commission_minor, p.currency),
            Money(p.net_minor, p.currency),
        )
        for p, name in rows
    ]


@dataclass(frozen=True, slots=True)
class PartnerHeader:
    id: int
    code: str
    name: str
    payment_method: str


def partner_by_code(*, db: Database, code: str) -> PartnerHeader:
    """A partner by its property ID (staff pages)."""
    with db.read() as session:
        row = session.exec(select(Partner).where(Partner.code == code.strip())).first()
        if row is None or row.id is None:
            raise NotFound(f"No partner {code.strip()!r}.")
        return PartnerHeader(row.id, row.code, row.name, row.commission_payment_method)
