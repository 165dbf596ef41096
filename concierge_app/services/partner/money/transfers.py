"""Bank transfers from partners, and the partner's "I've paid".

A transfer is recorded by staff (or imported from a bank statement) once, by the bank's id, and
matched by its reference — property ID + invoice number — to a partner, or — a group code
("GRP-7001") — to a group account (`groups`); it is then allocated (`payments`). An unmatched or
ambiguous one waits in a queue until staff assign it. A transfer counts as paid once its
processing days have passed. Every effect is audited (which moves the change feed: open views
update live).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from concierge_app.db.engine import Database
from concierge_app.db.types import utcnow
from concierge_app.domain.errors import DomainError, NotFound
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import PartnerInvoiceKind
from concierge_app.domain.partner_payments import (
    PAYABLE_KINDS,
    read_reference,
    reflected_on,
)
from concierge_app.domain.statuses import PartnerPaymentMethod, PartnerPaymentStatus
from concierge_app.services.partner.money.groups import match_group
from concierge_app.services.partner.money.payments import (
    LIVE_ALLOCATION,
    apply_group_payment,
    apply_payment,
    open_items,
)
from concierge_app.services.partner.tables import ALLOCATION, GROUP, INVOICE, PARTNER, PAYMENT
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.permissions import Permission, require_in
from concierge_app.settings import get_settings


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
                select(PAYMENT.c.id).where(
                    PAYMENT.c.method == PartnerPaymentMethod.BANK_TRANSFER.value,
                    PAYMENT.c.external_id == external_id,
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
        select(PAYMENT.c.id).where(
            PAYMENT.c.method == PartnerPaymentMethod.BANK_TRANSFER.value,
            PAYMENT.c.external_id == external_id,
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
        PAYMENT.insert()
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
        .returning(PAYMENT.c.id)
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
            select(PAYMENT, func.coalesce(PARTNER.c.code, GROUP.c.code).label("code"))
            .outerjoin(PARTNER, PARTNER.c.id == PAYMENT.c.partner_id)
            .outerjoin(GROUP, GROUP.c.id == PAYMENT.c.group_id)
            .where(
                PAYMENT.c.method == PartnerPaymentMethod.BANK_TRANSFER.value,
                PAYMENT.c.external_id == external_id,
            )
        ).one()
        if Money(int(pay.amount_minor), pay.currency) != amount:
            raise DomainError(
                f"Bank transaction {external_id} is already recorded, for "
                f"{Money(int(pay.amount_minor), pay.currency)}, not {amount}.",
                field="external_id",
            )
        rows = conn.execute(
            select(INVOICE.c.number, ALLOCATION.c.amount_minor)
            .join(INVOICE, INVOICE.c.id == ALLOCATION.c.invoice_id)
            .where(ALLOCATION.c.payment_id == pay.id, LIVE_ALLOCATION)
            .order_by(ALLOCATION.c.id)
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
            select(INVOICE.c.id, INVOICE.c.partner_id, INVOICE.c.currency, INVOICE.c.number).where(
                func.upper(INVOICE.c.number).in_(quoted.numbers)
            )
        ).all()
        if quoted.numbers
        else []
    )
    named = (
        conn.execute(select(PARTNER).where(func.upper(PARTNER.c.code).in_(quoted.words))).all()
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
        partner = conn.execute(select(PARTNER).where(PARTNER.c.id == owner)).one()
        return partner, tuple(i.id for i in invoices), None
    if len(named) == 1:
        return named[0], (), None
    if len(named) > 1:
        return None, (), "The reference names several properties."
    return None, (), "No property ID or invoice number in the reference."


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
            select(PAYMENT)
            .where(PAYMENT.c.status == PartnerPaymentStatus.QUEUED.value)
            .order_by(PAYMENT.c.received_on, PAYMENT.c.id)
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
    require_in(db, actor, Permission.PARTNER_MONEY)
    with db.transaction() as session:
        conn = session.connection()
        pay = conn.execute(
            select(PAYMENT).where(PAYMENT.c.id == payment_id).with_for_update()
        ).first()
        if pay is None:
            raise NotFound("Transfer not found.")
        if pay.status != PartnerPaymentStatus.QUEUED.value:
            raise DomainError("This transfer is no longer in the queue.")
        wanted = partner_code.strip().upper()
        partner = conn.execute(select(PARTNER).where(func.upper(PARTNER.c.code) == wanted)).first()
        group = (
            None
            if partner is not None
            else conn.execute(select(GROUP).where(func.upper(GROUP.c.code) == wanted)).first()
        )
        if partner is None and group is None:
            what = "group" if wanted.startswith("GRP-") else "property"
            raise DomainError(f"No {what} {partner_code.strip()!r}.", field="partner_code")
        amount = Money(int(pay.amount_minor), pay.currency)
        conn.execute(
            update(PAYMENT)
            .where(PAYMENT.c.id == payment_id)
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
            select(INVOICE.c.number, INVOICE.c.kind, INVOICE.c.paid_notice_on)
            .where(INVOICE.c.id == invoice_id, INVOICE.c.partner_id == partner_id)
            .with_for_update()
        ).first()
        if row is None or PartnerInvoiceKind(row.kind) not in PAYABLE_KINDS:
            raise NotFound("Invoice not found.")
        expected = reflected_on(today, get_settings().transfer_processing_days)
        if row.paid_notice_on == today:  # said twice (a double click): once is enough
            return expected
        conn.execute(update(INVOICE).where(INVOICE.c.id == invoice_id).values(paid_notice_on=today))
        record_event(
            session,
            actor=f"partner:{partner_id}",
            action="partner_invoice.paid_announced",
            subject=f"partner_invoice:{invoice_id}",
            data={"number": row.number, "on": today.isoformat()},
        )
    return expected
