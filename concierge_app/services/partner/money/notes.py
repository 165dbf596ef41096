"""Corrections to a partner's invoice: credit notes and debit notes.

The original invoice stays valid; a separate document deducts an amount from it (credit note,
"CN-YYYY-NNNNNN") or adds one (debit note, "DN-YYYY-NNNNNN", payable like an invoice by its
own due date). Numbers are gapless per kind and year. A credit note is never paid out: it is
applied at once to the partner's oldest open document, or waits for the next one issued; a new
debit note is paid at once from credit the partner has (`partner_credit`). Each note is
audited and emailed to the partner's finance contact with its PDF attached.

A double click issues one note: the same note (same invoice, amount and reason) asked for again
within a minute returns the note already issued.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from concierge_app import routes
from concierge_app.db.engine import Database
from concierge_app.db.parties import Partner
from concierge_app.db.partner_billing import PartnerInvoice
from concierge_app.db.types import utcnow
from concierge_app.domain.credit import (
    CORRECTABLE_KINDS,
    check_credit_amount,
    check_debit_note,
    clean_reason,
)
from concierge_app.domain.documents import payment_lines
from concierge_app.domain.errors import DomainError, NotFound
from concierge_app.domain.formatting import format_money
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import PartnerInvoiceKind, PartnerInvoiceState, Period
from concierge_app.services.partner.money.credit import (
    CreditApplied,
    apply_credit_in,
    apply_pending_credit,
)
from concierge_app.services.partner.money.payments import open_items
from concierge_app.services.partner.platform import platform_details
from concierge_app.services.shared.addresses import public_url
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import next_in_sequence, table_of
from concierge_app.services.shared.messages import queue_message
from concierge_app.services.shared.permissions import Permission, require_in
from concierge_app.settings import get_settings

__all__ = ["IssuedNote", "apply_pending_credit", "issue_credit_note", "issue_debit_note"]

_INV, _P = table_of(PartnerInvoice), table_of(Partner)
DOUBLE_CLICK = timedelta(minutes=1)
_PREFIX = {PartnerInvoiceKind.CREDIT_NOTE: "CN", PartnerInvoiceKind.DEBIT_NOTE: "DN"}
NOTE_MESSAGE = "partner_note_issued"


@dataclass(frozen=True, slots=True)
class IssuedNote:
    id: int
    number: str
    kind: PartnerInvoiceKind
    amount: Money
    related_number: str
    due_date: date
    applied: tuple[CreditApplied, ...]  # credit applied when it was issued
    duplicate: bool  # the same note was just issued: nothing new was written


def issue_credit_note(
    *, db: Database, invoice_id: int, amount: Money, reason: str, actor: str, today: date
) -> IssuedNote:
    """A credit note deducting `amount` from an invoice (the credit notes against one invoice
    never exceed it), applied at once to the oldest open document."""
    require_in(db, actor, Permission.PARTNER_MONEY)
    return _issue(
        db, PartnerInvoiceKind.CREDIT_NOTE, invoice_id, amount, reason, today, today, actor
    )


def issue_debit_note(
    *,
    db: Database,
    invoice_id: int,
    amount: Money,
    reason: str,
    due_date: date,
    actor: str,
    today: date,
) -> IssuedNote:
    """A debit note adding `amount` to an invoice, payable by its own due date."""
    require_in(db, actor, Permission.PARTNER_MONEY)
    check_debit_note(amount, due_date, today)
    return _issue(
        db, PartnerInvoiceKind.DEBIT_NOTE, invoice_id, amount, reason, due_date, today, actor
    )


def _issue(
    db: Database,
    kind: PartnerInvoiceKind,
    invoice_id: int,
    amount: Money,
    reason: str,
    due: date,
    today: date,
    actor: str,
) -> IssuedNote:
    reason = clean_reason(reason)
    with db.transaction() as session:
        conn = session.connection()
        related = conn.execute(select(_INV).where(_INV.c.id == invoice_id)).first()
        if related is None:
            raise NotFound("Invoice not found.")
        if PartnerInvoiceKind(related.kind) not in CORRECTABLE_KINDS:
            raise DomainError(
                "A note corrects a commission invoice, its VAT/GST document or a debit note."
            )
        if amount.currency != related.currency:
            raise DomainError(
                f"Invoice {related.number} is in {related.currency}: give the amount in "
                f"{related.currency}.",
                field="amount",
            )
        # Lock the partner's documents as every payment does: one writer at a time.
        open_items(session, related.currency, partner_id=related.partner_id, include_black=True)
        existing = _just_issued(session, kind, related.id, amount, reason, due)
        if existing is not None:
            return existing
        if kind is PartnerInvoiceKind.CREDIT_NOTE:
            check_credit_amount(
                amount,
                invoice_amount=Money(int(related.amount_minor), related.currency),
                credited=_credited(session, related.id, related.currency),
                number=related.number,
                format_money=format_money,
            )
        note_id, number = _insert_note(session, kind, related, amount, reason, due, today)
        applied = apply_credit_in(session, related.partner_id, today, actor)
        record_event(
            session,
            actor=actor,
            action=f"partner_{kind.value}.issued",
            subject=f"partner_invoice:{note_id}",
            data={
                "number": number,
                "corrects": related.number,
                "amount": str(amount),
                "reason": reason,
                "due_date": due.isoformat(),
                "applied": {f"{a.source}→{a.invoice_number}": str(a.amount) for a in applied},
            },
        )
        _queue_email(session, note_id, number, kind, related, amount, reason, due, applied)
    return IssuedNote(note_id, number, kind, amount, related.number, due, tuple(applied), False)


def _just_issued(
    session: Session,
    kind: PartnerInvoiceKind,
    related_id: int,
    amount: Money,
    reason: str,
    due: date,
) -> IssuedNote | None:
    """The same note issued within the last minute (a double click), if any."""
    row = (
        session.connection()
        .execute(
            select(_INV.c.id, _INV.c.number)
            .where(
                _INV.c.kind == kind.value,
                _INV.c.related_invoice_id == related_id,
                _INV.c.amount_minor == amount.minor,
                _INV.c.reason == reason,
                _INV.c.due_date == due,
                _INV.c.created_at >= utcnow() - DOUBLE_CLICK,
            )
            .order_by(_INV.c.id.desc())
            .limit(1)
        )
        .first()
    )
    if row is None:
        return None
    related = (
        session.connection()
        .execute(select(_INV.c.number).where(_INV.c.id == related_id))
        .scalar_one()
    )
    return IssuedNote(int(row.id), row.number, kind, amount, related, due, (), True)


def _credited(session: Session, related_id: int, currency: str) -> Money:
    """What the credit notes against an invoice add up to."""
    credited = (
        session.connection()
        .execute(
            select(func.coalesce(func.sum(_INV.c.amount_minor), 0)).where(
                _INV.c.kind == PartnerInvoiceKind.CREDIT_NOTE.value,
                _INV.c.related_invoice_id == related_id,
            )
        )
        .scalar_one()
    )
    return Money(int(credited), currency)


def note_number(kind: PartnerInvoiceKind, year: int, n: int) -> str:
    """ "CN-2026-000001" / "DN-2026-000001": the format of the monthly "CM-…" numbers."""
    return f"{_PREFIX[kind]}-{year}-{n:06d}"


def _insert_note(
    session: Session,
    kind: PartnerInvoiceKind,
    related: Any,
    amount: Money,
    reason: str,
    due: date,
    today: date,
) -> tuple[int, str]:
    n = next_in_sequence(session, f"partner_{kind.value}:{today.year}")
    number = note_number(kind, today.year, n)
    note_id = (
        session.connection()
        .execute(
            _INV.insert()
            .values(
                number=number,
                partner_id=related.partner_id,
                kind=kind.value,
                period=related.period,
                currency=related.currency,
                invoice_date=today,
                due_date=due,
                amount_minor=amount.minor,
                deducted_minor=0,
                state=PartnerInvoiceState.ISSUED.value,
                related_invoice_id=related.id,
                reason=reason,
                created_at=utcnow(),
            )
            .returning(_INV.c.id)
        )
        .scalar_one()
    )
    return int(note_id), number


def _queue_email(
    session: Session,
    note_id: int,
    number: str,
    kind: PartnerInvoiceKind,
    related: Any,
    amount: Money,
    reason: str,
    due: date,
    applied: list[CreditApplied],
) -> None:
    """The note to the partner's finance contact, its PDF attached (rendered when sent)."""
    settings = get_settings()
    partner = session.connection().execute(select(_P).where(_P.c.id == related.partner_id)).one()
    credit = kind is PartnerInvoiceKind.CREDIT_NOTE
    used = [a for a in applied if a.source == number] if credit else []
    paid_now = Money(
        sum(a.amount.minor for a in applied if a.invoice_number == number), amount.currency
    )
    payable = amount - paid_now
    reference = f"{partner.code} {number}"
    if credit:
        applied_text = (
            "Applied to: "
            + ", ".join(f"{a.invoice_number} ({format_money(a.amount)})" for a in used)
            + "."
            if used
            else "You have no open invoice: it will be used for your next one."
        )
        instructions = ""
    else:
        applied_text = ""
        instructions = (
            "Paid in full with your credit: nothing to pay."
            if payable.is_zero
            else "\n".join(
                payment_lines(
                    kind=kind,
                    method=partner.commission_payment_method,
                    state=PartnerInvoiceState.ISSUED,
                    payable=format_money(payable),
                    deducted=Money.zero(amount.currency),
                    nothing_to_pay=False,
                    due=due,
                    reference=reference,
                    platform=platform_details(),
                )
            )
        )
    title = "Credit note" if credit else "Debit note"
    queue_message(
        session,
        dedupe_key=f"{NOTE_MESSAGE}:{note_id}",
        template_key=NOTE_MESSAGE,
        recipient=partner.finance_email,
        partner_id=partner.id,
        attachment=f"partner_invoice_pdf:{note_id}",
        context={
            "platform_name": settings.platform_name,
            "partner_name": partner.name,
            "partner_code": partner.code,
            "title": title,
            "note_number": number,
            "related_number": related.number,
            "period": Period.parse(related.period).label,
            "amount": format_money(amount),
            "credit": credit,
            "reason": reason,
            "applied": applied_text,
            "payment_instructions": instructions,
            "finance_url": public_url(routes.PARTNER_INVOICES),
        },
    )
