"""Money from partners and corrections to their documents.

Bank transfers are recorded by staff (or imported from a bank statement) and matched by their
reference — property ID + invoice number — to a partner, or — a group code ("GRP-7001") — to a
group account (`partner_groups`: allocated across the group's properties, the breakdown
emailed); an unmatched or ambiguous one waits in a queue for staff. Every payment (transfer,
online, group) is allocated here, the same way: `open_items` (locked), then `apply_payment` —
the invoices the payer quoted or chose first, then oldest due first; written-off and legal
documents only by a bank transfer. What is left stays with the payment as the partner's (or the
group's) credit, applied to documents issued later (`partner_credit`, also run after each
month-end run). A transfer counts as paid once its processing days have passed.
Every effect is audited (which moves the change feed: open views update live).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from ..db.engine import Database
from ..db.parties import Partner, PartnerGroup
from ..db.partner_billing import PartnerInvoice
from ..db.partner_payments import (
    PartnerAllocation,
    PartnerPayment,
    PartnerPaymentMethod,
    PartnerPaymentStatus,
)
from ..db.types import utcnow
from ..domain.allocation import Allocation, OpenItem, allocate
from ..domain.errors import Conflict, DomainError, NotFound
from ..domain.money import Money
from ..domain.partner_billing import PartnerInvoiceKind
from ..domain.partner_payments import BLACK_STATES, PAYABLE_KINDS, read_reference, reflected_on
from ..settings import get_settings
from .audit import record_event
from .common import table_of
from .partner_groups import email_breakdown, match_group

_INV, _PAY, _ALLOC, _P, _G = (
    table_of(PartnerInvoice),
    table_of(PartnerPayment),
    table_of(PartnerAllocation),
    table_of(Partner),
    table_of(PartnerGroup),
)
_LIVE = _ALLOC.c.reversed_at.is_(None)
METHOD_LABELS = {  # how a payment was made, for people (the ledger, the group page and email)
    PartnerPaymentMethod.BANK_TRANSFER.value: "Bank transfer",
    PartnerPaymentMethod.ONLINE.value: "Online payment",
    PartnerPaymentMethod.DIRECT_DEBIT.value: "Direct debit",
}


@dataclass(frozen=True, slots=True)
class TransferOutcome:
    payment_id: int
    matched: bool
    partner_code: str | None  # the partner's code, or the group's ("GRP-…") for a group payment
    allocated: tuple[tuple[str, Money], ...]  # (invoice number, amount)
    credit_left: Money
    reflected_on: date
    reason: str | None  # why it waits in the queue
    duplicate: bool  # this bank line was already recorded: nothing changed


def record_bank_transfer(
    *,
    db: Database,
    amount: Money,
    reference: str,
    received_on: date,
    external_id: str,
    actor: str,
    payer: str = "",
) -> TransferOutcome:
    """Record an incoming transfer once (by the bank's id) and apply it, or queue it."""
    if amount.minor <= 0:
        raise DomainError("A transfer must be more than zero.", field="amount")
    external_id = external_id.strip()
    if not external_id:
        raise DomainError("Give the bank's transaction id.", field="external_id")
    reflected = reflected_on(received_on, get_settings().transfer_processing_days)
    try:
        with db.transaction() as session:
            outcome = _record_transfer(
                session, amount, reference, received_on, reflected, external_id, actor, payer
            )
    except IntegrityError:  # recorded meanwhile by another import of the same statement?
        if not _is_recorded(db, external_id):
            raise
        outcome = None
    return outcome or _existing_transfer(db, external_id, amount)


def _is_recorded(db: Database, external_id: str) -> bool:
    with db.read() as session:
        return (
            session.connection()
            .execute(
                select(_PAY.c.id).where(
                    _PAY.c.method == PartnerPaymentMethod.BANK_TRANSFER.value,
                    _PAY.c.external_id == external_id,
                )
            )
            .first()
            is not None
        )


def _record_transfer(
    session: Session,
    amount: Money,
    reference: str,
    received_on: date,
    reflected: date,
    external_id: str,
    actor: str,
    payer: str,
) -> TransferOutcome | None:
    """The transfer recorded and applied or queued; None when this bank line is already in."""
    conn = session.connection()
    existing = conn.execute(
        select(_PAY.c.id).where(
            _PAY.c.method == PartnerPaymentMethod.BANK_TRANSFER.value,
            _PAY.c.external_id == external_id,
        )
    ).first()
    if existing is not None:
        return None
    group = match_group(session, reference, amount.currency)
    if group is None:
        partner, quoted, reason = _match(session, reference, amount.currency)
    else:
        partner, quoted, reason = None, group.invoice_ids, group.reason
    group_id = None if group is None else group.group_id
    matched = partner is not None or group_id is not None
    code = partner.code if partner else (group.code if group_id and group else None)
    payment_id = conn.execute(
        _PAY.insert()
        .values(
            method=PartnerPaymentMethod.BANK_TRANSFER.value,
            external_id=external_id,
            partner_id=partner.id if partner else None,
            group_id=group_id,
            currency=amount.currency,
            amount_minor=amount.minor,
            reference=reference[:300],
            payer=payer[:200],
            received_on=received_on,
            reflected_on=reflected,
            status=(PartnerPaymentStatus.APPLIED if matched else PartnerPaymentStatus.QUEUED).value,
            queue_reason=reason,
            created_by=actor,
            created_at=utcnow(),
        )
        .returning(_PAY.c.id)
    ).scalar_one()
    allocated: list[tuple[str, Money]] = []
    left = amount
    if partner is not None:  # a transfer may pay written-off / legal documents too
        items = open_items(session, amount.currency, partner_id=partner.id, include_black=True)
        allocated, left = apply_payment(session, payment_id, items, amount, reflected, quoted)
    elif group_id is not None:
        allocated, left = apply_group_payment(
            session, payment_id=payment_id, effective=reflected, first=quoted
        )
    record_event(
        session,
        actor=actor,
        action="partner_payment.received" if matched else "partner_payment.queued",
        subject=f"partner_payment:{payment_id}",
        data={
            "method": "bank_transfer",
            "amount": str(amount),
            "reference": reference,
            "partner": partner.code if partner else None,
            **({"group": code} if group_id is not None else {}),
            "allocated": {n: str(m) for n, m in allocated},
            "credit_left": str(left),
            "reflected_on": reflected.isoformat(),
            "reason": reason,
        },
    )
    return TransferOutcome(
        payment_id,
        matched,
        code,
        tuple(allocated),
        left,
        reflected,
        reason,
        False,
    )


def _existing_transfer(db: Database, external_id: str, amount: Money) -> TransferOutcome:
    """The transfer already recorded under this bank id (the same amount, or it is refused:
    two different transfers under one bank id is a bad statement, not a duplicate)."""
    with db.read() as session:
        conn = session.connection()
        pay = conn.execute(
            select(_PAY, func.coalesce(_P.c.code, _G.c.code).label("code"))
            .outerjoin(_P, _P.c.id == _PAY.c.partner_id)
            .outerjoin(_G, _G.c.id == _PAY.c.group_id)
            .where(
                _PAY.c.method == PartnerPaymentMethod.BANK_TRANSFER.value,
                _PAY.c.external_id == external_id,
            )
        ).one()
        if Money(int(pay.amount_minor), pay.currency) != amount:
            raise DomainError(
                f"Bank transaction {external_id} is already recorded, for "
                f"{Money(int(pay.amount_minor), pay.currency)}, not {amount}.",
                field="external_id",
            )
        rows = conn.execute(
            select(_INV.c.number, _ALLOC.c.amount_minor)
            .join(_INV, _INV.c.id == _ALLOC.c.invoice_id)
            .where(_ALLOC.c.payment_id == pay.id, _LIVE)
            .order_by(_ALLOC.c.id)
        ).all()
    allocated = tuple((r.number, Money(int(r.amount_minor), pay.currency)) for r in rows)
    spent = sum(int(r.amount_minor) for r in rows)
    return TransferOutcome(
        int(pay.id),
        pay.partner_id is not None or pay.group_id is not None,
        pay.code,
        allocated,
        Money(int(pay.amount_minor) - spent, pay.currency),
        pay.reflected_on,
        pay.queue_reason,
        True,
    )


def _match(
    session: Session, reference: str, currency: str
) -> tuple[Any | None, tuple[int, ...], str | None]:
    """(partner, quoted invoice ids, why not matched) for a transfer's reference."""
    conn = session.connection()
    quoted = read_reference(reference)
    invoices = (
        conn.execute(
            select(_INV.c.id, _INV.c.partner_id, _INV.c.currency, _INV.c.number).where(
                func.upper(_INV.c.number).in_(quoted.numbers)
            )
        ).all()
        if quoted.numbers
        else []
    )
    named = (
        conn.execute(select(_P).where(func.upper(_P.c.code).in_(quoted.words))).all()
        if quoted.words
        else []
    )
    owners = {i.partner_id for i in invoices}
    if quoted.numbers and not invoices:
        return None, (), f"No invoice {', '.join(quoted.numbers)}."
    if len(owners) > 1:
        return None, (), "The reference quotes invoices of several partners."
    if owners:
        (owner,) = owners
        if named and {p.id for p in named} != {owner}:
            return None, (), "The property ID and the invoice number belong to different partners."
        if any(i.currency != currency for i in invoices):
            return None, (), f"The quoted invoice is not in {currency}."
        partner = conn.execute(select(_P).where(_P.c.id == owner)).one()
        return partner, tuple(i.id for i in invoices), None
    if len(named) == 1:
        return named[0], (), None
    if len(named) > 1:
        return None, (), "The reference names several properties."
    return None, (), "No property ID or invoice number in the reference."


# -- allocating money to documents (every payment and credit goes through these) ---------------
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
        _INV.c.id, _INV.c.due_date, _INV.c.number, _INV.c.amount_minor, _INV.c.deducted_minor
    ).where(_INV.c.currency == currency, _INV.c.kind.in_([k.value for k in PAYABLE_KINDS]))
    if partner_id is not None:
        stmt = stmt.where(_INV.c.partner_id == partner_id)
    else:
        stmt = stmt.join(_P, _P.c.id == _INV.c.partner_id).where(_P.c.group_id == group_id)
    if not include_black:
        stmt = stmt.where(_INV.c.state.not_in([s.value for s in BLACK_STATES]))
    conn = session.connection()
    rows = conn.execute(stmt.order_by(_INV.c.id).with_for_update(of=_INV)).all()
    if not rows:
        return []
    allocated = dict(
        conn.execute(
            select(_ALLOC.c.invoice_id, func.sum(_ALLOC.c.amount_minor))
            .where(_ALLOC.c.invoice_id.in_([r.id for r in rows]), _LIVE)
            .group_by(_ALLOC.c.invoice_id)
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
    pay = conn.execute(select(_PAY).where(_PAY.c.id == payment_id).with_for_update()).first()
    if pay is None:
        raise NotFound(f"Payment {payment_id} was not found.")
    if pay.group_id is None:
        raise Conflict(f"Payment {payment_id} is not a group's payment.")
    spent = conn.execute(
        select(func.coalesce(func.sum(_ALLOC.c.amount_minor), 0)).where(
            _ALLOC.c.payment_id == payment_id, _LIVE
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
        session.connection().execute(_ALLOC.insert(), rows)


@dataclass(frozen=True, slots=True)
class QueuedTransfer:
    payment_id: int
    received_on: date
    amount: Money
    reference: str
    payer: str
    reason: str


def transfer_queue(*, db: Database) -> list[QueuedTransfer]:
    """Transfers waiting for staff, oldest first."""
    with db.read() as session:
        rows = session.connection().execute(
            select(_PAY)
            .where(_PAY.c.status == PartnerPaymentStatus.QUEUED.value)
            .order_by(_PAY.c.received_on, _PAY.c.id)
        )
        return [
            QueuedTransfer(
                int(r.id),
                r.received_on,
                Money(int(r.amount_minor), r.currency),
                r.reference,
                r.payer,
                r.queue_reason or "",
            )
            for r in rows
        ]


def assign_transfer(
    *, db: Database, payment_id: int, partner_code: str, actor: str
) -> TransferOutcome:
    """Staff match a queued transfer to a partner — or, given a group code ("GRP-…"), to a
    group (allocated across its properties, see `partner_groups`) — applied oldest due first."""
    with db.transaction() as session:
        conn = session.connection()
        pay = conn.execute(select(_PAY).where(_PAY.c.id == payment_id).with_for_update()).first()
        if pay is None:
            raise NotFound("Transfer not found.")
        if pay.status != PartnerPaymentStatus.QUEUED.value:
            raise DomainError("This transfer is no longer in the queue.")
        wanted = partner_code.strip().upper()
        partner = conn.execute(select(_P).where(func.upper(_P.c.code) == wanted)).first()
        group = (
            None
            if partner is not None
            else conn.execute(select(_G).where(func.upper(_G.c.code) == wanted)).first()
        )
        if partner is None and group is None:
            what = "group" if wanted.startswith("GRP-") else "property"
            raise DomainError(f"No {what} {partner_code.strip()!r}.", field="partner_code")
        amount = Money(int(pay.amount_minor), pay.currency)
        conn.execute(
            update(_PAY)
            .where(_PAY.c.id == payment_id)
            .values(
                partner_id=partner.id if partner else None,
                group_id=group.id if group else None,
                status=PartnerPaymentStatus.APPLIED.value,
            )
        )
        if partner is not None:  # a bank transfer: written-off / legal documents too
            code = partner.code
            items = open_items(session, amount.currency, partner_id=partner.id, include_black=True)
            allocated, left = apply_payment(
                session, payment_id, items, amount, pay.reflected_on, ()
            )
        else:
            assert group is not None
            code = group.code
            allocated, left = apply_group_payment(
                session, payment_id=payment_id, effective=pay.reflected_on, first=()
            )
        record_event(
            session,
            actor=actor,
            action="partner_payment.assigned",
            subject=f"partner_payment:{payment_id}",
            data={
                "partner": partner.code if partner else None,
                **({"group": code} if group is not None else {}),
                "allocated": {n: str(m) for n, m in allocated},
                "credit_left": str(left),
            },
        )
    return TransferOutcome(
        payment_id, True, code, tuple(allocated), left, pay.reflected_on, None, False
    )


def announce_payment(*, db: Database, invoice_id: int, partner_id: int, today: date) -> date:
    """The partner's "I've paid" (by bank transfer): the invoice stays red and shows when the
    payment should be reflected. Returns that day. Saying it again the same day changes
    nothing."""
    with db.transaction() as session:
        conn = session.connection()
        row = conn.execute(
            select(_INV.c.number, _INV.c.kind, _INV.c.paid_notice_on)
            .where(_INV.c.id == invoice_id, _INV.c.partner_id == partner_id)
            .with_for_update()
        ).first()
        if row is None or PartnerInvoiceKind(row.kind) not in PAYABLE_KINDS:
            raise NotFound("Invoice not found.")
        expected = reflected_on(today, get_settings().transfer_processing_days)
        if row.paid_notice_on == today:  # said twice (a double click): once is enough
            return expected
        conn.execute(update(_INV).where(_INV.c.id == invoice_id).values(paid_notice_on=today))
        record_event(
            session,
            actor=f"partner:{partner_id}",
            action="partner_invoice.paid_announced",
            subject=f"partner_invoice:{invoice_id}",
            data={"number": row.number, "on": today.isoformat()},
        )
    return expected


def paid_by(
    session: Session, invoice_ids: list[int], today: date
) -> dict[int, tuple[int, date | None]]:
    """Per document: (allocated and effective by `today`, the latest day money still processing
    counts — or None)."""
    if not invoice_ids:
        return {}
    rows = session.connection().execute(
        select(_ALLOC.c.invoice_id, _ALLOC.c.amount_minor, _ALLOC.c.effective_on).where(
            _ALLOC.c.invoice_id.in_(invoice_ids), _LIVE
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
