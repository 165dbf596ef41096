"""Refunds (capped, noted, commission reversed), booking cancellation and booking totals."""

from datetime import date

import pytest
from sqlmodel import select

from concierge_app.db.payments import Commission
from concierge_app.domain.errors import DomainError, InvalidAmount, InvalidTransition
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services.guest import bookings, portfolio, queries, refunds
from concierge_app.services.payments import checkout

from ..factories import ACTOR, add_service, make_world, pay, send_draft, snapshot


def paid_service(w, gross="100.00"):
    sid = add_service(w, S.PLATFORM_COLLECTS_FULL, gross, title="Tour")
    pay(w, [send_draft(w)])
    return sid


def commission_rows(db):
    with db.read() as s:
        return [
            (c.kind, c.amount_minor) for c in s.exec(select(Commission).order_by(Commission.id))
        ]


def test_partial_refunds_reverse_commission_proportionally_and_exactly_in_total(db):
    w = make_world(db, rate_bps=1000)
    sid = paid_service(w, "100.01")  # commission 10.00 (half-up of 10.001)
    r1 = refunds.record_refund(
        db=db, service_id=sid, amount=w.money("33.33"), note="Late", actor=ACTOR
    )
    assert r1.refundable_left == w.money("66.68") and r1.commission_reversed == w.money("3.33")
    r2 = refunds.record_refund(
        db=db, service_id=sid, amount=w.money("66.68"), note="Rest", actor=ACTOR
    )
    assert r2.refundable_left == w.money("0")
    rows = commission_rows(db)
    earned = sum(a for k, a in rows if k == "earned")
    reversed_ = sum(a for k, a in rows if k == "reversed")
    assert earned == 1000 and reversed_ == earned  # a full refund leaves no commission
    totals = queries.booking_totals(db=db, booking_id=w.booking_id)
    assert totals.refunded == w.money("100.01") and totals.concierge_net_paid == w.money("0")


def test_a_refund_can_never_exceed_what_was_paid_for_the_service(db):
    w = make_world(db)
    sid = paid_service(w)
    refunds.record_refund(db=db, service_id=sid, amount=w.money("60.00"), note="a", actor=ACTOR)
    before = snapshot(db)
    with pytest.raises(
        InvalidAmount, match=r"at most 40.00 EUR .*paid 100.00 EUR, already refunded 60.00 EUR"
    ):
        refunds.record_refund(db=db, service_id=sid, amount=w.money("40.01"), note="b", actor=ACTOR)
    assert snapshot(db) == before


@pytest.mark.parametrize(
    ("amount", "note", "message"),
    [
        ("10.00", "  ", "Add a note"),
        ("0", "x", "more than zero"),
    ],
)
def test_a_refund_needs_a_note_and_a_positive_amount(db, amount, note, message):
    w = make_world(db)
    sid = paid_service(w)
    before = snapshot(db)
    with pytest.raises(DomainError, match=message):
        refunds.record_refund(db=db, service_id=sid, amount=w.money(amount), note=note, actor=ACTOR)
    assert snapshot(db) == before


def test_an_unpaid_service_cannot_be_refunded(db):
    w = make_world(db)
    sid = add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00")
    send_draft(w)
    with pytest.raises(DomainError, match="has not been paid"):
        refunds.record_refund(db=db, service_id=sid, amount=w.money("1.00"), note="x", actor=ACTOR)


def test_repeating_a_refund_with_the_same_key_refunds_once(db):
    w = make_world(db)
    sid = paid_service(w)
    kwargs = dict(
        db=db,
        service_id=sid,
        amount=w.money("25.00"),
        note="Rain",
        actor=ACTOR,
        idempotency_key="refund-dialog-1",
    )
    first = refunds.record_refund(**kwargs)
    again = refunds.record_refund(**kwargs)
    assert again.id == first.id
    assert queries.booking_totals(db=db, booking_id=w.booking_id).refunded == w.money("25.00")


def test_the_full_refund_of_a_cancelled_service_clears_refund_required(db):
    w = make_world(db)
    sid = paid_service(w)
    portfolio.cancel_service(db=db, service_id=sid, actor=ACTOR)
    refunds.record_refund(
        db=db, service_id=sid, amount=w.money("100.00"), note="Cancelled", actor=ACTOR
    )
    (svc,) = queries.trip_portfolio(db=db, booking_id=w.booking_id)
    assert not svc.refund_required


def test_cancelling_a_booking_cancels_the_portfolio_voids_drafts_and_keeps_active_invoices(db):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00", title="Sent")
    active = send_draft(w)
    paid = add_service(w, S.PLATFORM_COLLECTS_FULL, "70.00", title="Paid")
    pay(w, [send_draft(w)])
    add_service(w, S.PLATFORM_COLLECTS_FULL, "30.00", title="Drafted")
    add_service(w, S.OPERATOR_COLLECTS_FULL, "30.00", title="Unconfirmed", confirm=False)
    result = bookings.cancel_booking(
        db=db, booking_id=w.booking_id, actor=ACTOR, reason="Flights cancelled"
    )
    assert (
        result.services_cancelled,
        result.drafts_voided,
        result.active_invoices_kept,
        result.refunds_required,
    ) == (4, 1, 1, 1)
    panel = queries.payments_panel(db=db, booking_id=w.booking_id)
    by_status = {i.status.value: i for i in panel.invoices}
    assert set(by_status) == {"active", "paid", "voided"} and by_status["active"].id == active
    assert panel.draft is None and panel.totals.outstanding_concierge == w.money("100.00")
    services = {s.title: s for s in queries.trip_portfolio(db=db, booking_id=w.booking_id)}
    assert {s.lifecycle.value for s in services.values()} == {"cancelled"}
    assert services["Paid"].refund_required and services["Paid"].id == paid
    with pytest.raises(InvalidTransition, match="cancelled"):
        add_service(w, S.PLATFORM_COLLECTS_FULL, "10.00")
    with pytest.raises(InvalidTransition, match="already cancelled"):
        bookings.cancel_booking(db=db, booking_id=w.booking_id, actor=ACTOR, reason="again")


def test_overall_paid_is_concierge_paid_plus_accommodation_payments(db):
    w = make_world(db)
    booking = bookings.create_booking(
        db=db,
        reference="TOT-1",
        guest_id=w.guest_id,
        property_id=w.property_id,
        check_in=date(2026, 8, 1),
        check_out=date(2026, 8, 5),
        currency="EUR",
        accommodation_total=w.money("2000.00"),
        actor=ACTOR,
    )
    add_service(w, S.PLATFORM_COLLECTS_FULL, "300.00", booking_id=booking)
    pay(w, [send_draft(w, booking)])
    add_service(w, S.PLATFORM_COLLECTS_FULL, "50.00", booking_id=booking)
    send_draft(w, booking)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "5.00", booking_id=booking)  # on the draft
    bookings.record_accommodation_payment(
        db=db,
        booking_id=booking,
        amount=w.money("1500.00"),
        received_on=date(2026, 6, 1),
        method="card",
        actor=ACTOR,
    )
    t = queries.booking_totals(db=db, booking_id=booking)
    assert t.concierge_paid == w.money("300.00")
    assert t.overall_paid == w.money("1800.00")
    assert t.outstanding_concierge == w.money("50.00")
    assert t.outstanding_accommodation == w.money("500.00")
    assert t.outstanding == w.money("550.00")
    assert t.invoiced == w.money("2350.00")
    (summary,) = queries.list_bookings(db=db, search="tot-1")
    assert (summary.invoiced, summary.paid, summary.outstanding) == (
        t.invoiced,
        t.overall_paid,
        t.outstanding,
    )


def test_bookings_list_searches_by_guest_or_reference_and_filters(db):
    w = make_world(db)
    other = make_world(db)
    bookings.cancel_booking(db=db, booking_id=other.booking_id, actor=ACTOR, reason="x")
    assert {b.id for b in queries.list_bookings(db=db)} == {w.booking_id, other.booking_id}
    with db.read() as s:
        from concierge_app.db.parties import Guest

        name = s.get(Guest, w.guest_id).name
    assert [b.id for b in queries.list_bookings(db=db, search=name.upper())] == [w.booking_id]
    assert [b.id for b in queries.list_bookings(db=db, status="cancelled")] == [other.booking_id]
    add_service(w, S.PLATFORM_COLLECTS_FULL, "10.00")
    send_draft(w)
    assert [b.id for b in queries.list_bookings(db=db, only_outstanding=True)] == [w.booking_id]


def test_a_checkout_may_not_mix_bookings_or_currencies(db):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "10.00")
    a = send_draft(w)
    other = make_world(db, currency="USD")
    add_service(other, S.PLATFORM_COLLECTS_FULL, "10.00")
    b = send_draft(other)
    before = snapshot(db)
    with pytest.raises(DomainError, match="one booking"):
        checkout.start_payment_attempt(db=db, invoice_ids=[a, b], actor="guest")
    assert snapshot(db) == before


class RecordingGateway:
    """Stands in for the payment provider at its edge: records calls, may refuse."""

    name = "test"

    def __init__(self, refuse: str | None = None) -> None:
        self.calls: list[tuple[str | None, object, str]] = []
        self.refuse = refuse

    def refund(self, *, payment_reference, amount, idempotency_key):
        self.calls.append((payment_reference, amount, idempotency_key))
        if self.refuse:
            from concierge_app.adapters.payments.gateway import GatewayError

            raise GatewayError(self.refuse)
        return f"re_{idempotency_key}"


def test_a_refund_goes_through_the_connector_once_per_request(db):
    w = make_world(db, rate_bps=1000)
    sid = paid_service(w)
    gateway = RecordingGateway()
    kwargs = dict(
        db=db,
        service_id=sid,
        amount=w.money("40.00"),
        note="Boat broke down",
        actor=ACTOR,
        idempotency_key="dialog-7",
        gateway=gateway,
    )
    first = refunds.issue_refund(**kwargs)
    again = refunds.issue_refund(**kwargs)
    assert first.status == again.status == "succeeded" and again.id == first.id
    assert len(gateway.calls) == 1 and gateway.calls[0][1] == w.money("40.00")
    assert first.commission_reversed == w.money("4.00")
    assert queries.booking_totals(db=db, booking_id=w.booking_id).refunded == w.money("40.00")


def test_a_refusal_by_the_provider_changes_nothing_but_a_failed_record(db):
    w = make_world(db)
    sid = paid_service(w)
    with pytest.raises(DomainError, match="provider refused the refund: card account closed"):
        refunds.issue_refund(
            db=db,
            service_id=sid,
            amount=w.money("100.00"),
            note="x",
            actor=ACTOR,
            idempotency_key="k1",
            gateway=RecordingGateway(refuse="card account closed"),
        )
    assert commission_rows(db) == [("earned", 1000)]
    assert queries.booking_totals(db=db, booking_id=w.booking_id).refunded == w.money("0")
    # The whole amount can still be refunded with a new request.
    view = refunds.issue_refund(
        db=db,
        service_id=sid,
        amount=w.money("100.00"),
        note="retry",
        actor=ACTOR,
        idempotency_key="k2",
        gateway=RecordingGateway(),
    )
    assert view.refundable_left == w.money("0")


def test_the_portfolio_says_how_much_of_a_service_can_still_be_refunded(db):
    w = make_world(db)
    sid = paid_service(w, "100.00")
    unpaid = add_service(w, S.PLATFORM_COLLECTS_FULL, "5.00", title="Unpaid")

    def refundable():
        return {s.id: s.refundable for s in queries.trip_portfolio(db=db, booking_id=w.booking_id)}

    assert refundable() == {sid: w.money("100.00"), unpaid: w.money("0")}
    refunds.record_refund(db=db, service_id=sid, amount=w.money("30.00"), note="a", actor=ACTOR)
    assert refundable()[sid] == w.money("70.00")
    refunds.record_refund(db=db, service_id=sid, amount=w.money("70.00"), note="b", actor=ACTOR)
    assert refundable()[sid] == w.money("0")


def test_recording_the_same_accommodation_payment_twice_records_it_once(db):
    w = make_world(db)
    kwargs = dict(
        db=db,
        booking_id=w.booking_id,
        amount=w.money("500.00"),
        received_on=date(2026, 6, 1),
        method="card",
        reference="ch_123",
        actor=ACTOR,
    )
    first = bookings.record_accommodation_payment(**kwargs)
    assert bookings.record_accommodation_payment(**kwargs) == first
    before = snapshot(db)
    with pytest.raises(DomainError, match=r"ch_123 is already recorded .* for 500\.00 EUR"):
        bookings.record_accommodation_payment(**{**kwargs, "amount": w.money("50.00")})
    assert snapshot(db) == before
    assert queries.booking_totals(db=db, booking_id=w.booking_id).accommodation_paid == w.money(
        "500.00"
    )
