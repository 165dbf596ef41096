"""The bank's answer to a partner's direct debit, applied once: a failure (the provider's signed
`payment_intent.payment_failed`, the sandbox bank's same event, or a refusal when the debit was
requested) makes the payment failed and reverses its allocations — the documents are red
again — audits it and sends the partner "Direct debit failed" with what to do; a success is
noted on the audit trail. Each event id is stored in the transaction that applies it."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select, update
from sqlmodel import Session

from concierge_app import routes
from concierge_app.adapters.payments.stripe_events import StripeEvent
from concierge_app.db.engine import Database
from concierge_app.db.parties import Partner
from concierge_app.db.partner_billing import PartnerBankAccount, PartnerInvoice
from concierge_app.db.partner_payments import PartnerAllocation, PartnerPayment
from concierge_app.db.payments import ProviderEvent
from concierge_app.db.types import utcnow
from concierge_app.domain.direct_debit import failure_reason
from concierge_app.domain.documents import KIND_TITLES, group_iban
from concierge_app.domain.formatting import format_money
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import PartnerInvoiceKind, Period, long_date
from concierge_app.domain.statuses import PartnerPaymentMethod, PartnerPaymentStatus
from concierge_app.services.partner.money.payments import open_items
from concierge_app.services.partner.platform import platform_details
from concierge_app.services.payments.event_log import (
    DUPLICATE_EVENT,
    set_event_outcome,
    store_event,
)
from concierge_app.services.shared.addresses import public_url
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import table_of
from concierge_app.services.shared.messages import queue_message
from concierge_app.settings import get_settings

TEMPLATE = "direct_debit_failed"
UNKNOWN_DEBIT = "unknown direct debit (ignored)"

_INV, _PAY, _ALLOC, _P, _ACC, _EVENTS = (
    table_of(PartnerInvoice),
    table_of(PartnerPayment),
    table_of(PartnerAllocation),
    table_of(Partner),
    table_of(PartnerBankAccount),
    table_of(ProviderEvent),
)
_DD = PartnerPaymentMethod.DIRECT_DEBIT.value


def apply_direct_debit_event(*, db: Database, provider: str, event: StripeEvent) -> str:
    """A provider event about a partner's direct debit (its metadata says so), applied once."""
    payment_id = event.direct_debit_payment_id
    if payment_id is None:
        return UNKNOWN_DEBIT
    if event.type == "payment_intent.payment_failed":
        return fail_direct_debit(
            db=db,
            payment_id=payment_id,
            reason=failure_reason(event.failure_reason, event.failure_code),
            actor=f"provider:{provider}",
            provider=provider,
            event_id=event.id,
            event_type=event.type,
            provider_reference=event.object_id or None,
        )
    return _note_success(db, payment_id, provider, event)


def fail_direct_debit(
    *,
    db: Database,
    payment_id: int,
    reason: str,
    actor: str,
    provider: str | None = None,
    event_id: str | None = None,
    event_type: str | None = None,
    provider_reference: str | None = None,
) -> str:
    """The bank refused the debit: in one transaction the payment fails, its allocations are
    reversed (the documents are red again), it is audited and the partner is sent "Direct debit
    failed". A repeated or late answer changes nothing more."""
    with db.transaction() as session:
        event_pk = None
        if event_id is not None:
            event_pk = store_event(
                session, provider=provider or "", event_id=event_id, event_type=event_type or ""
            )
            if event_pk is None:
                return DUPLICATE_EVENT
        outcome = _fail(session, payment_id, reason, actor, provider_reference)
        if event_pk is not None:
            set_event_outcome(session, event_pk, outcome)
        return outcome


def _fail(
    session: Session, payment_id: int, reason: str, actor: str, provider_reference: str | None
) -> str:
    conn = session.connection()
    pay = conn.execute(select(_PAY).where(_PAY.c.id == payment_id).with_for_update()).first()
    if pay is None or pay.method != _DD or pay.partner_id is None:
        return UNKNOWN_DEBIT
    if provider_reference and pay.provider_reference not in (None, provider_reference):
        return "another payment at the provider (ignored)"
    if pay.status == PartnerPaymentStatus.FAILED.value:
        return "direct debit already failed (ignored)"
    # the documents' locks, as transfers take
    open_items(session, pay.currency, partner_id=pay.partner_id, include_black=True)
    now = utcnow()
    conn.execute(
        update(_PAY)
        .where(_PAY.c.id == payment_id)
        .values(
            status=PartnerPaymentStatus.FAILED.value,
            failure_reason=reason,
            failed_at=now,
            provider_reference=func.coalesce(_PAY.c.provider_reference, provider_reference),
        )
    )
    reversed_rows = conn.execute(
        update(_ALLOC)
        .where(_ALLOC.c.payment_id == payment_id, _ALLOC.c.reversed_at.is_(None))
        .values(reversed_at=now)
        .returning(_ALLOC.c.invoice_id, _ALLOC.c.amount_minor)
    ).all()
    documents = _documents(
        session, [(int(r.invoice_id), int(r.amount_minor)) for r in reversed_rows]
    )
    amount = Money(int(pay.amount_minor), pay.currency)
    record_event(
        session,
        actor=actor,
        action="partner_payment.direct_debit_failed",
        subject=f"partner_payment:{payment_id}",
        data={
            "external_id": pay.external_id,
            "amount": str(amount),
            "reason": reason,
            "reversed": {d["number"]: str(Money(d["minor"], pay.currency)) for d in documents},
        },
    )
    partner = conn.execute(select(_P).where(_P.c.id == pay.partner_id)).one()
    mandate = conn.execute(
        select(_ACC.c.mandate_reference).where(_ACC.c.partner_id == pay.partner_id)
    ).scalar()
    queue_message(
        session,
        dedupe_key=f"{TEMPLATE}:{payment_id}",
        template_key=TEMPLATE,
        recipient=partner.finance_email,
        partner_id=partner.id,
        context=failed_message_context(
            partner_name=partner.name,
            partner_code=partner.code,
            amount=amount,
            requested_on=pay.received_on,
            mandate_reference=mandate or "—",
            reason=reason,
            documents=documents,
        ),
    )
    return "direct debit failed: documents reversed, partner told"


def _documents(session: Session, reversed_rows: list[tuple[int, int]]) -> list[dict[str, Any]]:
    """Number, title, period and due date of each reversed document, oldest due first."""
    if not reversed_rows:
        return []
    amounts: dict[int, int] = {}
    for invoice_id, minor in reversed_rows:
        amounts[invoice_id] = amounts.get(invoice_id, 0) + minor
    rows = session.connection().execute(
        select(_INV.c.id, _INV.c.number, _INV.c.kind, _INV.c.period, _INV.c.due_date)
        .where(_INV.c.id.in_(list(amounts)))
        .order_by(_INV.c.due_date, _INV.c.number)
    )
    return [
        {
            "number": r.number,
            "title": KIND_TITLES[PartnerInvoiceKind(r.kind)],
            "period": Period.parse(r.period).label,
            "due": r.due_date,
            "minor": amounts[int(r.id)],
        }
        for r in rows
    ]


def failed_message_context(
    *,
    partner_name: str,
    partner_code: str,
    amount: Money,
    requested_on: date,
    mandate_reference: str,
    reason: str,
    documents: list[dict[str, Any]],
) -> dict[str, Any]:
    """Placeholders of the "Direct Debit Failed" template."""
    settings, platform = get_settings(), platform_details()
    numbers = " ".join(d["number"] for d in documents)
    reference = f"{partner_code} {numbers}".strip()
    return {
        "platform_name": settings.platform_name,
        "partner_name": partner_name,
        "partner_code": partner_code,
        "amount_payable": format_money(amount),
        "requested_on": long_date(requested_on),
        "mandate_reference": mandate_reference,
        "failure_reason": reason,
        "invoice_numbers": ", ".join(d["number"] for d in documents),
        "lines": [
            {
                "description": f"{d['title']} {d['number']} ({d['period']}), "
                f"due by {long_date(d['due'])}",
                "amount": format_money(Money(d["minor"], amount.currency)),
            }
            for d in documents
        ],
        "payment_instructions": (
            f"  • by bank transfer to {platform.legal_name}, {platform.bank_name}, "
            f"IBAN {group_iban(platform.iban)}, BIC {platform.bic}, quoting {reference} as "
            "the reference;\n"
            "  • or online, under Finance → Invoices."
        ),
        "finance_url": public_url(routes.PARTNER_INVOICES),
    }


def _note_success(db: Database, payment_id: int, provider: str, event: StripeEvent) -> str:
    """The money arrived: noted on the audit trail once (the documents were paid already)."""
    with db.transaction() as session:
        event_pk = store_event(session, provider=provider, event_id=event.id, event_type=event.type)
        if event_pk is None:
            return DUPLICATE_EVENT
        conn = session.connection()
        pay = conn.execute(select(_PAY).where(_PAY.c.id == payment_id).with_for_update()).first()
        if pay is None or pay.method != _DD:
            outcome = UNKNOWN_DEBIT
        else:
            conn.execute(
                update(_PAY)
                .where(_PAY.c.id == payment_id, _PAY.c.provider_reference.is_(None))
                .values(provider_reference=event.object_id or None)
            )
            record_event(
                session,
                actor=f"provider:{provider}",
                action="partner_payment.direct_debit_succeeded",
                subject=f"partner_payment:{payment_id}",
                data={
                    "external_id": pay.external_id,
                    "amount": str(Money(int(pay.amount_minor), pay.currency)),
                    "provider_reference": event.object_id,
                    "status": pay.status,
                },
            )
            outcome = (
                "direct debit succeeded"
                if pay.status == PartnerPaymentStatus.APPLIED.value
                else f"direct debit succeeded after it was marked {pay.status}: noted for staff"
            )
        set_event_outcome(session, event_pk, outcome)
        return outcome
