"""The webhook handler, fed payloads signed exactly as Stripe signs them (stripe.WebhookSignature).

Duplicates, out-of-order events, tampered signatures and unknown attempts change nothing.
"""

from __future__ import annotations

import json
import time

import stripe
from sqlmodel import select

from concierge_app.db.invoicing import GuestInvoice
from concierge_app.db.messaging import OutboxMessage
from concierge_app.db.payments import PaymentAttempt, ProviderEvent
from concierge_app.domain.lifecycle import AttemptStatus, InvoiceStatus
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services import checkout
from concierge_app.services.payment_provider import webhook_secret
from concierge_app.services.webhooks import receive_webhook

from ..factories import add_service, make_world, send_draft, snapshot


def session_event(attempt, kind="checkout.session.completed", *, event_id=None, **overrides):
    obj = {
        "id": f"cs_test_{attempt.id}",
        "object": "checkout.session",
        "mode": "payment",
        "amount_total": attempt.amount.minor,
        "currency": attempt.amount.currency.lower(),
        "client_reference_id": attempt.id,
        "metadata": {"attempt_id": attempt.id},
        "payment_intent": f"pi_{attempt.id}",
        "payment_status": "paid",
        "status": "complete",
    } | overrides
    return {
        "id": event_id or f"evt_{kind}_{attempt.id}",
        "object": "event",
        "type": kind,
        "created": int(time.time()),
        "data": {"object": obj},
    }


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
        assert row.status == AttemptStatus.SUCCEEDED
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
        assert s.get(PaymentAttempt, attempt.id).status == AttemptStatus.SUCCEEDED


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


def test_an_old_signature_is_refused(db):
    w = make_world(db)
    attempt = open_attempt(w, one_invoice(w))
    payload = json.dumps(session_event(attempt)).encode()
    header = stripe.WebhookSignature.generate_signature_header(
        payload.decode(), webhook_secret(), int(time.time()) - 3600
    )
    before = snapshot(db)
    assert receive_webhook(db=db, payload=payload, signature=header).status == 400
    assert snapshot(db) == before


def test_an_unknown_attempt_is_acknowledged_and_nothing_written(db):
    w = make_world(db)
    attempt = open_attempt(w, one_invoice(w))
    event = session_event(attempt, client_reference_id="pa_unknown", metadata={})
    before = snapshot(db)
    result = deliver(db, event)
    assert (result.status, result.outcome) == (200, "unknown payment attempt (ignored)")
    assert snapshot(db) == before


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


def test_a_refund_made_outside_the_ledger_is_flagged_once(db):
    w = make_world(db)
    attempt = open_attempt(w, one_invoice(w))
    deliver(db, session_event(attempt))
    charge = {
        "id": "evt_charge_refunded_1",
        "object": "event",
        "type": "charge.refunded",
        "data": {
            "object": {
                "id": "ch_1",
                "object": "charge",
                "currency": "eur",
                "amount_refunded": 2000,
                "payment_intent": f"pi_{attempt.id}",
                "refunds": {"data": [{"id": "re_dash", "amount": 2000, "status": "succeeded"}]},
            }
        },
    }
    first = deliver(db, charge)
    assert first.outcome.startswith("1 refund(s) made outside the ledger")
    assert deliver(db, charge).outcome == checkout.EventOutcome.DUPLICATE_EVENT.value
    with db.read() as s:
        stored = s.exec(
            select(ProviderEvent).where(ProviderEvent.event_id == "evt_charge_refunded_1")
        ).one()
    assert stored.attempt_id == attempt.id
