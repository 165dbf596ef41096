"""The sandbox payment provider: Stripe Checkout in test mode, embedded in the app.

It keeps its own Checkout Sessions (table `sandbox_checkout_session`), serves a checkout page
(`/sandbox/checkout/{session}`), answers Stripe's test cards as Stripe does, and sends signed
Stripe-format events to the app's webhook handler, so the demo runs the production code path.

Its test cards are in `sandbox_cards`, the events it sends in `sandbox_events`.

It also takes SEPA direct debits (table `sandbox_debit`, Stripe: PaymentIntents with a
sepa_debit payment method). The bank answers when asked (`answer_debits`, a person clicking
"Bank answers" in the demo): a debit from the configured failing IBAN fails as Stripe's test
IBAN DE62370400440532013001 does (`payment_intent.payment_failed`), any other succeeds
(`payment_intent.succeeded`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from concierge_app import routes
from concierge_app.adapters.payments.gateway import (
    CheckoutRequest,
    CheckoutSession,
    DebitRequest,
    GatewayError,
    Progress,
    ProviderRefund,
)
from concierge_app.adapters.payments.sandbox_cards import (
    DECLINING_CARDS,
    NOT_A_TEST_CARD,
    SUCCEEDING_CARDS,
    Card,
    card_problem,
    digits,
)
from concierge_app.adapters.payments.sandbox_events import debit_event, session_event
from concierge_app.adapters.payments.sandbox_records import read_records
from concierge_app.adapters.payments.stripe_amounts import to_stripe_amount
from concierge_app.adapters.payments.stripe_events import sign
from concierge_app.db.engine import Database
from concierge_app.db.sandbox import SandboxCheckoutSession, SandboxDebit
from concierge_app.db.sandbox_refunds import SandboxRefund
from concierge_app.db.types import utcnow
from concierge_app.domain.i18n import N_
from concierge_app.domain.money import Money
from concierge_app.domain.provider_events import CHECKOUT_COMPLETED, CHECKOUT_EXPIRED, DEBIT_FAILED
from concierge_app.domain.reconciliation import Item
from concierge_app.domain.statuses import SandboxDebitStatus, SandboxSessionStatus

# Where the sandbox "posts" its events: (raw payload, Stripe-Signature header) → anything.
EventSink = Callable[[bytes, str], object]

SEPA_EUR_ONLY = "SEPA Direct Debit collects euros only; this debit is in {currency}."


@dataclass(frozen=True, slots=True)
class DebitAnswers:
    """What the sandbox bank answered, one count per outcome."""

    succeeded: int
    failed: int


class CardDeclined(GatewayError):
    """The card was refused; the checkout stays open for another try."""


@dataclass(frozen=True, slots=True)
class SandboxLine:
    name: str
    description: str
    amount: Money


@dataclass(frozen=True, slots=True)
class SandboxSessionView:
    """What the sandbox checkout page shows."""

    id: str
    booking_reference: str
    amount: Money
    lines: tuple[SandboxLine, ...]
    customer_email: str
    status: SandboxSessionStatus
    success_url: str
    cancel_url: str
    locale: str = "auto"


class SandboxRefunds:
    """The sandbox giving money back: refunds need no session and send no event. Given the
    database, it keeps each refund it made (`sandbox_refund`) as Stripe does, for
    reconciliation."""

    name = "sandbox"

    def __init__(self, db: Database | None = None) -> None:
        self._records = db

    def refund(self, *, payment_reference: str | None, amount: Money, idempotency_key: str) -> str:
        """Refunds always succeed, deterministically per idempotency key (recorded once)."""
        if amount.minor <= 0:
            raise GatewayError("A refund must be more than zero.")
        refund_id = "re_sandbox_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]
        if self._records is not None:
            with contextlib.suppress(IntegrityError), self._records.transaction() as session:
                if session.get(SandboxRefund, refund_id) is None:
                    session.add(
                        SandboxRefund(
                            id=refund_id,
                            idempotency_key=idempotency_key,
                            payment_intent=payment_reference,
                            currency=amount.currency,
                            amount_minor=amount.minor,
                        )
                    )
        return refund_id

    def provider_records(
        self, *, start: datetime, end: datetime, progress: Progress | None = None
    ) -> tuple[Item, ...]:
        """Its completed checkouts, debits and refunds of [start, end) (sandbox_records.py)."""
        if self._records is None:
            return ()
        return read_records(self._records, start=start, end=end, progress=progress)

    def list_refunds(self, payment_reference: str) -> tuple[ProviderRefund, ...]:
        """The sandbox only refunds when the ledger asks, and the ledger records those itself:
        it holds no other refund of any payment."""
        return ()


class SandboxGateway(SandboxRefunds):
    """The embedded default provider (no keys, no network)."""

    debit_currencies = frozenset({"EUR"})  # SEPA Direct Debit, as Stripe's sepa_debit

    def __init__(
        self, db: Database, *, webhook_secret: str, send_event: EventSink, base_url: str
    ) -> None:
        super().__init__(db)
        self._db, self._secret, self._send, self._base = (
            db,
            webhook_secret,
            send_event,
            base_url.rstrip("/"),
        )

    def create_checkout(self, request: CheckoutRequest) -> CheckoutSession:
        """A new session, or the attempt's existing one (idempotent by attempt)."""
        amount = request.amount
        to_stripe_amount(amount)  # the same currency rules as Stripe
        with self._db.transaction() as session:
            existing = session.exec(
                select(SandboxCheckoutSession).where(
                    SandboxCheckoutSession.attempt_id == request.attempt_id
                )
            ).first()
            if existing is None:
                existing = SandboxCheckoutSession(
                    id=f"cs_test_sandbox_{secrets.token_hex(16)}",
                    attempt_id=request.attempt_id,
                    booking_reference=request.booking_reference,
                    currency=amount.currency,
                    amount_minor=amount.minor,
                    lines_json=json.dumps(
                        [
                            {
                                "name": ln.name,
                                "description": ln.description,
                                "amount_minor": ln.amount.minor,
                            }
                            for ln in request.lines
                        ]
                    ),
                    customer_email=request.customer_email,
                    success_url=request.success_url,
                    cancel_url=request.cancel_url,
                    locale=request.locale,
                )
                session.add(existing)
            reference = existing.id
        return CheckoutSession(reference, self._base + routes.sandbox_checkout(reference))

    def session(self, reference: str) -> SandboxSessionView | None:
        with self._db.read() as session:
            row = session.get(SandboxCheckoutSession, reference)
            return None if row is None else _view(row)

    def expire_checkout(self, reference: str) -> None:
        """Close an open session; the app hears `checkout.session.expired`."""
        with self._db.transaction() as session:
            row = session.get(SandboxCheckoutSession, reference)
            if row is None or row.status != SandboxSessionStatus.OPEN:
                return
            row.status, row.completed_at = SandboxSessionStatus.EXPIRED.value, utcnow()
            session.add(row)
            event = session_event(CHECKOUT_EXPIRED, row)
        self._emit(event)

    def pay(self, reference: str, card: Card) -> str:
        """Charge a test card; on success the app hears `checkout.session.completed`.

        Returns the success URL. A declined card raises CardDeclined and changes nothing but
        the session's decline count. Paying a session that is already complete charges nothing
        again and sends its event again (the same event id, so the ledger applies it once): a
        delivery that failed the first time is completed by the retry.
        """
        problem = card_problem(card)
        if problem:
            raise GatewayError(problem)
        number = digits(card.number)
        refusal = DECLINING_CARDS.get(number) or (
            None if number in SUCCEEDING_CARDS else NOT_A_TEST_CARD
        )
        with self._db.transaction() as session:
            row = session.get(SandboxCheckoutSession, reference, with_for_update=True)
            if row is None:
                raise GatewayError(N_("This checkout does not exist."))
            if row.status == SandboxSessionStatus.EXPIRED:
                raise GatewayError(N_("This checkout has expired. Start a new payment."))
            if row.status == SandboxSessionStatus.OPEN:
                if refusal:
                    row.declines += 1
                else:
                    row.status, row.completed_at = SandboxSessionStatus.COMPLETE.value, utcnow()
                    row.payment_intent = f"pi_sandbox_{secrets.token_hex(12)}"
                session.add(row)
            completed = row.status == SandboxSessionStatus.COMPLETE
            event = session_event(CHECKOUT_COMPLETED, row) if completed else None
            success_url = row.success_url
        if event is None:
            raise CardDeclined(refusal or N_("Your card was declined."))  # still open: refused
        self._emit(event)
        return success_url

    def collect_debit(self, request: DebitRequest) -> str:
        """Record the debit (once per idempotency key); the bank answers later. Two requests
        with one key at once (a retry racing the first) record one debit: the loser of the
        insert returns the winner's."""
        if request.amount.currency != "EUR":
            raise GatewayError(SEPA_EUR_ONLY.format(currency=request.amount.currency))
        if request.amount.minor <= 0:
            raise GatewayError("A direct debit must be more than zero.")
        try:
            with self._db.transaction() as session:
                existing = self._debit_by_key(session, request.idempotency_key)
                if existing is not None:
                    return existing.id
                debit_id = f"pi_sandbox_dd_{secrets.token_hex(12)}"
                session.add(
                    SandboxDebit(
                        id=debit_id,
                        idempotency_key=request.idempotency_key,
                        iban=request.iban,
                        mandate_reference=request.mandate_reference,
                        currency=request.amount.currency,
                        amount_minor=request.amount.minor,
                        metadata_json=json.dumps(request.metadata, sort_keys=True),
                    )
                )
                return debit_id
        except IntegrityError:  # the same key inserted meanwhile by a concurrent request
            with self._db.read() as session:
                existing = self._debit_by_key(session, request.idempotency_key)
            if existing is None:
                raise
            return existing.id

    @staticmethod
    def _debit_by_key(session: Session, key: str) -> SandboxDebit | None:
        return session.exec(select(SandboxDebit).where(SandboxDebit.idempotency_key == key)).first()

    def pending_debits(self) -> int:
        """Debits the sandbox bank has not answered yet."""
        with self._db.read() as session:
            return len(
                session.exec(
                    select(SandboxDebit.id).where(SandboxDebit.status == SandboxDebitStatus.PENDING)
                ).all()
            )

    def answer_debits(self, *, failing_iban: str) -> DebitAnswers:
        """The bank's answer to every pending debit: from `failing_iban` it fails, any other
        succeeds. One debit at a time: its answer is committed, then sent as a signed event. A
        delivery that raises puts its debit back to pending (answering again sends it; its
        event id is stable, so the ledger applies it once); the others are still answered,
        then the first error is raised. Answering again with nothing pending sends nothing."""
        failing = failing_iban.replace(" ", "").upper()
        with self._db.read() as session:
            pending = session.exec(
                select(SandboxDebit.id)
                .where(SandboxDebit.status == SandboxDebitStatus.PENDING)
                .order_by(SandboxDebit.created_at, SandboxDebit.id)  # type: ignore[arg-type]
            ).all()
        succeeded = failed = 0
        errors: list[Exception] = []
        for debit_id in pending:
            event = self._answer(debit_id, failing)
            if event is None:  # answered meanwhile (another "Bank answers")
                continue
            try:
                self._emit(event)
            except Exception as undelivered:
                self._unanswer(debit_id)
                errors.append(undelivered)
                continue
            if event["type"] == DEBIT_FAILED:
                failed += 1
            else:
                succeeded += 1
        if errors:
            raise errors[0]
        return DebitAnswers(succeeded=succeeded, failed=failed)

    def _answer(self, debit_id: str, failing_iban: str) -> dict[str, Any] | None:
        """The bank's answer to one debit, committed; its event (None: no longer pending)."""
        with self._db.transaction() as session:
            debit = session.get(SandboxDebit, debit_id, with_for_update=True)
            if debit is None or debit.status != SandboxDebitStatus.PENDING:
                return None
            fails = debit.iban.replace(" ", "").upper() == failing_iban
            debit.status = (
                SandboxDebitStatus.FAILED if fails else SandboxDebitStatus.SUCCEEDED
            ).value
            debit.answered_at = utcnow()
            session.add(debit)
            return debit_event(debit)

    def _unanswer(self, debit_id: str) -> None:
        """The answer was not delivered: the debit waits for the bank's next answer."""
        with self._db.transaction() as session:
            debit = session.get(SandboxDebit, debit_id, with_for_update=True)
            if debit is not None:
                debit.status, debit.answered_at = SandboxDebitStatus.PENDING.value, None
                session.add(debit)

    def _emit(self, event: dict[str, Any]) -> None:
        payload = json.dumps(event, separators=(",", ":")).encode()
        self._send(payload, sign(payload, self._secret))


def _view(row: SandboxCheckoutSession) -> SandboxSessionView:
    lines = tuple(
        SandboxLine(ln["name"], ln["description"], Money(ln["amount_minor"], row.currency))
        for ln in json.loads(row.lines_json)
    )
    return SandboxSessionView(
        row.id,
        row.booking_reference,
        Money(row.amount_minor, row.currency),
        lines,
        row.customer_email,
        SandboxSessionStatus(row.status),
        row.success_url,
        row.cancel_url,
        row.locale,
    )
