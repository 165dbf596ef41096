"""Credit — a partner's or a group's — applied to open documents, what is left of it, and what
each credit note has paid.

Credit is what is left of a partner's credit notes and of its applied payments (an
over-payment), or — on the multiple property plan — of the group's payments; it is never paid
out. `apply_credit_in` (a partner's, on its documents) and `apply_group_credit_in` (a group's,
across its properties' documents) spend it (`domain.credit`: a credit note on the document it
corrects first, then everything oldest due first): after a credit
note or a debit note is issued, and — through `apply_pending_credit` — after the month-end run
issues new invoices. Only what is left of a bank transfer may pay a written-off or legal
document. The documents are locked first (`partner_payments.open_items`), so a payment and a
credit application landing at once never allocate the same money twice. `credit_left` is the
one answer to "how much credit is left" (here, the ledger and the group page).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select, union
from sqlmodel import Session

from concierge_app.db.engine import Database
from concierge_app.db.parties import Partner, PartnerGroup
from concierge_app.db.partner_billing import PartnerInvoice
from concierge_app.db.partner_payments import PartnerAllocation, PartnerPayment
from concierge_app.domain.allocation import Allocation, OpenItem
from concierge_app.domain.credit import CreditKind, CreditSource, CreditTarget, apply_credit
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import PartnerInvoiceKind
from concierge_app.domain.partner_payments import BLACK_STATES
from concierge_app.domain.statuses import PartnerPaymentMethod, PartnerPaymentStatus
from concierge_app.services.partner.money.payments import (
    LIVE_ALLOCATION,
    insert_allocations,
    open_items,
)
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import table_of

_INV, _PAY, _ALLOC = table_of(PartnerInvoice), table_of(PartnerPayment), table_of(PartnerAllocation)
_P, _G = table_of(Partner), table_of(PartnerGroup)
SYSTEM = "system:credit"


def _used(source: Any, as_of: date | None) -> Any:
    """What each credit note or payment (`source`: the allocation's column) has paid: its live
    allocations, those counting by `as_of` only when given."""
    paid = [LIVE_ALLOCATION, source.is_not(None)]
    if as_of is not None:
        paid.append(_ALLOC.c.effective_on <= as_of)
    return (
        select(source.label("source_id"), func.sum(_ALLOC.c.amount_minor).label("used"))
        .where(*paid)
        .group_by(source)
        .subquery(f"{source.name}_used")
    )


def _notes_left(as_of: date | None) -> Select[Any]:
    """Every credit note with what is left of it."""
    used = _used(_ALLOC.c.credit_note_id, as_of)
    return (
        select(
            _INV.c.id,
            _INV.c.partner_id,
            _INV.c.currency,
            _INV.c.invoice_date.label("since"),
            _INV.c.related_invoice_id.label("corrects"),
            (_INV.c.amount_minor - func.coalesce(used.c.used, 0)).label("left"),
        )
        .select_from(_INV.outerjoin(used, used.c.source_id == _INV.c.id))
        .where(_INV.c.kind == PartnerInvoiceKind.CREDIT_NOTE.value)
    )


def _payments_left(as_of: date | None) -> Select[Any]:
    """Every applied payment (reflected by `as_of`, when given) with what is left of it."""
    used = _used(_ALLOC.c.payment_id, as_of)
    stmt = (
        select(
            _PAY.c.id,
            _PAY.c.partner_id,
            _PAY.c.group_id,
            _PAY.c.currency,
            _PAY.c.method,
            _PAY.c.received_on.label("since"),
            _PAY.c.reflected_on,
            (_PAY.c.amount_minor - func.coalesce(used.c.used, 0)).label("left"),
        )
        .select_from(_PAY.outerjoin(used, used.c.source_id == _PAY.c.id))
        .where(_PAY.c.status == PartnerPaymentStatus.APPLIED.value)
    )
    if as_of is not None:
        stmt = stmt.where(_PAY.c.reflected_on <= as_of)
    return stmt


# A single partner's payment is the partner's credit; a group's payment is the group's.
_PARTNERS_PAYMENT = (_PAY.c.partner_id.is_not(None), _PAY.c.group_id.is_(None))


def _left(
    session: Session,
    *,
    partner_id: int | None,
    group_id: int | None,
    as_of: date | None,
    currency: str | None = None,
) -> list[tuple[CreditKind, Any]]:
    """A partner's credit notes and payments, or a group's payments, with something left."""
    if (partner_id is None) == (group_id is None):
        raise ValueError("Give exactly one of partner_id and group_id.")
    conn = session.connection()
    pays = _payments_left(as_of)
    found: list[tuple[CreditKind, Any]] = []
    if partner_id is not None:
        notes = _notes_left(as_of).where(_INV.c.partner_id == partner_id)
        if currency is not None:
            notes = notes.where(_INV.c.currency == currency)
        found += [(CreditKind.CREDIT_NOTE, r) for r in conn.execute(notes.order_by(_INV.c.id))]
        pays = pays.where(_PAY.c.partner_id == partner_id, *_PARTNERS_PAYMENT)
    else:
        pays = pays.where(_PAY.c.group_id == group_id)
    if currency is not None:
        pays = pays.where(_PAY.c.currency == currency)
    found += [(CreditKind.PAYMENT, r) for r in conn.execute(pays.order_by(_PAY.c.id))]
    return [(kind, r) for kind, r in found if int(r.left) > 0]


def credit_left(
    session: Session,
    *,
    partner_id: int | None = None,
    group_id: int | None = None,
    as_of: date | None = None,
) -> dict[str, Money]:
    """The credit not applied yet of a partner (its credit notes and payments) or of a group
    (its payments), per currency (those with some, by code). With `as_of`: as it stands that
    day — payments reflected by then, applications counting by then (the ledger, the group
    page); without: everything recorded (what can still be spent)."""
    sums: dict[str, int] = defaultdict(int)
    for _, r in _left(session, partner_id=partner_id, group_id=group_id, as_of=as_of):
        sums[r.currency] += int(r.left)
    return {c: Money(sums[c], c) for c in sorted(sums)}


def credit_by_partner(session: Session, *, as_of: date) -> dict[tuple[int, str], Money]:
    """Every partner's credit not applied yet on `as_of` (its credit notes and its own
    payments' remainders, as `credit_left` reads them), per (partner id, currency)."""
    notes = _notes_left(as_of).subquery()
    pays = _payments_left(as_of).where(*_PARTNERS_PAYMENT).subquery()
    sums: dict[tuple[int, str], int] = defaultdict(int)
    conn = session.connection()
    for table in (notes, pays):
        for pid, currency, left in conn.execute(
            select(table.c.partner_id, table.c.currency, table.c.left).where(table.c.left > 0)
        ):
            sums[(int(pid), currency)] += int(left)
    return {key: Money(minor, key[1]) for key, minor in sums.items()}


@dataclass(frozen=True, slots=True)
class CreditApplied:
    """One piece of credit applied to one document."""

    source: str  # the credit note's number, or "payment:{id}"
    invoice_number: str
    amount: Money
    effective_on: date


def credit_sources(
    session: Session,
    currency: str,
    today: date,
    *,
    partner_id: int | None = None,
    group_id: int | None = None,
) -> list[CreditSource]:
    """The credit in `currency` of a partner (credit notes and payments) or of a group
    (payments) with something left; what a payment still processing pays counts from the day it
    is reflected. A credit note knows the document it corrects (it pays that one first)."""
    return [
        CreditSource(
            kind,
            int(r.id),
            Money(int(r.left), currency),
            r.since,
            today,
            corrects=None if r.corrects is None else int(r.corrects),
        )
        if kind is CreditKind.CREDIT_NOTE
        else CreditSource(
            kind,
            int(r.id),
            Money(int(r.left), currency),
            r.since,
            max(today, r.reflected_on),
            pays_black=r.method == PartnerPaymentMethod.BANK_TRANSFER.value,
        )
        for kind, r in _left(
            session, partner_id=partner_id, group_id=group_id, as_of=None, currency=currency
        )
    ]


def apply_credit_in(
    session: Session, partner_id: int, today: date, actor: str
) -> list[CreditApplied]:
    """Apply the partner's credit to its open documents (inside the caller's transaction);
    audited. Returns what was applied (nothing when there is no credit or nothing open)."""
    return _apply_in(session, today, actor, partner_id=partner_id)


def apply_group_credit_in(
    session: Session, group_id: int, today: date, actor: str
) -> list[CreditApplied]:
    """Apply what is left of the group's payments to its properties' open documents, oldest due
    first across them (inside the caller's transaction); audited."""
    return _apply_in(session, today, actor, group_id=group_id)


def _apply_in(
    session: Session,
    today: date,
    actor: str,
    *,
    partner_id: int | None = None,
    group_id: int | None = None,
) -> list[CreditApplied]:
    done: list[CreditApplied] = []
    for currency in credit_left(session, partner_id=partner_id, group_id=group_id):
        items = open_items(  # locks the documents before the credit is read
            session, currency, partner_id=partner_id, group_id=group_id, include_black=True
        )
        if items:
            sources = credit_sources(
                session, currency, today, partner_id=partner_id, group_id=group_id
            )
            done += _apply(session, currency, items, sources, actor, partner_id, group_id)
    return done


def _apply(
    session: Session,
    currency: str,
    items: list[OpenItem],
    sources: list[CreditSource],
    actor: str,
    partner_id: int | None,
    group_id: int | None,
) -> list[CreditApplied]:
    if not sources:
        return []
    conn = session.connection()
    black = {
        int(r.id)
        for r in conn.execute(
            select(_INV.c.id).where(
                _INV.c.id.in_([i.invoice_id for i in items]),
                _INV.c.state.in_([s.value for s in BLACK_STATES]),
            )
        )
    }
    targets = [CreditTarget(i, i.invoice_id in black) for i in items]
    uses = apply_credit(sources, targets)
    if not uses:
        return []
    by_source: dict[CreditSource, list[Allocation]] = defaultdict(list)
    for use in uses:
        by_source[use.source].append(use.allocation)
    numbers = {i.invoice_id: i.number for i in items}
    note_numbers = _numbers(
        session, [s.source_id for s in by_source if s.kind is CreditKind.CREDIT_NOTE]
    )
    done: list[CreditApplied] = []
    for source, allocations in by_source.items():
        note = source.kind is CreditKind.CREDIT_NOTE
        insert_allocations(
            session,
            allocations,
            source.effective_on,
            credit_note_id=source.source_id if note else None,
            payment_id=None if note else source.source_id,
        )
        label = note_numbers[source.source_id] if note else f"payment:{source.source_id}"
        done += [
            CreditApplied(label, numbers[a.invoice_id], a.amount, source.effective_on)
            for a in allocations
        ]
    if group_id is not None:
        code = conn.execute(select(_G.c.code).where(_G.c.id == group_id)).scalar_one()
        subject, payer = f"partner_group:{group_id}", {"group": code}
    else:
        subject, payer = f"partner:{partner_id}", {}
    record_event(
        session,
        actor=actor,
        action="partner_credit.applied",
        subject=subject,
        data={
            **payer,
            "currency": currency,
            "applied": [
                {
                    "from": d.source,
                    "to": d.invoice_number,
                    "amount": str(d.amount),
                    "effective_on": d.effective_on.isoformat(),
                }
                for d in done
            ],
        },
    )
    return done


def _numbers(session: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.connection().execute(select(_INV.c.id, _INV.c.number).where(_INV.c.id.in_(ids)))
    return {int(r.id): r.number for r in rows}


def partners_with_credit(session: Session, partner_ids: Iterable[int] | None = None) -> list[int]:
    """The partners with credit left (a credit note or a payment not fully allocated)."""
    notes = _notes_left(None).subquery()
    pays = _payments_left(None).where(*_PARTNERS_PAYMENT).subquery()
    stmt = union(
        select(notes.c.partner_id).where(notes.c.left > 0),
        select(pays.c.partner_id).where(pays.c.left > 0),
    )
    found = {int(p) for p in session.connection().execute(stmt).scalars()}
    if partner_ids is not None:
        found &= set(partner_ids)
    return sorted(found)


def groups_with_credit(session: Session, partner_ids: Iterable[int] | None = None) -> list[int]:
    """The groups with a payment not fully allocated (only those of these partners, when
    given)."""
    pays = _payments_left(None).where(_PAY.c.group_id.is_not(None)).subquery()
    conn = session.connection()
    found = {int(g) for g in conn.execute(select(pays.c.group_id).where(pays.c.left > 0)).scalars()}
    if partner_ids is not None and found:
        # (filtered here, not with IN: a month-end run passes every partner it invoiced)
        members = conn.execute(select(_P.c.id, _P.c.group_id).where(_P.c.group_id.in_(found)))
        wanted = set(partner_ids)
        found = {int(g) for pid, g in members if pid in wanted}
    return sorted(found)


def apply_pending_credit(*, db: Database, partner_ids: list[int] | None = None, today: date) -> int:
    """Apply every partner's and every group's waiting credit to their open documents (e.g.
    after the month-end run issued new invoices; with `partner_ids`, only those partners' and
    their groups'): one transaction per partner or group. Returns the allocations made; a rerun
    makes none."""
    with db.read() as session:
        partners = partners_with_credit(session, partner_ids)
        groups = groups_with_credit(session, partner_ids)
    made = 0
    for partner_id in partners:
        with db.transaction() as session:
            made += len(apply_credit_in(session, partner_id, today, SYSTEM))
    for group_id in groups:
        with db.transaction() as session:
            made += len(apply_group_credit_in(session, group_id, today, SYSTEM))
    return made


def credit_applications(
    session: Session, note_ids: list[int], today: date
) -> dict[int, list[tuple[str, Money]]]:
    """Per credit note: what it paid and counting by `today`, as (document number, amount), in
    the order applied (one entry per document)."""
    if not note_ids:
        return {}
    rows = session.connection().execute(
        select(_ALLOC.c.credit_note_id, _INV.c.number, _ALLOC.c.currency, _ALLOC.c.amount_minor)
        .join(_INV, _INV.c.id == _ALLOC.c.invoice_id)
        .where(
            _ALLOC.c.credit_note_id.in_(note_ids), LIVE_ALLOCATION, _ALLOC.c.effective_on <= today
        )
        .order_by(_ALLOC.c.id)
    )
    found: dict[int, dict[str, Money]] = defaultdict(dict)
    for note, number, currency, minor in rows:
        paid = found[int(note)]
        paid[number] = paid.get(number, Money.zero(currency)) + Money(int(minor), currency)
    return {note: list(paid.items()) for note, paid in found.items()}
