"""The sandbox payment provider: Stripe Checkout in test mode, embedded in the app.

It keeps its own Checkout Sessions (table `sandbox_checkout_session`), serves a checkout page
(`/sandbox/checkout/{session}`), answers Stripe's test cards as Stripe does, and sends signed
Stripe-format events to the app's webhook handler, so the demo runs the production code path.

It also takes SEPA direct debits (table `sandbox_debit`, Stripe: PaymentIntents with a
sepa_debit payment method). The bank answers when asked (`answer_debits`, a person clicking
"Bank answers" in the demo): a debit from the configured failing IBAN fails as Stripe's test
IBAN DE62370400440532013001 does (`payment_intent.payment_failed`), any other succeeds
(`payment_intent.succeeded`).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from ..db.engine import Database
from ..db.sandbox import (
    SandboxCheckoutSession,
    SandboxDebit,
    SandboxDebitStatus,
    SandboxSessionStatus,
)
from ..db.types import utcnow
from ..domain.money import Money
from .gateway import CheckoutRequest, CheckoutSession, DebitRequest, GatewayError
from .stripe_amounts import to_stripe_amount
from .stripe_events import sign

# Where the sandbox "posts" its events: (raw payload, Stripe-Signature header) → anything.
EventSink = Callable[[bytes, str], object]

SUCCEEDING_CARDS = frozenset(
    {
        "4242424242424242",  # Visa
        "4000056655665556",  # Visa (debit)
        "5555555555554444",  # Mastercard
        "2223003122003222",  # Mastercard (2-series)
        "5200828282828210",  # Mastercard (debit)
        "378282246310005",  # American Express
        "6011111111111117",  # Discover
        "4000002500003155",  # Visa, 3-D Secure (authenticated in the sandbox)
    }
)
DECLINING_CARDS = {
    "4000000000000002": "Your card was declined.",
    "4000000000009995": "Your card has insufficient funds.",
    "4000000000009987": "Your card was declined.",  # lost card
    "4000000000000069": "Your card has expired.",
    "4000000000000127": "Your card's security code is incorrect.",
    "4000000000000119": "An error occurred while processing your card. Try again in a little bit.",
}
NOT_A_TEST_CARD = (
    "Your card was declined. Your request was in test mode, but used a non test card. "
    "For a list of valid test cards, visit: https://stripe.com/docs/testing."
)


# What Stripe says when a SEPA debit bounces for lack of money (its failing test IBAN).
INSUFFICIENT_FUNDS = (
    "insufficient_funds",
    "The customer's account has insufficient funds to cover this payment.",
)
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


@dataclass(frozen=True, slots=True)
class Card:
    number: str
    expiry: str  # "MM / YY"
    cvc: str


class SandboxGateway:
    """The embedded default provider (no keys, no network)."""

    name = "sandbox"
    debit_currencies = frozenset({"EUR"})  # SEPA Direct Debit, as Stripe's sepa_debit

    def __init__(
        self, db: Database, *, webhook_secret: str, send_event: EventSink, base_url: str
    ) -> None:
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
                )
                session.add(existing)
            reference = existing.id
        return CheckoutSession(reference, f"{self._base}/sandbox/checkout/{reference}")

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
            event = _event("checkout.session.expired", row)
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
        number = _digits(card.number)
        refusal = DECLINING_CARDS.get(number) or (
            None if number in SUCCEEDING_CARDS else NOT_A_TEST_CARD
        )
        with self._db.transaction() as session:
            row = session.get(SandboxCheckoutSession, reference, with_for_update=True)
            if row is None:
                raise GatewayError("This checkout does not exist.")
            if row.status == SandboxSessionStatus.EXPIRED:
                raise GatewayError("This checkout has expired. Start a new payment.")
            if row.status == SandboxSessionStatus.OPEN:
                if refusal:
                    row.declines += 1
                else:
                    row.status, row.completed_at = SandboxSessionStatus.COMPLETE.value, utcnow()
                    row.payment_intent = f"pi_sandbox_{secrets.token_hex(12)}"
                session.add(row)
            completed = row.status == SandboxSessionStatus.COMPLETE
            event = _event("checkout.session.completed", row) if completed else None
            success_url = row.success_url
        if event is None:
            raise CardDeclined(refusal or "Your card was declined.")  # still open: refused
        self._emit(event)
        return success_url

    def refund(self, *, payment_reference: str | None, amount: Money, idempotency_key: str) -> str:
        """Refunds always succeed, deterministically per idempotency key."""
        if amount.minor <= 0:
            raise GatewayError("A refund must be more than zero.")
        return "re_sandbox_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]

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
            if event["type"] == "payment_intent.payment_failed":
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
            return _debit_event(debit)

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


def card_problem(card: Card) -> str | None:
    """What is wrong with the typed card details, as Checkout words it (None when fine)."""
    number = _digits(card.number)
    if not 12 <= len(number) <= 19 or not _luhn(number):
        return "Your card number is invalid."
    match = re.fullmatch(r"\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*", card.expiry)
    if not match:
        return "Your card's expiration date is incomplete."
    month, year = int(match[1]), int(match[2]) % 100 + 2000
    today = date.today()
    if not 1 <= month <= 12:
        return "Your card's expiration date is invalid."
    if (year, month) < (today.year, today.month):
        return "Your card's expiration year is in the past."
    if not re.fullmatch(r"\d{3,4}", card.cvc.strip()):
        return "Your card's security code is incomplete."
    return None


def _digits(text: str) -> str:
    return re.sub(r"[\s-]", "", text)


def _luhn(number: str) -> bool:
    if not number.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


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
    )


def _event(kind: str, row: SandboxCheckoutSession) -> dict[str, Any]:
    """A Stripe event for the session, with a stable id (a resend is a duplicate)."""
    event_id = "evt_sandbox_" + hashlib.sha256(f"{row.id}:{kind}".encode()).hexdigest()[:24]
    complete = row.status == SandboxSessionStatus.COMPLETE
    return {
        "id": event_id,
        "object": "event",
        "type": kind,
        "created": int(utcnow().timestamp()),
        "livemode": False,
        "data": {
            "object": {
                "id": row.id,
                "object": "checkout.session",
                "mode": "payment",
                "amount_total": to_stripe_amount(Money(row.amount_minor, row.currency)),
                "currency": row.currency.lower(),
                "client_reference_id": row.attempt_id,
                "metadata": {
                    "attempt_id": row.attempt_id,
                    "booking_reference": row.booking_reference,
                },
                "customer_email": row.customer_email,
                "payment_intent": row.payment_intent,
                "payment_status": "paid" if complete else "unpaid",
                "status": row.status,
            }
        },
    }


def _debit_event(debit: SandboxDebit) -> dict[str, Any]:
    """The PaymentIntent event Stripe sends when a SEPA debit settles or bounces."""
    failed = debit.status == SandboxDebitStatus.FAILED
    kind = "payment_intent.payment_failed" if failed else "payment_intent.succeeded"
    event_id = "evt_sandbox_" + hashlib.sha256(f"{debit.id}:{kind}".encode()).hexdigest()[:24]
    code, message = INSUFFICIENT_FUNDS
    return {
        "id": event_id,
        "object": "event",
        "type": kind,
        "created": int(utcnow().timestamp()),
        "livemode": False,
        "data": {
            "object": {
                "id": debit.id,
                "object": "payment_intent",
                "amount": to_stripe_amount(Money(debit.amount_minor, debit.currency)),
                "currency": debit.currency.lower(),
                "metadata": json.loads(debit.metadata_json),
                "payment_method_types": ["sepa_debit"],
                "status": "requires_payment_method" if failed else "succeeded",
                "last_payment_error": ({"code": code, "message": message} if failed else None),
            }
        },
    }
