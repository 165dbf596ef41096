"""The ledger's side of a reconciliation: every payment and refund it holds for a window, keyed
by the provider's id it stores (guest payments and partner online payments and direct debits:
"pi_…"; refunds: "re_…"). One without a provider id cannot be matched: it is keyed by our own
id, so it shows as "only in the ledger"."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from concierge_app.db.partner_payments import PartnerPayment
from concierge_app.db.payments import PaymentAttempt, Refund
from concierge_app.domain.checkout import CheckoutStatus
from concierge_app.domain.money import Money
from concierge_app.domain.reconciliation import Item, ItemKind
from concierge_app.domain.statuses import PartnerPaymentMethod, PartnerPaymentStatus, RefundStatus

PROVIDER_METHODS = (PartnerPaymentMethod.ONLINE.value, PartnerPaymentMethod.DIRECT_DEBIT.value)


def ledger_items(session: Session, *, start: datetime, end: datetime) -> list[Item]:
    """Succeeded guest payments (by completion), partner payments through the provider that did
    not fail (by recording) and succeeded refunds (by creation) in [start, end)."""
    a, p, r = PaymentAttempt, PartnerPayment, Refund
    guests = session.exec(
        select(a.id, a.provider_payment_id, a.amount_minor, a.currency).where(
            a.status == CheckoutStatus.SUCCEEDED,
            col(a.completed_at) >= start,
            col(a.completed_at) < end,
        )
    ).all()
    partners = session.exec(
        select(p.id, p.provider_reference, p.amount_minor, p.currency).where(
            col(p.method).in_(PROVIDER_METHODS),
            p.status != PartnerPaymentStatus.FAILED,
            col(p.created_at) >= start,
            col(p.created_at) < end,
        )
    ).all()
    refunds = session.exec(
        select(r.id, r.provider_reference, r.amount_minor, r.currency).where(
            r.status == RefundStatus.SUCCEEDED,
            col(r.created_at) >= start,
            col(r.created_at) < end,
        )
    ).all()
    items = [
        Item(ItemKind.PAYMENT, ref or f"{attempt} (no provider id)", Money(m, c))
        for attempt, ref, m, c in guests
    ]
    items += [
        Item(ItemKind.PAYMENT, ref or f"partner payment {pid} (no provider id)", Money(m, c))
        for pid, ref, m, c in partners
    ]
    items += [
        Item(ItemKind.REFUND, ref or f"refund {rid} (no provider id)", Money(m, c))
        for rid, ref, m, c in refunds
    ]
    return items
