"""Money from partners allocated to their documents: every payment (transfer, online, direct
debit, group) and every credit goes through `open_items` (locked), then `apply_payment` — the
invoices the payer quoted or chose first, then oldest due first; written-off and legal documents
only by a bank transfer. What is left stays with the payment as the partner's (or the group's)
credit, applied to documents issued later (`credit`, also run after each month-end run); a
group's payment is spread across its properties (`apply_group_payment`, the breakdown emailed).
`paid_by` reads what each document has been paid; money still processing (a transfer within its
processing days) counts from the day it is reflected.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from concierge_app.db.types import utcnow
from concierge_app.domain.allocation import Allocation, OpenItem, allocate
from concierge_app.domain.errors import Conflict, NotFound
from concierge_app.domain.money import Money
from concierge_app.domain.partner_payments import (
    BLACK_STATES,
    PAYABLE_KINDS,
)
from concierge_app.domain.statuses import PartnerPaymentMethod
from concierge_app.services.partner.money.groups import email_breakdown
from concierge_app.services.partner.tables import ALLOCATION, INVOICE, PARTNER, PAYMENT

LIVE_ALLOCATION = ALLOCATION.c.reversed_at.is_(None)  # an allocation not reversed
METHOD_LABELS = {  # how a payment was made, for people (the ledger, the group page and email)
    PartnerPaymentMethod.BANK_TRANSFER.value: "Bank transfer",
    PartnerPaymentMethod.ONLINE.value: "Online payment",
    PartnerPaymentMethod.DIRECT_DEBIT.value: "Direct debit",
}


def open_items(
    session: Session,
    currency: str,
    *,
    partner_id: int | None = None,
    group_id: int | None = None,
    include_black: bool,
) -> list[OpenItem]:
    """The documents with money still due in `currency` of a partner, or of every property of a
    group (give exactly one); written-off and legal ones only with `include_black` (they are paid
    by bank transfer only). Locked (FOR UPDATE on PostgreSQL, in id order), so two allocations
    landing at once never spend the same document twice."""
    if (partner_id is None) == (group_id is None):
        raise ValueError("Give exactly one of partner_id and group_id.")
    stmt = select(
        INVOICE.c.id,
        INVOICE.c.due_date,
        INVOICE.c.number,
        INVOICE.c.amount_minor,
        INVOICE.c.deducted_minor,
    ).where(INVOICE.c.currency == currency, INVOICE.c.kind.in_([k.value for k in PAYABLE_KINDS]))
    if partner_id is not None:
        stmt = stmt.where(INVOICE.c.partner_id == partner_id)
    else:
        stmt = stmt.join(PARTNER, PARTNER.c.id == INVOICE.c.partner_id).where(
            PARTNER.c.group_id == group_id
        )
    if not include_black:
        stmt = stmt.where(INVOICE.c.state.not_in([s.value for s in BLACK_STATES]))
    conn = session.connection()
    rows = conn.execute(stmt.order_by(INVOICE.c.id).with_for_update(of=INVOICE)).all()
    if not rows:
        return []
    allocated = dict(
        conn.execute(
            select(ALLOCATION.c.invoice_id, func.sum(ALLOCATION.c.amount_minor))
            .where(ALLOCATION.c.invoice_id.in_([r.id for r in rows]), LIVE_ALLOCATION)
            .group_by(ALLOCATION.c.invoice_id)
        ).all()
    )
    items = []
    for r in rows:
        due = int(r.amount_minor) - int(r.deducted_minor) - int(allocated.get(r.id, 0))
        if due > 0:
            items.append(OpenItem(int(r.id), r.due_date, r.number, Money(due, currency)))
    return items


def apply_payment(
    session: Session,
    payment_id: int,
    items: Sequence[OpenItem],
    amount: Money,
    effective: date,
    first: Collection[int],
) -> tuple[list[tuple[str, Money]], Money]:
    """Allocate `amount` of a payment over `items` (from `open_items`): the documents in `first`
    (invoice ids the payer quoted or chose) first, then the rest, each part oldest due first
    (`domain.allocation.allocate`); counting as paid from `effective`. Returns ((invoice number,
    amount) allocated, credit left)."""
    if amount.minor <= 0 or not items:
        return [], amount
    plan = allocate(amount, items, first)
    insert_allocations(session, plan.allocations, effective, payment_id=payment_id)
    numbers = {i.invoice_id: i.number for i in items}
    return [(numbers[a.invoice_id], a.amount) for a in plan.allocations], plan.credit_left


def apply_group_payment(
    session: Session, *, payment_id: int, effective: date, first: Collection[int]
) -> tuple[list[tuple[str, Money]], Money]:
    """Allocate what is left of a group's payment across its properties' open documents (see
    `apply_payment`) and email the breakdown to the group's finance address (once per payment).

    Runs inside the caller's transaction, on a payment row with `group_id` set (locked here).
    Written-off and legal documents take part only when the payment is a bank transfer. What is
    left stays with the payment as the group's credit (`partner_credit` spends it on documents
    issued later). Applying it again spends only what is left of it.
    """
    conn = session.connection()
    pay = conn.execute(select(PAYMENT).where(PAYMENT.c.id == payment_id).with_for_update()).first()
    if pay is None:
        raise NotFound(f"Payment {payment_id} was not found.")
    if pay.group_id is None:
        raise Conflict(f"Payment {payment_id} is not a group's payment.")
    spent = conn.execute(
        select(func.coalesce(func.sum(ALLOCATION.c.amount_minor), 0)).where(
            ALLOCATION.c.payment_id == payment_id, LIVE_ALLOCATION
        )
    ).scalar_one()
    amount = Money(int(pay.amount_minor), pay.currency)
    items = open_items(
        session,
        pay.currency,
        group_id=int(pay.group_id),
        include_black=pay.method == PartnerPaymentMethod.BANK_TRANSFER.value,
    )
    allocated, left = apply_payment(
        session, payment_id, items, amount - Money(int(spent), pay.currency), effective, first
    )
    email_breakdown(
        session,
        payment_id=payment_id,
        group_id=int(pay.group_id),
        amount=amount,
        method_label=METHOD_LABELS.get(pay.method, pay.method),
        received_on=pay.received_on,
        allocated=allocated,
        items=items,
        credit_left=left,
    )
    return allocated, left


def insert_allocations(
    session: Session,
    allocations: Iterable[Allocation],
    effective: date,
    *,
    payment_id: int | None = None,
    credit_note_id: int | None = None,
) -> None:
    """The allocation rows of one payment or one credit note."""
    rows = [
        {
            "invoice_id": a.invoice_id,
            "payment_id": payment_id,
            "credit_note_id": credit_note_id,
            "currency": a.amount.currency,
            "amount_minor": a.amount.minor,
            "effective_on": effective,
            "created_at": utcnow(),
        }
        for a in allocations
    ]
    if rows:
        session.connection().execute(ALLOCATION.insert(), rows)


def paid_by(
    session: Session, invoice_ids: list[int], today: date
) -> dict[int, tuple[int, date | None]]:
    """Per document: (allocated and effective by `today`, the latest day money still processing
    counts — or None)."""
    if not invoice_ids:
        return {}
    rows = session.connection().execute(
        select(ALLOCATION.c.invoice_id, ALLOCATION.c.amount_minor, ALLOCATION.c.effective_on).where(
            ALLOCATION.c.invoice_id.in_(invoice_ids), LIVE_ALLOCATION
        )
    )
    found: dict[int, tuple[int, date | None]] = {}
    for r in rows:
        paid, pending = found.get(r.invoice_id, (0, None))
        if r.effective_on <= today:
            paid += int(r.amount_minor)
        else:
            pending = max(pending or r.effective_on, r.effective_on)
        found[r.invoice_id] = (paid, pending)
    return found
