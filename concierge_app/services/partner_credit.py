"""A partner's credit applied to its open documents, and what each credit note has paid.

Credit is what is left of the partner's credit notes and of its applied payments (an
over-payment); it is never paid out. `apply_credit` spends it on the partner's open documents
oldest due first (`domain.credit`): after a credit note or a debit note is issued, and — through
`apply_pending_credit` — after the month-end run issues new invoices. The documents are locked
as `partner_payments._open_items` locks them, so a transfer and a credit application landing
at once never allocate the same money twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, select, union
from sqlmodel import Session

from ..db.engine import Database
from ..db.partner_billing import PartnerInvoice
from ..db.partner_payments import (
    PartnerAllocation,
    PartnerPayment,
    PartnerPaymentMethod,
    PartnerPaymentStatus,
)
from ..domain.allocation import Allocation, OpenItem
from ..domain.credit import CreditKind, CreditSource, CreditTarget, apply_credit
from ..domain.money import Money
from ..domain.partner_billing import PartnerInvoiceKind, PartnerInvoiceState
from .audit import record_event
from .common import table_of
from .partner_payments import _insert_allocations, _open_items

_INV, _PAY, _ALLOC = table_of(PartnerInvoice), table_of(PartnerPayment), table_of(PartnerAllocation)
_LIVE = _ALLOC.c.reversed_at.is_(None)
_CREDIT_NOTE = PartnerInvoiceKind.CREDIT_NOTE.value
SYSTEM = "system:credit"

# What each credit note still has (amount − live allocations), per partner and currency.
_NOTE_USED = (
    select(_ALLOC.c.credit_note_id, func.sum(_ALLOC.c.amount_minor).label("used"))
    .where(_LIVE, _ALLOC.c.credit_note_id.is_not(None))
    .group_by(_ALLOC.c.credit_note_id)
    .subquery("note_used")
)
_NOTE_LEFT = select(
    _INV.c.id,
    _INV.c.partner_id,
    _INV.c.currency,
    _INV.c.invoice_date,
    (_INV.c.amount_minor - func.coalesce(_NOTE_USED.c.used, 0)).label("left"),
).select_from(_INV.outerjoin(_NOTE_USED, _NOTE_USED.c.credit_note_id == _INV.c.id))
# What each applied payment of a single partner still has (a group's payment is the group's).
_PAY_USED = (
    select(_ALLOC.c.payment_id, func.sum(_ALLOC.c.amount_minor).label("used"))
    .where(_LIVE, _ALLOC.c.payment_id.is_not(None))
    .group_by(_ALLOC.c.payment_id)
    .subquery("pay_used")
)
_PAY_LEFT = select(
    _PAY.c.id,
    _PAY.c.partner_id,
    _PAY.c.currency,
    _PAY.c.method,
    _PAY.c.received_on,
    _PAY.c.reflected_on,
    (_PAY.c.amount_minor - func.coalesce(_PAY_USED.c.used, 0)).label("left"),
).select_from(_PAY.outerjoin(_PAY_USED, _PAY_USED.c.payment_id == _PAY.c.id))
_NOTE_FILTER = _INV.c.kind == _CREDIT_NOTE
_PAY_FILTER = and_(
    _PAY.c.status == PartnerPaymentStatus.APPLIED.value,
    _PAY.c.partner_id.is_not(None),
    _PAY.c.group_id.is_(None),
)


@dataclass(frozen=True, slots=True)
class CreditApplied:
    """One piece of credit applied to one document."""

    source: str  # the credit note's number, or "payment:{id}"
    invoice_number: str
    amount: Money
    effective_on: date


def credit_sources(
    session: Session, partner_id: int, currency: str, today: date
) -> list[CreditSource]:
    """The partner's credit in `currency`: credit notes and payments with something left."""
    conn = session.connection()
    notes = conn.execute(
        _NOTE_LEFT.where(_NOTE_FILTER, _INV.c.partner_id == partner_id, _INV.c.currency == currency)
    ).all()
    payments = conn.execute(
        _PAY_LEFT.where(_PAY_FILTER, _PAY.c.partner_id == partner_id, _PAY.c.currency == currency)
    ).all()
    sources = [
        CreditSource(
            CreditKind.CREDIT_NOTE,
            int(n.id),
            Money(int(n.left), currency),
            n.invoice_date,
            today,
        )
        for n in notes
        if int(n.left) > 0
    ]
    sources += [
        CreditSource(
            CreditKind.PAYMENT,
            int(p.id),
            Money(int(p.left), currency),
            p.received_on,
            max(today, p.reflected_on),
            pays_black=p.method == PartnerPaymentMethod.BANK_TRANSFER.value,
        )
        for p in payments
        if int(p.left) > 0
    ]
    return sources


def _currencies_with_credit(session: Session, partner_id: int) -> list[str]:
    conn = session.connection()
    notes = _NOTE_LEFT.where(_NOTE_FILTER, _INV.c.partner_id == partner_id).subquery()
    pays = _PAY_LEFT.where(_PAY_FILTER, _PAY.c.partner_id == partner_id).subquery()
    found = conn.execute(
        union(
            select(notes.c.currency).where(notes.c.left > 0),
            select(pays.c.currency).where(pays.c.left > 0),
        )
    ).scalars()
    return sorted(set(found))


def apply_credit_in(
    session: Session, partner_id: int, today: date, actor: str
) -> list[CreditApplied]:
    """Apply the partner's credit to its open documents (inside the caller's transaction);
    audited. Returns what was applied (nothing when there is no credit or nothing open)."""
    done: list[CreditApplied] = []
    for currency in _currencies_with_credit(session, partner_id):
        items = _open_items(session, partner_id, currency)  # locks the partner's documents
        if not items:
            continue
        done += _apply(session, partner_id, currency, items, today, actor)
    return done


def _apply(
    session: Session, partner_id: int, currency: str, items: list[OpenItem], today: date, actor: str
) -> list[CreditApplied]:
    conn = session.connection()
    sources = credit_sources(session, partner_id, currency, today)  # read after the lock
    if not sources:
        return []
    black = {
        int(r.id)
        for r in conn.execute(
            select(_INV.c.id).where(
                _INV.c.id.in_([i.invoice_id for i in items]),
                _INV.c.state != PartnerInvoiceState.ISSUED.value,
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
        _insert_allocations(
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
    record_event(
        session,
        actor=actor,
        action="partner_credit.applied",
        subject=f"partner:{partner_id}",
        data={
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
    notes = _NOTE_LEFT.where(_NOTE_FILTER).subquery()
    pays = _PAY_LEFT.where(_PAY_FILTER).subquery()
    stmt = union(
        select(notes.c.partner_id).where(notes.c.left > 0),
        select(pays.c.partner_id).where(pays.c.left > 0),
    )
    found = {int(p) for p in session.connection().execute(stmt).scalars()}
    if partner_ids is not None:
        found &= set(partner_ids)
    return sorted(found)


def apply_pending_credit(*, db: Database, partner_ids: list[int] | None = None, today: date) -> int:
    """Apply every partner's waiting credit to its open documents (e.g. after the month-end run
    issued new invoices): one transaction per partner. Returns the allocations made; a rerun
    makes none."""
    with db.read() as session:
        partners = partners_with_credit(session, partner_ids)
    made = 0
    for partner_id in partners:
        with db.transaction() as session:
            made += len(apply_credit_in(session, partner_id, today, SYSTEM))
    return made


def credit_used(session: Session, note_ids: list[int], today: date) -> dict[int, int]:
    """Per credit note: the part applied to documents and counting by `today` (minor units)."""
    if not note_ids:
        return {}
    rows = session.connection().execute(
        select(_ALLOC.c.credit_note_id, func.sum(_ALLOC.c.amount_minor))
        .where(_ALLOC.c.credit_note_id.in_(note_ids), _LIVE, _ALLOC.c.effective_on <= today)
        .group_by(_ALLOC.c.credit_note_id)
    )
    return {int(note): int(used) for note, used in rows}
