"""Direct debit of partners' commission documents: the monthly collection, the sandbox bank
(sending a debit: `direct_debit_sending`; the mandate: `direct_debit_mandate`).

Partners whose commission is paid by direct debit and whose bank account has a mandate are
collected every month (`jobs/direct_debit.py`; staff and the CLI may collect any day): for each
partner and currency, one debit of every payable document with money outstanding (black ones
are skipped: bank transfer only; so are those with a bank transfer processing). The request is
recorded first, in one transaction — the payment (applied, counted from today: the invoices
are green on the day the request is sent), its allocations, an audit event — with the
documents locked as a bank transfer locks them, so a transfer and a debit landing at once
never allocate one invoice twice. Then the gateway is asked, outside the transaction, with the
collection's idempotency key.

The bank answers later (`direct_debit_answers.py`): a failure turns the documents red again
and the partner is sent "Direct debit failed"; a refusal when the debit is requested is a
failure too. A provider that could not take the request (unreachable, overloaded: the debit
may exist at the bank) refuses nothing: the debit stays recorded but unsent, and a later run
sends it again with the same idempotency key. The sandbox bank answers when staff ask it to
(the demo).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from concierge_app.adapters.payments.gateway import (
    DebitRequest,
    PaymentGateway,
)
from concierge_app.adapters.payments.sandbox import DebitAnswers
from concierge_app.db.engine import Database
from concierge_app.db.partner_billing import PartnerInvoice
from concierge_app.db.partner_payments import PartnerAllocation, PartnerPayment
from concierge_app.db.types import utcnow
from concierge_app.domain.allocation import allocate
from concierge_app.domain.direct_debit import (
    OVER_LIMIT,
    PAID_BY_TRANSFER_ONLY,
    TRANSFER_PROCESSING,
    collection_day,
    debit_external_id,
    month_prefix,
    plan_collection,
)
from concierge_app.domain.errors import DomainError
from concierge_app.domain.formatting import format_money
from concierge_app.domain.money import Money, totals_by_currency
from concierge_app.domain.partner_billing import Period
from concierge_app.domain.partner_payments import PAYABLE_KINDS
from concierge_app.domain.statuses import (
    PartnerPaymentMethod,
    PartnerPaymentStatus,
)
from concierge_app.services.partner.money.credit import apply_pending_credit
from concierge_app.services.partner.money.payments import insert_allocations, open_items, paid_by
from concierge_app.services.partner.views.documents import summary_of
from concierge_app.services.partner.views.finance import mask_iban
from concierge_app.services.payments.direct_debit_sending import (
    DebitPayer,
    RequestedDebit,
    debit_request,
    payers_on_direct_debit,
    resend_unsent,
    send_debit,
)
from concierge_app.services.payments.provider import get_gateway, sandbox_checkout
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import table_of
from concierge_app.services.shared.permissions import Permission, require_in
from concierge_app.settings import get_settings

FAILED_THIS_MONTH = "their direct debit failed this month (by transfer or online)"
OTHER_CURRENCY = "direct debit collects {currencies} only (by transfer or online)"
Progress = Callable[[int, int], None]  # (partners done, partners in all)

_INV, _PAY = table_of(PartnerInvoice), table_of(PartnerPayment)
_ALLOC, _DD = table_of(PartnerAllocation), PartnerPaymentMethod.DIRECT_DEBIT.value


@dataclass(frozen=True, slots=True)
class SkippedDocument:
    partner_code: str
    partner_name: str
    number: str
    outstanding: Money
    reason: str  # PAID_BY_TRANSFER_ONLY / FAILED_THIS_MONTH / TRANSFER_PROCESSING / OTHER_CURRENCY


@dataclass(frozen=True, slots=True)
class CollectionSummary:
    partners: int  # on direct debit with a mandate
    requested: tuple[RequestedDebit, ...]  # the provider took them (sent) or refused them
    skipped: tuple[SkippedDocument, ...]
    resent: int  # recorded by an interrupted run but never sent: sent now
    already_collected: int  # (scheduled) partner and currency collected earlier this month
    retrying: tuple[RequestedDebit, ...] = ()  # recorded, not sent: the provider was unavailable

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
        """One sentence for staff: what was requested, refused, left to retry and skipped."""
        parts = []
        if self.sent:
            total = " + ".join(format_money(m) for m in self.totals)
            parts.append(f"{len(self.sent)} direct debit(s) requested, {total}.")
        if self.refused:
            parts.append(f"{len(self.refused)} refused by the bank at once (partners told).")
        if self.retrying:
            total = " + ".join(
                format_money(m) for m in totals_by_currency(r.amount for r in self.retrying)
            )
            why = "; ".join(dict.fromkeys(r.not_sent or "" for r in self.retrying))
            parts.append(
                f"{len(self.retrying)} direct debit(s) of {total} not sent yet ({why}): the "
                "request will be retried by the next run."
            )
        if not parts:
            parts.append("Nothing new to collect.")
        reasons: dict[str, int] = {}
        for s in self.skipped:
            reasons[s.reason] = reasons.get(s.reason, 0) + 1
        parts += [f"{count} document(s) skipped: {reason}." for reason, count in reasons.items()]
        return " ".join(parts)


@dataclass(slots=True)
class _Attempt:
    """The id a collection was about to be recorded under (read when the insert conflicts)."""

    external_id: str | None = None


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
    failed this month) is requested again. `scheduled`: a partner and currency the schedule
    already collected this month (a debit made on or after the collection day, not failed) is
    left for next month (the monthly schedule)."""
    require_in(db, actor, Permission.PARTNER_MONEY)
    if gateway is None:
        gateway = get_gateway(db)
    resent, retrying = resend_unsent(db, gateway)
    with db.read() as session:
        payers = payers_on_direct_debit(session.connection())
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
            attempt = _Attempt()
            try:
                with db.transaction() as session:
                    found = _record(session, payer, currency, today, actor, scheduled, attempt)
            except IntegrityError:
                if attempt.external_id is None or not _is_recorded(db, attempt.external_id):
                    raise
                already += 1  # another run recorded this collection meanwhile
                continue
            if found is None:
                already += 1
                continue
            request, documents, left = found
            skipped += left
            if request is not None:
                debit = send_debit(db, gateway, request, payer, documents)
                (retrying if debit.not_sent else requested).append(debit)
        if progress is not None:
            progress(n, len(payers))
    return CollectionSummary(
        len(payers), tuple(requested), tuple(skipped), resent, already, tuple(retrying)
    )


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
    db: Database, payer: DebitPayer, currency: str, currencies: frozenset[str]
) -> list[SkippedDocument]:
    """The open documents in a currency the provider cannot debit: left for other ways."""
    reason = OTHER_CURRENCY.format(currencies=", ".join(sorted(currencies)))
    with db.read() as session:
        items = open_items(session, currency, partner_id=payer.id, include_black=True)
    return [SkippedDocument(payer.code, payer.name, i.number, i.outstanding, reason) for i in items]


def _collected_by_schedule(conn: Connection, partner_id: int, prefix: str, month: Period) -> bool:
    """Whether this month's scheduled collection happened: a debit made on or after the
    collection day that did not fail (one staff made earlier, or a failed one, does not
    count; the documents a debit failed on are skipped anyway, see FAILED_THIS_MONTH)."""
    found = conn.execute(
        select(_PAY.c.id)
        .where(
            _PAY.c.method == _DD,
            _PAY.c.partner_id == partner_id,
            _PAY.c.external_id.startswith(prefix, autoescape=True),
            _PAY.c.received_on >= collection_day(month),
            _PAY.c.status != PartnerPaymentStatus.FAILED.value,
        )
        .limit(1)
    ).first()
    return found is not None


def _record(
    session: Session,
    payer: DebitPayer,
    currency: str,
    today: date,
    actor: str,
    scheduled: bool,
    attempt: _Attempt,
) -> tuple[DebitRequest | None, tuple[str, ...], list[SkippedDocument]] | None:
    """Record one collection (payment, allocations, audit); None when the schedule already
    collected this partner and currency this month. `attempt` learns the debit's id before it
    is inserted."""
    conn = session.connection()
    month = Period.of(today)
    prefix = month_prefix(payer.code, currency, month)
    if scheduled and _collected_by_schedule(conn, payer.id, prefix, month):
        return None  # checked before locking: the schedule's hourly checks lock nothing
    # locks the documents, as transfers do
    items = open_items(session, currency, partner_id=payer.id, include_black=True)
    if not items:
        return None, (), []
    earlier = conn.execute(
        select(_PAY.c.id, _PAY.c.status).where(
            _PAY.c.method == _DD,
            _PAY.c.partner_id == payer.id,
            _PAY.c.external_id.startswith(prefix, autoescape=True),
        )
    ).all()
    failed_ids = [r.id for r in earlier if r.status == PartnerPaymentStatus.FAILED.value]
    failed_on = set(
        conn.execute(
            select(_ALLOC.c.invoice_id).where(_ALLOC.c.payment_id.in_(failed_ids))
        ).scalars()
        if failed_ids
        else ()
    )
    ids = [i.invoice_id for i in items]
    rows = conn.execute(select(_INV).where(_INV.c.id.in_(ids))).all()
    payments = paid_by(session, ids, today)
    # the Invoices page's status of each document: its state, and whether a transfer is
    # processing (as online payment refuses it)
    docs = {int(r.id): summary_of(r, today, payments) for r in rows}
    plan = plan_collection(
        items,
        {i: d.state for i, d in docs.items()},
        failed_on,
        processing={i for i, d in docs.items() if d.processing},
    )
    skipped = [
        SkippedDocument(payer.code, payer.name, i.number, i.outstanding, reason)
        for reason, left in (
            (PAID_BY_TRANSFER_ONLY, plan.black),
            (FAILED_THIS_MONTH, plan.failed_this_month),
            (TRANSFER_PROCESSING, plan.processing),
            (OVER_LIMIT, plan.over_limit),
        )
        for i in left
    ]
    amount = plan.amount
    if amount is None:
        return None, (), skipped
    external_id = debit_external_id(payer.code, currency, month, len(earlier) + 1)
    numbers = tuple(i.number for i in plan.collect)
    attempt.external_id = external_id
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
    insert_allocations(session, spread.allocations, today, payment_id=payment_id)
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
    return debit_request(int(payment_id), external_id, amount, payer, numbers), numbers, skipped


def _is_recorded(db: Database, external_id: str) -> bool:
    """Whether a direct debit with this id is recorded (by another run, meanwhile)."""
    with db.read() as session:
        found = (
            session.connection()
            .execute(
                select(_PAY.c.id).where(_PAY.c.method == _DD, _PAY.c.external_id == external_id)
            )
            .first()
        )
    return found is not None


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
