"""Checkouts: one attempt for several invoices, fulfilled exactly once; failures change nothing."""

import pytest
from sqlmodel import select

from concierge_app.db.messaging import OutboxMessage
from concierge_app.db.payments import Commission, PaymentAttempt, ProviderEvent
from concierge_app.domain.checkout import CheckoutStatus
from concierge_app.domain.money import Money
from concierge_app.domain.payment_status import ServicePaymentStatus as P
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services.guest import invoicing, queries
from concierge_app.services.payments import checkout
from concierge_app.services.payments.checkout import EventOutcome

from ..factories import ACTOR, add_service, make_world, send_draft, snapshot


def two_active_invoices(w):
    add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00", title="Sailing")
    first = send_draft(w)
    add_service(w, S.PLATFORM_COLLECTS_DEPOSIT, "500.00", "50.00", title="Chef")
    return first, send_draft(w)


def fulfil(db, attempt, event_id="evt_1", amount=None):
    return checkout.fulfil_payment_attempt(
        db=db,
        attempt_id=attempt.id,
        provider="sandbox",
        event_id=event_id,
        event_type="checkout.session.completed",
        amount=amount or attempt.amount,
    )


def test_pay_all_settles_several_invoices_in_one_attempt(db):
    w = make_world(db, rate_bps=1250)
    first, second = two_active_invoices(w)
    attempt = checkout.start_payment_attempt(db=db, invoice_ids=[first, second], actor="guest")
    assert attempt.amount == w.money("150.00") and attempt.invoice_ids == (first, second)
    assert fulfil(db, attempt) is EventOutcome.FULFILLED
    panel = queries.payments_panel(db=db, booking_id=w.booking_id)
    assert {i.status.value for i in panel.invoices} == {"paid"}
    assert all(i.paid_at for i in panel.invoices)
    assert {s.payment_status for s in queries.trip_portfolio(db=db, booking_id=w.booking_id)} == {
        P.PAID
    }
    with db.read() as s:
        commissions = s.exec(select(Commission).order_by(Commission.id)).all()
        messages = s.exec(
            select(OutboxMessage).where(OutboxMessage.template_key == "payment_received")
        ).all()
    assert [(c.kind, c.base_minor, c.amount_minor) for c in commissions] == [
        ("earned", 10000, 1250),
        ("earned", 5000, 625),
    ]
    assert len(messages) == 1 and "€150.00" in messages[0].body
    assert panel.totals.concierge_paid == w.money("150.00")


def test_a_redelivered_event_or_a_second_success_event_changes_nothing(db):
    w = make_world(db)
    first, _ = two_active_invoices(w)
    attempt = checkout.start_payment_attempt(db=db, invoice_ids=[first], actor="guest")
    assert fulfil(db, attempt, "evt_a") is EventOutcome.FULFILLED
    before = snapshot(db)
    assert fulfil(db, attempt, "evt_a") is EventOutcome.DUPLICATE_EVENT
    assert snapshot(db) == before
    assert fulfil(db, attempt, "evt_b") is EventOutcome.ALREADY_FULFILLED
    after = snapshot(db)
    assert after["provider_event"] == before["provider_event"] + 1  # the event id is remembered
    assert {k: v for k, v in after.items() if k != "provider_event"} == {
        k: v for k, v in before.items() if k != "provider_event"
    }


@pytest.mark.parametrize("status", [CheckoutStatus.FAILED, CheckoutStatus.EXPIRED])
def test_a_failed_or_expired_checkout_changes_nothing_but_the_attempt(db, status):
    w = make_world(db)
    first, _ = two_active_invoices(w)
    attempt = checkout.start_payment_attempt(db=db, invoice_ids=[first], actor="guest")
    panel_before = queries.payments_panel(db=db, booking_id=w.booking_id)
    outcome = checkout.close_payment_attempt(
        db=db,
        attempt_id=attempt.id,
        provider="sandbox",
        event_id="evt_fail",
        event_type="checkout.session.expired",
        status=status,
        reason="Card declined",
    )
    assert outcome in (EventOutcome.MARKED_FAILED, EventOutcome.MARKED_EXPIRED)
    panel_after = queries.payments_panel(db=db, booking_id=w.booking_id)
    assert panel_after.invoices == panel_before.invoices
    with db.read() as s:
        assert s.get(PaymentAttempt, attempt.id).status == status.value
        assert s.exec(select(Commission)).all() == []
    # The guest can try again with a new checkout.
    retry = checkout.start_payment_attempt(db=db, invoice_ids=[first], actor="guest")
    assert fulfil(db, retry, "evt_retry") is EventOutcome.FULFILLED


def test_expired_after_completed_out_of_order_is_ignored(db):
    w = make_world(db)
    first, _ = two_active_invoices(w)
    attempt = checkout.start_payment_attempt(db=db, invoice_ids=[first], actor="guest")
    fulfil(db, attempt, "evt_done")
    before = snapshot(db)
    outcome = checkout.close_payment_attempt(
        db=db,
        attempt_id=attempt.id,
        provider="sandbox",
        event_id="evt_late_expiry",
        event_type="checkout.session.expired",
        status=CheckoutStatus.EXPIRED,
    )
    assert outcome is EventOutcome.ALREADY_FINAL
    with db.read() as s:
        assert s.get(PaymentAttempt, attempt.id).status == "succeeded"
    assert snapshot(db)["guest_invoice"] == before["guest_invoice"]


def test_a_success_after_a_failure_is_still_applied_because_money_moved(db):
    w = make_world(db)
    first, _ = two_active_invoices(w)
    attempt = checkout.start_payment_attempt(db=db, invoice_ids=[first], actor="guest")
    checkout.close_payment_attempt(
        db=db,
        attempt_id=attempt.id,
        provider="sandbox",
        event_id="evt_f",
        event_type="x",
        status=CheckoutStatus.FAILED,
    )
    assert fulfil(db, attempt, "evt_s") is EventOutcome.FULFILLED
    assert (
        queries.payments_panel(db=db, booking_id=w.booking_id).invoices[-1].status.value == "paid"
    )


def test_an_amount_that_differs_from_the_attempt_is_not_applied(db):
    w = make_world(db)
    first, _ = two_active_invoices(w)
    attempt = checkout.start_payment_attempt(db=db, invoice_ids=[first], actor="guest")
    assert fulfil(db, attempt, amount=w.money("1.00")) is EventOutcome.AMOUNT_MISMATCH
    assert fulfil(db, attempt, "evt_2", amount=Money(10000, "USD")) is EventOutcome.AMOUNT_MISMATCH
    assert {
        i.status.value for i in queries.payments_panel(db=db, booking_id=w.booking_id).invoices
    } == {"active"}
    with db.read() as s:
        outcomes = [e.outcome for e in s.exec(select(ProviderEvent)).all()]
    assert outcomes == [EventOutcome.AMOUNT_MISMATCH.value] * 2


def test_voiding_an_invoice_expires_its_open_checkout_and_a_late_success_is_unapplied(db):
    w = make_world(db)
    first, second = two_active_invoices(w)
    attempt = checkout.start_payment_attempt(db=db, invoice_ids=[first, second], actor="guest")
    invoicing.void_invoice(db=db, invoice_id=first, actor=ACTOR, reason="Wrong price")
    with db.read() as s:
        assert s.get(PaymentAttempt, attempt.id).status == "expired"
    assert fulfil(db, attempt, "evt_late") is EventOutcome.FULFILLED
    totals = queries.booking_totals(db=db, booking_id=w.booking_id)
    assert totals.unapplied == w.money("100.00")
    assert totals.concierge_paid == w.money("50.00")
    with db.read() as s:
        assert "refund" in (s.get(PaymentAttempt, attempt.id).failure_reason or "")


def test_an_unknown_attempt_is_refused_and_nothing_is_written(db):
    from concierge_app.domain.errors import NotFound

    make_world(db)
    before = snapshot(db)
    with pytest.raises(NotFound):
        checkout.fulfil_payment_attempt(
            db=db,
            attempt_id="pa_nope",
            provider="sandbox",
            event_id="evt_x",
            event_type="x",
            amount=Money(100, "EUR"),
        )
    assert snapshot(db) == before


def test_a_provider_reference_is_attached_once(db):
    from concierge_app.domain.errors import DomainError

    w = make_world(db)
    first, _ = two_active_invoices(w)
    attempt = checkout.start_payment_attempt(db=db, invoice_ids=[first], actor="guest")
    checkout.attach_provider_reference(db=db, attempt_id=attempt.id, provider_reference="cs_1")
    checkout.attach_provider_reference(db=db, attempt_id=attempt.id, provider_reference="cs_1")
    with pytest.raises(DomainError, match="another provider reference"):
        checkout.attach_provider_reference(db=db, attempt_id=attempt.id, provider_reference="cs_2")
