"""Races: two people (or two webhook deliveries) doing the same thing to one booking at once.

Each race runs real threads, each calling a service (each service opens its own transaction).
On PostgreSQL every other round is *gated*: a third connection holds the booking's row lock
while the racers start, and is released only once all of them are queued behind it — so each
racer has read the ledger before any of them writes (the interleaving that breaks check-then-act
code), deterministically. The other rounds start the threads together on a barrier and let the
scheduler interleave them. SQLite runs the same races: it serialises writers (BEGIN IMMEDIATE),
so the same assertions must hold there too.

A racer may succeed or be refused with a DomainError; anything else (an IntegrityError, a
deadlock, a serialization failure) is a failure of the test.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, text
from sqlmodel import col, select

from concierge_app.db.audit import AuditEvent
from concierge_app.db.engine import Database
from concierge_app.db.invoicing import GuestInvoice, InvoiceLine, NumberSequence
from concierge_app.db.messaging import OutboxMessage
from concierge_app.db.payments import Commission, PaymentAttempt, ProviderEvent, Refund
from concierge_app.domain.errors import DomainError
from concierge_app.domain.money import Money
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services.guest import invoicing, portfolio, queries, refunds
from concierge_app.services.payments import checkout
from concierge_app.services.payments.checkout import EventOutcome
from concierge_app.services.shared.audit import verify_chain

from ..factories import ACTOR, World, add_service, draft_id, make_world, send_draft

ROUNDS = 5
JOIN_TIMEOUT = 60  # seconds: a racer still running after this is a hang (a deadlock)


@pytest.fixture(
    params=[
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("sqlite"),
    ]
)
def db(request: pytest.FixtureRequest) -> Database:
    """Overrides conftest's `db`: PostgreSQL first (the point of this file; skipped, or failed
    under CI, exactly as conftest's require_postgres says), then the same race on SQLite."""
    return request.getfixturevalue("pg_db" if request.param == "postgres" else "sqlite_db")


# -- running a race --------------------------------------------------------------------------


@dataclass
class Outcome:
    value: Any = None
    refusal: DomainError | None = None
    crash: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.refusal is None and self.crash is None


_LOCK_WAITERS = text(
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
)


def _lock_waiters(db: Database) -> int:
    """Backends of this database waiting for a lock (the first racer waits for the gate, the
    next ones for the first racer's tuple lock: all of them queue behind the gate)."""
    with db.engine.connect() as conn:
        return int(conn.execute(_LOCK_WAITERS).scalar_one())


@contextmanager
def booking_gate(db: Database, booking_id: int) -> Iterator[Callable[[int], None]]:
    """Hold the booking's row lock; yields `wait_for(n)`, which returns once n transactions
    are queued behind it. The lock is released when the block ends."""
    conn = db.engine.connect()
    tx = conn.begin()
    try:
        conn.execute(text("SELECT id FROM booking WHERE id = :id FOR UPDATE"), {"id": booking_id})

        def wait_for(n: int) -> None:
            deadline = time.monotonic() + 10
            while _lock_waiters(db) < n:
                assert time.monotonic() < deadline, (
                    f"only {_lock_waiters(db)} of {n} racers queued on the booking lock: "
                    "does every writer still lock the booking first?"
                )
                time.sleep(0.005)

        yield wait_for
    finally:
        tx.rollback()
        conn.close()


def race(
    db: Database, calls: list[Callable[[], Any]], *, booking_id: int, round_no: int
) -> list[Outcome]:
    """Run the calls at once, one thread each. On PostgreSQL even rounds are gated (see the
    module docstring): the racers queue on the booking lock in list order."""
    gated = db.dialect == "postgresql" and round_no % 2 == 0
    outcomes = [Outcome() for _ in calls]
    barrier = threading.Barrier(len(calls))

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            if not gated:
                barrier.wait(timeout=JOIN_TIMEOUT)
            outcomes[i].value = call()
        except DomainError as err:
            outcomes[i].refusal = err
        except BaseException as err:  # reported below as a failure
            outcomes[i].crash = err

    threads = [
        threading.Thread(target=run, args=(i, call), name=f"racer-{i}", daemon=True)
        for i, call in enumerate(calls)
    ]
    if gated:
        with booking_gate(db, booking_id) as wait_for:
            for n, thread in enumerate(threads, start=1):
                thread.start()
                wait_for(n)
    else:
        for thread in threads:
            thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
        assert not thread.is_alive(), f"{thread.name} still running: a deadlock?"
    for outcome in outcomes:
        if outcome.crash is not None:
            raise AssertionError(
                f"a racer failed with {type(outcome.crash).__name__} instead of succeeding or "
                f"being refused: {outcome.crash}"
            ) from outcome.crash
    return outcomes


def one_winner(outcomes: list[Outcome]) -> tuple[Outcome, Outcome]:
    winners = [o for o in outcomes if o.ok]
    losers = [o for o in outcomes if not o.ok]
    assert len(winners) == 1 and len(losers) == 1, f"expected one winner: {outcomes}"
    return winners[0], losers[0]


def count(db: Database, stmt: Any) -> int:
    with db.read() as session:
        return int(session.exec(stmt).one())


def audit_events(db: Database, action: str, subject: str) -> int:
    return count(
        db,
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == action, AuditEvent.subject == subject),
    )


def outbox_messages(db: Database, dedupe_key: str) -> int:
    return count(
        db,
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.dedupe_key == dedupe_key),
    )


def assert_numbers_gapless(db: Database) -> None:
    with db.read() as session:
        numbers = session.exec(
            select(GuestInvoice.number).where(col(GuestInvoice.number).is_not(None))
        ).all()
        sequences = {s.name: s.last_value for s in session.exec(select(NumberSequence)).all()}
    by_year: dict[str, list[int]] = {}
    for number in numbers:
        assert number is not None
        _, year, value = number.split("-")
        by_year.setdefault(year, []).append(int(value))
    for year, values in by_year.items():
        assert sorted(values) == list(range(1, len(values) + 1)), f"gap in {year}: {values}"
        assert sequences[f"guest_invoice:{year}"] == len(values), "a number was consumed twice"


def assert_chain_ok(db: Database) -> None:
    report = verify_chain(db=db)
    assert report.ok, report


# -- Send Invoice twice ----------------------------------------------------------------------


def test_two_staff_sending_the_same_draft_at_once_send_it_once(db: Database) -> None:
    for round_no in range(ROUNDS):
        w = make_world(db)
        add_service(w, S.PLATFORM_COLLECTS_FULL, "120.00", title="Sailing")
        add_service(w, S.PLATFORM_COLLECTS_DEPOSIT, "900.00", "90.00", title="Private chef")
        invoice_id = draft_id(w)

        def send(invoice_id: int = invoice_id) -> invoicing.SentInvoice:
            return invoicing.send_invoice(db=db, invoice_id=invoice_id, actor=ACTOR)

        winner, loser = one_winner(
            race(db, [send, send], booking_id=w.booking_id, round_no=round_no)
        )
        assert "already been sent" in str(loser.refusal), loser.refusal
        sent = winner.value
        assert sent.total == w.money("210.00") and sent.message_queued
        with db.read() as session:
            invoice = session.get(GuestInvoice, invoice_id)
            assert invoice is not None
            assert (invoice.status, invoice.number) == ("active", sent.number)
        assert_numbers_gapless(db)  # exactly one number consumed per send
        assert outbox_messages(db, f"invoice_sent:{invoice_id}") == 1
        assert audit_events(db, "invoice.sent", f"invoice:{invoice_id}") == 1
    assert_chain_ok(db)


def test_send_invoice_racing_a_confirmation_bills_what_it_says(db: Database) -> None:
    """A colleague confirms a service while the draft is being sent: either the line makes it
    onto the invoice sent, or it lands on a new draft — and what the guest is told (the Invoice
    Sent message, the audit trail) is exactly the invoice's lines and total. In gated rounds the
    confirmation queues first: Send Invoice has read the draft before the line was added."""
    for round_no in range(ROUNDS):
        w = make_world(db)
        add_service(w, S.PLATFORM_COLLECTS_FULL, "120.00", title="Sailing")
        invoice_id = draft_id(w)
        late = add_service(w, S.PLATFORM_COLLECTS_FULL, "45.50", title="Transfer", confirm=False)

        outcomes = race(
            db,
            [
                lambda late=late: portfolio.confirm_service(db=db, service_id=late, actor=ACTOR),
                lambda i=invoice_id: invoicing.send_invoice(db=db, invoice_id=i, actor=ACTOR),
            ],
            booking_id=w.booking_id,
            round_no=round_no,
        )
        assert all(o.ok for o in outcomes), outcomes
        confirmation, sent = outcomes[0].value, outcomes[1].value
        with db.read() as session:
            invoice = session.get(GuestInvoice, invoice_id)
            assert invoice is not None
            lines = session.exec(
                select(InvoiceLine).where(InvoiceLine.invoice_id == invoice_id)
            ).all()
            event = session.exec(
                select(AuditEvent).where(
                    AuditEvent.action == "invoice.sent",
                    AuditEvent.subject == f"invoice:{invoice_id}",
                )
            ).one()
            message = session.exec(
                select(OutboxMessage).where(
                    OutboxMessage.dedupe_key == f"invoice_sent:{invoice_id}"
                )
            ).one()
        assert sum(ln.amount_minor for ln in lines) == invoice.total_minor
        assert sent.total.minor == invoice.total_minor, "Send Invoice reported a stale total"
        assert f'"total":"{Money(invoice.total_minor, "EUR")}"' in event.data
        assert f"{Money(invoice.total_minor, 'EUR').to_decimal():,}" in message.body.replace(
            "\u00a0", " "
        ), "the Invoice Sent message shows another total than the invoice"
        on_sent = late in {ln.service_item_id for ln in lines}
        assert (confirmation.invoice_id == invoice_id) == on_sent
        if not on_sent:  # confirmed after the send: it opened a new draft
            assert confirmation.invoice_id == draft_id(w) != invoice_id
        assert_numbers_gapless(db)
    assert_chain_ok(db)


# -- the provider's success event, twice -----------------------------------------------------


def _two_sent_invoices(w: World) -> list[int]:
    add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00", title="Sailing")
    add_service(w, S.PLATFORM_COLLECTS_DEPOSIT, "500.00", "50.00", title="Private chef")
    first = send_draft(w)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "30.00", title="Airport transfer")
    return [first, send_draft(w)]


@pytest.mark.parametrize(
    ("events", "second_outcome"),
    [
        pytest.param(
            [("evt_same", "checkout.session.completed")] * 2,
            EventOutcome.DUPLICATE_EVENT,
            id="same-event-id",
        ),
        pytest.param(
            [
                ("evt_completed", "checkout.session.completed"),
                ("evt_async", "checkout.session.async_payment_succeeded"),
            ],
            EventOutcome.ALREADY_FULFILLED,
            id="two-event-ids",
        ),
    ],
)
def test_two_webhook_deliveries_at_once_fulfil_the_checkout_once(
    db: Database, events: list[tuple[str, str]], second_outcome: EventOutcome
) -> None:
    for round_no in range(ROUNDS):
        w = make_world(db, rate_bps=1250)
        invoices = _two_sent_invoices(w)
        attempt = checkout.start_payment_attempt(db=db, invoice_ids=invoices, actor="guest")
        suffix = f"_{w.booking_id}"  # event ids are unique per provider across rounds

        def deliver(
            event_id: str,
            event_type: str,
            attempt: checkout.AttemptView = attempt,
            suffix: str = suffix,
        ) -> EventOutcome:
            return checkout.fulfil_payment_attempt(
                db=db,
                attempt_id=attempt.id,
                provider="stripe",
                event_id=event_id + suffix,
                event_type=event_type,
                amount=attempt.amount,
            )

        outcomes = race(
            db,
            [lambda e=e, t=t: deliver(e, t) for e, t in events],
            booking_id=w.booking_id,
            round_no=round_no,
        )
        assert all(o.ok for o in outcomes), outcomes
        assert sorted(o.value for o in outcomes) == sorted(
            [EventOutcome.FULFILLED, second_outcome]
        ), [o.value for o in outcomes]
        with db.read() as session:
            paid = session.exec(
                select(GuestInvoice).where(col(GuestInvoice.id).in_(invoices))
            ).all()
            row = session.get(PaymentAttempt, attempt.id)
            assert row is not None
            assert (row.status, row.unapplied_minor) == ("succeeded", 0)
            commissions = session.exec(
                select(Commission).where(Commission.attempt_id == attempt.id)
            ).all()
            stored = session.exec(
                select(ProviderEvent).where(ProviderEvent.attempt_id == attempt.id)
            ).all()
        assert {(i.status, i.paid_by_attempt_id) for i in paid} == {("paid", attempt.id)}
        assert sorted((c.kind, c.base_minor, c.amount_minor) for c in commissions) == [
            ("earned", 3000, 375),
            ("earned", 5000, 625),
            ("earned", 10000, 1250),
        ], "commissions must be recorded once per line"
        assert len(stored) == len({e for e, _ in events})
        assert outbox_messages(db, f"payment_received:{attempt.id}") == 1
        assert audit_events(db, "payment.succeeded", f"attempt:{attempt.id}") == 1
        totals = queries.booking_totals(db=db, booking_id=w.booking_id)
        assert totals.concierge_paid == w.money("180.00") and totals.unapplied.is_zero
    assert_chain_ok(db)


def test_staff_voiding_an_invoice_while_the_guest_pays_it(db: Database) -> None:
    """The webhook and a staff void race: either the payment lands (the void is refused: a paid
    invoice can't be voided) or the void lands (the late payment is unapplied money). Never both:
    a paid invoice voided, its services billed again on a new draft."""
    for round_no in range(ROUNDS):
        w = make_world(db)
        add_service(w, S.PLATFORM_COLLECTS_FULL, "80.00", title="Sailing")
        invoice_id = send_draft(w)
        attempt = checkout.start_payment_attempt(db=db, invoice_ids=[invoice_id], actor="guest")
        outcomes = race(
            db,
            [
                lambda a=attempt, b=w.booking_id: checkout.fulfil_payment_attempt(
                    db=db,
                    attempt_id=a.id,
                    provider="stripe",
                    event_id=f"evt_void_race_{b}",
                    event_type="checkout.session.completed",
                    amount=a.amount,
                ),
                lambda i=invoice_id: invoicing.void_invoice(
                    db=db, invoice_id=i, actor=ACTOR, reason="wrong date"
                ),
            ],
            booking_id=w.booking_id,
            round_no=round_no,
        )
        payment, void = outcomes
        assert payment.ok and payment.value is EventOutcome.FULFILLED
        with db.read() as session:
            invoice = session.get(GuestInvoice, invoice_id)
            row = session.get(PaymentAttempt, attempt.id)
            assert invoice is not None and row is not None
        if void.ok:  # the void came first: the payment is unapplied money, to refund
            assert invoice.status == "voided" and invoice.paid_by_attempt_id is None
            assert row.unapplied_minor == attempt.amount.minor
        else:
            assert "paid invoice can't be voided" in str(void.refusal), void.refusal
            assert invoice.status == "paid" and row.unapplied_minor == 0
            panel = queries.payments_panel(db=db, booking_id=w.booking_id)
            assert panel.draft is None, "a paid service was put on a new draft"
        totals = queries.booking_totals(db=db, booking_id=w.booking_id)
        assert totals.concierge_paid + totals.unapplied == attempt.amount
    assert_chain_ok(db)


# -- confirmations and refunds ---------------------------------------------------------------


def test_two_services_confirmed_at_once_share_one_draft(db: Database) -> None:
    for round_no in range(ROUNDS):
        w = make_world(db)
        first = add_service(w, S.PLATFORM_COLLECTS_FULL, "120.00", title="Sailing", confirm=False)
        second = add_service(
            w, S.PLATFORM_COLLECTS_DEPOSIT, "900.00", "90.00", title="Chef", confirm=False
        )
        outcomes = race(
            db,
            [
                lambda sid=sid: portfolio.confirm_service(db=db, service_id=sid, actor=ACTOR)
                for sid in (first, second)
            ],
            booking_id=w.booking_id,
            round_no=round_no,
        )
        assert all(o.ok for o in outcomes), outcomes
        with db.read() as session:
            drafts = session.exec(
                select(GuestInvoice).where(
                    GuestInvoice.booking_id == w.booking_id, GuestInvoice.status == "draft"
                )
            ).all()
            assert len(drafts) == 1, f"{len(drafts)} drafts for one booking"
            lines = session.exec(
                select(InvoiceLine).where(InvoiceLine.invoice_id == drafts[0].id)
            ).all()
        assert {o.value.invoice_id for o in outcomes} == {drafts[0].id}
        assert sorted((ln.service_item_id, ln.amount_minor) for ln in lines) == [
            (first, 12000),
            (second, 9000),
        ]
        assert drafts[0].total_minor == 21000
    assert_chain_ok(db)


@pytest.mark.parametrize("same_request", [False, True], ids=["two-requests", "one-request-twice"])
def test_two_full_refunds_at_once_refund_the_service_once(db: Database, same_request: bool) -> None:
    for round_no in range(ROUNDS):
        w = make_world(db, rate_bps=1000)
        service = add_service(w, S.PLATFORM_COLLECTS_FULL, "300.00", title="Sailing")
        invoice_id = send_draft(w)
        attempt = checkout.start_payment_attempt(db=db, invoice_ids=[invoice_id], actor="guest")
        checkout.fulfil_payment_attempt(
            db=db,
            attempt_id=attempt.id,
            provider="stripe",
            event_id=f"evt_{attempt.id}",
            event_type="checkout.session.completed",
            amount=attempt.amount,
        )

        def refund(key: str, service: int = service, w: World = w) -> refunds.RefundView:
            return refunds.record_refund(
                db=db,
                service_id=service,
                amount=w.money("300.00"),
                note="operator cancelled the tour",
                actor=ACTOR,
                idempotency_key=key,
            )

        keys = [f"rf_{w.booking_id}_{1 if same_request else n}" for n in (1, 2)]
        outcomes = race(
            db, [lambda k=k: refund(k) for k in keys], booking_id=w.booking_id, round_no=round_no
        )
        if same_request:  # the idempotency key: both calls answer with the one refund
            assert all(o.ok for o in outcomes), outcomes
            assert outcomes[0].value.id == outcomes[1].value.id
        else:
            _, loser = one_winner(outcomes)
            assert "at most 0.00 EUR" in str(loser.refusal), loser.refusal
        with db.read() as session:
            rows = session.exec(select(Refund).where(Refund.service_item_id == service)).all()
            reversed_ = session.exec(
                select(Commission).where(
                    Commission.service_item_id == service, Commission.kind == "reversed"
                )
            ).all()
        assert [r.amount_minor for r in rows] == [30000], "refunded more than was paid"
        assert [c.amount_minor for c in reversed_] == [3000], "commission reversed twice"
        assert audit_events(db, "refund.recorded", f"refund:{rows[0].id}") == 1
        totals = queries.booking_totals(db=db, booking_id=w.booking_id)
        assert totals.refunded == w.money("300.00") and totals.concierge_net_paid.is_zero
    assert_chain_ok(db)
