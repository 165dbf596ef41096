"""Finance → Invoices in one read: every document, the outstanding ones, the total due, how the
partner pays, and its refused direct debits still to pay."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from concierge_app.db.engine import Database
from concierge_app.domain.direct_debit import BANK_REFUSED
from concierge_app.domain.money import Money, total, totals_by_currency
from concierge_app.domain.partner_checkout import PayingWay
from concierge_app.domain.statuses import (
    PartnerPaymentMethod,
    PartnerPaymentStatus,
)
from concierge_app.services.partner.tables import (
    ALLOCATION,
    BANK_ACCOUNT,
    PARTNER,
    PAYMENT,
)
from concierge_app.services.partner.views.documents.summaries import (
    InvoiceSummary,
    outstanding_of,
    partner_invoices,
)


@dataclass(frozen=True, slots=True)
class FailedDebit:
    """A direct debit the bank refused, whose documents are still to pay: the Invoices page
    says so, why, and what to do."""

    payment_id: int
    amount: Money  # what was requested
    requested_on: date
    failed_on: date
    reason: str
    documents: tuple[str, ...]  # its documents still open, oldest due first
    still_due: Money  # what remains of them


def paying_way(session: Session, partner_id: int, debit_failed: Iterable[int] = ()) -> PayingWay:
    """How the partner pays (its method, its accepted mandate), and the documents whose direct
    debit failed (`debit_failed`, see `failed_debits`)."""
    conn = session.connection()
    method = conn.execute(
        select(PARTNER.c.commission_payment_method).where(PARTNER.c.id == partner_id)
    ).scalar_one()
    mandate = conn.execute(
        select(BANK_ACCOUNT.c.mandate_reference).where(
            BANK_ACCOUNT.c.partner_id == partner_id, BANK_ACCOUNT.c.mandate_signed_on.is_not(None)
        )
    ).scalar()
    return PayingWay(str(method), mandate or "", frozenset(debit_failed))


def failed_debits(
    session: Session, partner_id: int, documents: Sequence[InvoiceSummary]
) -> tuple[list[FailedDebit], frozenset[int]]:
    """The partner's refused direct debits whose documents are still to pay (newest first), and
    the ids of those documents."""
    open_now = {s.id: s for s in documents if s.outstanding.minor > 0}
    rows = session.connection().execute(
        select(
            PAYMENT.c.id,
            PAYMENT.c.currency,
            PAYMENT.c.amount_minor,
            PAYMENT.c.received_on,
            PAYMENT.c.failed_at,
            PAYMENT.c.failure_reason,
            ALLOCATION.c.invoice_id,
        )
        .join(ALLOCATION, ALLOCATION.c.payment_id == PAYMENT.c.id)
        .where(
            PAYMENT.c.partner_id == partner_id,
            PAYMENT.c.method == PartnerPaymentMethod.DIRECT_DEBIT.value,
            PAYMENT.c.status == PartnerPaymentStatus.FAILED.value,
        )
        .order_by(PAYMENT.c.id.desc(), ALLOCATION.c.id)
    )
    found: dict[int, tuple[Any, list[int]]] = {}
    for r in rows:
        found.setdefault(int(r.id), (r, []))[1].append(int(r.invoice_id))
    failed: list[FailedDebit] = []
    ids: set[int] = set()
    for pay, invoices in found.values():
        still = sorted(
            {open_now[i] for i in invoices if i in open_now}, key=lambda s: (s.due_date, s.id)
        )
        if not still:
            continue
        ids.update(s.id for s in still)
        failed.append(
            FailedDebit(
                int(pay.id),
                Money(int(pay.amount_minor), pay.currency),
                pay.received_on,
                pay.received_on if pay.failed_at is None else pay.failed_at.date(),
                pay.failure_reason or BANK_REFUSED,
                tuple(s.number for s in still),
                total((s.outstanding for s in still), pay.currency),
            )
        )
    return failed, frozenset(ids)


@dataclass(frozen=True, slots=True)
class InvoicesView:
    """Finance → Invoices in one read: every document, the outstanding ones, the total due, how
    the partner pays, and its refused direct debits still to pay."""

    documents: list[InvoiceSummary]
    outstanding: list[InvoiceSummary]
    total_due: tuple[Money, ...]  # one per currency
    way: PayingWay | None = None
    failed_debits: tuple[FailedDebit, ...] = ()

    @property
    def overdue(self) -> int:
        return sum(1 for s in self.outstanding if s.overdue)


def invoices_view(*, db: Database, partner_id: int, today: date) -> InvoicesView:
    documents = partner_invoices(db=db, partner_id=partner_id, today=today)
    due = outstanding_of(documents)
    with db.read() as session:
        failed, ids = failed_debits(session, partner_id, due)
        way = paying_way(session, partner_id, ids)
    return InvoicesView(
        documents, due, totals_by_currency(s.outstanding for s in due), way, tuple(failed)
    )
