"""The sandbox provider's records, read for reconciliation as Stripe's balance is: completed
checkouts and direct debits not failed (payments, keyed by their "pi_…") and the refunds it made
("re_…"). It charges no fees and pays nothing out."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select

from concierge_app.adapters.payments.gateway import Progress
from concierge_app.db.engine import Database
from concierge_app.db.sandbox import SandboxCheckoutSession, SandboxDebit
from concierge_app.db.sandbox_refunds import SandboxRefund
from concierge_app.domain.money import Money
from concierge_app.domain.reconciliation import Item, ItemKind
from concierge_app.domain.statuses import SandboxDebitStatus, SandboxSessionStatus


def read_records(
    db: Database, *, start: datetime, end: datetime, progress: Progress | None = None
) -> tuple[Item, ...]:
    """Everything the sandbox did in [start, end)."""
    s, d, r = SandboxCheckoutSession, SandboxDebit, SandboxRefund
    with db.read() as session:
        paid = session.exec(
            select(s.payment_intent, s.id, s.amount_minor, s.currency).where(
                s.status == SandboxSessionStatus.COMPLETE,
                col(s.completed_at) >= start,
                col(s.completed_at) < end,
            )
        ).all()
        debits = session.exec(
            select(d.id, d.amount_minor, d.currency).where(
                d.status != SandboxDebitStatus.FAILED,
                col(d.created_at) >= start,
                col(d.created_at) < end,
            )
        ).all()
        refunds = session.exec(
            select(r.id, r.amount_minor, r.currency).where(
                col(r.created_at) >= start, col(r.created_at) < end
            )
        ).all()
    items = [Item(ItemKind.PAYMENT, pi or cs, Money(a, c)) for pi, cs, a, c in paid]
    items += [Item(ItemKind.PAYMENT, i, Money(a, c)) for i, a, c in debits]
    items += [Item(ItemKind.REFUND, i, Money(a, c)) for i, a, c in refunds]
    if progress is not None:
        progress(len(items))
    return tuple(items)
