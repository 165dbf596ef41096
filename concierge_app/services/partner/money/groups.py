"""Group accounts (the multiple property payment plan): create a group and attach properties;
match a transfer quoting a group code; email a group payment's allocation breakdown (which
document of which property got what) to the group's finance address. The payment itself is
allocated by `partner_payments.apply_group_payment`, as every other payment is."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from concierge_app import routes
from concierge_app.db.engine import Database
from concierge_app.db.parties import Partner, PartnerGroup
from concierge_app.db.partner_billing import PartnerInvoice
from concierge_app.domain.allocation import OpenItem
from concierge_app.domain.errors import Conflict, DomainError, NotFound
from concierge_app.domain.formatting import format_money
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import long_date
from concierge_app.domain.partner_payments import read_reference
from concierge_app.services.shared.addresses import public_url
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import id_of, load, table_of
from concierge_app.services.shared.messages import queue_message
from concierge_app.settings import get_settings

_G, _P, _INV = table_of(PartnerGroup), table_of(Partner), table_of(PartnerInvoice)
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
# (allocated by `partner_payments.apply_group_payment`; the breakdown email is written here)
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


@dataclass(frozen=True, slots=True)
class BreakdownLine:
    """What one document received from a group's payment, and what it still owes afterwards."""

    property_code: str
    property_name: str
    number: str
    applied: Money
    still_due: Money


def email_breakdown(
    session: Session,
    *,
    payment_id: int,
    group_id: int,
    amount: Money,
    method_label: str,
    received_on: date,
    allocated: Sequence[tuple[str, Money]],
    items: Sequence[OpenItem],
    credit_left: Money,
) -> None:
    """Queue the allocation breakdown of a group's payment (`allocated` out of the open `items`
    it was spread over) to the group's finance email, once per payment."""
    conn = session.connection()
    group = conn.execute(select(_G).where(_G.c.id == group_id)).one()
    by_number = {i.number: i for i in items}
    ids = [by_number[number].invoice_id for number, _ in allocated]
    properties = {
        int(r.id): (r.code, r.name)
        for r in (
            conn.execute(
                select(_INV.c.id, _P.c.code, _P.c.name)
                .join(_P, _P.c.id == _INV.c.partner_id)
                .where(_INV.c.id.in_(ids))
            )
            if ids
            else ()
        )
    }
    lines = [
        BreakdownLine(
            *properties[by_number[number].invoice_id],
            number,
            applied,
            by_number[number].outstanding - applied,
        )
        for number, applied in allocated
    ]
    settings = get_settings()
    queue_message(
        session,
        dedupe_key=f"{TEMPLATE_KEY}:{payment_id}",
        template_key=TEMPLATE_KEY,
        recipient=group.finance_email,
        context={
            "platform_name": settings.platform_name,
            "partner_name": group.name,
            "partner_code": group.code,
            "amount_paid": format_money(amount),
            "payment_method": method_label,
            "payment_date": long_date(received_on),
            "allocation_lines": allocation_lines(lines),
            "credit_left": format_money(credit_left),
            "group_url": public_url(routes.PARTNER_GROUP),
        },
    )


def allocation_lines(lines: Sequence[BreakdownLine]) -> str:
    """The breakdown email's lines: property, invoice number, amount applied, still due."""
    if not lines:
        return "  (no open invoice: the whole payment is kept as your credit)"
    return "\n".join(
        f"  • {line.property_name} ({line.property_code}), {line.number}: "
        f"{format_money(line.applied)} applied, {format_money(line.still_due)} still due"
        for line in lines
    )
