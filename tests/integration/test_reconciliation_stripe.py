"""Reconciliation with Stripe, offline: balance transactions and payouts read from a recording
stand-in for api.stripe.com, answered with objects built from Stripe's own examples
(tests/stripe_objects.py), over two pages each (`starting_after`)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from http.server import ThreadingHTTPServer
from typing import Any

import pytest
from sqlmodel import select

from concierge_app.adapters.payments.gateway import GatewayUnavailable
from concierge_app.db.engine import Database
from concierge_app.db.payments import PaymentAttempt
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import Period
from concierge_app.domain.reconciliation import Item, ItemKind
from concierge_app.domain.strategies import PaymentStrategy
from concierge_app.services.payments import checkout
from concierge_app.services.reconciliation.runs import run_reconciliation

from ..factories import add_service, make_world, send_draft
from ..stripe_objects import stripe_error, stripe_list, stripe_object
from .test_stripe_gateway import FakeStripe, _handler_for, gateway_for

START = datetime(2026, 11, 1, tzinfo=UTC)
END = datetime(2026, 12, 1, tzinfo=UTC)
BALANCE, PAYOUTS = "/v1/balance_transactions", "/v1/payouts"


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripe]:
    """The recording stand-in of test_stripe_gateway.py, on a loopback port."""
    fake = FakeStripe()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(fake))
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def txn(txn_id: str, kind: str, amount: int, source: Any, *, fee: int = 0, cur: str = "eur"):
    return stripe_object(
        "balance_transaction",
        id=txn_id,
        type=kind,
        amount=amount,
        fee=fee,
        net=amount - fee,
        currency=cur,
        source=source,
    )


def charge(charge_id: str, intent: str | None, amount: int, cur: str) -> dict[str, Any]:
    return stripe_object("charge", id=charge_id, payment_intent=intent, amount=amount, currency=cur)


def two_pages(fake: FakeStripe) -> None:
    page_1 = [
        txn("txn_1", "charge", 125_050, charge("ch_1", "pi_A", 125_050, "eur"), fee=3_650),
        txn(
            "txn_2",
            "refund",
            -5_000,
            stripe_object("refund", id="re_1", amount=5_000, currency="eur"),
        ),
    ]
    page_2 = [
        txn("txn_3", "stripe_fee", -1_500, "ch_x"),
        # a JPY charge settled in EUR: amount and currency as charged, from the source
        txn("txn_4", "charge", 9_100, charge("ch_4", "pi_J", 15_000, "jpy"), fee=300),
        txn("txn_5", "payment", 2_000, "py_5"),  # source not expanded: its own id
    ]
    fake.reply("GET", BALANCE, 200, stripe_list(page_1, url=BALANCE, has_more=True))
    fake.reply("GET", BALANCE, 200, stripe_list(page_2, url=BALANCE))
    paid = stripe_object("payout", id="po_1", amount=120_000, currency="eur", status="paid")
    failed = stripe_object("payout", id="po_2", amount=7_000, currency="eur", status="failed")
    fake.reply("GET", PAYOUTS, 200, stripe_list([paid], url=PAYOUTS, has_more=True))
    fake.reply("GET", PAYOUTS, 200, stripe_list([failed], url=PAYOUTS))


def test_balance_transactions_and_payouts_are_read_page_after_page(fake_stripe):
    two_pages(fake_stripe)
    seen: list[int] = []
    items = gateway_for(fake_stripe).provider_records(start=START, end=END, progress=seen.append)

    assert items == (
        Item(ItemKind.PAYMENT, "pi_A", Money(125_050, "EUR")),
        Item(ItemKind.FEE, "txn_1", Money(3_650, "EUR")),
        Item(ItemKind.REFUND, "re_1", Money(5_000, "EUR")),
        Item(ItemKind.FEE, "txn_3", Money(1_500, "EUR")),
        Item(ItemKind.PAYMENT, "pi_J", Money(15_000, "JPY")),
        Item(ItemKind.FEE, "txn_4", Money(300, "EUR")),
        Item(ItemKind.PAYMENT, "py_5", Money(2_000, "EUR")),
        Item(ItemKind.PAYOUT, "po_1", Money(120_000, "EUR")),  # the failed one moved nothing
    )
    assert seen == [1, 2, 3, 4, 5, 6, 7]
    calls = [(r.method, r.path) for r in fake_stripe.requests]
    assert calls == [("GET", BALANCE)] * 2 + [("GET", PAYOUTS)] * 2
    first, second, payouts_1, payouts_2 = fake_stripe.requests
    assert first.field("created[gte]") == str(int(START.timestamp()))
    assert first.field("created[lt]") == str(int(END.timestamp()))
    assert first.field("limit") == "100"
    assert [v for k, vs in first.form.items() if k.startswith("expand") for v in vs] == [
        "data.source"
    ]
    assert "starting_after" not in first.form
    assert second.field("starting_after") == "txn_2"  # the last of page one
    assert second.field("created[gte]") == first.field("created[gte]")
    assert payouts_2.field("starting_after") == "po_1"
    assert "expand[0]" not in payouts_1.form


def test_stripe_down_is_a_gateway_unavailable_and_nothing_is_stored(fake_stripe, db: Database):
    fake_stripe.reply("GET", BALANCE, 500, stripe_error(type="api_error", message="Down."))
    with pytest.raises(GatewayUnavailable):
        run_reconciliation(
            db=db,
            period=Period(2026, 11),
            actor="system:test",
            today=date(2026, 12, 6),
            records=gateway_for(fake_stripe),
        )


def test_a_period_against_the_ledger_with_stripes_records(fake_stripe, db: Database):
    """The ledger holds pi_A (matched, its refund not: only at the provider) and one payment
    Stripe does not list (only in the ledger); fees and the payout are reported."""
    w = make_world(db)
    add_service(w, PaymentStrategy.PLATFORM_COLLECTS_FULL, "1250.50")
    invoice = send_draft(w)
    attempt = checkout.start_payment_attempt(db=db, invoice_ids=[invoice], actor="guest")
    checkout.fulfil_payment_attempt(
        db=db,
        attempt_id=attempt.id,
        provider="stripe",
        event_id="evt_a",
        event_type="checkout.session.completed",
        amount=attempt.amount,
        payment_reference="pi_A",
    )
    with db.transaction() as s:  # completed in November, as Stripe's records
        row = s.get(PaymentAttempt, attempt.id)
        row.completed_at = datetime(2026, 11, 15, tzinfo=UTC)
        s.add(row)
    two_pages(fake_stripe)
    view = run_reconciliation(
        db=db,
        period=Period(2026, 11),
        actor="system:test",
        today=date(2026, 12, 6),
        records=gateway_for(fake_stripe),
    )
    assert view.provider == "stripe"
    got = {d.reference: d.outcome for d in view.differences}
    assert got == {
        "re_1": "Only at the provider",
        "pi_J": "Only at the provider",
        "py_5": "Only at the provider",
    }
    counts = {(c.kind, c.outcome): c.count for c in view.counts}
    assert counts[("Payment", "Matched")] == 1
    assert counts[("Fee", "Reported (not in the ledger)")] == 3
    assert counts[("Payout", "Reported (not in the ledger)")] == 1
    with db.read() as s:
        assert s.exec(select(PaymentAttempt.status)).all() == ["succeeded"]
