"""Issue 19, part 5: the randomized ledger machines with faults injected at the edges we do not
own — the payment provider (errors, timeouts whose answer is lost, duplicate and out-of-order
events), SMTP (down, then up again) and the process (a crash between two of a job's
transactions, raised as `SimulatedCrash` from the job's progress callback or from the provider
call). Our own database is never faked: every example runs on a fresh real SQLite file.

- Guest side: `FaultyLedgerMachine` is `LedgerMachine` (test_ledger_stateful.py) with fault
  rules; every check of that machine still runs after every step, and two more: what the
  provider refunded agrees with the ledger's refunds, and every outbox message is sent at most
  once (and is queued, sent, or failed after its last attempt).
- Partner side: `fault_scenario` is the partner money property (test_partner_money_property.py)
  with fault actions: Pay online while the provider is down, its events duplicated and out of
  order, direct debits while the provider is down or the process crashes, a month-end run that
  crashes between chunks and is run again, SMTP down. Every page still adds up after each
  action, and the documents' numbers stay gapless.

CI runs a few derandomized examples (`SOAK_EXAMPLES`, default 3); `make soak` (bench/soak.py)
runs thousands and counts runs, steps, faults and violations.
"""

from __future__ import annotations

import itertools
import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import date, timedelta
from pathlib import Path
from typing import Any, ClassVar
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule, run_state_machine_as_test
from sqlalchemy import select as sa_select
from sqlalchemy import text
from sqlmodel import select

from concierge_app.adapters.notify.smtp import Attachment, DeliveryError
from concierge_app.adapters.payments.gateway import (
    CheckoutRequest,
    CheckoutSession,
    DebitRequest,
    GatewayUnavailable,
)
from concierge_app.adapters.payments.sandbox import SandboxRefunds
from concierge_app.db.messaging import OutboxMessage
from concierge_app.db.partner_billing import PartnerInvoice
from concierge_app.db.partner_payments import PartnerCheckout, PartnerPayment
from concierge_app.db.types import utcnow
from concierge_app.domain.checkout import CheckoutStatus
from concierge_app.domain.errors import DomainError
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import Period
from concierge_app.services.guest import refunds
from concierge_app.services.outbox.delivery import MAX_ATTEMPTS, deliver_due_messages
from concierge_app.services.partner.billing import month_end
from concierge_app.services.payments import checkout, direct_debit, guest_checkout
from concierge_app.services.payments import direct_debit_sending as sending
from concierge_app.services.payments.checkout import EventOutcome
from concierge_app.services.payments.partner_checkout import begin_partner_checkout
from concierge_app.services.payments.partner_fulfilment import (
    CheckoutOutcome,
    close_partner_checkout,
    fulfil_partner_checkout,
)
from concierge_app.services.payments.provider import sandbox_gateway

from ..factories import ACTOR
from .test_ledger_stateful import (
    PICK,
    Delivery,
    LedgerMachine,
    RefundRequest,
    SqliteDatabases,
    content_digest,
)
from .test_partner_money_property import (
    CODES,
    FIRST_DAY,
    LAST,
    MONTHS,
    World,
    a_stay,
    action,
    day,
    pick,
)

# What a soak counts, over every example of every machine: runs, steps, faults by kind.
STATS: Counter[str] = Counter()
# Called at the start of each example (bench/soak.py moves its progress bar).
ON_RUN: list[Callable[[], None]] = []


def fault(kind: str) -> None:
    STATS["faults"] += 1
    STATS[f"fault: {kind}"] += 1


def started() -> None:
    STATS["runs"] += 1
    for hook in ON_RUN:
        hook()


class SimulatedCrash(BaseException):
    """The process died here: raised between two of a job's transactions (a BaseException, as
    nothing of ours may catch a process dying). What was committed stays; the rest is gone."""


# -- the edges we do not own -------------------------------------------------------------------


class FlakyRefunds(SandboxRefunds):
    """The sandbox provider refunding, with a fault: `down` (nothing reaches the provider) or
    `timeout` (the provider refunds, its answer is lost)."""

    def __init__(self, db: Any, mode: str) -> None:
        super().__init__(db)
        self.mode = mode

    def refund(self, *, payment_reference: str | None, amount: Money, idempotency_key: str) -> str:
        if self.mode == "timeout":
            super().refund(
                payment_reference=payment_reference, amount=amount, idempotency_key=idempotency_key
            )
            raise GatewayUnavailable("The read operation timed out")
        raise GatewayUnavailable("Connection refused")


class FlakyGateway:
    """The sandbox gateway with one call failing: `create_checkout` or `collect_debit` raises
    `error` (before the request, or — `after=True` — once the provider has done it)."""

    def __init__(self, inner: Any, failing: str, error: BaseException, after: bool = False):
        self.inner, self.failing, self.error, self.after = inner, failing, error, after
        self.name = inner.name
        self.debit_currencies = inner.debit_currencies

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def _maybe_fail(self, name: str, call: Callable[[], Any]) -> Any:
        if name != self.failing:
            return call()
        if self.after:
            call()
        raise self.error

    def create_checkout(self, request: CheckoutRequest) -> CheckoutSession:
        return self._maybe_fail("create_checkout", lambda: self.inner.create_checkout(request))

    def collect_debit(self, request: DebitRequest) -> str:
        return self._maybe_fail("collect_debit", lambda: self.inner.collect_debit(request))


class DownMailer:
    """SMTP down: every send fails."""

    def send(
        self, *, recipient: str, subject: str, body: str, attachments: tuple[Attachment, ...] = ()
    ) -> None:
        raise DeliveryError("[Errno 111] Connection refused")


class RecordingMailer:
    """SMTP up: what was handed over, by (recipient, subject)."""

    def __init__(self) -> None:
        self.sent: Counter[tuple[str, str]] = Counter()

    def send(
        self, *, recipient: str, subject: str, body: str, attachments: tuple[Attachment, ...] = ()
    ) -> None:
        self.sent[(recipient, subject)] += 1


class Smtp:
    """The mail server over one example: a clock of our own (the retry pauses pass in it) and
    how many times each message reached the server."""

    def __init__(self) -> None:
        self.now = utcnow()
        self.handed: Counter[int] = Counter()

    def deliver(self, db: Any, *, down: bool) -> None:
        if down:
            fault("SMTP down")
            deliver_due_messages(db=db, mailer=DownMailer(), now=self.now, batch=20)
        else:
            with db.read() as s:
                before = {m.id: m.status for m in s.exec(select(OutboxMessage)).all()}
            mailer = RecordingMailer()
            deliver_due_messages(db=db, mailer=mailer, now=self.now, batch=20)
            newly = 0
            with db.read() as s:
                for m in s.exec(select(OutboxMessage)).all():
                    if m.status == "sent" and before.get(m.id) != "sent":
                        self.handed[m.id] += 1
                        newly += 1
            assert sum(mailer.sent.values()) == newly, "a message handed to SMTP twice"
        self.now += timedelta(hours=7)  # longer than any retry pause and lease

    def check(self, db: Any) -> None:
        with db.read() as s:
            messages = s.exec(select(OutboxMessage)).all()
        for m in messages:
            assert m.status in ("queued", "sent", "failed"), m.status
            assert self.handed[m.id] <= 1, f"message {m.id} sent {self.handed[m.id]} times"
            assert (m.status == "sent") == (self.handed[m.id] == 1), (m.id, m.status)
            if m.status == "failed":
                assert m.attempts >= MAX_ATTEMPTS, f"message {m.id} failed before its last try"
            if m.status == "sent":
                assert m.sent_at is not None and m.body, f"message {m.id} sent empty"


def provider_refunds_agree(db: Any) -> None:
    """Every refund the provider made (by our idempotency key) is one the ledger holds, for the
    same amount, and not as failed: the money went back."""
    with db.read() as s:
        conn = s.connection()
        made = conn.execute(text("SELECT idempotency_key, amount_minor FROM sandbox_refund")).all()
        ours = {
            r.idempotency_key: r
            for r in conn.execute(
                text("SELECT idempotency_key, amount_minor, status FROM refund")
            ).all()
        }
    for key, amount in made:
        mine = ours.get(key)
        assert mine is not None, f"the provider refunded {key}, the ledger does not know it"
        assert mine.amount_minor == amount, f"refund {key}: provider {amount}, ledger {mine}"
        assert mine.status != "failed", f"refund {key}: made at the provider, failed in the ledger"


# -- the guest side ----------------------------------------------------------------------------


class FaultyLedgerMachine(LedgerMachine):
    """The guest ledger machine, with the provider and SMTP failing now and then."""

    seen: ClassVar[Counter[str]] = Counter()

    def __init__(self) -> None:
        started()
        super().__init__()
        self.smtp = Smtp()

    def teardown(self) -> None:
        # the base machine's own provider faults: redelivered events, successes arriving late
        for kind, name in (
            ("duplicate event", "redelivered event"),
            ("late success (checkout overtaken)", "late success: money unapplied"),
        ):
            if self.calls[name]:
                STATS["faults"] += self.calls[name]
                STATS[f"fault: {kind}"] += self.calls[name]
        super().teardown()

    @invariant()
    def the_edges_agree(self) -> None:
        STATS["steps"] += 1
        provider_refunds_agree(self.db)
        self.smtp.check(self.db)

    @precondition(
        lambda self: self.has(lambda led: any(led.refundable_left(s) for s in led.services))
    )
    @rule(pick=PICK, mode=st.sampled_from(["down", "timeout"]), permille=st.integers(1, 1000))
    def refund_while_the_provider_fails(
        self, pick: tuple[bool, int], mode: str, permille: int
    ) -> None:
        """Staff refund through the connector; the provider is down, or times out after
        refunding. The refund waits (its amount held), and pressing Refund again (the same
        key) completes it once, whatever happened at the provider."""
        led = self.ledger()
        paid = [s for s in led.services.values() if led.refundable_left(s.id)]
        service = self.pick(paid, pick)
        assert service is not None
        left = led.refundable_left(service.id)
        assert left
        amount = Money(max(1, left * permille // 1000), service.currency)
        key = f"refund_{next(self.counter)}"
        fault(f"provider {mode} on a refund")
        self.cache = None
        with pytest.raises(GatewayUnavailable):
            refunds.issue_refund(
                db=self.db,
                service_id=service.id,
                amount=amount,
                note="tour cancelled",
                actor=ACTOR,
                idempotency_key=key,
                gateway=FlakyRefunds(self.db, mode),
            )
        waiting = self.ledger()
        [row] = [r for r in waiting.refunds if r.idempotency_key == key]
        assert row.status == "pending", f"a refund the provider did not answer is {row.status}"
        assert waiting.refundable_left(service.id) == left - amount.minor, "amount not held"
        provider_refunds_agree(self.db)
        self.cache = None
        view = refunds.issue_refund(
            db=self.db,
            service_id=service.id,
            amount=amount,
            note="tour cancelled",
            actor=ACTOR,
            idempotency_key=key,
            gateway=SandboxRefunds(self.db),
        )
        assert view.status == "succeeded" and view.id == row.id
        self.refund_requests.append(RefundRequest(key, service.id, amount, view.id))
        with self.db.read() as s:
            made = s.connection().execute(
                text("SELECT count(*) FROM sandbox_refund WHERE idempotency_key = :k"), {"k": key}
            )
            assert made.scalar_one() == 1, "refunded twice at the provider"

    @precondition(
        lambda self: self.has(lambda led: any(i.status == "active" for i in led.invoices.values()))
    )
    @rule(booking=st.integers(0, 7), after=st.booleans())
    def checkout_while_the_provider_fails(self, booking: int, after: bool) -> None:
        """Pay: the provider cannot open the checkout (or opens it and the answer is lost). The
        guest is told, and the attempt is closed: its invoices stay payable."""
        led = self.ledger()
        payable = [
            (w, active)
            for w in self.worlds
            if led.bookings[w.booking_id].status == "confirmed"
            and self._payable(active := self.active_of(led, w.booking_id))
        ]
        if not payable:
            return
        w, active = payable[booking % len(payable)]
        inner = sandbox_gateway(self.db)
        error = GatewayUnavailable("503 Service Unavailable")
        self.cache = None
        try:
            start = guest_checkout.begin_checkout(
                db=self.db,
                booking_id=w.booking_id,
                invoice_ids=[i.id for i in active],
                gateway=FlakyGateway(inner, "create_checkout", error, after=after),
            )
        except DomainError as refused:
            assert str(refused).strip()
            fault("provider timeout on a checkout" if after else "provider down on a checkout")
        else:  # a checkout already open for these invoices is reused: no provider call
            assert start.attempt_id in led.attempts
        after_led = self.ledger()
        for invoice in active:
            assert after_led.invoices[invoice.id].status == "active"
        opened = [a for a in after_led.attempts.values() if a.id not in led.attempts]
        assert all(a.status != "open" for a in opened), "an attempt left open without a checkout"

    @staticmethod
    def active_of(led: Any, booking_id: int) -> list[Any]:
        return [i for i in led.invoices_of(booking_id) if i.status == "active"]

    @precondition(
        lambda self: self.has(lambda led: any(i.status == "active" for i in led.invoices.values()))
    )
    @rule(
        booking=st.integers(0, 7),
        order=st.sampled_from(["expired, then paid", "paid, then expired", "paid twice"]),
    )
    def events_out_of_order(self, booking: int, order: str) -> None:
        """The provider's events for one checkout arrive late, twice or in the wrong order."""
        led = self.ledger()
        payable = [
            active
            for w in self.worlds
            if self._payable(active := self.active_of(led, w.booking_id))
        ]
        if not payable:
            return
        active = payable[booking % len(payable)]
        attempt = self._start([i.id for i in active], True)
        assert attempt is not None
        fault(f"events: {order}")
        if order == "expired, then paid":
            self._close(attempt.id, EventOutcome.MARKED_EXPIRED)
            self._fulfil(attempt.id, "checkout.session.completed", wrong_amount=False)
        else:
            self._fulfil(attempt.id, "checkout.session.completed", wrong_amount=False)
            if order == "paid, then expired":
                self._close(attempt.id, EventOutcome.ALREADY_FINAL)
            else:
                self.provider_redelivers_an_event((False, len(self.deliveries) - 1))

    def _close(self, attempt_id: str, expected: EventOutcome) -> None:
        event_id = self.next_event_id()
        self.cache = None
        outcome = checkout.close_payment_attempt(
            db=self.db,
            attempt_id=attempt_id,
            provider="sandbox",
            event_id=event_id,
            event_type="checkout.session.expired",
            status=CheckoutStatus.EXPIRED,
            reason="expired",
        )
        assert outcome is expected, (outcome, expected)
        self.deliveries.append(
            Delivery(attempt_id, event_id, "checkout.session.expired", None, CheckoutStatus.EXPIRED)
        )

    @precondition(lambda self: self.has(lambda led: any(m.status == "queued" for m in led.outbox)))
    @rule(down=st.booleans())
    def the_mail_server(self, down: bool) -> None:
        """The outbox delivery job runs while SMTP is down (retried later), or up."""
        untouched = content_digest(
            self.db, skip=frozenset({"outbox_message", "audit_event", "audit_chain_head"})
        )
        self.cache = None
        self.smtp.deliver(self.db, down=down)
        skip = frozenset({"outbox_message", "audit_event", "audit_chain_head"})
        assert content_digest(self.db, skip=skip) == untouched, "sending mail changed the ledger"


def guest_soak_settings(examples: int, **extra: Any) -> settings:
    return settings(
        max_examples=examples,
        stateful_step_count=extra.pop("steps", 30),
        deadline=None,
        print_blob=True,
        suppress_health_check=list(HealthCheck),
        **extra,
    )


def run_guest_machine(databases: Any, examples: int, **extra: Any) -> Counter[str]:
    """`examples` runs of the guest machine, each on a fresh database from `databases`
    (SqliteDatabases or PostgresDatabases of test_ledger_stateful)."""
    machine = type(
        "FaultyLedgerMachineRun",
        (FaultyLedgerMachine,),
        {"databases": databases, "seen": Counter()},
    )
    run_state_machine_as_test(machine, settings=guest_soak_settings(examples, **extra))
    return machine.seen


# -- the partner side --------------------------------------------------------------------------

fault_action = st.one_of(
    st.tuples(st.just("online_down"), day, pick, st.booleans()),
    st.tuples(
        st.just("online_events"),
        day,
        pick,
        st.sampled_from(["paid twice", "expired, then paid", "paid, then expired"]),
    ),
    st.tuples(
        st.just("debit_fault"),
        day,
        st.sampled_from(["provider down", "crash before sending", "crash after sending"]),
        st.booleans(),
    ),
    st.tuples(st.just("smtp"), day, st.booleans()),
)
some_action = st.one_of(action, fault_action)
# A month-end run that crashes: None, or after which of its progress reports (chunks of 2).
crash_at = st.one_of(st.none(), st.integers(0, 4))


@contextmanager
def later(minutes: int) -> Iterator[None]:
    """The clock `minutes` ahead where the direct debit's resend looks at it (an unsent debit
    is sent again once it is RESEND_AFTER old)."""
    ahead = utcnow() + timedelta(minutes=minutes)
    with mock.patch.object(sending, "utcnow", lambda: ahead):
        yield


class FaultWorld(World):
    """The partner money world, with faults at the provider, SMTP and the process."""

    def __init__(self, db: Any, failing: bool) -> None:
        super().__init__(db, failing)
        self.smtp = Smtp()
        self.event_ids = itertools.count()

    def act(self, step: tuple[Any, ...], today: date) -> None:
        STATS["steps"] += 1
        super().act(step, today)

    # -- Pay online -------------------------------------------------------------------------
    def _online_down(self, today: date, which: int, after: bool) -> None:
        docs = self.open_documents(today, ("PRP-O1",))
        if not docs:
            return
        fault("provider down on a partner checkout")
        error = GatewayUnavailable("Connection reset by peer")
        gateway = FlakyGateway(sandbox_gateway(self.db), "create_checkout", error, after=after)
        before = self._payments()
        opened = self._open_checkouts()
        try:
            begin_partner_checkout(
                db=self.db,
                invoice_ids=[s.id for _, s in docs[: 1 + which % len(docs)]],
                actor="partner",
                return_path="/partner/invoices",
                partner_id=self.ids["PRP-O1"],
                gateway=gateway,
                today=today,
            )
        except DomainError:
            pass
        else:
            raise AssertionError("a checkout the provider did not open was started")
        assert self._payments() == before
        assert self._open_checkouts() <= opened, "a checkout left open that the guest never saw"

    def _open_checkouts(self) -> int:
        with self.db.read() as s:
            return len(
                s.exec(select(PartnerCheckout.id).where(PartnerCheckout.status == "open")).all()
            )

    def _online_events(self, today: date, which: int, order: str) -> None:
        docs = self.open_documents(today, ("PRP-O1",))
        if not docs:
            return
        fault(f"partner events: {order}")
        start = begin_partner_checkout(
            db=self.db,
            invoice_ids=[s.id for _, s in docs[: 1 + which % len(docs)]],
            actor="partner",
            return_path="/partner/invoices",
            partner_id=self.ids["PRP-O1"],
            gateway=sandbox_gateway(self.db),
            today=today,
        )
        with self.db.read() as s:
            row = s.get(PartnerCheckout, start.checkout_id)
            amount = Money(row.amount_minor, row.currency)
        paid_id = f"evt_soak_{next(self.event_ids)}"
        online_before = len([p for p in self._payments() if p.method == "online"])

        def pay() -> CheckoutOutcome:
            return fulfil_partner_checkout(
                db=self.db,
                checkout_id=start.checkout_id,
                provider="sandbox",
                event_id=paid_id,
                event_type="checkout.session.completed",
                amount=amount,
                today=today,
            )

        def expire() -> CheckoutOutcome:
            return close_partner_checkout(
                db=self.db,
                checkout_id=start.checkout_id,
                provider="sandbox",
                event_id=f"evt_soak_{next(self.event_ids)}",
                event_type="checkout.session.expired",
                status=CheckoutStatus.EXPIRED,
            )

        if order == "expired, then paid":
            assert expire() is CheckoutOutcome.MARKED_EXPIRED
            assert pay() is CheckoutOutcome.PAID, "a late payment must still be applied"
        else:
            assert pay() is CheckoutOutcome.PAID
            before = content_digest(self.db, skip=frozenset({"provider_event"}))
            if order == "paid twice":
                assert pay() is CheckoutOutcome.DUPLICATE_EVENT
            else:
                assert expire() is CheckoutOutcome.ALREADY_FINAL
            assert content_digest(self.db, skip=frozenset({"provider_event"})) == before
        online = len([p for p in self._payments() if p.method == "online"])
        assert online == online_before + 1, "one online payment per paid checkout"

    # -- direct debit -----------------------------------------------------------------------
    def _debit_fault(self, today: date, mode: str, answer: bool) -> None:
        fault(f"direct debit: {mode}")
        inner = sandbox_gateway(self.db)
        if mode == "provider down":
            gateway: Any = FlakyGateway(inner, "collect_debit", GatewayUnavailable("timed out"))
        else:
            gateway = FlakyGateway(
                inner, "collect_debit", SimulatedCrash(), after=mode == "crash after sending"
            )
        with suppress(SimulatedCrash):
            direct_debit.collect_direct_debits(
                db=self.db, today=today, actor=ACTOR, gateway=gateway
            )
        self.check(today)
        # The next run (RESEND_AFTER later) sends what was recorded but not sent, once.
        with later(10):
            direct_debit.collect_direct_debits(
                db=self.db, today=today, actor=ACTOR, gateway=sandbox_gateway(self.db)
            )
        self._debits_sent_once()
        if answer:
            direct_debit.answer_sandbox_debits(db=self.db)

    def _debits_sent_once(self) -> None:
        with self.db.read() as s:
            conn = s.connection()
            keys = Counter(
                conn.execute(text("SELECT idempotency_key FROM sandbox_debit")).scalars()
            )
            unsent = conn.execute(
                text(
                    "SELECT count(*) FROM partner_payment WHERE method = 'direct_debit' "
                    "AND status = 'applied' AND provider_reference IS NULL"
                )
            ).scalar_one()
            refs = conn.execute(
                text(
                    "SELECT external_id, provider_reference FROM partner_payment "
                    "WHERE method = 'direct_debit' AND provider_reference IS NOT NULL"
                )
            ).all()
        assert all(n == 1 for n in keys.values()), f"a debit requested twice: {keys}"
        assert unsent == 0, "a recorded direct debit was never sent"
        assert {f"direct_debit:{r.external_id}" for r in refs} <= set(keys)

    # -- SMTP -------------------------------------------------------------------------------
    def _smtp(self, today: date, down: bool) -> None:
        self.smtp.deliver(self.db, down=down)
        self.smtp.check(self.db)

    # -- the month-end run, crashing --------------------------------------------------------
    def month_end_crashing(self, today: date, period: Period, at: int | None) -> None:
        if at is not None:
            calls = itertools.count()

            def progress(done: int, total: int) -> None:
                if next(calls) == at:
                    fault("crash in the month-end run")
                    raise SimulatedCrash

            with suppress(SimulatedCrash):
                month_end.run_month_end(
                    db=self.db,
                    period=period,
                    run_date=today,
                    actor=ACTOR,
                    chunk=2,
                    progress=progress,
                )
        summary = month_end.run_month_end(
            db=self.db, period=period, run_date=today, actor=ACTOR, chunk=2
        )
        assert summary is not None
        self.numbers_gapless()

    def numbers_gapless(self) -> None:
        by_series: dict[str, list[int]] = defaultdict(list)
        for doc in self.every_document():
            match = re.fullmatch(r"([A-Z]+-\d{4})-(\d+)", doc.number)
            assert match, doc.number
            by_series[match.group(1)].append(int(match.group(2)))
        for series, numbers in by_series.items():
            assert sorted(numbers) == list(range(1, len(numbers) + 1)), f"gap in {series}"
        with self.db.read() as s:
            rows = s.exec(
                select(
                    PartnerInvoice.partner_id, PartnerInvoice.period, PartnerInvoice.currency
                ).where(PartnerInvoice.kind == "commission")
            ).all()
        assert len(rows) == len(set(rows)), "two commission invoices for one partner and month"

    def _payments(self) -> list[Any]:
        with self.db.read() as s:
            return list(s.connection().execute(sa_select(PartnerPayment.__table__)).all())


def fault_scenario(
    databases: Callable[[], Any],
    destroy: Callable[[Any], None],
    stays: list[tuple[str, int, int, bool]],
    steps: list[tuple[Any, ...]],
    failing: bool,
    crashes: list[int | None],
) -> None:
    started()
    db = databases()
    try:
        world = FaultWorld(db, failing)
        world.setup([("PRP-O1", 0, 500_00, False), *stays])  # Pay online has a document
        runs = [(run_date, period) for period, run_date in (*MONTHS, LAST)]
        timeline: list[tuple[date, int, tuple[Any, ...]]] = [
            (run_date, -1, ("month_end_crashing", 0, period, crash))
            for (run_date, period), crash in zip(runs, crashes, strict=True)
        ]
        timeline += [(FIRST_DAY + timedelta(days=s[1]), n, s) for n, s in enumerate(steps)]
        for today, _, step in sorted(timeline, key=lambda t: (t[0], t[1])):
            if step[0] == "month_end_crashing":
                STATS["steps"] += 1
                world.month_end_crashing(today, step[2], step[3])
            else:
                world.act(step, today)
            world.check(today)
            world.check(today + timedelta(days=10))
            world.smtp.check(db)
        provider_refunds_agree(db)
    finally:
        destroy(db)


PARTNER_EXAMPLE = given(
    stays=st.lists(a_stay, min_size=3, max_size=12),
    steps=st.lists(some_action, min_size=2, max_size=14),
    failing=st.booleans(),
    crashes=st.lists(crash_at, min_size=3, max_size=3),
)


def run_partner_scenarios(databases: Any, examples: int, **extra: Any) -> None:
    """`examples` partner scenarios, each on a fresh database from `databases` (VAT_RATES as
    the environment says: the CI test sets ES:21)."""

    @settings(
        max_examples=examples,
        deadline=None,
        print_blob=True,
        suppress_health_check=list(HealthCheck),
        **extra,
    )
    @PARTNER_EXAMPLE
    def check(stays: list[Any], steps: list[Any], failing: bool, crashes: list[Any]) -> None:
        fault_scenario(databases.create, databases.destroy, stays, steps, failing, crashes)

    check()


# -- CI: a short, derandomized run of each (make soak runs thousands) --------------------------

CI_EXAMPLES = int(os.environ.get("SOAK_EXAMPLES", "3"))


def test_the_guest_ledger_survives_faults_at_its_edges(
    sqlite_template: Path, tmp_path: Path
) -> None:
    STATS.clear()
    databases = SqliteDatabases(sqlite_template, tmp_path)
    run_guest_machine(databases, CI_EXAMPLES, derandomize=True, database=None)
    assert STATS["faults"] > 0, dict(STATS)


def test_partner_money_survives_faults_at_its_edges(
    sqlite_template: Path, tmp_path: Path, vat_rates: Callable[[str], None]
) -> None:
    vat_rates("ES:21")
    STATS.clear()
    databases = SqliteDatabases(sqlite_template, tmp_path)
    run_partner_scenarios(databases, CI_EXAMPLES, derandomize=True, database=None)
    assert STATS["faults"] > 0, dict(STATS)


def test_a_refund_whose_answer_is_lost_waits_and_completes_once(db: Any) -> None:
    """Found by the soak: a provider that timed out (the refund may have been made) marked the
    refund failed — its amount refundable again, while the money had gone back."""
    from concierge_app.domain.strategies import PaymentStrategy

    from ..factories import add_service, make_world, pay, send_draft

    w = make_world(db)
    service_id = add_service(w, PaymentStrategy.PLATFORM_COLLECTS_FULL, "100.00")
    pay(w, [send_draft(w)])
    with pytest.raises(GatewayUnavailable, match="timed out"):
        refunds.issue_refund(
            db=db,
            service_id=service_id,
            amount=w.money("40.00"),
            note="tour cancelled",
            actor=ACTOR,
            idempotency_key="refund-1",
            gateway=FlakyRefunds(db, "timeout"),
        )
    provider_refunds_agree(db)
    view = refunds.issue_refund(
        db=db,
        service_id=service_id,
        amount=w.money("40.00"),
        note="tour cancelled",
        actor=ACTOR,
        idempotency_key="refund-1",
        gateway=SandboxRefunds(db),
    )
    assert view.status == "succeeded" and view.refundable_left == w.money("60.00")
    provider_refunds_agree(db)


EVERY_FAULT = [
    ("online_down", 0, 0, False),
    ("online_down", 1, 1, True),
    ("online_events", 2, 0, "paid twice"),
    ("smtp", 3, True),
    ("debit_fault", 10, "provider down", True),
    ("online_events", 12, 0, "expired, then paid"),
    ("debit_fault", 31, "crash before sending", False),
    ("smtp", 32, True),
    ("online_events", 33, 0, "paid, then expired"),
    ("debit_fault", 40, "crash after sending", True),
    ("smtp", 41, False),
]


def test_every_partner_side_fault_once(db: Any, vat_rates: Callable[[str], None]) -> None:
    """Each fault of the partner scenario at least once, on SQLite and PostgreSQL; the month-end
    runs crash before their statements, after the first chunk and after the second."""
    vat_rates("ES:21")
    STATS.clear()
    stays = [
        (code, month, 1_000_00 + 1_000 * n, n % 2 == 0)
        for n, code in enumerate(CODES)
        for month in (0, 1)
    ]
    fault_scenario(lambda: db, lambda _: None, stays, EVERY_FAULT, False, [0, 2, 3])
    kinds = {k for k in STATS if k.startswith("fault: ")}
    assert len(kinds) == 9, sorted(kinds)  # every kind the partner side injects
