"""Refunds made at the payment provider (e.g. in Stripe's dashboard), told by the pinned API
version's events — `refund.created` / `refund.updated` / `refund.failed` with the Refund object,
`charge.refunded` with only `amount_refunded` — are recorded in the ledger exactly once, as the
Refund dialog would record them (service refunded, commission reversed, totals, audit)."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from concierge_app.adapters.payments.gateway import GatewayUnavailable, ProviderRefund
from concierge_app.db.audit import AuditEvent
from concierge_app.db.bookings import ServiceItem
from concierge_app.db.messaging import OutboxMessage
from concierge_app.db.payments import Commission, PaymentAttempt, ProviderEvent, Refund
from concierge_app.domain.lifecycle import InvoiceStatus
from concierge_app.domain.money import Money
from concierge_app.domain.statuses import CommissionKind, RefundSource, RefundStatus
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services.guest import portfolio, queries, refunds
from concierge_app.services.payments import webhooks as webhooks_module
from concierge_app.services.payments.events import list_provider_events
from concierge_app.settings import get_settings

from ..factories import ACTOR, add_service, make_world, send_draft, snapshot
from ..stripe_objects import stripe_event, stripe_object
from .test_webhooks import deliver, invoice_status, open_attempt, session_event

SAILING, CHEF = "120.00", "80.00"


def paid_booking(w, *prices: str) -> tuple[list[int], str]:
    """Services at `prices` on one invoice, paid by a checkout; (service ids, PaymentIntent)."""
    services = [add_service(w, S.PLATFORM_COLLECTS_FULL, p, title=f"Service {p}") for p in prices]
    invoice = send_draft(w)
    attempt = open_attempt(w, invoice)
    assert deliver(w.db, session_event(attempt)).outcome == "fulfilled"
    assert invoice_status(w.db, invoice) == InvoiceStatus.PAID
    with w.db.read() as s:
        payment_intent = s.get(PaymentAttempt, attempt.id).provider_payment_id
    return services, payment_intent


def refund_object(refund_id, amount, payment_intent, *, status="succeeded", **more):
    """A Refund (re_…) as Stripe sends it, from Stripe's own example object."""
    fields = {
        "id": refund_id,
        "amount": amount,
        "currency": "eur",
        "charge": f"ch_{payment_intent}",
        "payment_intent": payment_intent,
        "status": status,
        "metadata": {},
    }
    return stripe_object("refund", **(fields | more))


def event(kind, obj, event_id):
    return stripe_event(kind, obj, event_id=event_id)


def charge_refunded(payment_intent, amount_refunded, event_id):
    """`charge.refunded` as the pinned API version sends it: no embedded `refunds` list."""
    charge = stripe_object(
        "charge",
        omit=("refunds",),
        id=f"ch_{payment_intent}",
        amount=20000,
        amount_refunded=amount_refunded,
        currency="eur",
        payment_intent=payment_intent,
        refunded=False,
        metadata={},
    )
    return event("charge.refunded", charge, event_id)


def rows(db, refund_id):
    with db.read() as s:
        return s.exec(
            select(Refund).where(Refund.provider_reference == refund_id).order_by(col(Refund.id))
        ).all()


def reversed_commission(db, service_id):
    with db.read() as s:
        return sum(
            c.amount_minor
            for c in s.exec(
                select(Commission).where(
                    Commission.service_item_id == service_id,
                    Commission.kind == CommissionKind.REVERSED,
                )
            ).all()
        )


def told_staff(db):
    """The "Refund at the Provider" messages to the platform's address, oldest first."""
    with db.read() as s:
        return s.exec(
            select(OutboxMessage)
            .where(OutboxMessage.template_key == "provider_refund")
            .order_by(col(OutboxMessage.id))
        ).all()


def outcome_of(db, event_id):
    with db.read() as s:
        return s.exec(select(ProviderEvent).where(ProviderEvent.event_id == event_id)).one()


class ListedRefunds:
    """The provider's answer to 'which refunds does this payment have?' (the edge we mock)."""

    name = "stripe"

    def __init__(self, *refunds: ProviderRefund, down: bool = False) -> None:
        self.refunds, self.down, self.asked = refunds, down, []

    def list_refunds(self, payment_reference):
        self.asked.append(payment_reference)
        if self.down:
            raise GatewayUnavailable("Stripe could not be reached.")
        return self.refunds


@pytest.fixture
def provider(monkeypatch):
    """Sets what the provider lists for a payment's refunds."""

    def use(gateway: ListedRefunds) -> ListedRefunds:
        monkeypatch.setattr(webhooks_module, "refund_gateway", lambda: gateway)
        return gateway

    return use


def test_a_dashboard_refund_of_one_service_is_recorded_once_as_the_refund_dialog_would(db):
    w = make_world(db)
    (sailing, chef), pi = paid_booking(w, SAILING, CHEF)
    result = deliver(db, event("refund.created", refund_object("re_dash", 8000, pi), "evt_r1"))
    assert result.status == 200
    assert result.outcome == "refund re_dash of €80.00 made at the provider: recorded"
    (row,) = rows(db, "re_dash")
    assert (row.service_item_id, row.amount_minor, row.status, row.source) == (
        chef,
        8000,
        RefundStatus.SUCCEEDED,
        RefundSource.PROVIDER,
    )
    assert "re_dash" in row.note
    assert reversed_commission(db, chef) == 800  # 10 % of what was refunded
    assert reversed_commission(db, sailing) == 0
    totals = queries.booking_totals(db=db, booking_id=w.booking_id)
    assert totals.refunded == Money(8000, "EUR")
    with db.read() as s:
        said = s.exec(
            select(AuditEvent).where(AuditEvent.action == "refund.made_at_provider")
        ).one()
    assert said.booking_id == w.booking_id and '"split_assumed":false' in said.data
    assert outcome_of(db, "evt_r1").outcome == result.outcome
    (told,) = told_staff(db)
    assert told.recipient == get_settings().platform_email and told.booking_id == w.booking_id
    assert "re_dash" in told.subject or "re_dash" in told.body
    assert "Service 80.00: €80.00" in told.body and "check" not in told.body.lower()

    before = snapshot(db)
    again = deliver(db, event("refund.updated", refund_object("re_dash", 8000, pi), "evt_r2"))
    assert again.outcome == "refund re_dash already recorded"
    same = deliver(db, event("refund.created", refund_object("re_dash", 8000, pi), "evt_r1"))
    assert same.outcome == "duplicate event (ignored)"
    after = snapshot(db)
    assert after.pop("provider_event") == before.pop("provider_event") + 1
    assert after == before


def test_charge_refunded_of_the_pinned_version_lists_the_refunds_and_records_each_once(
    db, provider
):
    w = make_world(db)
    (_, chef), pi = paid_booking(w, SAILING, CHEF)
    listed = provider(ListedRefunds(ProviderRefund("re_list", "succeeded", Money(8000, "EUR"), pi)))
    result = deliver(db, charge_refunded(pi, 8000, "evt_ch1"))
    assert result.outcome == "refund re_list of €80.00 made at the provider: recorded"
    assert listed.asked == [pi]
    assert [(r.service_item_id, r.amount_minor) for r in rows(db, "re_list")] == [(chef, 8000)]

    before = snapshot(db)  # the same refund told by its own event: nothing more
    later = deliver(db, event("refund.created", refund_object("re_list", 8000, pi), "evt_r9"))
    assert later.outcome == "refund re_list already recorded"
    settled = deliver(db, charge_refunded(pi, 8000, "evt_ch2"))
    assert settled.outcome == "refunds already recorded"
    assert listed.asked == [pi]  # the ledger already held all of it: the provider not asked
    after = snapshot(db)
    assert after.pop("provider_event") == before.pop("provider_event") + 2
    assert after == before


def test_an_unreachable_provider_answers_503_and_keeps_nothing_so_the_retry_records_it(
    db, provider
):
    w = make_world(db)
    _, pi = paid_booking(w, SAILING)
    provider(ListedRefunds(down=True))
    before = snapshot(db)
    result = deliver(db, charge_refunded(pi, 12000, "evt_down"))
    assert result.status == 503
    assert snapshot(db) == before
    provider(ListedRefunds(ProviderRefund("re_up", "succeeded", Money(12000, "EUR"), pi)))
    assert deliver(db, charge_refunded(pi, 12000, "evt_down")).outcome.endswith("recorded")
    assert len(rows(db, "re_up")) == 1


def test_a_refund_the_ledger_issued_is_not_recorded_again_when_its_events_arrive(db):
    w = make_world(db)
    (sailing,), pi = paid_booking(w, SAILING)
    portfolio.cancel_service(db=db, service_id=sailing, actor=ACTOR)
    view = refunds.issue_refund(
        db=db,
        service_id=sailing,
        amount=Money(5000, "EUR"),
        note="Weather",
        actor=ACTOR,
        idempotency_key="refund-dialog-1",
    )
    assert view.status == RefundStatus.SUCCEEDED
    with db.read() as s:
        ours = s.exec(select(Refund)).one()
    before = snapshot(db)
    mine = refund_object(
        ours.provider_reference or "re_x", 5000, pi, metadata={"refund_key": "refund-dialog-1"}
    )
    result = deliver(db, event("refund.created", mine, "evt_ours"))
    assert result.outcome == f"refund {mine['id']} already recorded"
    after = snapshot(db)
    assert after.pop("provider_event") == before.pop("provider_event") + 1
    assert after == before


def test_a_pending_refund_holds_its_amount_and_is_settled_once_when_it_succeeds(db):
    w = make_world(db)
    (sailing,), pi = paid_booking(w, SAILING)
    deliver(db, event("refund.created", refund_object("re_p", 3000, pi, status="pending"), "e1"))
    (row,) = rows(db, "re_p")
    assert row.status == RefundStatus.PENDING and reversed_commission(db, sailing) == 0
    with db.read() as s:
        left = refunds.still_refundable(s, s.get(ServiceItem, sailing))
    assert left == Money(9000, "EUR")  # a pending refund is not given twice
    assert queries.booking_totals(db=db, booking_id=w.booking_id).refunded.is_zero

    done = deliver(db, event("refund.updated", refund_object("re_p", 3000, pi), "e2"))
    assert done.outcome == "refund re_p succeeded: recorded"
    (row,) = rows(db, "re_p")
    assert row.status == RefundStatus.SUCCEEDED and reversed_commission(db, sailing) == 300
    again = deliver(db, event("refund.updated", refund_object("re_p", 3000, pi), "e3"))
    assert again.outcome == "refund re_p already recorded"
    assert reversed_commission(db, sailing) == 300


def test_a_refund_that_fails_after_it_was_recorded_gives_the_amount_back_to_refund(db):
    w = make_world(db)
    (sailing,), pi = paid_booking(w, SAILING)
    portfolio.cancel_service(db=db, service_id=sailing, actor=ACTOR)
    deliver(db, event("refund.created", refund_object("re_f", 12000, pi), "e1"))
    with db.read() as s:
        assert s.get(ServiceItem, sailing).refund_required is False
    failed = refund_object("re_f", 12000, pi, status="failed", failure_reason="lost_or_stolen_card")
    result = deliver(db, event("refund.failed", failed, "e2"))
    assert result.outcome == "refund re_f failed at the provider: marked failed"
    (row,) = rows(db, "re_f")
    assert row.status == RefundStatus.FAILED
    with db.read() as s:
        service = s.get(ServiceItem, sailing)
        assert service.refund_required is True
        assert refunds.still_refundable(s, service) == Money(12000, "EUR")
        audit = s.exec(select(AuditEvent).where(AuditEvent.action == "refund.failed")).one()
    assert "lost or stolen card" in audit.data
    made, failed_told = told_staff(db)
    assert "was made at the payment provider" in made.body
    assert "failed at the payment provider (lost or stolen card)" in failed_told.body
    assert "failed" in failed_told.subject and "Service 120.00: €120.00" in failed_told.body
    assert queries.booking_totals(db=db, booking_id=w.booking_id).refunded.is_zero
    # The next refund reverses the commission again: the failed one's reversal no longer counts.
    deliver(db, event("refund.created", refund_object("re_g", 12000, pi), "e3"))
    assert reversed_commission(db, sailing) == 1200 + 1200  # the failed row stays as history
    with db.read() as s:
        counted = s.exec(
            select(Commission).where(
                Commission.refund_id == rows(db, "re_g")[0].id,
            )
        ).one()
    assert counted.amount_minor == 1200


def test_a_refund_that_matches_no_single_service_is_spread_and_flagged_for_staff(db):
    w = make_world(db)
    (sailing, chef), pi = paid_booking(w, SAILING, CHEF)
    result = deliver(db, event("refund.created", refund_object("re_s", 10000, pi), "e1"))
    assert result.outcome == (
        "refund re_s of €100.00 made at the provider: recorded over 2 services (check the split)"
    )
    parts = {r.service_item_id: r.amount_minor for r in rows(db, "re_s")}
    assert parts == {chef: 8000, sailing: 2000}  # the latest line first
    with db.read() as s:
        audit = s.exec(
            select(AuditEvent).where(AuditEvent.action == "refund.made_at_provider")
        ).one()
    assert '"split_assumed":true' in audit.data
    (told,) = told_staff(db)
    assert "Service 80.00: €80.00" in told.body and "Service 120.00: €20.00" in told.body
    assert "The split over the services was assumed" in told.body


def test_a_refund_beyond_what_the_services_can_give_back_is_flagged_not_recorded(db):
    w = make_world(db)
    (sailing,), pi = paid_booking(w, SAILING)
    refunds.record_refund(
        db=db, service_id=sailing, amount=Money(10000, "EUR"), note="Goodwill", actor=ACTOR
    )
    result = deliver(db, event("refund.created", refund_object("re_o", 5000, pi), "e1"))
    assert result.outcome == (
        "refund re_o of €50.00 made at the provider: €30.00 more than the services paid (flagged)"
    )
    assert [r.amount_minor for r in rows(db, "re_o")] == [2000]
    (told,) = told_staff(db)
    assert "€30.00 of it is more than these services can give back" in told.body


@pytest.mark.parametrize(
    ("shape", "said"),
    [
        ("unknown payment", "refund of an unknown payment (ignored)"),
        ("no payment", "refund without a payment (ignored)"),
        ("failed and unknown to the ledger", "failed at the provider: nothing to record"),
        ("another currency", "is in USD, the payment was not"),
    ],
)
def test_a_refund_event_the_ledger_cannot_apply_is_stored_with_the_reason(db, shape, said):
    w = make_world(db)
    _, pi = paid_booking(w, SAILING)
    obj = {
        "unknown payment": refund_object("re_u", 100, "pi_elsewhere"),
        "no payment": refund_object("re_u", 100, None),
        "failed and unknown to the ledger": refund_object("re_u", 100, pi, status="failed"),
        "another currency": refund_object("re_u", 100, pi, currency="usd"),
    }[shape]
    before = snapshot(db)
    result = deliver(db, event("refund.created", obj, f"evt_{shape}"))
    assert result.status == 200 and said in result.outcome
    after = snapshot(db)
    assert after.pop("provider_event") == before.pop("provider_event") + 1
    assert after == before
    assert said in outcome_of(db, f"evt_{shape}").outcome


def test_the_payment_events_page_marks_refunds_made_at_the_provider_for_staff(db):
    w = make_world(db)
    _, pi = paid_booking(w, SAILING)
    deliver(db, event("refund.created", refund_object("re_look", 1000, pi), "evt_look"))
    deliver(db, event("customer.created", stripe_object("refund", id="re_x"), "evt_odd"))
    every = list_provider_events(db=db)
    assert [v.event_id for v in every][:2] == ["evt_odd", "evt_look"]
    look = list_provider_events(db=db, only_not_applied=True)
    assert {v.event_id for v in look} == {"evt_look", "evt_odd"}  # not the payment itself
    assert all(v.needs_a_look for v in look)
    assert not next(v for v in every if v.outcome == "fulfilled").needs_a_look
