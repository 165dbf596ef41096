"""Staff decisions on partner documents, and the partner's property closed and reopened.

Writing an invoice off or sending it to legal turns it black and closes the partner's property
on the platform; a black invoice can then be paid by bank transfer only. Once every outstanding
document is paid in full (and the payment reflected), the partner can open the property again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session

from concierge_app.db.engine import Database
from concierge_app.db.parties import Partner
from concierge_app.db.partner_billing import PartnerInvoice
from concierge_app.db.types import utcnow
from concierge_app.domain.errors import DomainError, NotFound
from concierge_app.domain.partner_billing import PartnerInvoiceState
from concierge_app.domain.partner_payments import BLACK_STATES, PAYABLE_KINDS
from concierge_app.services.partner.money.payments import paid_by
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import table_of
from concierge_app.services.shared.permissions import Permission, require_in

_INV, _P = table_of(PartnerInvoice), table_of(Partner)
_PAYABLE = [k.value for k in PAYABLE_KINDS]
_WORDS = {
    PartnerInvoiceState.WRITTEN_OFF: ("written off", "partner_invoice.written_off"),
    PartnerInvoiceState.LEGAL: ("sent to our legal department", "partner_invoice.sent_to_legal"),
}


def close_invoice(
    *, db: Database, invoice_id: int, to: PartnerInvoiceState, reason: str, actor: str
) -> None:
    """Write an unpaid invoice off, or send it to legal: it turns black and the partner's
    property is closed."""
    require_in(db, actor, Permission.WRITE_OFF)
    if to not in BLACK_STATES:
        raise DomainError("An invoice can be written off or sent to legal.", field="state")
    reason = " ".join(reason.split())
    if not reason:
        raise DomainError("Give the reason (the partner sees it).", field="reason")
    if len(reason) > 250:
        raise DomainError("Keep the reason under 250 characters.", field="reason")
    words, action = _WORDS[to]
    with db.transaction() as session:
        conn = session.connection()
        inv = conn.execute(select(_INV).where(_INV.c.id == invoice_id).with_for_update()).first()
        if inv is None or inv.kind not in _PAYABLE:
            raise NotFound("Invoice not found.")
        if inv.state != PartnerInvoiceState.ISSUED.value:
            raise DomainError(f"Invoice {inv.number} is already black ({inv.state}).")
        if not _unpaid(session, [inv], date.max):
            raise DomainError(f"Invoice {inv.number} is paid: there is nothing to write off.")
        conn.execute(update(_INV).where(_INV.c.id == invoice_id).values(state=to.value))
        partner = conn.execute(select(_P).where(_P.c.id == inv.partner_id).with_for_update()).one()
        closed_reason = f"Invoice {inv.number} was {words}: {reason}"
        if partner.closed_at is None:
            conn.execute(
                update(_P)
                .where(_P.c.id == partner.id)
                .values(closed_at=utcnow(), closed_reason=closed_reason[:300])
            )
        record_event(
            session,
            actor=actor,
            action=action,
            subject=f"partner_invoice:{invoice_id}",
            data={"number": inv.number, "reason": reason, "partner": partner.code},
        )
        if partner.closed_at is None:
            record_event(
                session,
                actor=actor,
                action="partner.closed",
                subject=f"partner:{partner.id}",
                data={"partner": partner.code, "reason": closed_reason},
            )


def _unpaid(session: Session, documents: list[Any], today: date) -> list[Any]:
    """The documents with money still due: amount − deducted − what is applied and effective by
    `today` (`date.max`: counting payments still processing too)."""
    paid = paid_by(session, [int(d.id) for d in documents], today)
    return [
        d
        for d in documents
        if int(d.amount_minor) - int(d.deducted_minor) - paid.get(int(d.id), (0, None))[0] > 0
    ]


@dataclass(frozen=True, slots=True)
class PropertyStatus:
    closed: bool
    reason: str
    unpaid: tuple[str, ...]  # numbers of the documents still to pay in full before reopening

    @property
    def can_reopen(self) -> bool:
        return self.closed and not self.unpaid


def property_status(*, db: Database, partner_id: int, today: date) -> PropertyStatus:
    with db.read() as session:
        return _property_status(session, partner_id, today)


def _property_status(session: Session, partner_id: int, today: date) -> PropertyStatus:
    conn = session.connection()
    partner = conn.execute(select(_P).where(_P.c.id == partner_id)).first()
    if partner is None:
        raise NotFound("Partner not found.")
    documents = conn.execute(
        select(_INV)
        .where(_INV.c.partner_id == partner_id, _INV.c.kind.in_(_PAYABLE))
        .order_by(_INV.c.due_date, _INV.c.id)
    ).all()
    unpaid = tuple(d.number for d in _unpaid(session, list(documents), today))
    return PropertyStatus(partner.closed_at is not None, partner.closed_reason or "", unpaid)


def reopen_property(*, db: Database, partner_id: int, actor: str, today: date) -> None:
    """ "Open your property": only once every outstanding document is paid in full."""
    with db.transaction() as session:
        conn = session.connection()
        conn.execute(select(_P.c.id).where(_P.c.id == partner_id).with_for_update()).one()
        status = _property_status(session, partner_id, today)
        if not status.closed:
            raise DomainError("Your property is already open.")
        if status.unpaid:
            raise DomainError(
                "Once every outstanding invoice is paid in full and marked Paid, you can open "
                f"your property again. Still to pay: {', '.join(status.unpaid)}."
            )
        conn.execute(
            update(_P).where(_P.c.id == partner_id).values(closed_at=None, closed_reason=None)
        )
        record_event(
            session,
            actor=actor,
            action="partner.reopened",
            subject=f"partner:{partner_id}",
            data={"closed_because": status.reason},
        )
