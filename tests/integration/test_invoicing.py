"""Confirmed services become draft lines; Send Invoice locks; cancellations before/after send."""

import pytest
from sqlmodel import select

from concierge_app.db.messaging import OutboxMessage
from concierge_app.domain.errors import InvalidTransition
from concierge_app.domain.payment_status import ServicePaymentStatus as P
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services.guest import invoicing, portfolio, queries
from concierge_app.services.guest.portfolio import CancelOutcome

from ..factories import ACTOR, add_service, draft_id, make_world, pay, send_draft


def statuses(w):
    return {
        s.title: s.payment_status for s in queries.trip_portfolio(db=w.db, booking_id=w.booking_id)
    }


def test_only_platform_collects_services_land_on_the_draft_and_deposit_bills_the_deposit(db):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "1200.00", title="Sailing")
    add_service(w, S.PLATFORM_COLLECTS_DEPOSIT, "1500.00", "300.00", title="Chef")
    add_service(w, S.OPERATOR_COLLECTS_FULL, "95.00", title="Transfer")
    add_service(w, S.INCLUDED_IN_STAY, "0", title="Wine")
    panel = queries.payments_panel(db=db, booking_id=w.booking_id)
    assert panel.draft is not None and len(panel.invoices) == 1
    assert [(ln.description, ln.amount, ln.kind) for ln in panel.draft.lines] == [
        ("Sailing", w.money("1200.00"), "full"),
        ("Chef", w.money("300.00"), "deposit"),
    ]
    assert panel.draft.total == w.money("1500.00")
    assert statuses(w) == {
        "Sailing": P.PENDING_INVOICE,
        "Chef": P.PENDING_INVOICE,
        "Transfer": P.PAY_PROVIDER,
        "Wine": P.INCLUDED_IN_STAY,
    }
    chef = next(
        s for s in queries.trip_portfolio(db=db, booking_id=w.booking_id) if s.title == "Chef"
    )
    assert chef.provider_collects == w.money("1200.00")


def test_an_unconfirmed_service_is_not_billed(db):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00", confirm=False)
    assert queries.payments_panel(db=db, booking_id=w.booking_id).draft is None


def test_send_invoice_activates_numbers_locks_and_queues_the_invoice_sent_message(db):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "250.00", title="Tour")
    sent = invoicing.send_invoice(db=db, invoice_id=draft_id(w), actor=ACTOR)
    assert sent.number.startswith("CI-") and sent.number.endswith("-00001")
    assert sent.total == w.money("250.00") and sent.message_queued
    panel = queries.payments_panel(db=db, booking_id=w.booking_id)
    assert panel.draft is None
    assert panel.invoices[0].status.value == "active" and panel.invoices[0].issued_at
    assert statuses(w) == {"Tour": P.PAYMENT_PENDING}
    with db.read() as s:
        msg = s.exec(select(OutboxMessage)).one()
    assert msg.template_key == "invoice_sent" and msg.status == "queued"
    assert sent.number in msg.subject and "€250.00" in msg.body and "Tour" in msg.body
    with pytest.raises(InvalidTransition, match="already been sent"):
        invoicing.send_invoice(db=db, invoice_id=sent.invoice_id, actor=ACTOR)


def test_numbers_are_gapless_across_bookings(db):
    numbers = []
    for _ in range(3):
        w = make_world(db)
        add_service(w, S.PLATFORM_COLLECTS_FULL, "10.00")
        numbers.append(invoicing.send_invoice(db=db, invoice_id=draft_id(w), actor=ACTOR).number)
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == [1, 2, 3]


def test_a_service_confirmed_after_sending_opens_a_fresh_draft(db):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00", title="First")
    first = send_draft(w)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "40.00", title="Second")
    panel = queries.payments_panel(db=db, booking_id=w.booking_id)
    assert panel.draft is not None and panel.draft.id != first
    assert [ln.description for ln in panel.draft.lines] == ["Second"]
    sent_first = next(i for i in panel.invoices if i.id == first)
    assert [ln.description for ln in sent_first.lines] == ["First"]


def test_cancelling_before_send_removes_the_line_from_the_draft(db):
    w = make_world(db)
    keep = add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00", title="Keep")
    drop = add_service(w, S.PLATFORM_COLLECTS_FULL, "40.00", title="Drop")
    result = portfolio.cancel_service(db=db, service_id=drop, actor=ACTOR)
    assert result.outcome is CancelOutcome.REMOVED_FROM_DRAFT
    draft = queries.payments_panel(db=db, booking_id=w.booking_id).draft
    assert draft is not None
    assert [ln.service_id for ln in draft.lines] == [keep] and draft.total == w.money("100.00")


def test_cancelling_on_an_active_unpaid_invoice_voids_it_and_moves_the_other_lines(db):
    w = make_world(db)
    keep = add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00", title="Keep")
    drop = add_service(w, S.PLATFORM_COLLECTS_DEPOSIT, "400.00", "40.00", title="Drop")
    active = send_draft(w)
    result = portfolio.cancel_service(db=db, service_id=drop, actor=ACTOR, reason="Weather")
    assert result.outcome is CancelOutcome.INVOICE_VOIDED and result.voided_invoice_id == active
    panel = queries.payments_panel(db=db, booking_id=w.booking_id)
    voided = next(i for i in panel.invoices if i.id == active)
    assert voided.status.value == "voided" and "Drop" in (voided.void_reason or "")
    assert voided.total == w.money("140.00") and len(voided.lines) == 2  # the record is kept
    assert panel.draft is not None and panel.draft.id == result.draft_invoice_id
    assert [ln.service_id for ln in panel.draft.lines] == [keep]
    assert statuses(w) == {"Keep": P.PENDING_INVOICE, "Drop": None}
    resent = send_draft(w)
    assert resent != active


def test_void_and_reissue_merges_into_an_existing_draft(db):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00", title="A")
    active = send_draft(w)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "30.00", title="B")
    draft = invoicing.void_invoice(db=db, invoice_id=active, actor=ACTOR, reason="Price changed")
    panel = queries.payments_panel(db=db, booking_id=w.booking_id)
    assert panel.draft is not None and panel.draft.id == draft
    assert sorted(ln.description for ln in panel.draft.lines) == ["A", "B"]
    assert panel.draft.total == w.money("130.00")


def test_cancelling_after_payment_flags_a_refund_and_refunds_nothing(db):
    w = make_world(db)
    sid = add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00", title="Paid tour")
    pay(w, [send_draft(w)])
    result = portfolio.cancel_service(db=db, service_id=sid, actor=ACTOR)
    assert result.outcome is CancelOutcome.REFUND_REQUIRED
    (svc,) = queries.trip_portfolio(db=db, booking_id=w.booking_id)
    assert svc.refund_required and svc.lifecycle.value == "cancelled"
    assert svc.payment_status is P.PAID
    totals = queries.booking_totals(db=db, booking_id=w.booking_id)
    assert totals.refunded == w.money("0") and totals.concierge_net_paid == w.money("100.00")


def test_a_paid_invoice_cannot_be_voided(db):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00")
    invoice = send_draft(w)
    pay(w, [invoice])
    with pytest.raises(InvalidTransition, match="paid invoice can't be voided"):
        invoicing.void_invoice(db=db, invoice_id=invoice, actor=ACTOR, reason="x")


def test_cancelling_a_service_already_refunded_in_full_asks_for_no_refund(db):
    from concierge_app.services.guest import refunds

    w = make_world(db)
    sid = add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00")
    pay(w, [send_draft(w)])
    refunds.record_refund(db=db, service_id=sid, amount=w.money("100.00"), note="Rain", actor=ACTOR)
    result = portfolio.cancel_service(db=db, service_id=sid, actor=ACTOR)
    assert result.outcome is CancelOutcome.ALREADY_REFUNDED
    (svc,) = queries.trip_portfolio(db=db, booking_id=w.booking_id)
    assert not svc.refund_required


def test_money_received_for_an_invoice_kept_after_the_booking_was_cancelled_is_flagged(db):
    from concierge_app.services.guest import bookings

    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00")
    active = send_draft(w)
    bookings.cancel_booking(db=db, booking_id=w.booking_id, actor=ACTOR, reason="Flights")
    pay(w, [active])  # the guest pays the invoice that was kept
    (svc,) = queries.trip_portfolio(db=db, booking_id=w.booking_id)
    assert svc.lifecycle.value == "cancelled" and svc.payment_status is P.PAID
    assert svc.refund_required and svc.refundable == w.money("100.00")
