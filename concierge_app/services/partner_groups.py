"""Group accounts (the multiple property payment plan): create a group and attach properties;
match a transfer quoting a group code; allocate a group's payment across its properties'
documents, oldest due first, and email the breakdown to the group's finance address."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from ..db.engine import Database
from ..db.messaging import OutboxMessage
from ..db.parties import Partner, PartnerGroup
from ..db.partner_billing import PartnerInvoice
from ..db.partner_payments import PartnerAllocation, PartnerPayment, PartnerPaymentMethod
from ..db.types import utcnow
from ..domain.errors import Conflict, DomainError, NotFound
from ..domain.group_allocation import GroupItem, GroupLine, plan_group_payment
from ..domain.money import Money, total
from ..domain.partner_billing import PartnerInvoiceState, long_date
from ..domain.partner_payments import PAYABLE_KINDS, read_reference
from ..settings import get_settings
from .audit import record_event
from .common import id_of, load, table_of
from .formatting import format_money
from .messages import queue_message

_G, _P, _INV, _PAY, _ALLOC, _OUT = (
    table_of(PartnerGroup),
    table_of(Partner),
    table_of(PartnerInvoice),
    table_of(PartnerPayment),
    table_of(PartnerAllocation),
    table_of(OutboxMessage),
)
_LIVE = _ALLOC.c.reversed_at.is_(None)
_GROUP_CODE = re.compile(r"^GRP-[A-Z0-9-]{1,16}$")


def create_group(*, db: Database, code: str, name: str, finance_email: str, actor: str) -> int:
    """A group account; `code` ("GRP-…") is what a group bank transfer quotes. Returns its id."""
    code = code.strip().upper()
    if not _GROUP_CODE.match(code):
        raise DomainError("A group code looks like GRP-7001.", field="code")
    if not name.strip():
        raise DomainError("Enter the group's name.", field="name")
    email = finance_email.strip().lower()
    if "@" not in email:
        raise DomainError("Enter the group's finance email address.", field="finance_email")
    with db.transaction() as session:
        if session.connection().execute(select(_G.c.id).where(_G.c.code == code)).first():
            raise Conflict(f"A group with code {code} already exists.", field="code")
        group = PartnerGroup(code=code, name=name.strip(), finance_email=email)
        session.add(group)
        session.flush()
        record_event(
            session,
            actor=actor,
            action="partner_group.created",
            subject=f"partner_group:{group.id}",
            data={"code": code, "name": group.name, "finance_email": email},
        )
        return id_of(group)


def join_group(*, db: Database, group_id: int, partner_id: int, actor: str) -> None:
    """Put a property on the group's plan (idempotent). A property belongs to one group at most."""
    with db.transaction() as session:
        group = load(session, PartnerGroup, group_id, "Group", lock=True)
        partner = load(session, Partner, partner_id, "Partner", lock=True)
        if partner.group_id == group_id:
            return
        if partner.group_id is not None:
            raise Conflict(f"{partner.code} is already on another group's plan.", field="group")
        if partner.kind != "property":
            raise DomainError("Only properties join a group account.", field="partner")
        partner.group_id = group_id
        session.add(partner)
        record_event(
            session,
            actor=actor,
            action="partner_group.joined",
            subject=f"partner_group:{group_id}",
            data={"group": group.code, "partner": partner.code},
        )


def group_id_by_code(*, db: Database, code: str) -> int:
    """The id of the group with this code, or NotFound."""
    with db.read() as session:
        row = (
            session.connection()
            .execute(select(_G.c.id).where(_G.c.code == code.strip().upper()))
            .first()
        )
    if row is None:
        raise NotFound(f"Group {code} was not found.")
    return int(row.id)


# -- a group's payment ---------------------------------------------------------------------
METHOD_LABELS = {
    PartnerPaymentMethod.BANK_TRANSFER.value: "Bank transfer",
    PartnerPaymentMethod.ONLINE.value: "Online payment",
    PartnerPaymentMethod.DIRECT_DEBIT.value: "Direct debit",
}
TEMPLATE_KEY = "payment_allocation"


@dataclass(frozen=True, slots=True)
class GroupMatch:
    """A transfer's reference quoting a group code: the group and the quoted documents, or why
    it waits for staff (`reason`)."""

    group_id: int | None
    code: str
    invoice_ids: tuple[int, ...]
    reason: str | None


def match_group(session: Session, reference: str, currency: str) -> GroupMatch | None:
    """The group a transfer's reference quotes ("GRP-7001", optionally with invoice numbers or
    property IDs of its properties); None when it quotes no group code."""
    conn = session.connection()
    quoted = read_reference(reference)
    if not quoted.words:
        return None
    groups = conn.execute(
        select(_G.c.id, _G.c.code).where(func.upper(_G.c.code).in_(quoted.words))
    ).all()
    if not groups:
        return None
    if len(groups) > 1:
        return GroupMatch(None, "", (), "The reference names several groups.")
    group_id, code = int(groups[0].id), str(groups[0].code)
    named = conn.execute(
        select(_P.c.code, _P.c.group_id).where(func.upper(_P.c.code).in_(quoted.words))
    ).all()
    outside = sorted(p.code for p in named if p.group_id != group_id)
    if outside:
        return GroupMatch(None, code, (), f"{', '.join(outside)} is not on {code}'s plan.")
    if not quoted.numbers:
        return GroupMatch(group_id, code, (), None)
    invoices = conn.execute(
        select(_INV.c.id, _INV.c.number, _INV.c.currency, _P.c.group_id)
        .join(_P, _P.c.id == _INV.c.partner_id)
        .where(func.upper(_INV.c.number).in_(quoted.numbers))
    ).all()
    missing = sorted(set(quoted.numbers) - {i.number.upper() for i in invoices})
    if missing:
        return GroupMatch(None, code, (), f"No invoice {', '.join(missing)}.")
    foreign = sorted(i.number for i in invoices if i.group_id != group_id)
    if foreign:
        return GroupMatch(
            None, code, (), f"Invoice {', '.join(foreign)} is not of a property of {code}."
        )
    if any(i.currency != currency for i in invoices):
        return GroupMatch(None, code, (), f"The quoted invoice is not in {currency}.")
    return GroupMatch(group_id, code, tuple(int(i.id) for i in invoices), None)


def apply_group_payment(
    session: Session,
    *,
    payment_id: int,
    group_id: int,
    amount: Money,
    effective: date,
    first: tuple[int, ...],
    actor: str,
    include_black: bool = False,
) -> tuple[list[tuple[str, Money]], Money]:
    """Allocate a group's payment across its properties' open documents: `first` (invoice ids
    the payer chose/quoted) first, then oldest due first across every property; returns
    ((invoice number, amount) allocated, credit left) and queues the allocation breakdown email
    to the group's finance email (and records the audit event).

    Runs inside the caller's transaction; the payment row (`payment_id`, with `group_id` set)
    is already inserted. Written-off and legal (black) documents are paid by bank transfer only:
    they take part only with `include_black=True` (a group bank transfer). Only documents in the
    payment's currency take part. What is left is the group's credit: it stays with the payment
    (amount − its allocations). Applying the same payment again changes nothing and returns
    what it got the first time.
    """
    conn = session.connection()
    pay = conn.execute(
        select(_PAY.c.group_id, _PAY.c.currency, _PAY.c.method, _PAY.c.received_on).where(
            _PAY.c.id == payment_id
        )
    ).first()
    if pay is None:
        raise NotFound(f"Payment {payment_id} was not found.")
    if pay.group_id != group_id or pay.currency != amount.currency:
        raise Conflict(f"Payment {payment_id} is not this group's payment in {amount.currency}.")
    group = conn.execute(select(_G).where(_G.c.id == group_id)).first()
    if group is None:
        raise NotFound(f"Group {group_id} was not found.")
    dedupe = f"{TEMPLATE_KEY}:{payment_id}"
    if conn.execute(select(_OUT.c.id).where(_OUT.c.dedupe_key == dedupe)).first() is not None:
        return _allocated(session, payment_id, amount)  # applied before: nothing more
    items = group_open_items(session, group_id, amount.currency, include_black=include_black)
    plan = plan_group_payment(amount, items, first)
    if plan.lines:
        conn.execute(
            _ALLOC.insert(),
            [
                {
                    "invoice_id": line.invoice_id,
                    "payment_id": payment_id,
                    "credit_note_id": None,
                    "currency": line.applied.currency,
                    "amount_minor": line.applied.minor,
                    "effective_on": effective,
                    "created_at": utcnow(),
                }
                for line in plan.lines
            ],
        )
    allocated = [(line.number, line.applied) for line in plan.lines]
    record_event(
        session,
        actor=actor,
        action="partner_group.payment_allocated",
        subject=f"partner_payment:{payment_id}",
        data={
            "group": group.code,
            "method": pay.method,
            "amount": str(amount),
            "allocated": {
                line.number: {"property": line.property_code, "amount": str(line.applied)}
                for line in plan.lines
            },
            "credit_left": str(plan.credit_left),
            "effective_on": effective.isoformat(),
            "include_black": include_black,
        },
    )
    settings = get_settings()
    queue_message(
        session,
        dedupe_key=dedupe,
        template_key=TEMPLATE_KEY,
        recipient=group.finance_email,
        context={
            "platform_name": settings.platform_name,
            "partner_name": group.name,
            "partner_code": group.code,
            "amount_paid": format_money(amount),
            "payment_method": METHOD_LABELS.get(pay.method, pay.method),
            "payment_date": long_date(pay.received_on),
            "allocation_lines": allocation_lines(plan.lines),
            "credit_left": format_money(plan.credit_left),
            "group_url": f"{settings.public_base_url.rstrip('/')}/partner/group",
        },
    )
    return allocated, plan.credit_left


def allocation_lines(lines: tuple[GroupLine, ...]) -> str:
    """The breakdown email's lines: property, invoice number, amount applied, still due."""
    if not lines:
        return "  (no open invoice: the whole payment is kept as your credit)"
    return "\n".join(
        f"  • {line.property_name} ({line.property_code}), {line.number}: "
        f"{format_money(line.applied)} applied, {format_money(line.still_due)} still due"
        for line in lines
    )


def group_open_items(
    session: Session, group_id: int, currency: str, *, include_black: bool
) -> list[GroupItem]:
    """Every property's documents with money still due in `currency` (black ones only with
    `include_black`); locked on PostgreSQL."""
    conn = session.connection()
    stmt = (
        select(
            _INV.c.id,
            _INV.c.due_date,
            _INV.c.number,
            _INV.c.amount_minor,
            _INV.c.deducted_minor,
            _P.c.code,
            _P.c.name,
        )
        .join(_P, _P.c.id == _INV.c.partner_id)
        .where(
            _P.c.group_id == group_id,
            _INV.c.currency == currency,
            _INV.c.kind.in_([k.value for k in PAYABLE_KINDS]),
        )
        .with_for_update(of=_INV)
    )
    if not include_black:
        stmt = stmt.where(_INV.c.state == PartnerInvoiceState.ISSUED.value)
    rows = conn.execute(stmt).all()
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
            items.append(
                GroupItem(int(r.id), r.due_date, r.number, Money(due, currency), r.code, r.name)
            )
    return items


def _allocated(
    session: Session, payment_id: int, amount: Money
) -> tuple[list[tuple[str, Money]], Money]:
    rows = session.connection().execute(
        select(_INV.c.number, _ALLOC.c.amount_minor)
        .join(_INV, _INV.c.id == _ALLOC.c.invoice_id)
        .where(_ALLOC.c.payment_id == payment_id, _LIVE)
        .order_by(_ALLOC.c.id)
    )
    done = [(r.number, Money(int(r.amount_minor), amount.currency)) for r in rows]
    return done, amount - total((m for _, m in done), amount.currency)
