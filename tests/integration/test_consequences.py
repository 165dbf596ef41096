"""The confirmation dialogs' words follow what the services actually do."""

from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services.guest import queries, refunds
from concierge_app.services.guest.consequences import cancel_consequence, confirm_consequence

from ..factories import ACTOR, add_service, make_world, pay, send_draft


def view(w, sid):
    return next(s for s in queries.trip_portfolio(db=w.db, booking_id=w.booking_id) if s.id == sid)


def test_confirming_says_what_is_billed(db):
    w = make_world(db)
    deposit = add_service(w, S.PLATFORM_COLLECTS_DEPOSIT, "400.00", "40.00", confirm=False)
    provider = add_service(w, S.OPERATOR_COLLECTS_FULL, "90.00", confirm=False)
    assert "Its deposit, €40.00, becomes a line" in confirm_consequence(view(w, deposit))
    assert 'Nothing is invoiced to the guest: the service shows "Pay Provider"' in (
        confirm_consequence(view(w, provider))
    )


def test_cancelling_says_what_happens_at_each_stage(db):
    w = make_world(db)
    sid = add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00")
    assert "removed from the draft invoice" in cancel_consequence(view(w, sid))
    invoice = send_draft(w)
    assert "will be voided" in cancel_consequence(view(w, sid))
    pay(w, [invoice])
    assert "flagged Refund required (€100.00 can be refunded)" in cancel_consequence(view(w, sid))
    refunds.record_refund(db=db, service_id=sid, amount=w.money("100.00"), note="x", actor=ACTOR)
    assert "already refunded in full" in cancel_consequence(view(w, sid))
