"""Partners pay commission documents online through the sandbox gateway, on SQLite and
PostgreSQL: one checkout for several documents, fulfilled only by the provider's signed event,
exactly once (duplicates and concurrent deliveries change nothing twice); black, processing,
mixed-currency and other partners' documents are refused and nothing is written."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from sqlmodel import select

from concierge_app.adapters.payments.gateway import CheckoutRequest, CheckoutSession, GatewayError
from concierge_app.adapters.payments.sandbox import Card
from concierge_app.db.audit import AuditEvent
from concierge_app.db.messaging import OutboxMessage
from concierge_app.db.partner_billing import PartnerInvoice
from concierge_app.db.partner_payments import (
    PartnerAllocation,
    PartnerCheckout,
    PartnerCheckoutInvoice,
    PartnerPayment,
)
from concierge_app.db.payments import ProviderEvent
from concierge_app.domain.checkout import CheckoutStatus
from concierge_app.domain.errors import CurrencyMismatch, DomainError, NotFound
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import PartnerInvoiceState, StatusColour
from concierge_app.services.partner.money import (
    corrections as partner_corrections,
)
from concierge_app.services.partner.money import (
    transfers as partner_transfers,
)
from concierge_app.services.partner.views import documents as partner_documents
from concierge_app.services.payments.partner_checkout import (
    begin_partner_checkout,
    checkout_outcome,
)
from concierge_app.services.payments.partner_fulfilment import (
    CheckoutOutcome,
    close_partner_checkout,
    fulfil_partner_checkout,
)
from concierge_app.services.payments.provider import sandbox_gateway
from concierge_app.services.shared.common import today as business_day
from concierge_app.settings import get_settings

from ..factories import ACTOR, snapshot
from .test_partner_documents import partner

GOOD = Card("4242 4242 4242 4242", "12 / 34", "123")
TODAY = business_day()
RETURN = "/partner/invoices"
_numbers = iter(range(1, 10_000))


def eur(text: str) -> Money:
    return Money.parse(text, "EUR")


def document(db, partner_id, amount, *, days_ago=20, currency="EUR", kind="commission"):
    """A partner document issued `days_ago` days ago (due 14 days after), nothing paid."""
    n = next(_numbers)
    issued = TODAY - timedelta(days=days_ago)
    prefix = {"commission": "CM", "credit_note": "CN", "debit_note": "DN"}[kind]
    with db.transaction() as s:
        row = PartnerInvoice(
            number=f"{prefix}-2026-{n:06d}",
            partner_id=partner_id,
            kind=kind,
            period=f"{2000 + n}-01",  # one commission invoice per partner, period and currency
            currency=currency,
            invoice_date=issued,
            due_date=issued + timedelta(days=14),
            amount_minor=Money.parse(amount, currency).minor,
        )
        s.add(row)
        s.flush()
        return row.id, row.number


@pytest.fixture
def sailing(db):
    """A sailing operator paying online with three open EUR invoices, and another partner."""
    pid = partner(db, "OPR-SAIL1", kind="operator", payout="gross_stripe", method="online")
    other = partner(db, "PRP-OTHR1", payout="gross_stripe", method="bank_transfer")
    return {
        "db": db,
        "pid": pid,
        "other": other,
        "a": document(db, pid, "80.00", days_ago=40),
        "b": document(db, pid, "50.00", days_ago=20),
        "c": document(db, pid, "30.00", days_ago=10),
        "theirs": document(db, other, "70.00"),
    }


def begin(db, ids, pid, **kw):
    return begin_partner_checkout(
        db=db, invoice_ids=ids, actor=f"partner:{pid}", return_path=RETURN, partner_id=pid, **kw
    )


def session_of(url):
    return url.rsplit("/", 1)[1]


def statuses(db, pid, day=TODAY):
    docs = partner_documents.partner_invoices(db=db, partner_id=pid, today=day)
    return {d.number: (d.status_text, d.status_colour) for d in docs}


def rows(db, model):
    with db.read() as s:
        return s.exec(select(model)).all()


def allocations(db):
    with db.read() as s:
        found = s.exec(
            select(PartnerInvoice.number, PartnerAllocation.amount_minor, PartnerAllocation)
            .join(PartnerInvoice, PartnerInvoice.id == PartnerAllocation.invoice_id)
            .order_by(PartnerAllocation.id)
        ).all()
    return [(n, m, a.payment_id, a.effective_on) for n, m, a in found]


def test_pay_two_invoices_in_one_checkout(sailing):
    db, pid = sailing["db"], sailing["pid"]
    (a, a_no), (b, b_no) = sailing["a"], sailing["b"]
    start = begin(db, [b, a], pid)
    assert start.checkout_id.startswith("pc_")
    gateway = sandbox_gateway(db)
    page = gateway.session(session_of(start.url))
    assert page.booking_reference == "OPR-SAIL1" and page.amount == eur("130.00")
    assert [(ln.name, ln.amount) for ln in page.lines] == [
        (f"Commission invoice {a_no}", eur("80.00")),
        (f"Commission invoice {b_no}", eur("50.00")),
    ]
    base = get_settings().public_base_url.rstrip("/") + RETURN
    assert page.success_url == f"{base}?checkout={start.checkout_id}"
    assert page.cancel_url == f"{base}?checkout=cancelled"
    assert page.customer_email == "opr-sail1@example.com"
    assert checkout_outcome(db=db, checkout_id=start.checkout_id, partner_id=pid) == "open"

    success = gateway.pay(page.id, GOOD)

    assert success == page.success_url
    assert statuses(db, pid)[a_no] == ("Paid", StatusColour.GREEN)
    assert statuses(db, pid)[b_no] == ("Paid", StatusColour.GREEN)
    (payment,) = rows(db, PartnerPayment)
    assert (payment.method, payment.external_id, payment.partner_id, payment.group_id) == (
        "online",
        start.checkout_id,
        pid,
        None,
    )
    assert (payment.amount_minor, payment.currency, payment.status) == (13000, "EUR", "applied")
    assert payment.received_on == payment.reflected_on == TODAY
    assert payment.provider_reference and payment.provider_reference.startswith("pi_sandbox_")
    assert allocations(db) == [
        (a_no, 8000, payment.id, TODAY),
        (b_no, 5000, payment.id, TODAY),
    ]
    (checkout,) = rows(db, PartnerCheckout)
    assert checkout.status == CheckoutStatus.SUCCEEDED and checkout.completed_at is not None
    assert checkout_outcome(db=db, checkout_id=start.checkout_id, partner_id=pid) == "succeeded"
    (event,) = rows(db, ProviderEvent)
    assert (event.attempt_id, event.outcome) == (None, CheckoutOutcome.PAID.value)
    actions = [e.action for e in rows(db, AuditEvent)]
    assert actions[-2:] == ["partner_checkout.started", "partner_payment.received"]
    # the third invoice is untouched and still red
    assert statuses(db, pid)[sailing["c"][1]][1] is StatusColour.RED


def test_a_duplicate_or_second_success_event_changes_nothing(sailing):
    db, pid = sailing["db"], sailing["pid"]
    start = begin(db, [sailing["a"][0]], pid)
    gateway = sandbox_gateway(db)
    gateway.pay(session_of(start.url), GOOD)
    before = snapshot(db)
    gateway.pay(session_of(start.url), GOOD)  # the sandbox sends the same event again
    assert snapshot(db) == before
    again = dict(
        db=db,
        checkout_id=start.checkout_id,
        provider="sandbox",
        event_type="checkout.session.completed",
        amount=eur("80.00"),
    )
    (stored,) = rows(db, ProviderEvent)
    assert fulfil_partner_checkout(**again, event_id=stored.event_id) is (
        CheckoutOutcome.DUPLICATE_EVENT
    )
    assert fulfil_partner_checkout(**again, event_id="evt_other") is CheckoutOutcome.ALREADY_PAID
    after = snapshot(db)
    assert after["provider_event"] == before["provider_event"] + 1
    assert {k: v for k, v in after.items() if k != "provider_event"} == {
        k: v for k, v in before.items() if k != "provider_event"
    }
    assert len(rows(db, PartnerPayment)) == 1 and len(rows(db, PartnerAllocation)) == 1


@pytest.mark.parametrize("same_event", [True, False], ids=["same-event", "two-events"])
def test_concurrent_deliveries_pay_once(sailing, same_event):
    db, pid = sailing["db"], sailing["pid"]
    start = begin(db, [sailing["a"][0], sailing["b"][0]], pid)
    racers = 4
    barrier = threading.Barrier(racers)
    outcomes: list[object] = []

    def deliver(n: int) -> None:
        barrier.wait()
        try:
            outcomes.append(
                fulfil_partner_checkout(
                    db=db,
                    checkout_id=start.checkout_id,
                    provider="sandbox",
                    event_id="evt_race" if same_event else f"evt_race_{n}",
                    event_type="checkout.session.completed",
                    amount=eur("130.00"),
                    payment_reference="pi_race",
                )
            )
        except BaseException as crash:  # any crash fails the test below
            outcomes.append(crash)

    threads = [threading.Thread(target=deliver, args=(n,)) for n in range(racers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(isinstance(o, CheckoutOutcome) for o in outcomes), outcomes
    repeat = CheckoutOutcome.DUPLICATE_EVENT if same_event else CheckoutOutcome.ALREADY_PAID
    assert sorted(outcomes) == sorted([CheckoutOutcome.PAID] + [repeat] * (racers - 1))
    (payment,) = rows(db, PartnerPayment)
    assert payment.amount_minor == 13000
    assert sum(m for _, m, _, _ in allocations(db)) == 13000
    assert len(rows(db, ProviderEvent)) == (1 if same_event else racers)


def test_a_black_invoice_is_refused_with_the_bank_transfer_message(sailing):
    db, pid = sailing["db"], sailing["pid"]
    (a, a_no), (b, _) = sailing["a"], sailing["b"]
    partner_corrections.close_invoice(
        db=db, invoice_id=a, to=PartnerInvoiceState.WRITTEN_OFF, reason="Unpaid", actor=ACTOR
    )
    before = snapshot(db)
    message = (
        f"This invoice was written off: it can only be paid by bank transfer, quoting "
        f"OPR-SAIL1 {a_no}."
    )
    with pytest.raises(DomainError) as refused:
        begin(db, [a, b], pid)
    assert refused.value.message == message
    assert snapshot(db) == before


@pytest.mark.parametrize("how", ["transfer", "announced"])
def test_an_invoice_with_a_transfer_processing_is_refused(sailing, how):
    db, pid = sailing["db"], sailing["pid"]
    a, a_no = sailing["a"]
    if how == "transfer":  # received today: reflected after the processing days
        partner_transfers.record_bank_transfer(
            db=db,
            amount=eur("80.00"),
            reference=f"OPR-SAIL1 {a_no}",
            received_on=TODAY,
            external_id="BANK-1",
            actor=ACTOR,
        )
    else:
        partner_transfers.announce_payment(db=db, invoice_id=a, partner_id=pid, today=TODAY)
    before = snapshot(db)
    with pytest.raises(DomainError, match=f"A bank transfer for invoice {a_no} is processing"):
        begin(db, [a], pid)
    assert snapshot(db) == before


def test_mixed_currencies_an_already_paid_or_no_invoice_are_refused(sailing):
    db, pid = sailing["db"], sailing["pid"]
    a, a_no = sailing["a"]
    usd, _ = document(db, pid, "40.00", currency="USD")
    before = snapshot(db)
    with pytest.raises(CurrencyMismatch, match="in EUR and USD"):
        begin(db, [a, usd], pid)
    with pytest.raises(DomainError, match="Choose at least one invoice"):
        begin(db, [], pid)
    assert snapshot(db) == before
    partner_transfers.record_bank_transfer(
        db=db,
        amount=eur("80.00"),
        reference=f"OPR-SAIL1 {a_no}",
        received_on=TODAY - timedelta(days=10),  # reflected by now
        external_id="BANK-2",
        actor=ACTOR,
    )
    before = snapshot(db)
    with pytest.raises(DomainError, match=f"Invoice {a_no} is already paid"):
        begin(db, [a], pid)
    assert snapshot(db) == before


def test_another_partner_s_invoice_is_not_found_like_an_unknown_one(sailing):
    db, pid = sailing["db"], sailing["pid"]
    theirs, _ = sailing["theirs"]
    credit_note, _ = document(db, pid, "10.00", kind="credit_note")
    before = snapshot(db)
    messages = set()
    for ids in ([theirs], [sailing["a"][0], theirs], [999_999], [credit_note]):
        with pytest.raises(NotFound) as refused:
            begin(db, ids, pid)
        messages.add(refused.value.message)
    assert messages == {"Invoice not found."}
    assert snapshot(db) == before
    start = begin(db, [sailing["a"][0]], pid)
    assert checkout_outcome(db=db, checkout_id=start.checkout_id, partner_id=sailing["other"]) == ""
    assert checkout_outcome(db=db, checkout_id="pc_nope", partner_id=pid) == ""


def test_an_invoice_paid_by_transfer_meanwhile_sends_the_money_to_other_documents(sailing):
    db, pid = sailing["db"], sailing["pid"]
    (a, a_no), (b, b_no), (_, c_no) = sailing["a"], sailing["b"], sailing["c"]
    start = begin(db, [a, b], pid)  # 130.00
    transfer = partner_transfers.record_bank_transfer(
        db=db,
        amount=eur("80.00"),
        reference=f"OPR-SAIL1 {a_no}",
        received_on=TODAY - timedelta(days=10),
        external_id="BANK-3",
        actor=ACTOR,
    )
    sandbox_gateway(db).pay(session_of(start.url), GOOD)
    online = next(p for p in rows(db, PartnerPayment) if p.method == "online")
    assert [(n, m) for n, m, p, _ in allocations(db) if p == online.id] == [
        (b_no, 5000),  # the checkout's other document first
        (c_no, 3000),  # then the oldest open one
    ]
    assert [(n, m) for n, m, p, _ in allocations(db) if p == transfer.payment_id] == [(a_no, 8000)]
    assert {s for s, _ in statuses(db, pid).values()} == {"Paid"}
    (audit,) = [e for e in rows(db, AuditEvent) if e.subject == f"partner_payment:{online.id}"]
    assert audit.action == "partner_payment.received"
    data = json.loads(audit.data)
    assert data["allocated"] == {b_no: str(eur("50.00")), c_no: str(eur("30.00"))}
    assert data["credit_left"] == str(eur("50.00"))  # 130.00 − 80.00: the partner's credit


def test_expiry_closes_the_checkout_and_a_late_expiry_after_payment_is_ignored(sailing):
    db, pid = sailing["db"], sailing["pid"]
    a, _ = sailing["a"]
    gateway = sandbox_gateway(db)
    first = begin(db, [a], pid)
    gateway.expire_checkout(session_of(first.url))
    assert checkout_outcome(db=db, checkout_id=first.checkout_id, partner_id=pid) == "expired"
    assert rows(db, PartnerPayment) == []
    with pytest.raises(GatewayError, match="expired"):
        gateway.pay(session_of(first.url), GOOD)
    second = begin(db, [a], pid)  # a new checkout, not the expired one
    assert second.checkout_id != first.checkout_id
    gateway.pay(session_of(second.url), GOOD)
    before = snapshot(db)
    late = close_partner_checkout(
        db=db,
        checkout_id=second.checkout_id,
        provider="sandbox",
        event_id="evt_late_expiry",
        event_type="checkout.session.expired",
        status=CheckoutStatus.EXPIRED,
    )
    assert late is CheckoutOutcome.ALREADY_FINAL
    assert checkout_outcome(db=db, checkout_id=second.checkout_id, partner_id=pid) == "succeeded"
    assert snapshot(db)["partner_payment"] == before["partner_payment"]
    assert snapshot(db)["partner_allocation"] == before["partner_allocation"]


def test_a_success_after_expiry_is_still_applied_because_money_moved(sailing):
    db, pid = sailing["db"], sailing["pid"]
    a, a_no = sailing["a"]
    start = begin(db, [a], pid)
    close_partner_checkout(
        db=db,
        checkout_id=start.checkout_id,
        provider="sandbox",
        event_id="evt_exp",
        event_type="checkout.session.expired",
        status=CheckoutStatus.EXPIRED,
    )
    outcome = fulfil_partner_checkout(
        db=db,
        checkout_id=start.checkout_id,
        provider="sandbox",
        event_id="evt_paid_late",
        event_type="checkout.session.completed",
        amount=eur("80.00"),
    )
    assert outcome is CheckoutOutcome.PAID
    assert statuses(db, pid)[a_no][0] == "Paid"


def test_the_success_redirect_alone_changes_nothing(sailing):
    db, pid = sailing["db"], sailing["pid"]
    a, a_no = sailing["a"]
    start = begin(db, [a], pid)
    before = snapshot(db)
    # Coming back to ?checkout=<id> only reads the checkout's status.
    assert checkout_outcome(db=db, checkout_id=start.checkout_id, partner_id=pid) == "open"
    assert snapshot(db) == before
    assert rows(db, PartnerPayment) == []
    assert statuses(db, pid)[a_no][1] is StatusColour.RED


def test_an_amount_that_differs_from_the_checkout_is_not_applied(sailing):
    db, pid = sailing["db"], sailing["pid"]
    start = begin(db, [sailing["a"][0]], pid)
    for event_id, amount in (("evt_1", eur("1.00")), ("evt_2", Money.parse("80.00", "USD"))):
        outcome = fulfil_partner_checkout(
            db=db,
            checkout_id=start.checkout_id,
            provider="sandbox",
            event_id=event_id,
            event_type="checkout.session.completed",
            amount=amount,
        )
        assert outcome is CheckoutOutcome.AMOUNT_MISMATCH
    assert rows(db, PartnerPayment) == []
    assert checkout_outcome(db=db, checkout_id=start.checkout_id, partner_id=pid) == "open"
    assert [e.action for e in rows(db, AuditEvent)][-2:] == ["partner_payment.mismatch"] * 2


def test_the_same_documents_reuse_the_open_checkout_and_others_supersede_it(sailing):
    db, pid = sailing["db"], sailing["pid"]
    a, b = sailing["a"][0], sailing["b"][0]
    first = begin(db, [a, b], pid)
    assert begin(db, [b, a], pid) == first
    assert len(rows(db, PartnerCheckout)) == 1
    only_a = begin(db, [a], pid)  # covers a: the first one is expired at the provider
    assert only_a.checkout_id != first.checkout_id
    assert checkout_outcome(db=db, checkout_id=first.checkout_id, partner_id=pid) == "expired"
    assert checkout_outcome(db=db, checkout_id=only_a.checkout_id, partner_id=pid) == "open"
    with db.read() as s:
        covered = s.exec(
            select(PartnerCheckoutInvoice.invoice_id, PartnerCheckoutInvoice.amount_minor).where(
                PartnerCheckoutInvoice.checkout_id == only_a.checkout_id
            )
        ).all()
    assert covered == [(a, 8000)]


class Refusing:
    name = "sandbox"

    def create_checkout(self, request: CheckoutRequest) -> CheckoutSession:
        raise GatewayError("Your account cannot take payments in EUR.")

    def expire_checkout(self, reference: str) -> None:  # pragma: no cover
        raise AssertionError


def test_a_provider_refusal_closes_the_checkout_as_failed(sailing):
    db, pid = sailing["db"], sailing["pid"]
    with pytest.raises(DomainError, match="could not be started: Your account cannot"):
        begin(db, [sailing["a"][0]], pid, gateway=Refusing())
    (checkout,) = rows(db, PartnerCheckout)
    assert checkout.status == "failed" and "EUR" in (checkout.failure_reason or "")
    assert rows(db, PartnerPayment) == []


def test_an_unknown_partner_checkout_event_is_ignored_and_writes_nothing(sailing):
    db = sailing["db"]
    before = snapshot(db)
    with pytest.raises(NotFound):
        fulfil_partner_checkout(
            db=db,
            checkout_id="pc_unknown",
            provider="sandbox",
            event_id="evt_x",
            event_type="checkout.session.completed",
            amount=eur("1.00"),
        )
    assert snapshot(db) == before


def test_a_group_pays_documents_of_its_properties_in_one_checkout(db):
    from concierge_app.services.partner.money import groups as partner_groups

    group = partner_groups.create_group(
        db=db, code="GRP-9001", name="Islands Group", finance_email="fin@group.test", actor=ACTOR
    )
    sol = partner(db, "PRP-SOL01", payout="gross_stripe", method="bank_transfer")
    mar = partner(db, "PRP-MAR01", payout="gross_stripe", method="bank_transfer")
    outsider = partner(db, "PRP-OUT01", payout="gross_stripe", method="bank_transfer")
    for pid in (sol, mar):
        partner_groups.join_group(db=db, group_id=group, partner_id=pid, actor=ACTOR)
    (s1, s1_no), (m1, m1_no) = document(db, sol, "60.00", days_ago=30), document(db, mar, "40.00")
    out, _ = document(db, outsider, "10.00")
    with pytest.raises(NotFound):
        begin_partner_checkout(
            db=db, invoice_ids=[s1, out], actor="group", return_path=RETURN, group_id=group
        )
    start = begin_partner_checkout(
        db=db, invoice_ids=[s1, m1], actor="group", return_path=RETURN, group_id=group
    )
    page = sandbox_gateway(db).session(session_of(start.url))
    assert page.booking_reference == "GRP-9001" and page.customer_email == "fin@group.test"
    sandbox_gateway(db).pay(page.id, GOOD)
    (payment,) = rows(db, PartnerPayment)
    assert (payment.group_id, payment.partner_id, payment.method) == (group, None, "online")
    assert sorted((n, m) for n, m, _, _ in allocations(db)) == sorted(
        [(s1_no, 6000), (m1_no, 4000)]
    )
    assert statuses(db, sol)[s1_no][0] == statuses(db, mar)[m1_no][0] == "Paid"
    assert checkout_outcome(db=db, checkout_id=start.checkout_id, group_id=group) == "succeeded"
    assert checkout_outcome(db=db, checkout_id=start.checkout_id, partner_id=sol) == ""
    emails = [m for m in rows(db, OutboxMessage) if m.recipient == "fin@group.test"]
    assert len(emails) == 1  # the allocation breakdown
    # audited once, by the payment, naming the group
    (audit,) = [e for e in rows(db, AuditEvent) if e.subject == f"partner_payment:{payment.id}"]
    assert audit.action == "partner_payment.received"
    data = json.loads(audit.data)
    assert data["group"] == "GRP-9001" and data["credit_left"] == str(eur("0.00"))
    assert data["allocated"] == {s1_no: str(eur("60.00")), m1_no: str(eur("40.00"))}
