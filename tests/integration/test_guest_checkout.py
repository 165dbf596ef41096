"""Pay and Pay All through the sandbox gateway: the same webhook code as Stripe's events."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select

from concierge_app.adapters.payments.gateway import GatewayError
from concierge_app.adapters.payments.sandbox import CardDeclined
from concierge_app.adapters.payments.sandbox_cards import Card
from concierge_app.db.bookings import Booking
from concierge_app.db.invoicing import GuestInvoice
from concierge_app.db.payments import PaymentAttempt
from concierge_app.db.sandbox import SandboxCheckoutSession
from concierge_app.domain.checkout import CheckoutStatus
from concierge_app.domain.errors import DomainError, NotFound
from concierge_app.domain.lifecycle import InvoiceStatus
from concierge_app.domain.money import Money
from concierge_app.domain.payment_status import DEPOSIT_PAID
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services.guest.links import booking_for_return, issue_guest_link, return_code
from concierge_app.services.guest.portal import guest_portal
from concierge_app.services.payments.guest_checkout import begin_checkout
from concierge_app.services.payments.provider import sandbox_gateway

from ..factories import ACTOR, add_service, make_booking, make_world, send_draft, snapshot

GOOD = Card("4242 4242 4242 4242", "12 / 34", "123")
DECLINED = Card("4000 0000 0000 0002", "12 / 34", "123")


def statuses(db, *ids):
    with db.read() as s:
        return [s.get(GuestInvoice, i).status for i in ids]


def reference_of(url):
    return url.rsplit("/", 1)[1]


def test_pay_one_invoice_with_the_test_card(db):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "120.00", title="Sailing")
    invoice = send_draft(w)
    gateway = sandbox_gateway(db)
    start = begin_checkout(db=db, booking_id=w.booking_id, invoice_ids=[invoice])
    session = gateway.session(reference_of(start.url))
    assert session.amount == w.money("120.00") and len(session.lines) == 1
    success = gateway.pay(session.id, GOOD)
    assert f"checkout={start.attempt_id}&r={return_code(start.attempt_id)}" in success
    assert statuses(db, invoice) == [InvoiceStatus.PAID]
    portal = guest_portal(db=db, booking_id=w.booking_id)
    assert portal.open_invoices == () and [i.id for i in portal.paid_invoices] == [invoice]
    assert [s.badge for s in portal.services] == ["Paid"]


def test_pay_all_settles_both_invoices_with_one_attempt(db):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00", title="Sailing")
    first = send_draft(w)
    add_service(w, S.PLATFORM_COLLECTS_DEPOSIT, "500.00", "50.00", title="Chef")
    second = send_draft(w)
    portal = guest_portal(db=db, booking_id=w.booking_id)
    (group,) = portal.pay_all
    assert group.invoice_ids == (first, second) and group.total == w.money("150.00")
    start = begin_checkout(db=db, booking_id=w.booking_id, invoice_ids=list(group.invoice_ids))
    sandbox_gateway(db).pay(reference_of(start.url), GOOD)
    assert statuses(db, first, second) == [InvoiceStatus.PAID, InvoiceStatus.PAID]
    with db.read() as s:
        paid_by = {i.paid_by_attempt_id for i in s.exec(select(GuestInvoice)).all()}
    assert paid_by == {start.attempt_id}
    badges = {s.title: s.badge for s in guest_portal(db=db, booking_id=w.booking_id).services}
    assert badges == {"Sailing": "Paid", "Chef": DEPOSIT_PAID}


def test_a_declined_card_says_so_and_changes_nothing_in_the_ledger(db):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "80.00")
    invoice = send_draft(w)
    start = begin_checkout(db=db, booking_id=w.booking_id, invoice_ids=[invoice])
    before = snapshot(db)
    with pytest.raises(CardDeclined, match=r"Your card was declined\."):
        sandbox_gateway(db).pay(reference_of(start.url), DECLINED)
    after = snapshot(db)
    assert {k: v for k, v in after.items() if k != "sandbox_checkout_session"} == {
        k: v for k, v in before.items() if k != "sandbox_checkout_session"
    }
    assert statuses(db, invoice) == [InvoiceStatus.ACTIVE]
    # the checkout stays open: the guest can try another card
    sandbox_gateway(db).pay(reference_of(start.url), GOOD)
    assert statuses(db, invoice) == [InvoiceStatus.PAID]


@pytest.mark.parametrize(
    ("card", "message"),
    [
        (Card("4242 4242 4242 4241", "12/34", "123"), r"Your card number is invalid\."),
        (Card("4242 4242 4242 4242", "01/20", "123"), "expiration year is in the past"),
        (Card("4242 4242 4242 4242", "12/34", "1"), "security code is incomplete"),
        (Card("4000 0000 0000 9995", "12/34", "123"), "insufficient funds"),
        (Card("4111 1111 1111 1111", "12/34", "123"), "non test card"),
    ],
)
def test_card_problems_are_worded_as_checkout_words_them(db, card, message):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "80.00")
    invoice = send_draft(w)
    start = begin_checkout(db=db, booking_id=w.booking_id, invoice_ids=[invoice])
    with pytest.raises(GatewayError, match=message):
        sandbox_gateway(db).pay(reference_of(start.url), card)
    assert statuses(db, invoice) == [InvoiceStatus.ACTIVE]


def test_pay_twice_on_the_same_invoices_reuses_the_open_checkout(db):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "80.00")
    invoice = send_draft(w)
    first = begin_checkout(db=db, booking_id=w.booking_id, invoice_ids=[invoice])
    again = begin_checkout(db=db, booking_id=w.booking_id, invoice_ids=[invoice])
    assert again == first
    with db.read() as s:
        assert len(s.exec(select(PaymentAttempt)).all()) == 1


def test_a_new_checkout_closes_an_older_one_for_the_same_invoice(db):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "80.00")
    first_invoice = send_draft(w)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "20.00")
    second_invoice = send_draft(w)
    one = begin_checkout(db=db, booking_id=w.booking_id, invoice_ids=[first_invoice])
    both = begin_checkout(
        db=db, booking_id=w.booking_id, invoice_ids=[first_invoice, second_invoice]
    )
    with db.read() as s:
        assert s.get(PaymentAttempt, one.attempt_id).status == CheckoutStatus.EXPIRED
        assert s.get(PaymentAttempt, both.attempt_id).status == CheckoutStatus.OPEN
        old = s.exec(
            select(SandboxCheckoutSession).where(
                SandboxCheckoutSession.attempt_id == one.attempt_id
            )
        ).one()
    assert old.status == "expired"
    with pytest.raises(GatewayError, match="expired"):
        sandbox_gateway(db).pay(old.id, GOOD)


def test_a_guest_cannot_pay_another_bookings_invoice(db):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "80.00")
    invoice = send_draft(w)
    other = make_booking(db, property_id=w.property_id)
    before = snapshot(db)
    with pytest.raises(NotFound):
        begin_checkout(db=db, booking_id=other, invoice_ids=[invoice])
    assert snapshot(db) == before


def test_paid_invoices_cannot_be_paid_again(db):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "80.00")
    invoice = send_draft(w)
    start = begin_checkout(db=db, booking_id=w.booking_id, invoice_ids=[invoice])
    sandbox_gateway(db).pay(reference_of(start.url), GOOD)
    with pytest.raises(DomainError):
        begin_checkout(db=db, booking_id=w.booking_id, invoice_ids=[invoice])


def test_the_portal_never_shows_a_draft(db):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "80.00", title="On the draft")
    add_service(w, S.OPERATOR_COLLECTS_FULL, "300.00", title="Diving")
    add_service(w, S.INCLUDED_IN_STAY, "0.00", title="Welcome basket")
    portal = guest_portal(db=db, booking_id=w.booking_id)
    assert portal.open_invoices == portal.paid_invoices == ()
    assert {s.title: s.badge for s in portal.services} == {
        "Diving": "Pay Provider",
        "Welcome basket": "Included in Stay",
    }
    assert [s.provider_collects for s in portal.services if s.title == "Diving"] == [
        Money(30000, "EUR")
    ]


def test_a_cancelled_bookings_invoices_are_not_paid_from_the_portal(db):
    from concierge_app.services.guest import bookings

    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "80.00")
    invoice = send_draft(w)
    bookings.cancel_booking(db=db, booking_id=w.booking_id, reason="Guest cancelled", actor="s")
    before = snapshot(db)
    with pytest.raises(DomainError, match="cancelled"):
        begin_checkout(db=db, booking_id=w.booking_id, invoice_ids=[invoice])
    assert snapshot(db) == before


def test_the_guest_sees_refunds_and_paid_services_cancelled_later(db):
    from concierge_app.services.guest import portfolio
    from concierge_app.services.guest.refunds import record_refund

    from ..factories import pay

    w = make_world(db)
    kept = add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00", title="Kept")
    dropped = add_service(w, S.PLATFORM_COLLECTS_FULL, "50.00", title="Dropped")
    pay(w, [send_draft(w)])
    record_refund(
        db=db,
        service_id=kept,
        amount=w.money("20.00"),
        note="Late start",
        actor="s",
        idempotency_key="r1",
    )
    portfolio.cancel_service(db=db, service_id=dropped, actor="s")
    services = {s.title: s for s in guest_portal(db=db, booking_id=w.booking_id).services}
    assert services["Kept"].refunded == w.money("20.00") and not services["Kept"].cancelled
    assert services["Dropped"].cancelled and services["Dropped"].refund_due
    assert services["Dropped"].badge == "Paid"


def test_paying_a_completed_checkout_again_resends_its_event_and_charges_nothing(db):
    """If the first delivery to the webhook failed, the retry completes the payment once."""
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "80.00")
    invoice = send_draft(w)
    start = begin_checkout(db=db, booking_id=w.booking_id, invoice_ids=[invoice])
    delivered = []

    def lost(payload, signature):
        delivered.append(payload)
        raise ConnectionError("the webhook did not answer")

    from concierge_app.adapters.payments.configured import webhook_secret
    from concierge_app.adapters.payments.sandbox import SandboxGateway

    flaky = SandboxGateway(db, webhook_secret=webhook_secret(), send_event=lost, base_url="")
    with pytest.raises(ConnectionError):
        flaky.pay(reference_of(start.url), GOOD)
    assert statuses(db, invoice) == [InvoiceStatus.ACTIVE]
    before_attempts = snapshot(db)["payment_attempt"]
    sandbox_gateway(db).pay(reference_of(start.url), DECLINED)  # complete: no new charge
    assert statuses(db, invoice) == [InvoiceStatus.PAID]
    sandbox_gateway(db).pay(reference_of(start.url), GOOD)  # again: applied once only
    assert statuses(db, invoice) == [InvoiceStatus.PAID]
    assert snapshot(db)["payment_attempt"] == before_attempts
    with db.read() as s:
        (attempt,) = s.exec(select(PaymentAttempt)).all()
    assert attempt.status == CheckoutStatus.SUCCEEDED and len(delivered) == 1


def test_return_urls_carry_a_return_code_never_the_portal_token(db):
    """The guest's 60-day link token is neither sent to the provider nor stored with the
    checkout: the way back carries the attempt and a code that opens only its booking."""
    w = make_world(db)
    link = issue_guest_link(db=db, booking_id=w.booking_id, actor=ACTOR)
    other = make_booking(db, property_id=w.property_id)
    with db.read() as s:
        reference = s.get(Booking, w.booking_id).reference
        other_reference = s.get(Booking, other).reference
    add_service(w, S.PLATFORM_COLLECTS_FULL, "120.00")
    invoice = send_draft(w)
    start = begin_checkout(db=db, booking_id=w.booking_id, invoice_ids=[invoice])
    with db.read() as s:
        stored = s.exec(select(SandboxCheckoutSession)).one()
    for url in (stored.success_url, stored.cancel_url):
        assert link.token not in url and "t" not in parse_qs(urlsplit(url).query)
        assert f"/portal/{reference}?" in url and f"r={return_code(start.attempt_id)}" in url
    code = return_code(start.attempt_id)
    altered = code[:-1] + ("1" if code[-1] == "0" else "0")
    assert (
        booking_for_return(db=db, attempt_id=start.attempt_id, code=code, reference=reference)
        == w.booking_id
    )
    refused = [
        booking_for_return(db=db, attempt_id=start.attempt_id, code=altered),
        booking_for_return(db=db, attempt_id=start.attempt_id, code="x" * 5000),
        booking_for_return(db=db, attempt_id="pa_unknown", code=return_code("pa_unknown")),
        booking_for_return(
            db=db, attempt_id=start.attempt_id, code=code, reference=other_reference
        ),
    ]
    assert refused == [None, None, None, None]
