"""Races: two sessions doing the same thing at once have exactly one effect.

Real threads, each calling a service in its own transaction, released together by a barrier.
On PostgreSQL the services' row locks decide; on SQLite BEGIN IMMEDIATE serialises writers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import func, select

from concierge_app.db.audit import AuditEvent
from concierge_app.db.invoicing import GuestInvoice
from concierge_app.db.messaging import OutboxMessage
from concierge_app.db.payments import Commission
from concierge_app.domain.errors import DomainError
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services import checkout, invoicing, portfolio, queries, refunds
from concierge_app.services.checkout import EventOutcome

from ..factories import ACTOR, add_service, draft_id, make_world, pay, send_draft

ROUNDS = 4


def race(*actions: Callable[[], Any]) -> list[Any]:
    """Run the actions at the same instant; each result is a value or the exception raised."""
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(i: int, action: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[i] = action()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def count(db, model, *where) -> int:
    with db.read() as s:
        return s.exec(select(func.count()).select_from(model).where(*where)).one()


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_staff_sending_the_same_draft_send_it_once(db, round_):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00")
    draft = draft_id(w)
    results = race(*[lambda: invoicing.send_invoice(db=db, invoice_id=draft, actor=ACTOR)] * 2)
    sent = [r for r in results if isinstance(r, invoicing.SentInvoice)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(sent) == 1 and len(refused) == 1, results
    assert "already been sent" in refused[0].message
    assert count(db, GuestInvoice, GuestInvoice.number.is_not(None)) == 1
    assert count(db, OutboxMessage, OutboxMessage.template_key == "invoice_sent") == 1
    assert count(db, AuditEvent, AuditEvent.action == "invoice.sent") == 1


@pytest.mark.parametrize("same_event", [True, False], ids=["same event", "two events"])
@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_deliveries_fulfilling_one_attempt_have_one_effect(db, round_, same_event):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00")
    first = send_draft(w)
    add_service(w, S.PLATFORM_COLLECTS_DEPOSIT, "300.00", "30.00")
    second = send_draft(w)
    attempt = checkout.start_payment_attempt(db=db, invoice_ids=[first, second], actor="guest")

    def deliver(event_id: str, event_type: str) -> Callable[[], EventOutcome]:
        return lambda: checkout.fulfil_payment_attempt(
            db=db,
            attempt_id=attempt.id,
            provider="sandbox",
            event_id=event_id,
            event_type=event_type,
            amount=attempt.amount,
        )

    results = race(
        deliver("evt_a", "checkout.session.completed"),
        deliver("evt_a" if same_event else "evt_b", "checkout.session.async_payment_succeeded"),
    )
    assert sorted(results) == sorted(
        [
            EventOutcome.FULFILLED,
            EventOutcome.DUPLICATE_EVENT if same_event else EventOutcome.ALREADY_FULFILLED,
        ]
    ), results
    assert count(db, Commission) == 2
    assert count(db, OutboxMessage, OutboxMessage.template_key == "payment_received") == 1
    assert count(db, AuditEvent, AuditEvent.action == "payment.succeeded") == 1
    totals = queries.booking_totals(db=db, booking_id=w.booking_id)
    assert totals.concierge_paid == w.money("130.00")


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_confirmations_without_a_draft_share_one_new_draft(db, round_):
    w = make_world(db)
    a = add_service(w, S.PLATFORM_COLLECTS_FULL, "10.00", confirm=False)
    b = add_service(w, S.PLATFORM_COLLECTS_FULL, "20.00", confirm=False)
    results = race(
        lambda: portfolio.confirm_service(db=db, service_id=a, actor=ACTOR),
        lambda: portfolio.confirm_service(db=db, service_id=b, actor=ACTOR),
    )
    assert all(isinstance(r, portfolio.Confirmation) for r in results), results
    assert results[0].invoice_id == results[1].invoice_id
    draft = queries.payments_panel(db=db, booking_id=w.booking_id).draft
    assert draft is not None and draft.total == w.money("30.00") and len(draft.lines) == 2


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_full_refunds_of_one_service_refund_it_once(db, round_):
    w = make_world(db)
    sid = add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00")
    pay(w, [send_draft(w)])
    results = race(
        *[
            lambda key=key: refunds.record_refund(
                db=db,
                service_id=sid,
                amount=w.money("100.00"),
                note="Cancelled",
                actor=ACTOR,
                idempotency_key=key,
            )
            for key in ("r1", "r2")
        ]
    )
    done = [r for r in results if isinstance(r, refunds.RefundView)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(done) == 1 and len(refused) == 1, results
    assert "at most 0.00 EUR" in refused[0].message
    assert queries.booking_totals(db=db, booking_id=w.booking_id).refunded == w.money("100.00")
