"""Direct debit of partners' commission documents: the monthly collection, the sandbox bank.

Partners whose commission is paid by direct debit and whose bank account has a mandate are
collected every month (`jobs/direct_debit.py`; staff and the CLI may collect any day): for each
partner and currency, one debit of every payable document with money outstanding (black ones
are skipped: bank transfer only). The request is recorded first, in one transaction — the
payment (applied, counted from today: the invoices are green on the day the request is sent),
its allocations, an audit event — with the documents locked as a bank transfer locks them, so
a transfer and a debit landing at once never allocate one invoice twice. Then the gateway is
asked, outside the transaction, with the collection's idempotency key.

The bank answers later (`direct_debit_answers.py`): a failure turns the documents red again
and the partner is sent "Direct debit failed"; a refusal when the debit is requested is a
failure too. The sandbox bank answers when staff ask it to (the demo).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from ..db.engine import Database
from ..db.parties import CommissionPaymentMethod, Partner
from ..db.partner_billing import PartnerBankAccount, PartnerInvoice
from ..db.partner_payments import (
    PartnerAllocation,
    PartnerPayment,
    PartnerPaymentMethod,
    PartnerPaymentStatus,
)
from ..db.types import utcnow
from ..domain.allocation import allocate
from ..domain.direct_debit import (
    PAID_BY_TRANSFER_ONLY,
    debit_external_id,
    failure_reason,
    month_prefix,
    plan_collection,
)
from ..domain.errors import DomainError
from ..domain.money import Money, totals_by_currency
from ..domain.partner_billing import PartnerInvoiceState, Period, long_date
from ..domain.partner_payments import PAYABLE_KINDS
from ..payments.gateway import DebitRequest, GatewayError, PaymentGateway
from ..payments.sandbox import DebitAnswers
from ..settings import get_settings
from .audit import record_event
from .common import table_of
from .direct_debit_answers import fail_direct_debit
from .formatting import format_money
from .partner_credit import apply_pending_credit
from .partner_finance import mask_iban
from .partner_payments import _insert_allocations, _open_items
from .payment_provider import get_gateway, sandbox_checkout

FAILED_THIS_MONTH = "their direct debit failed this month (by transfer or online)"
OTHER_CURRENCY = "direct debit collects {currencies} only (by transfer or online)"
NO_MANDATE = "The direct debit mandate was withdrawn before the debit could be sent."
Progress = Callable[[int, int], None]  # (partners done, partners in all)

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


@dataclass(frozen=True, slots=True)
class SkippedDocument:
    partner_code: str
    partner_name: str
    number: str
    outstanding: Money
    reason: str  # PAID_BY_TRANSFER_ONLY / FAILED_THIS_MONTH / OTHER_CURRENCY


@dataclass(frozen=True, slots=True)
class CollectionSummary:
    collected_on: date
    partners: int  # on direct debit with a mandate
    requested: tuple[RequestedDebit, ...]
    skipped: tuple[SkippedDocument, ...]
    resent: int  # recorded by an interrupted run but never sent: sent now
    already_collected: int  # (scheduled) partner and currency collected earlier this month

    @property
    def sent(self) -> tuple[RequestedDebit, ...]:
        return tuple(r for r in self.requested if r.refused is None)

    @property
    def refused(self) -> tuple[RequestedDebit, ...]:
        return tuple(r for r in self.requested if r.refused is not None)

    @property
    def totals(self) -> tuple[Money, ...]:
        return totals_by_currency(r.amount for r in self.sent)

    @property
    def text(self) -> str:
        """One sentence for staff: what was requested, refused and skipped."""
        parts = []
        if self.sent:
            total = " + ".join(format_money(m) for m in self.totals)
            parts.append(f"{len(self.sent)} direct debit(s) requested, {total}.")
        if self.refused:
            parts.append(f"{len(self.refused)} refused by the bank at once (partners told).")
        if not parts:
            parts.append("Nothing new to collect.")
        reasons: dict[str, int] = {}
        for s in self.skipped:
            reasons[s.reason] = reasons.get(s.reason, 0) + 1
        parts += [f"{count} document(s) skipped: {reason}." for reason, count in reasons.items()]
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class _Payer:
    id: int
    code: str
    name: str
    email: str
    holder: str
    iban: str
    mandate: str
    signed_on: date


# -- the collection ----------------------------------------------------------------------------


def collect_direct_debits(
    *,
    db: Database,
    today: date,
    actor: str,
    gateway: PaymentGateway | None = None,
    scheduled: bool = False,
    progress: Progress | None = None,
) -> CollectionSummary:
    """Request a direct debit of every open, non-black document of each partner with a mandate
    (one per partner and currency). Idempotent: nothing already requested (or whose debit
    failed this month) is requested again. `scheduled`: a partner and currency collected
    earlier this month is left for next month (the monthly schedule)."""
    if gateway is None:
        gateway = get_gateway(db)
    resent = _resend_unsent(db, gateway)
    payers = _payers(db)
    # credit the partner holds (credit notes, over-payments) pays first: only the rest is debited
    apply_pending_credit(db=db, partner_ids=[p.id for p in payers], today=today)
    requested: list[RequestedDebit] = []
    skipped: list[SkippedDocument] = []
    already = 0
    for n, payer in enumerate(payers, start=1):
        for currency in _currencies(db, payer.id):
            if currency not in gateway.debit_currencies:  # e.g. SEPA: euros only
                skipped += _not_collectable(db, payer, currency, gateway.debit_currencies)
                continue
            try:
                with db.transaction() as session:
                    found = _record(session, payer, currency, today, actor, scheduled)
            except IntegrityError:  # another run recorded this collection meanwhile
                already += 1
                continue
            if found is None:
                already += 1
                continue
            request, documents, left = found
            skipped += left
            if request is not None:
                requested.append(_send(db, gateway, request, payer, documents))
        if progress is not None:
            progress(n, len(payers))
    return CollectionSummary(today, len(payers), tuple(requested), tuple(skipped), resent, already)


def _payers(db: Database) -> list[_Payer]:
    with db.read() as session:
        rows = session.connection().execute(
            select(
                _P.c.id,
                _P.c.code,
                _P.c.name,
                _P.c.finance_email,
                _ACC.c.account_holder,
                _ACC.c.iban,
                _ACC.c.mandate_reference,
                _ACC.c.mandate_signed_on,
                _ACC.c.updated_at,
            )
            .join(_ACC, _ACC.c.partner_id == _P.c.id)
            .where(
                _P.c.commission_payment_method == CommissionPaymentMethod.DIRECT_DEBIT.value,
                _ACC.c.mandate_reference.is_not(None),
            )
            .order_by(_P.c.code)
        )
        return [
            _Payer(
                int(r.id),
                r.code,
                r.name,
                r.finance_email,
                r.account_holder,
                r.iban,
                r.mandate_reference,
                r.mandate_signed_on or r.updated_at.date(),
            )
            for r in rows
        ]


def _currencies(db: Database, partner_id: int) -> list[str]:
    with db.read() as session:
        return list(
            session.connection()
            .execute(
                select(_INV.c.currency)
                .where(
                    _INV.c.partner_id == partner_id,
                    _INV.c.kind.in_([k.value for k in PAYABLE_KINDS]),
                )
                .distinct()
                .order_by(_INV.c.currency)
            )
            .scalars()
        )


def _not_collectable(
    db: Database, payer: _Payer, currency: str, currencies: frozenset[str]
) -> list[SkippedDocument]:
    """The open documents in a currency the provider cannot debit: left for other ways."""
    reason = OTHER_CURRENCY.format(currencies=", ".join(sorted(currencies)))
    with db.read() as session:
        items = _open_items(session, payer.id, currency)
    return [SkippedDocument(payer.code, payer.name, i.number, i.outstanding, reason) for i in items]


def _record(
    session: Session, payer: _Payer, currency: str, today: date, actor: str, scheduled: bool
) -> tuple[DebitRequest | None, tuple[str, ...], list[SkippedDocument]] | None:
    """Record one collection (payment, allocations, audit); None when the schedule already
    collected this partner and currency this month."""
    conn = session.connection()
    items = _open_items(session, payer.id, currency)  # locks the documents, as transfers do
    month = Period.of(today)
    earlier = conn.execute(
        select(_PAY.c.id, _PAY.c.status).where(
            _PAY.c.method == _DD,
            _PAY.c.partner_id == payer.id,
            _PAY.c.external_id.startswith(
                month_prefix(payer.code, currency, month), autoescape=True
            ),
        )
    ).all()
    if scheduled and earlier:
        return None
    if not items:
        return None, (), []
    failed_ids = [r.id for r in earlier if r.status == PartnerPaymentStatus.FAILED.value]
    failed_on = set(
        conn.execute(
            select(_ALLOC.c.invoice_id).where(_ALLOC.c.payment_id.in_(failed_ids))
        ).scalars()
        if failed_ids
        else ()
    )
    states = {
        int(r.id): PartnerInvoiceState(r.state)
        for r in conn.execute(
            select(_INV.c.id, _INV.c.state).where(_INV.c.id.in_([i.invoice_id for i in items]))
        )
    }
    plan = plan_collection(items, states, failed_on)
    skipped = [
        SkippedDocument(payer.code, payer.name, i.number, i.outstanding, PAID_BY_TRANSFER_ONLY)
        for i in plan.black
    ] + [
        SkippedDocument(payer.code, payer.name, i.number, i.outstanding, FAILED_THIS_MONTH)
        for i in plan.failed_this_month
    ]
    amount = plan.amount
    if amount is None:
        return None, (), skipped
    external_id = debit_external_id(payer.code, currency, month, len(earlier) + 1)
    numbers = tuple(i.number for i in plan.collect)
    payment_id = conn.execute(
        _PAY.insert()
        .values(
            method=_DD,
            external_id=external_id,
            partner_id=payer.id,
            currency=currency,
            amount_minor=amount.minor,
            reference=f"{payer.code} {' '.join(numbers)}"[:300],
            payer=payer.holder[:200],
            received_on=today,
            reflected_on=today,  # counted on the day it is requested
            status=PartnerPaymentStatus.APPLIED.value,
            created_by=actor,
            created_at=utcnow(),
        )
        .returning(_PAY.c.id)
    ).scalar_one()
    spread = allocate(amount, plan.collect)
    _insert_allocations(session, spread.allocations, today, payment_id=payment_id)
    record_event(
        session,
        actor=actor,
        action="partner_payment.direct_debit_requested",
        subject=f"partner_payment:{payment_id}",
        data={
            "method": _DD,
            "partner": payer.code,
            "amount": str(amount),
            "external_id": external_id,
            "mandate": payer.mandate,
            "iban": mask_iban(payer.iban),
            "allocated": {i.number: str(i.outstanding) for i in plan.collect},
            "skipped": {s.number: s.reason for s in skipped},
        },
    )
    request = DebitRequest(
        payment_id=int(payment_id),
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
    return request, numbers, skipped


def _send(
    db: Database,
    gateway: PaymentGateway,
    request: DebitRequest,
    payer: _Payer,
    documents: tuple[str, ...],
) -> RequestedDebit:
    """Ask the provider (outside any transaction); a refusal is the debit's failure."""
    try:
        reference = gateway.collect_debit(request)
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


def _resend_unsent(db: Database, gateway: PaymentGateway) -> int:
    """Debits recorded but never sent (the run stopped between the two): send them now, with
    the same idempotency key (a request that did reach the bank is not made twice)."""
    with db.read() as session:
        ids = list(
            session.connection()
            .execute(
                select(_PAY.c.id)
                .where(
                    _PAY.c.method == _DD,
                    _PAY.c.status == PartnerPaymentStatus.APPLIED.value,
                    _PAY.c.provider_reference.is_(None),
                )
                .order_by(_PAY.c.id)
            )
            .scalars()
        )
    for payment_id in ids:
        found = _request_of(db, int(payment_id))
        if found is None:  # the mandate is gone: the debit cannot be sent, it failed
            fail_direct_debit(db=db, payment_id=int(payment_id), reason=NO_MANDATE, actor="system")
        else:
            _send(db, gateway, *found)
    return len(ids)


def _request_of(
    db: Database, payment_id: int
) -> tuple[DebitRequest, _Payer, tuple[str, ...]] | None:
    with db.read() as session:
        conn = session.connection()
        pay = conn.execute(select(_PAY).where(_PAY.c.id == payment_id)).one()
        payer = next((p for p in _payers(db) if p.id == pay.partner_id), None)
        if payer is None:  # no mandate any more: the bank cannot be asked
            return None
        numbers = tuple(
            conn.execute(
                select(_INV.c.number)
                .join(_ALLOC, _ALLOC.c.invoice_id == _INV.c.id)
                .where(_ALLOC.c.payment_id == payment_id)
                .order_by(_ALLOC.c.id)
            ).scalars()
        )
    request = DebitRequest(
        payment_id=payment_id,
        external_id=pay.external_id,
        partner_code=payer.code,
        amount=Money(int(pay.amount_minor), pay.currency),
        iban=payer.iban,
        account_holder=payer.holder,
        email=payer.email,
        mandate_reference=payer.mandate,
        mandate_signed_on=payer.signed_on,
        description=f"Commission {payer.code} {' '.join(numbers)}"[:1000],
    )
    return request, payer, numbers


# -- the sandbox bank (demo) ----------------------------------------------------------------------


def sandbox_pending_debits(*, db: Database) -> int | None:
    """Debits waiting for the sandbox bank's answer (None: Stripe is the provider)."""
    gateway = sandbox_checkout(db)
    return None if gateway is None else gateway.pending_debits()


def answer_sandbox_debits(*, db: Database) -> DebitAnswers:
    """The sandbox bank answers every pending debit: the configured failing IBAN fails, any
    other succeeds; each answer arrives as a signed event, applied like Stripe's."""
    gateway = sandbox_checkout(db)
    if gateway is None:
        raise DomainError("Stripe is the payment provider: the banks answer through Stripe.")
    return gateway.answer_debits(failing_iban=get_settings().sandbox_failing_iban)


# -- the mandate, for the Bank details page ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class MandateView:
    reference: str
    signed_on: str  # "August 12, 2026"
    iban_masked: str

    @property
    def text(self) -> str:
        return (
            f"Direct debit mandate {self.reference}, signed {self.signed_on}, collected from "
            f"{self.iban_masked}"
        )


def mandate_of(*, db: Database, partner_id: int) -> MandateView | None:
    """The partner's direct debit mandate, if its account has one."""
    with db.read() as session:
        row = (
            session.connection()
            .execute(
                select(
                    _ACC.c.mandate_reference,
                    _ACC.c.mandate_signed_on,
                    _ACC.c.iban,
                    _ACC.c.updated_at,
                ).where(_ACC.c.partner_id == partner_id, _ACC.c.mandate_reference.is_not(None))
            )
            .first()
        )
    if row is None:
        return None
    signed = row.mandate_signed_on or row.updated_at.date()
    return MandateView(row.mandate_reference, long_date(signed), mask_iban(row.iban))
