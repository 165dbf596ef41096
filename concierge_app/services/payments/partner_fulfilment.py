"""A partner's or a group's online checkout (Pay online, Pay all online, the group's payment) in
the one checkout lifecycle (`lifecycle`): its row, and what its success does.

Paid, in the event's transaction: the checkout succeeded, one `PartnerPayment` (method online),
its allocations — the checkout's documents first, then the payer's other open documents oldest
due first, what is left kept as credit — and an audit event. Online money never lands on a
written-off or legal document: those are paid by bank transfer only.
"""

from __future__ import annotations

import enum
from datetime import date
from typing import Any

from sqlalchemy import Table, select, update
from sqlmodel import Session

from concierge_app.db.parties import PartnerGroup
from concierge_app.db.partner_payments import (
    PartnerCheckout,
    PartnerCheckoutInvoice,
    PartnerPayment,
)
from concierge_app.db.types import utcnow
from concierge_app.domain.checkout import CheckoutStatus, Step
from concierge_app.domain.errors import NotFound
from concierge_app.domain.money import Money
from concierge_app.domain.statuses import PartnerPaymentMethod, PartnerPaymentStatus
from concierge_app.services.partner.money.payments import (
    apply_group_payment,
    apply_payment,
    open_items,
)
from concierge_app.services.payments import lifecycle
from concierge_app.services.payments.event_log import DUPLICATE_EVENT, Delivery
from concierge_app.services.payments.lifecycle import Locked, Paid
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import table_of
from concierge_app.services.shared.common import today as business_day

PREFIX = "pc_"  # partner checkout ids; the webhook routes events by it

_G, _CO, _COI = table_of(PartnerGroup), table_of(PartnerCheckout), table_of(PartnerCheckoutInvoice)
_PAY = table_of(PartnerPayment)


class CheckoutOutcome(enum.StrEnum):
    PAID = "partner checkout paid"
    DUPLICATE_EVENT = DUPLICATE_EVENT
    ALREADY_PAID = "partner checkout already paid (ignored)"
    AMOUNT_MISMATCH = "amount or currency differs from the partner checkout (not applied)"
    MARKED_FAILED = "partner checkout marked failed"
    MARKED_EXPIRED = "partner checkout marked expired"
    ALREADY_FINAL = "partner checkout already final (ignored)"
    AWAITING_PAYMENT = "partner checkout completed, payment still processing"


def is_partner_checkout(checkout_id: str | None) -> bool:
    """A partner's or a group's checkout (else a guest's payment attempt)."""
    return str(checkout_id or "").startswith(PREFIX)


class PartnerCheckouts:
    """A partner's or a group's checkouts; `today`: the business day the money counts from
    (None: the day the event is applied)."""

    table: Table = _CO
    words = {
        Step.FULFILLED: CheckoutOutcome.PAID,
        Step.DUPLICATE_EVENT: CheckoutOutcome.DUPLICATE_EVENT,
        Step.ALREADY_FULFILLED: CheckoutOutcome.ALREADY_PAID,
        Step.AMOUNT_MISMATCH: CheckoutOutcome.AMOUNT_MISMATCH,
        Step.MARKED_FAILED: CheckoutOutcome.MARKED_FAILED,
        Step.MARKED_EXPIRED: CheckoutOutcome.MARKED_EXPIRED,
        Step.ALREADY_FINAL: CheckoutOutcome.ALREADY_FINAL,
        Step.AWAITING_PAYMENT: CheckoutOutcome.AWAITING_PAYMENT,
    }
    actions = {
        Step.AMOUNT_MISMATCH: "partner_payment.mismatch",
        Step.MARKED_FAILED: "partner_checkout.failed",
        Step.MARKED_EXPIRED: "partner_checkout.expired",
        Step.AWAITING_PAYMENT: "partner_checkout.processing",
    }

    def __init__(self, today: date | None = None) -> None:
        self.today = today

    def lock(self, session: Session, checkout_id: str) -> Locked:
        conn = session.connection()
        row = conn.execute(select(_CO).where(_CO.c.id == checkout_id).with_for_update()).first()
        if row is None:
            raise NotFound("Payment not found.")
        amount = Money(int(row.amount_minor), row.currency)
        return Locked(checkout_id, CheckoutStatus(row.status), amount, row)

    events_point_at_it = False  # the event table's attempt_id points at guest attempts only

    def audit(
        self, session: Session, locked: Locked, actor: str, action: str, data: dict[str, Any]
    ) -> None:
        subject = f"partner_checkout:{locked.id}"
        record_event(session, actor=actor, action=action, subject=subject, data=data)

    def fulfil(self, session: Session, locked: Locked, delivery: Delivery, paid: Paid) -> None:
        checkout = locked.row
        day = self.today or business_day()
        _apply_paid(session, checkout, day, delivery, paid.payment_reference)
        session.connection().execute(
            update(_CO)
            .where(_CO.c.id == checkout.id)
            .values(
                status=CheckoutStatus.SUCCEEDED.value,
                completed_at=utcnow(),
                provider_reference=checkout.provider_reference or paid.checkout_reference,
            )
        )


def _apply_paid(
    session: Session,
    checkout: Any,
    day: date,
    delivery: Delivery,
    payment_reference: str | None,
) -> None:
    """One online payment, allocated (checkout's documents first), audited."""
    conn = session.connection()
    amount = Money(int(checkout.amount_minor), checkout.currency)
    first = tuple(
        int(i)
        for (i,) in conn.execute(
            select(_COI.c.invoice_id)
            .where(_COI.c.checkout_id == checkout.id)
            .order_by(_COI.c.invoice_id)
        )
    )
    payment_id = conn.execute(
        _PAY.insert()
        .values(
            method=PartnerPaymentMethod.ONLINE.value,
            external_id=checkout.id,
            partner_id=checkout.partner_id,
            group_id=checkout.group_id,
            currency=amount.currency,
            amount_minor=amount.minor,
            provider_reference=payment_reference,
            reference=f"Online payment {checkout.id}",
            received_on=day,
            reflected_on=day,
            status=PartnerPaymentStatus.APPLIED.value,
            created_by=delivery.actor,
            created_at=utcnow(),
        )
        .returning(_PAY.c.id)
    ).scalar_one()
    payer: dict[str, str] = {}
    if checkout.group_id is not None:  # online: written-off / legal documents are left alone
        allocated, left = apply_group_payment(
            session, payment_id=payment_id, effective=day, first=first
        )
        group = conn.execute(select(_G.c.code).where(_G.c.id == checkout.group_id)).one()
        payer["group"] = group.code
    else:
        items = open_items(
            session, amount.currency, partner_id=int(checkout.partner_id), include_black=False
        )
        allocated, left = apply_payment(session, payment_id, items, amount, day, first)
    record_event(
        session,
        actor=delivery.actor,
        action="partner_payment.received",
        subject=f"partner_payment:{payment_id}",
        data={
            "method": PartnerPaymentMethod.ONLINE.value,
            **payer,
            "checkout": checkout.id,
            "amount": str(amount),
            "event": delivery.event_id,
            "allocated": {n: str(m) for n, m in allocated},
            "credit_left": str(left),
        },
    )


def fulfil_partner_checkout(*, today: date | None = None, **event: Any) -> CheckoutOutcome:
    """The provider says the checkout is paid: apply it exactly once (see the module doc).
    `event`: db, checkout_id, provider, event_id, event_type, amount, … (see
    `lifecycle.succeed_event`); `today`: the day the money counts from."""
    return CheckoutOutcome(lifecycle.succeed_event(PartnerCheckouts(today), **event))


def close_partner_checkout(**event: Any) -> CheckoutOutcome:
    """The checkout expired or failed: it closes, nothing else changes (a paid one stays paid).
    `event`: see `lifecycle.close_event`."""
    return CheckoutOutcome(lifecycle.close_event(PartnerCheckouts(), **event))
