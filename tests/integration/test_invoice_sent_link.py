"""The Invoice Sent and Payment Received messages link to the guest's Payments card, as the
guide says."""

import re

import pytest
from sqlmodel import select

from concierge_app.db.messaging import OutboxMessage
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services.guest.links import booking_for_guest
from concierge_app.services.guest.queries import booking_page

from ..factories import add_service, make_world, pay, send_draft


@pytest.mark.parametrize("template", ["invoice_sent", "payment_received"])
def test_the_link_opens_the_portal_at_the_payments_card_with_a_working_token(db, template):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "80.00")
    pay(w, [send_draft(w)])
    with db.read() as session:
        message = session.exec(
            select(OutboxMessage).where(OutboxMessage.template_key == template)
        ).one()
    reference = booking_page(db=db, booking_id=w.booking_id).header.reference
    links = re.findall(r"https?://\S+", message.body)
    (link,) = [u for u in links if "/portal/" in u]
    found = re.fullmatch(rf"https?://[^/]+/portal/{reference}\?t=([\w-]+)#payments", link)
    assert found, f"the link does not open the Payments card: {link}"
    assert booking_for_guest(db=db, token=found[1]) == w.booking_id
