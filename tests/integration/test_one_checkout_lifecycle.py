"""A guest's checkout (Pay / Pay All) and a partner's (Pay online) go through the same checkout
lifecycle code (`services/payments/lifecycle.py`): the same signed events, delivered out of
order and twice, take both through the same steps, every one of them locked and stored by the
one `lifecycle.claim`."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from concierge_app.db.partner_payments import PartnerCheckout
from concierge_app.db.payments import PaymentAttempt
from concierge_app.domain.checkout import CheckoutStatus, Step
from concierge_app.services.payments import lifecycle
from concierge_app.services.payments.guest_fulfilment import GUEST
from concierge_app.services.payments.partner_fulfilment import PartnerCheckouts

from ..factories import make_world
from .test_partner_online import begin, eur, sailing  # noqa: F401  (fixture)
from .test_webhooks import deliver, one_invoice, open_attempt, session_event

# (event type, event id, what the lifecycle does): an expiry, the same expiry again, a success
# after the expiry (the money moved), a second success, a late failure.
EVENTS = [
    ("checkout.session.expired", "evt_1", Step.MARKED_EXPIRED),
    ("checkout.session.expired", "evt_1", Step.DUPLICATE_EVENT),
    ("checkout.session.completed", "evt_2", Step.FULFILLED),
    ("checkout.session.completed", "evt_3", Step.ALREADY_FULFILLED),
    ("checkout.session.async_payment_failed", "evt_4", Step.ALREADY_FINAL),
]


def guest_checkout(db):
    w = make_world(db)
    attempt = open_attempt(w, one_invoice(w))
    return attempt, GUEST, PaymentAttempt


def partner_checkout(sailing):  # noqa: F811
    start = begin(sailing["db"], [sailing["a"][0]], sailing["pid"])
    checkout = SimpleNamespace(id=start.checkout_id, amount=eur("80.00"))
    return checkout, PartnerCheckouts(), PartnerCheckout


@pytest.mark.parametrize("who", ["guest", "partner"])
def test_guest_and_partner_checkouts_take_the_same_steps_through_one_lifecycle(
    who,
    sailing,  # noqa: F811
    monkeypatch,
):
    db = sailing["db"]
    checkout, payer, model = guest_checkout(db) if who == "guest" else partner_checkout(sailing)
    claimed = []
    claim = lifecycle.claim

    def spy(session, payer, checkout_id, delivery):
        claimed.append((type(payer).__name__, checkout_id, delivery.event_id))
        return claim(session, payer, checkout_id, delivery)

    monkeypatch.setattr(lifecycle, "claim", spy)
    steps = {word.value: step for step, word in payer.words.items()}
    done = []
    for kind, event_id, _ in EVENTS:
        result = deliver(db, session_event(checkout, kind, event_id=event_id))
        assert result.status == 200
        done.append(steps[result.outcome])
    assert done == [step for *_, step in EVENTS]
    # the duplicate is answered before any lock (the event is stored already)
    assert claimed == [
        (type(payer).__name__, checkout.id, e) for e in ("evt_1", "evt_2", "evt_3", "evt_4")
    ]
    with db.read() as s:
        assert s.get(model, checkout.id).status == CheckoutStatus.SUCCEEDED
