"""Sending a recorded direct debit to the bank (the provider), and sending again what a run
recorded but could not send. The request is the same at every try (same idempotency key), so a
request that did reach the bank is not made twice. A refusal is the debit's failure
(`direct_debit_answers.fail_direct_debit`); a provider that could not take the request leaves
the debit unsent for a later run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection, select, update

from concierge_app.adapters.payments.gateway import (
    DebitRequest,
    GatewayError,
    GatewayUnavailable,
    PaymentGateway,
)
from concierge_app.db.engine import Database
from concierge_app.db.parties import Partner
from concierge_app.db.partner_billing import PartnerBankAccount, PartnerInvoice
from concierge_app.db.partner_payments import PartnerAllocation, PartnerPayment
from concierge_app.db.types import utcnow
from concierge_app.domain.direct_debit import failure_reason
from concierge_app.domain.money import Money
from concierge_app.domain.statuses import (
    CommissionPaymentMethod,
    PartnerPaymentMethod,
    PartnerPaymentStatus,
)
from concierge_app.services.payments.direct_debit_answers import fail_direct_debit
from concierge_app.services.shared.common import table_of

NO_MANDATE = "The direct debit mandate was withdrawn before the debit could be sent."
# A debit recorded but not sent is sent again by a later run — once it is this old: a younger
# one may be another run's, recorded a moment ago and being sent right now.
RESEND_AFTER = timedelta(minutes=5)

logger = logging.getLogger(__name__)

_INV, _PAY, _ALLOC, _P, _ACC = (
    table_of(PartnerInvoice),
    table_of(PartnerPayment),
    table_of(PartnerAllocation),
    table_of(Partner),
    table_of(PartnerBankAccount),
)
_DD = PartnerPaymentMethod.DIRECT_DEBIT.value


@dataclass(frozen=True, slots=True)
class RequestedDebit:
    """One debit requested now: a partner, a currency, its documents."""

    payment_id: int
    partner_code: str
    partner_name: str
    amount: Money
    documents: tuple[str, ...]
    provider_reference: str | None
    refused: str | None  # the provider refused at once: the debit failed, the partner is told
    not_sent: str | None = None  # the provider could not take it now: a later run sends it


@dataclass(frozen=True, slots=True)
class DebitPayer:
    """A partner on direct debit with an accepted mandate: whom the bank is asked to debit."""

    id: int
    code: str
    name: str
    email: str
    holder: str
    iban: str
    mandate: str
    signed_on: date


def payers_on_direct_debit(conn: Connection, partner_id: int | None = None) -> list[DebitPayer]:
    """The partners on direct debit with an accepted mandate on their account (or that one
    partner)."""
    stmt = (
        select(
            _P.c.id,
            _P.c.code,
            _P.c.name,
            _P.c.finance_email,
            _ACC.c.account_holder,
            _ACC.c.iban,
            _ACC.c.mandate_reference,
            _ACC.c.mandate_signed_on,
        )
        .join(_ACC, _ACC.c.partner_id == _P.c.id)
        .where(
            _P.c.commission_payment_method == CommissionPaymentMethod.DIRECT_DEBIT.value,
            _ACC.c.mandate_reference.is_not(None),
            # accepted by the partner: a mandate waiting for its acceptance debits nothing
            _ACC.c.mandate_signed_on.is_not(None),
        )
        .order_by(_P.c.code)
    )
    if partner_id is not None:
        stmt = stmt.where(_P.c.id == partner_id)
    return [
        DebitPayer(
            int(r.id),
            r.code,
            r.name,
            r.finance_email,
            r.account_holder,
            r.iban,
            r.mandate_reference,
            r.mandate_signed_on,
        )
        for r in conn.execute(stmt)
    ]


def debit_request(
    payment_id: int, external_id: str, amount: Money, payer: DebitPayer, numbers: tuple[str, ...]
) -> DebitRequest:
    """What the bank is asked for one recorded collection (the same at every retry)."""
    return DebitRequest(
        payment_id=payment_id,
        external_id=external_id,
        partner_code=payer.code,
        amount=amount,
        iban=payer.iban,
        account_holder=payer.holder,
        email=payer.email,
        mandate_reference=payer.mandate,
        mandate_signed_on=payer.signed_on,
        description=f"Commission {payer.code} {' '.join(numbers)}"[:1000],
    )


def send_debit(
    db: Database,
    gateway: PaymentGateway,
    request: DebitRequest,
    payer: DebitPayer,
    documents: tuple[str, ...],
) -> RequestedDebit:
    """Ask the provider (outside any transaction). A refusal is the debit's failure; a provider
    that could not take the request leaves it unsent (no provider reference), for a later run
    to send again under the same idempotency key."""
    try:
        reference = gateway.collect_debit(request)
    except GatewayUnavailable as unavailable:
        reason = " ".join(str(unavailable).split()) or f"{gateway.name} did not answer"
        logger.warning(
            "Direct debit %s not sent (%s): a later run sends it again",
            request.external_id,
            reason,
        )
        return RequestedDebit(
            request.payment_id,
            payer.code,
            payer.name,
            request.amount,
            documents,
            None,
            None,
            not_sent=reason,
        )
    except GatewayError as refused:
        reason = failure_reason(str(refused))
        fail_direct_debit(
            db=db, payment_id=request.payment_id, reason=reason, actor=f"provider:{gateway.name}"
        )
        return RequestedDebit(
            request.payment_id, payer.code, payer.name, request.amount, documents, None, reason
        )
    with db.transaction() as session:
        session.connection().execute(
            update(_PAY)
            .where(_PAY.c.id == request.payment_id, _PAY.c.provider_reference.is_(None))
            .values(provider_reference=reference)
        )
    return RequestedDebit(
        request.payment_id, payer.code, payer.name, request.amount, documents, reference, None
    )


def resend_unsent(db: Database, gateway: PaymentGateway) -> tuple[int, list[RequestedDebit]]:
    """Debits recorded but never sent (the run stopped between the two, or the provider was
    unavailable) and older than RESEND_AFTER: send them now, with the same idempotency key (a
    request that did reach the bank is not made twice). Returns how many were dealt with, and
    those the provider still could not take."""
    with db.read() as session:
        ids = list(
            session.connection()
            .execute(
                select(_PAY.c.id)
                .where(
                    _PAY.c.method == _DD,
                    _PAY.c.status == PartnerPaymentStatus.APPLIED.value,
                    _PAY.c.provider_reference.is_(None),
                    _PAY.c.created_at < utcnow() - RESEND_AFTER,
                )
                .order_by(_PAY.c.id)
            )
            .scalars()
        )
    resent, retrying = 0, []
    for payment_id in ids:
        found = _request_of(db, int(payment_id))
        if found is None:  # sent or failed meanwhile
            continue
        if isinstance(found, str):  # the mandate is gone: it cannot be sent, it failed
            fail_direct_debit(db=db, payment_id=int(payment_id), reason=found, actor="system")
            resent += 1
            continue
        debit = send_debit(db, gateway, *found)
        if debit.not_sent:
            retrying.append(debit)
        else:
            resent += 1
    return resent, retrying


def _request_of(
    db: Database, payment_id: int
) -> tuple[DebitRequest, DebitPayer, tuple[str, ...]] | str | None:
    """The request of a recorded, unsent debit, as it was first made; NO_MANDATE when the
    partner's mandate is gone; None when the debit is no longer unsent."""
    with db.read() as session:
        conn = session.connection()
        pay = conn.execute(
            select(_PAY).where(
                _PAY.c.id == payment_id,
                _PAY.c.status == PartnerPaymentStatus.APPLIED.value,
                _PAY.c.provider_reference.is_(None),
            )
        ).first()
        if pay is None:
            return None
        payer = next(iter(payers_on_direct_debit(conn, partner_id=pay.partner_id)), None)
        if payer is None:  # no mandate any more: the bank cannot be asked
            return NO_MANDATE
        numbers = tuple(
            conn.execute(
                select(_INV.c.number)
                .join(_ALLOC, _ALLOC.c.invoice_id == _INV.c.id)
                .where(_ALLOC.c.payment_id == payment_id)
                .order_by(_ALLOC.c.id)
            ).scalars()
        )
    amount = Money(int(pay.amount_minor), pay.currency)
    return debit_request(payment_id, pay.external_id, amount, payer, numbers), payer, numbers
