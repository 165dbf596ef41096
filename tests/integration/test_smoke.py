from concierge_app.domain.strategies import PaymentStrategy
from concierge_app.services.guest import queries

from ..factories import add_service, make_world, pay, send_draft


def test_a_confirmed_platform_service_can_be_sent_and_paid(db):
    w = make_world(db)
    add_service(w, PaymentStrategy.PLATFORM_COLLECTS_FULL, "100.00")
    invoice = send_draft(w)
    pay(w, [invoice])
    panel = queries.payments_panel(db=db, booking_id=w.booking_id)
    assert [i.status.value for i in panel.invoices] == ["paid"]
    assert panel.totals.concierge_paid == w.money("100.00")
