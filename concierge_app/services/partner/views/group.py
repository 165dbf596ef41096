"""The group page (`/partner/group`) in one read: every property of a group account with its
outstanding documents, every property's documents together in the order a payment pays them
(oldest due first), the total due across them per currency, what can be paid online, the
group's credit and its recent payments with their allocation breakdown.

Only the signed-in login's own group is read (the state passes the group of its identity).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from concierge_app.db.engine import Database
from concierge_app.db.parties import Partner, PartnerGroup
from concierge_app.db.partner_billing import PartnerInvoice
from concierge_app.db.partner_payments import PartnerAllocation, PartnerPayment
from concierge_app.domain.allocation import OpenItem, oldest_due_first
from concierge_app.domain.errors import NotFound
from concierge_app.domain.money import Money, totals_by_currency
from concierge_app.domain.partner_checkout import online_candidate, online_refusal
from concierge_app.domain.statuses import PartnerPaymentStatus
from concierge_app.services.partner.money.credit import credit_left
from concierge_app.services.partner.money.payments import METHOD_LABELS, paid_by
from concierge_app.services.partner.platform import platform_details
from concierge_app.services.partner.views.documents import (
    InvoiceSummary,
    PlatformDetails,
    outstanding_of,
    summary_of,
)
from concierge_app.services.shared.common import table_of

_G, _P, _INV, _PAY, _ALLOC = (
    table_of(PartnerGroup),
    table_of(Partner),
    table_of(PartnerInvoice),
    table_of(PartnerPayment),
    table_of(PartnerAllocation),
)
RECENT_PAYMENTS = 10


@dataclass(frozen=True, slots=True)
class PropertyBalance:
    partner_id: int
    code: str
    name: str
    outstanding: list[InvoiceSummary]  # due first on top (as on the Invoices page)
    total_due: tuple[Money, ...]  # one per currency
    overdue: int  # how many of its documents are overdue


@dataclass(frozen=True, slots=True)
class GroupDocument:
    """An outstanding document of one of the group's properties."""

    property_code: str
    property_name: str
    summary: InvoiceSummary


@dataclass(frozen=True, slots=True)
class AllocationLine:
    property_code: str
    property_name: str
    number: str
    amount: Money


@dataclass(frozen=True, slots=True)
class GroupPayment:
    payment_id: int
    method_label: str
    received_on: date
    reflected_on: date
    amount: Money
    reference: str
    lines: tuple[AllocationLine, ...]
    credit_left: Money


@dataclass(frozen=True, slots=True)
class OnlinePayable:
    """What "Pay all online" pays in one currency: the documents due that are not written off
    or with legal (paid by transfer only) and not already processing."""

    amount: Money
    invoice_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class GroupView:
    group_id: int
    code: str
    name: str
    finance_email: str
    properties: list[PropertyBalance]
    documents: list[GroupDocument]  # every property's, oldest due first (the order money pays)
    total_due: tuple[Money, ...]  # across every property, one per currency
    online: tuple[OnlinePayable, ...]  # one per currency
    credit: tuple[Money, ...]  # the group's credit not applied yet, per currency
    payments: list[GroupPayment]  # newest first
    platform: PlatformDetails

    @property
    def overdue(self) -> int:
        return sum(p.overdue for p in self.properties)


def group_view(*, db: Database, group_id: int, today: date) -> GroupView:
    """The group's page. NotFound for an unknown group."""
    with db.read() as session:
        conn = session.connection()
        group = conn.execute(select(_G).where(_G.c.id == group_id)).first()
        if group is None:
            raise NotFound("Group not found.")
        members = conn.execute(
            select(_P.c.id, _P.c.code, _P.c.name)
            .where(_P.c.group_id == group_id)
            .order_by(_P.c.code)
        ).all()
        rows = conn.execute(
            select(_INV)
            .join(_P, _P.c.id == _INV.c.partner_id)
            .where(_P.c.group_id == group_id)
            .order_by(_INV.c.invoice_date.desc(), _INV.c.id.desc())
        ).all()
        payments = paid_by(session, [int(r.id) for r in rows], today)
        pays = conn.execute(
            select(_PAY)
            .where(
                _PAY.c.group_id == group_id,
                _PAY.c.status == PartnerPaymentStatus.APPLIED.value,
            )
            .order_by(_PAY.c.received_on.desc(), _PAY.c.id.desc())
        ).all()
        spent = dict(
            conn.execute(
                select(_ALLOC.c.payment_id, func.sum(_ALLOC.c.amount_minor))
                .where(
                    _ALLOC.c.payment_id.in_([int(p.id) for p in pays]),
                    _ALLOC.c.reversed_at.is_(None),
                )
                .group_by(_ALLOC.c.payment_id)
            ).all()
        )
        recent = [int(p.id) for p in pays[:RECENT_PAYMENTS]]
        lines = conn.execute(
            select(
                _ALLOC.c.payment_id,
                _ALLOC.c.amount_minor,
                _ALLOC.c.currency,
                _INV.c.number,
                _P.c.code,
                _P.c.name,
            )
            .join(_INV, _INV.c.id == _ALLOC.c.invoice_id)
            .join(_P, _P.c.id == _INV.c.partner_id)
            .where(_ALLOC.c.payment_id.in_(recent), _ALLOC.c.reversed_at.is_(None))
            .order_by(_ALLOC.c.id)
        ).all()
        credit = credit_left(session, group_id=group_id, as_of=today)
    by_partner: dict[int, list[InvoiceSummary]] = {int(m.id): [] for m in members}
    for r in rows:
        by_partner.setdefault(int(r.partner_id), []).append(summary_of(r, today, payments))
    properties = []
    for m in members:
        due = outstanding_of(by_partner[int(m.id)])
        properties.append(
            PropertyBalance(
                int(m.id),
                m.code,
                m.name,
                due,
                totals_by_currency(s.outstanding for s in due),
                sum(1 for s in due if s.overdue),
            )
        )
    documents = _payment_order(properties)
    every_due = [d.summary for d in documents]
    online = [
        d.summary
        for d in documents
        if online_refusal(online_candidate(d.summary, d.property_code)) is None
    ]
    breakdown: dict[int, list[AllocationLine]] = {}
    for ln in lines:
        breakdown.setdefault(int(ln.payment_id), []).append(
            AllocationLine(ln.code, ln.name, ln.number, Money(int(ln.amount_minor), ln.currency))
        )
    return GroupView(
        group_id=group_id,
        code=group.code,
        name=group.name,
        finance_email=group.finance_email,
        properties=properties,
        documents=documents,
        total_due=totals_by_currency(s.outstanding for s in every_due),
        online=tuple(
            OnlinePayable(
                amount,
                tuple(s.id for s in online if s.outstanding.currency == amount.currency),
            )
            for amount in totals_by_currency(s.outstanding for s in online)
        ),
        credit=tuple(credit.values()),
        payments=[
            GroupPayment(
                int(p.id),
                METHOD_LABELS.get(p.method, p.method),
                p.received_on,
                p.reflected_on,
                Money(int(p.amount_minor), p.currency),
                p.reference,
                tuple(breakdown.get(int(p.id), ())),
                Money(int(p.amount_minor) - int(spent.get(p.id, 0)), p.currency),
            )
            for p in pays[:RECENT_PAYMENTS]
        ],
        platform=platform_details(),
    )


def _payment_order(properties: list[PropertyBalance]) -> list[GroupDocument]:
    """Every property's outstanding documents in the order a group payment pays them."""
    docs = {s.id: GroupDocument(p.code, p.name, s) for p in properties for s in p.outstanding}
    order = oldest_due_first(
        OpenItem(d.summary.id, d.summary.due_date, d.summary.number, d.summary.outstanding)
        for d in docs.values()
    )
    return [docs[i.invoice_id] for i in order]
