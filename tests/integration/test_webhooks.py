"""The webhook handler, fed payloads signed exactly as Stripe signs them (stripe.WebhookSignature).

Duplicates, out-of-order events, tampered signatures and unknown attempts change nothing.
"""

from __future__ import annotations

import json
import time

import pytest
import stripe
from sqlmodel import select

from concierge_app.adapters.payments.configured import webhook_secret
from concierge_app.db.invoicing import GuestInvoice
from concierge_app.db.messaging import OutboxMessage
from concierge_app.db.payments import PaymentAttempt, ProviderEvent, Refund
from concierge_app.domain.checkout import CheckoutStatus
from concierge_app.domain.lifecycle import InvoiceStatus
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services.payments import checkout
from concierge_app.services.payments.webhooks import receive_webhook

from ..factories import add_service, make_world, send_draft, snapshot
from ..stripe_objects import stripe_event, stripe_list, stripe_object


def session_event(attempt, kind="checkout.session.completed", *, event_id=None, **overrides):
    """The checkout.session event Stripe sends for the attempt (built from Stripe's example
    Checkout Session; an override the spec does not have is refused)."""
    fields = {
        "id": f"cs_test_{attempt.id}",
        "mode": "payment",
        "amount_total": attempt.amount.minor,
        "currency": attempt.amount.currency.lower(),
        "client_reference_id": attempt.id,
        "metadata": {"attempt_id": attempt.id},
        "payment_intent": f"pi_{attempt.id}",
        "payment_status": "paid",
        "status": "complete",
    } | overrides
    obj = stripe_object("checkout.session", **fields)
    return stripe_event(kind, obj, event_id=event_id or f"evt_{kind}_{attempt.id}")


def deliver(db, event, *, secret=None, tamper=False):
    payload = json.dumps(event).encode()
    header = stripe.WebhookSignature.generate_signature_header(
        payload.decode(), secret or webhook_secret()
    )
    if tamper:
        payload = payload.replace(b'"paid"', b'"PAID"', 1)
    return receive_webhook(db=db, payload=payload, signature=header)


def open_attempt(w, *invoice_ids):
    return checkout.start_payment_attempt(db=w.db, invoice_ids=list(invoice_ids), actor="guest")


def invoice_status(db, invoice_id):
    with db.read() as s:
        return s.get(GuestInvoice, invoice_id).status


def one_invoice(w, price="120.00"):
    add_service(w, S.PLATFORM_COLLECTS_FULL, price)
    return send_draft(w)


def test_a_signed_completed_event_pays_the_invoices_and_keeps_the_payment_reference(db):
    w = make_world(db)
    invoice = one_invoice(w)
    attempt = open_attempt(w, invoice)
    result = deliver(db, session_event(attempt))
    assert (result.status, result.outcome) == (200, "fulfilled")
    assert invoice_status(db, invoice) == InvoiceStatus.PAID
    with db.read() as s:
        row = s.get(PaymentAttempt, attempt.id)
        assert row.status == CheckoutStatus.SUCCEEDED
        assert row.provider_payment_id == f"pi_{attempt.id}"
        assert row.provider_reference == f"cs_test_{attempt.id}"
        received = s.exec(
            select(OutboxMessage).where(OutboxMessage.template_key == "payment_received")
        ).one()
    assert "/portal/" in received.body and "?t=" in received.body


def test_a_duplicate_event_is_acknowledged_and_changes_nothing(db):
    w = make_world(db)
    attempt = open_attempt(w, one_invoice(w))
    event = session_event(attempt)
    assert deliver(db, event).outcome == "fulfilled"
    before = snapshot(db)
    again = deliver(db, event)
    assert (again.status, again.outcome) == (200, checkout.EventOutcome.DUPLICATE_EVENT.value)
    assert snapshot(db) == before


def test_expired_after_completed_is_ignored(db):
    w = make_world(db)
    invoice = one_invoice(w)
    attempt = open_attempt(w, invoice)
    deliver(db, session_event(attempt))
    late = deliver(db, session_event(attempt, "checkout.session.expired", payment_status="unpaid"))
    assert late.outcome == checkout.EventOutcome.ALREADY_FINAL.value
    assert invoice_status(db, invoice) == InvoiceStatus.PAID
    with db.read() as s:
        assert s.get(PaymentAttempt, attempt.id).status == CheckoutStatus.SUCCEEDED


def test_a_second_success_event_for_the_same_attempt_pays_once(db):
    w = make_world(db)
    attempt = open_attempt(w, one_invoice(w))
    deliver(db, session_event(attempt))
    before = snapshot(db)
    other = deliver(
        db, session_event(attempt, "checkout.session.async_payment_succeeded", event_id="evt_x")
    )
    assert other.outcome == checkout.EventOutcome.ALREADY_FULFILLED.value
    after = snapshot(db)
    # only the event id itself is stored; no second payment, message or commission
    assert after["provider_event"] == before["provider_event"] + 1
    assert {k: v for k, v in after.items() if k not in ("provider_event",)} == {
        k: v for k, v in before.items() if k not in ("provider_event",)
    }


def test_a_tampered_signature_is_refused_with_400_and_nothing_written(db):
    w = make_world(db)
    invoice = one_invoice(w)
    attempt = open_attempt(w, invoice)
    before = snapshot(db)
    tampered = deliver(db, session_event(attempt), tamper=True)
    wrong_secret = deliver(db, session_event(attempt), secret="whsec_someone_else")
    assert tampered.status == wrong_secret.status == 400
    assert snapshot(db) == before
    assert invoice_status(db, invoice) == InvoiceStatus.ACTIVE


# Just past the 300 s tolerance, with a few seconds of slack for a slow test run (the
# header is signed a moment before it is verified).
@pytest.mark.parametrize("offset", [-3600, -305, 305, 3600, 10**9])
def test_a_signature_dated_beyond_the_tolerance_past_or_future_is_refused(db, offset):
    w = make_world(db)
    invoice = one_invoice(w)
    attempt = open_attempt(w, invoice)
    payload = json.dumps(session_event(attempt)).encode()
    header = stripe.WebhookSignature.generate_signature_header(
        payload.decode(), webhook_secret(), int(time.time()) + offset
    )
    before = snapshot(db)
    result = receive_webhook(db=db, payload=payload, signature=header)
    assert result.status == 400 and "tolerance" in result.outcome
    assert snapshot(db) == before
    assert invoice_status(db, invoice) == InvoiceStatus.ACTIVE


def test_an_unknown_attempt_is_acknowledged_and_nothing_written(db):
    w = make_world(db)
    attempt = open_attempt(w, one_invoice(w))
    event = session_event(attempt, client_reference_id="pa_unknown", metadata={})
    before = snapshot(db)
    result = deliver(db, event)
    assert (result.status, result.outcome) == (200, "unknown payment attempt (ignored)")
    after = snapshot(db)
    assert after.pop("provider_event") == before.pop("provider_event") + 1  # kept for staff
    assert after == before


def test_an_amount_that_differs_from_the_attempt_is_not_applied(db):
    w = make_world(db)
    invoice = one_invoice(w)
    attempt = open_attempt(w, invoice)
    result = deliver(db, session_event(attempt, amount_total=attempt.amount.minor - 1))
    assert result.outcome == checkout.EventOutcome.AMOUNT_MISMATCH.value
    assert invoice_status(db, invoice) == InvoiceStatus.ACTIVE


def test_delayed_payment_waits_then_fails_without_paying(db):
    w = make_world(db)
    invoice = one_invoice(w)
    attempt = open_attempt(w, invoice)
    waiting = deliver(db, session_event(attempt, payment_status="unpaid"))
    assert waiting.outcome == checkout.EventOutcome.AWAITING_PAYMENT.value
    failed = deliver(db, session_event(attempt, "checkout.session.async_payment_failed"))
    assert failed.outcome == checkout.EventOutcome.MARKED_FAILED.value
    assert invoice_status(db, invoice) == InvoiceStatus.ACTIVE


def test_an_expired_checkout_closes_the_attempt_only(db):
    w = make_world(db)
    invoice = one_invoice(w)
    attempt = open_attempt(w, invoice)
    result = deliver(
        db, session_event(attempt, "checkout.session.expired", payment_status="unpaid")
    )
    assert result.outcome == checkout.EventOutcome.MARKED_EXPIRED.value
    assert invoice_status(db, invoice) == InvoiceStatus.ACTIVE


def test_a_refund_listed_on_an_expanded_charge_is_recorded_once(db):
    """A Charge lists its refunds only when expanded (or at API versions before 2022-11-15):
    those are recorded as they are, without asking the provider. The pinned version's shape
    (only `amount_refunded`) is in test_provider_refunds.py."""
    w = make_world(db)
    attempt = open_attempt(w, one_invoice(w))
    deliver(db, session_event(attempt))
    refund = stripe_object(
        "refund",
        id="re_dash",
        amount=2000,
        currency="eur",
        payment_intent=f"pi_{attempt.id}",
        status="succeeded",
        metadata={},
    )
    charge = stripe_object(
        "charge",
        id="ch_1",
        currency="eur",
        amount_refunded=2000,
        payment_intent=f"pi_{attempt.id}",
        refunds=stripe_list([refund], url="/v1/charges/ch_1/refunds"),
    )
    event = stripe_event("charge.refunded", charge, event_id="evt_charge_refunded_1")
    first = deliver(db, event)
    assert first.outcome == "refund re_dash of €20.00 made at the provider: recorded"
    assert deliver(db, event).outcome == checkout.EventOutcome.DUPLICATE_EVENT.value
    with db.read() as s:
        stored = s.exec(
            select(ProviderEvent).where(ProviderEvent.event_id == "evt_charge_refunded_1")
        ).one()
        recorded = s.exec(select(Refund).where(Refund.provider_reference == "re_dash")).all()
    assert stored.attempt_id == attempt.id
    assert [(r.amount_minor, r.source, r.status) for r in recorded] == [
        (2000, "provider", "succeeded")
    ]
