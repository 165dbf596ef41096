"""Validly signed events the ledger cannot use get a deliberate answer and are stored with the
reason (never an unhandled exception, never a change to the ledger); signatures dated beyond
the tolerance are refused."""

from __future__ import annotations

import pytest
from sqlmodel import select

from concierge_app.db.payments import ProviderEvent
from concierge_app.domain.lifecycle import InvoiceStatus

from ..factories import make_world, snapshot
from .test_webhooks import deliver, invoice_status, one_invoice, open_attempt, session_event


def _obj(event):
    return event["data"]["object"]


SHAPES = {
    "unknown type": lambda e: e | {"type": "customer.tax_id.created"},
    "a 10 kB type": lambda e: e | {"type": "x" * 10_000},
    "no type": lambda e: {k: v for k, v in e.items() if k != "type"},
    "data is a string": lambda e: e | {"data": "cs_test"},
    "data.object is a list": lambda e: e | {"data": {"object": [1, 2]}},
    "data.object is null": lambda e: e | {"data": {"object": None}},
    "no data": lambda e: {k: v for k, v in e.items() if k != "data"},
    "metadata is a string": lambda e: (
        e | {"data": {"object": _obj(e) | {"metadata": "x", "client_reference_id": None}}}
    ),
    "client_reference_id is a dict": lambda e: (
        e | {"data": {"object": _obj(e) | {"client_reference_id": {"id": 1}, "metadata": {}}}}
    ),
    "amount is a string": lambda e: e | {"data": {"object": _obj(e) | {"amount_total": "12000"}}},
    "amount is a float": lambda e: e | {"data": {"object": _obj(e) | {"amount_total": 120.0}}},
    "unknown currency": lambda e: e | {"data": {"object": _obj(e) | {"currency": "zzz"}}},
    "negative amount": lambda e: e | {"data": {"object": _obj(e) | {"amount_total": -1}}},
    "huge amount": lambda e: e | {"data": {"object": _obj(e) | {"amount_total": 10**30}}},
    "metadata pointing at nothing": lambda e: (
        e | {"data": {"object": _obj(e) | {"client_reference_id": "pa_nothing", "metadata": {}}}}
    ),
    "charge.refunded with refunds as a list": lambda e: (
        e
        | {
            "type": "charge.refunded",
            "data": {"object": {"id": "ch_1", "payment_intent": ["x"], "refunds": [1]}},
        }
    ),
    "direct debit answer for no payment": lambda e: (
        e
        | {
            "type": "payment_intent.payment_failed",
            "data": {
                "object": {
                    "id": "pi_1",
                    "amount": 100,
                    "currency": "eur",
                    "metadata": {"kind": "partner_direct_debit", "partner_payment_id": "999999"},
                    "last_payment_error": "not an object",
                }
            },
        }
    ),
    "partner checkout that does not exist": lambda e: (
        e | {"data": {"object": _obj(e) | {"client_reference_id": "pc_nothing", "metadata": {}}}}
    ),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_a_signed_event_we_cannot_use_is_answered_and_stored_with_the_reason(db, shape):
    w = make_world(db)
    invoice = one_invoice(w)
    attempt = open_attempt(w, invoice)
    event = SHAPES[shape](session_event(attempt, event_id=f"evt_odd_{abs(hash(shape))}"))
    before = snapshot(db)
    result = deliver(db, event)
    assert result.status == 200, result.outcome
    assert invoice_status(db, invoice) == InvoiceStatus.ACTIVE
    after = snapshot(db)
    assert after.pop("provider_event") == before.pop("provider_event") + 1
    if shape == "negative amount":  # a mismatch is also put on the booking's audit trail
        assert after.pop("audit_event") == before.pop("audit_event") + 1
        after.pop("audit_head"), before.pop("audit_head")
    assert after == before
    with db.read() as s:
        stored = s.exec(select(ProviderEvent).where(ProviderEvent.event_id == event["id"])).one()
    assert stored.outcome == result.outcome and stored.outcome != "processing"
    said = ("ignored", "rejected", "not handled", "not applied")
    assert any(word in stored.outcome for word in said), stored.outcome
    again = deliver(db, event)
    assert (again.status, again.outcome) == (200, "duplicate event (ignored)")


def test_a_signed_payload_that_is_not_an_event_is_refused_and_nothing_stored(db):
    w = make_world(db)
    attempt = open_attempt(w, one_invoice(w))
    event = session_event(attempt)
    before = snapshot(db)
    for odd in ({k: v for k, v in event.items() if k != "id"}, event | {"id": 42}):
        assert deliver(db, odd).status == 400
    assert snapshot(db) == before
