"""The monthly direct debit on SQLite and PostgreSQL: the invoice is green on the day the request
is sent; a rerun requests nothing; black and payout-deducted documents are not collected; the
bank's failure (the sandbox's failing IBAN, Stripe's signed `payment_intent.payment_failed`, or
a refusal at once) turns the invoice red again and sends "Direct debit failed", once; a
provider that cannot be reached refuses nothing (the debit is sent again by a later run); a
document with a bank transfer processing is not debited; a new account gets a new mandate; the
Stripe adapter's request on the wire; the schedule.

The ledger (test_partner_documents): the chef OPR-CHEF1 pays by direct debit; its November
invoice is €60.00 of which €24.00 was deducted from its payout: €36.00 to collect, due by
December 16, 2026. The month-end run issued it on December 2."""

from __future__ import annotations

import json
import socket
import time
from datetime import date, timedelta

import pytest
import stripe
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select, update

from concierge_app.adapters.payments.configured import webhook_secret
from concierge_app.adapters.payments.gateway import DebitRequest, GatewayError, GatewayUnavailable
from concierge_app.adapters.payments.sandbox import DebitAnswers, SandboxGateway
from concierge_app.adapters.payments.stripe_gateway import STRIPE_API_VERSION, StripeGateway
from concierge_app.db.audit import AuditEvent
from concierge_app.db.messaging import OutboxMessage
from concierge_app.db.parties import Partner
from concierge_app.db.partner_billing import PartnerBankAccount
from concierge_app.db.partner_payments import PartnerAllocation, PartnerPayment
from concierge_app.db.payments import ProviderEvent
from concierge_app.db.sandbox import SandboxDebit
from concierge_app.db.types import utcnow
from concierge_app.domain.direct_debit import PAID_BY_TRANSFER_ONLY, TRANSFER_PROCESSING
from concierge_app.domain.errors import DomainError
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import PartnerInvoiceState, StatusColour
from concierge_app.services.partner.money import transfers as partner_transfers
from concierge_app.services.partner.views import finance as partner_finance
from concierge_app.services.payments import (
    direct_debit,
    direct_debit_answers,
    direct_debit_mandate,
    direct_debit_sending,
)
from concierge_app.services.payments.provider import sandbox_gateway
from concierge_app.services.payments.webhooks import receive_webhook
from concierge_app.settings import get_settings

from ..factories import ACTOR, snapshot
from ..stripe_objects import stripe_error, stripe_event, stripe_object
from .test_partner_documents import ledger  # noqa: F401  (fixture)
from .test_partner_transfers import eur, invoice_of, status
from .test_partner_write_off import write_off
from .test_stripe_gateway import FakeStripe, fake_stripe, gateway_for  # noqa: F401
from .test_stripe_mode import WEBHOOK_SECRET, stripe_mode  # noqa: F401

COLLECTION = date(2026, 12, 10)  # the collection day of December
GOOD_IBAN = "ES7921000813610123456789"
MANDATE = "MNDT-OPR-CHEF1"
PART_PAID = "You've paid €24.00 of €60.00"  # the deducted part; red


def failing_iban() -> str:
    return get_settings().sandbox_failing_iban


def give_mandate(db, partner_id, iban=GOOD_IBAN, reference=MANDATE):
    """The partner's account, and a mandate on it (signed on paper: set by staff)."""
    partner_finance.update_bank_account(
        db=db,
        partner_id=partner_id,
        account_holder="Chef S.L.",
        iban=iban,
        bic="",
        actor=ACTOR,
        notify=False,
    )
    with db.transaction() as s:
        s.exec(
            update(PartnerBankAccount)
            .where(col(PartnerBankAccount.partner_id) == partner_id)
            .values(mandate_reference=reference, mandate_signed_on=date(2026, 8, 1))
        )


def collect(db, today=COLLECTION, gateway=None, **kwargs):
    return direct_debit.collect_direct_debits(
        db=db, today=today, actor=ACTOR, gateway=gateway or sandbox_gateway(db), **kwargs
    )


def payments(db) -> list[PartnerPayment]:
    with db.read() as s:
        return list(s.exec(select(PartnerPayment).order_by(col(PartnerPayment.id))).all())


def allocations(db, payment_id) -> list[PartnerAllocation]:
    with db.read() as s:
        return list(
            s.exec(select(PartnerAllocation).where(PartnerAllocation.payment_id == payment_id))
        )


def age_unsent(db) -> None:
    """Make the recorded, unsent debits older than the resend grace period (test only): no
    run is sending them any more."""
    with db.transaction() as s:
        s.exec(
            update(PartnerPayment)
            .where(col(PartnerPayment.provider_reference).is_(None))
            .values(created_at=utcnow() - direct_debit_sending.RESEND_AFTER - timedelta(minutes=1))
        )


def outbox(db, template=direct_debit_answers.TEMPLATE) -> list[OutboxMessage]:
    with db.read() as s:
        return list(s.exec(select(OutboxMessage).where(OutboxMessage.template_key == template)))


def audit_actions(db, action) -> list[dict]:
    with db.read() as s:
        rows = s.exec(select(AuditEvent).where(AuditEvent.action == action)).all()
        return [json.loads(r.data) for r in rows]


@pytest.fixture
def chef(ledger):  # noqa: F811
    db, chef = ledger["db"], ledger["chef"]
    give_mandate(db, chef)
    return ledger


def test_collection_makes_the_invoice_paid_on_the_day_the_request_is_sent(chef):
    db, pid = chef["db"], chef["chef"]
    invoice = invoice_of(db, pid)
    assert status(db, pid, COLLECTION).status_text == PART_PAID

    summary = collect(db)

    (debit,) = summary.requested
    assert (debit.partner_code, debit.amount, debit.documents) == (
        "OPR-CHEF1",
        eur("36.00"),
        (invoice.number,),
    )
    assert debit.refused is None and debit.provider_reference.startswith("pi_sandbox_dd_")
    assert summary.partners == 1 and summary.skipped == ()
    assert summary.text == "1 direct debit(s) requested, €36.00."
    paid = status(db, pid, COLLECTION)
    assert (paid.status_text, paid.status_colour, paid.status_note) == (
        "Paid",
        StatusColour.GREEN,
        "",
    )
    (pay,) = payments(db)
    assert (pay.method, pay.status, pay.external_id) == (
        "direct_debit",
        "applied",
        "DD-OPR-CHEF1-EUR-2026-12-1",
    )
    assert pay.received_on == pay.reflected_on == COLLECTION
    assert pay.provider_reference == debit.provider_reference
    assert [(a.invoice_id, a.amount_minor, a.effective_on) for a in allocations(db, pay.id)] == [
        (invoice.id, 3600, COLLECTION)
    ]
    with db.read() as s:
        (bank,) = s.exec(select(SandboxDebit)).all()
    assert (bank.id, bank.iban, bank.mandate_reference, bank.amount_minor, bank.status) == (
        pay.provider_reference,
        GOOD_IBAN,
        MANDATE,
        3600,
        "pending",
    )
    assert json.loads(bank.metadata_json)["partner_payment_id"] == str(pay.id)
    (requested,) = audit_actions(db, "partner_payment.direct_debit_requested")
    assert requested["allocated"] == {invoice.number: "36.00 EUR"}
    assert requested["mandate"] == MANDATE


def test_a_rerun_the_same_day_or_month_requests_nothing(chef):
    db = chef["db"]
    collect(db)
    before = snapshot(db)
    again = collect(db)
    later = collect(db, today=date(2026, 12, 28))
    assert again.requested == later.requested == ()
    assert snapshot(db) == before
    scheduled = collect(db, today=date(2026, 12, 29), scheduled=True)
    assert scheduled.requested == () and scheduled.already_collected == 1
    assert snapshot(db) == before


def test_a_black_invoice_is_skipped_as_paid_by_bank_transfer_only(chef):
    db, pid = chef["db"], chef["chef"]
    invoice = invoice_of(db, pid)
    write_off(db, invoice.id)
    summary = collect(db)
    assert summary.requested == ()
    (skipped,) = summary.skipped
    assert (skipped.number, skipped.outstanding, skipped.reason) == (
        invoice.number,
        eur("36.00"),
        PAID_BY_TRANSFER_ONLY,
    )
    assert "1 document(s) skipped: paid by bank transfer only." in summary.text
    assert payments(db) == []
    assert status(db, pid, COLLECTION).status_colour is StatusColour.BLACK


def test_an_invoice_deducted_from_the_payout_has_nothing_to_collect(chef):
    db, villa = chef["db"], chef["villa"]
    with db.transaction() as s:
        s.exec(
            update(Partner)
            .where(col(Partner.id) == villa)
            .values(commission_payment_method="direct_debit")
        )
    give_mandate(db, villa, reference="MNDT-PRP-NET01")
    summary = collect(db)
    assert summary.partners == 2
    assert [r.partner_code for r in summary.requested] == ["OPR-CHEF1"]  # not the villa
    assert status(db, villa, COLLECTION).status_text == "Paid"


def test_the_sandbox_s_failing_iban_turns_the_invoice_red_again_and_tells_the_partner(chef):
    db, pid = chef["db"], chef["chef"]
    give_mandate(db, pid, iban=failing_iban())
    invoice = invoice_of(db, pid)
    gateway = sandbox_gateway(db)
    (debit,) = collect(db, gateway=gateway).requested
    assert status(db, pid, COLLECTION).status_text == "Paid"  # green on the day it is sent

    assert direct_debit.sandbox_pending_debits(db=db) == 1
    answers = direct_debit.answer_sandbox_debits(db=db)  # staff: "Bank answers (sandbox)"

    assert (answers.succeeded, answers.failed) == (0, 1)
    assert direct_debit.sandbox_pending_debits(db=db) == 0
    red = status(db, pid, COLLECTION)
    assert (red.status_text, red.status_colour) == (PART_PAID, StatusColour.RED)
    (pay,) = payments(db)
    assert pay.status == "failed" and pay.failed_at is not None
    reason = "The customer's account has insufficient funds to cover this payment."
    assert pay.failure_reason == reason
    assert all(a.reversed_at is not None for a in allocations(db, pay.id))
    (message,) = outbox(db)
    assert message.recipient == "opr-chef1@example.com" and message.partner_id == pid
    assert message.subject == "Azure Concierge: your direct debit of €36.00 failed"
    for words in (
        "The direct debit of €36.00 we requested from your bank on December 10, 2026 "
        f"(mandate {MANDATE}, property ID OPR-CHEF1) failed.",
        f"Your bank's reason: {reason}",
        f"Commission invoice {invoice.number} (November 2026), due by December 16, 2026: €36.00",
        "1. Contact your bank to see why the payment failed.",
        "2. Pay €36.00 as soon as possible:",
        f"quoting OPR-CHEF1 {invoice.number} as the reference",
        "or online, under Finance → Invoices.",
    ):
        assert words in message.body, words
    (failed,) = audit_actions(db, "partner_payment.direct_debit_failed")
    assert failed["reversed"] == {invoice.number: "36.00 EUR"} and failed["reason"] == reason

    # The bank answers again: nothing is pending, nothing changes.
    before = snapshot(db)
    assert gateway.answer_debits(failing_iban=failing_iban()) == type(answers)(0, 0)
    assert snapshot(db) == before
    # The same month the failed invoice is not debited again (the partner pays it by
    # transfer or online); next month it is, if still open.
    rerun = collect(db, today=date(2026, 12, 20))
    assert rerun.requested == ()
    assert [s.reason for s in rerun.skipped] == [direct_debit.FAILED_THIS_MONTH]
    assert snapshot(db) == before
    (retry,) = collect(db, today=date(2027, 1, 10)).requested
    assert retry.amount == eur("36.00") and retry.payment_id != debit.payment_id
    assert payments(db)[-1].external_id == "DD-OPR-CHEF1-EUR-2027-01-1"


def test_a_debit_the_bank_pays_is_noted_once_and_the_invoice_stays_green(chef):
    db, pid = chef["db"], chef["chef"]
    gateway = sandbox_gateway(db)
    collect(db, gateway=gateway)
    assert gateway.answer_debits(failing_iban=failing_iban()).succeeded == 1
    assert status(db, pid, date(2026, 12, 20)).status_text == "Paid"
    (noted,) = audit_actions(db, "partner_payment.direct_debit_succeeded")
    assert noted["status"] == "applied"
    assert outbox(db) == []
    with db.read() as s:
        (event,) = s.exec(select(ProviderEvent)).all()
    assert (event.event_type, event.outcome) == (
        "payment_intent.succeeded",
        "direct debit succeeded",
    )


# -- Stripe's signed failure event ---------------------------------------------------------------


def failed_event(pay: PartnerPayment, *, event_id="evt_dd_failed_1", intent="pi_3DDfail"):
    """`payment_intent.payment_failed` as Stripe sends it for a bounced SEPA debit."""
    bounced = stripe_object(
        "payment_intent",
        id=intent,
        amount=pay.amount_minor,
        currency=pay.currency.lower(),
        status="requires_payment_method",
        payment_method_types=["sepa_debit"],
        metadata={
            "kind": "partner_direct_debit",
            "partner_payment_id": str(pay.id),
            "external_id": pay.external_id,
        },
        last_payment_error={
            "code": "insufficient_funds",
            "message": "The customer's account has insufficient funds to cover this payment.",
            "type": "card_error",
        },
    )
    return stripe_event("payment_intent.payment_failed", bounced, event_id=event_id)


def processing_intent(intent_id: str) -> dict:
    """Stripe's answer to a confirmed SEPA debit: processing until the bank answers."""
    return stripe_object(
        "payment_intent",
        id=intent_id,
        status="processing",
        payment_method_types=["sepa_debit"],
        last_payment_error=None,
    )


def deliver(db, event, secret=None):
    payload = json.dumps(event).encode()
    header = stripe.WebhookSignature.generate_signature_header(
        payload.decode(), secret or webhook_secret()
    )
    return receive_webhook(db=db, payload=payload, signature=header)


class StripeLikeGateway:
    """Answers as Stripe does for a SEPA debit: a processing PaymentIntent."""

    name = "stripe"
    debit_currencies = frozenset({"EUR"})

    def __init__(self) -> None:
        self.requests: list[DebitRequest] = []

    def collect_debit(self, request: DebitRequest) -> str:
        self.requests.append(request)
        return "pi_3DDfail"


def test_stripe_s_signed_failure_event_reverses_the_debit_once(chef):
    db, pid = chef["db"], chef["chef"]
    invoice = invoice_of(db, pid)
    gateway = StripeLikeGateway()
    collect(db, gateway=gateway)
    (request,) = gateway.requests
    assert request.idempotency_key == "direct_debit:DD-OPR-CHEF1-EUR-2026-12-1"
    (pay,) = payments(db)

    tampered = deliver(db, failed_event(pay), secret="whsec_someone_else")
    assert tampered.status == 400 and payments(db)[0].status == "applied"

    result = deliver(db, failed_event(pay))
    assert (result.status, result.outcome) == (
        200,
        "direct debit failed: documents reversed, partner told",
    )
    assert status(db, pid, COLLECTION).status_text == PART_PAID
    assert payments(db)[0].status == "failed"
    assert len(outbox(db)) == 1 and invoice.number in outbox(db)[0].body

    before = snapshot(db)
    again = deliver(db, failed_event(pay))  # Stripe retries the delivery
    assert (again.status, again.outcome) == (200, "duplicate event (ignored)")
    late = deliver(db, failed_event(pay, event_id="evt_dd_failed_2"))  # another, later event
    assert late.outcome == "direct debit already failed (ignored)"
    assert len(outbox(db)) == 1
    with db.read() as s:
        assert len(s.exec(select(ProviderEvent)).all()) == 2
    assert {k: v for k, v in snapshot(db).items() if k not in ("provider_event", "audit_head")} == {
        k: v for k, v in before.items() if k not in ("provider_event", "audit_head")
    }


def test_with_stripe_keys_the_debit_goes_to_stripe_and_its_failure_event_reverses_it(
    chef,
    stripe_mode,  # noqa: F811
):
    db, pid = chef["db"], chef["chef"]
    stripe_mode.reply(
        "POST",
        "/v1/payment_intents",
        200,
        processing_intent("pi_3Live"),
    )
    (debit,) = direct_debit.collect_direct_debits(db=db, today=COLLECTION, actor=ACTOR).requested
    assert debit.provider_reference == "pi_3Live"
    (sent,) = [r for r in stripe_mode.requests if r.path == "/v1/payment_intents"]
    assert sent.field("metadata[partner_payment_id]") == str(debit.payment_id)
    assert sent.field("payment_method_data[sepa_debit][iban]") == GOOD_IBAN
    assert status(db, pid, COLLECTION).status_text == "Paid"
    assert direct_debit.sandbox_pending_debits(db=db) is None  # no sandbox bank with Stripe
    with pytest.raises(DomainError, match="Stripe is the payment provider"):
        direct_debit.answer_sandbox_debits(db=db)

    (pay,) = payments(db)
    result = deliver(db, failed_event(pay, intent="pi_3Live"), secret=WEBHOOK_SECRET)
    assert result.outcome == "direct debit failed: documents reversed, partner told"
    assert status(db, pid, COLLECTION).status_text == PART_PAID
    with db.read() as s:
        (event,) = s.exec(select(ProviderEvent)).all()
    assert (event.provider, event.event_id, event.attempt_id) == ("stripe", "evt_dd_failed_1", None)
    assert len(outbox(db)) == 1


def test_an_event_of_another_payment_intent_changes_nothing(chef):
    db = chef["db"]
    collect(db, gateway=StripeLikeGateway())
    (pay,) = payments(db)
    result = deliver(db, failed_event(pay, intent="pi_someone_else"))
    assert result.outcome == "another payment at the provider (ignored)"
    assert payments(db)[0].status == "applied" and outbox(db) == []


class RefusingGateway:
    name = "stripe"
    debit_currencies = frozenset({"EUR"})

    def collect_debit(self, request: DebitRequest) -> str:
        raise GatewayError("This IBAN's bank does not take SEPA direct debits.")


def test_a_refusal_at_once_is_the_debit_s_failure(chef):
    db, pid = chef["db"], chef["chef"]
    summary = collect(db, gateway=RefusingGateway())
    (debit,) = summary.requested
    assert debit.refused == "This IBAN's bank does not take SEPA direct debits."
    assert summary.sent == () and "1 refused by the bank at once" in summary.text
    (pay,) = payments(db)
    assert (pay.status, pay.failure_reason) == ("failed", debit.refused)
    assert status(db, pid, COLLECTION).status_colour is StatusColour.RED
    (message,) = outbox(db)
    assert debit.refused in message.body


class UnavailableGateway(StripeLikeGateway):
    """Stripe out of reach: the PaymentIntent may or may not exist at the bank."""

    def collect_debit(self, request: DebitRequest) -> str:
        self.requests.append(request)
        raise GatewayUnavailable("Could not reach Stripe: timed out.")


def test_a_provider_out_of_reach_refuses_nothing_and_a_later_run_sends_the_debit_again(chef):
    db, pid = chef["db"], chef["chef"]
    down = UnavailableGateway()
    summary = collect(db, gateway=down)
    assert summary.requested == summary.sent == summary.refused == ()
    (waiting,) = summary.retrying
    assert (waiting.amount, waiting.provider_reference, waiting.refused, waiting.not_sent) == (
        eur("36.00"),
        None,
        None,
        "Could not reach Stripe: timed out.",
    )
    assert summary.text == (
        "1 direct debit(s) of €36.00 not sent yet (Could not reach Stripe: timed out.): the "
        "request will be retried by the next run."
    )
    (pay,) = payments(db)
    assert (pay.status, pay.provider_reference, pay.failure_reason) == ("applied", None, None)
    assert status(db, pid, COLLECTION).status_text == "Paid"  # nothing was refused
    assert outbox(db) == [] and audit_actions(db, "partner_payment.direct_debit_failed") == []

    age_unsent(db)
    again = collect(db, gateway=down)  # still out of reach: still waiting, nothing failed
    assert (again.resent, len(again.retrying), again.requested) == (0, 1, ())
    assert payments(db)[0].status == "applied" and outbox(db) == []
    up = StripeLikeGateway()
    back = collect(db, gateway=up)
    assert (back.resent, back.retrying, back.requested) == (1, (), ())
    assert payments(db)[0].provider_reference == "pi_3DDfail"
    first, second, third = down.requests + up.requests  # one request, asked three times
    assert first == second == third
    assert third.idempotency_key == "direct_debit:DD-OPR-CHEF1-EUR-2026-12-1"


def test_with_stripe_keys_a_stripe_outage_leaves_the_debit_for_a_later_run(
    chef,
    stripe_mode,  # noqa: F811
):
    db, pid = chef["db"], chef["chef"]
    outage = stripe_error(type="api_error", message="Stripe is unavailable.")
    for _ in range(3):  # the SDK retries twice before giving up
        stripe_mode.reply("POST", "/v1/payment_intents", 503, outage)
    summary = direct_debit.collect_direct_debits(db=db, today=COLLECTION, actor=ACTOR)
    (waiting,) = summary.retrying
    assert waiting.not_sent == "Stripe is unavailable." and summary.requested == ()
    (pay,) = payments(db)
    assert (pay.status, pay.provider_reference) == ("applied", None)
    assert status(db, pid, COLLECTION).status_text == "Paid" and outbox(db) == []


class CrashingGateway:
    name = "sandbox"
    debit_currencies = frozenset({"EUR"})

    def collect_debit(self, request: DebitRequest) -> str:
        raise ConnectionError("the network went away")


def test_a_request_recorded_but_never_sent_is_sent_by_the_next_run_once(chef):
    db = chef["db"]
    with pytest.raises(ConnectionError):
        collect(db, gateway=CrashingGateway())
    (pay,) = payments(db)
    assert (pay.status, pay.provider_reference) == ("applied", None)
    age_unsent(db)
    gateway = StripeLikeGateway()
    summary = collect(db, gateway=gateway)
    assert summary.resent == 1 and summary.requested == ()
    (request,) = gateway.requests
    assert (request.payment_id, request.external_id) == (pay.id, pay.external_id)
    assert payments(db)[0].provider_reference == "pi_3DDfail"
    assert collect(db, gateway=gateway).resent == 0


def test_a_debit_another_run_recorded_a_moment_ago_is_not_sent_again(chef):
    """Another run recorded it and is sending it right now: only one older than the grace
    period is taken for one a stopped run left behind."""
    db = chef["db"]
    with pytest.raises(ConnectionError):
        collect(db, gateway=CrashingGateway())
    gateway = StripeLikeGateway()
    summary = collect(db, gateway=gateway)
    assert (summary.resent, summary.retrying, gateway.requests) == (0, (), [])
    assert payments(db)[0].provider_reference is None
    age_unsent(db)
    assert collect(db, gateway=gateway).resent == 1 and len(gateway.requests) == 1


def test_a_request_never_sent_whose_mandate_is_gone_fails_and_the_partner_is_told(chef):
    db, pid = chef["db"], chef["chef"]
    with pytest.raises(ConnectionError):
        collect(db, gateway=CrashingGateway())
    with db.transaction() as s:
        s.exec(
            update(PartnerBankAccount)
            .where(col(PartnerBankAccount.partner_id) == pid)
            .values(mandate_reference=None)
        )
    age_unsent(db)
    gateway = StripeLikeGateway()
    assert collect(db, gateway=gateway).resent == 1 and gateway.requests == []
    (pay,) = payments(db)
    assert (pay.status, pay.failure_reason) == ("failed", direct_debit_sending.NO_MANDATE)
    assert status(db, pid, COLLECTION).status_text == PART_PAID
    assert len(outbox(db)) == 1


class PoundsOnlyGateway(StripeLikeGateway):
    debit_currencies = frozenset({"GBP"})


def test_documents_in_a_currency_the_bank_cannot_debit_are_left_for_other_ways(chef):
    db, pid = chef["db"], chef["chef"]
    gateway = PoundsOnlyGateway()
    summary = collect(db, gateway=gateway)
    assert summary.requested == () and gateway.requests == [] and payments(db) == []
    (skipped,) = summary.skipped
    assert (skipped.number, skipped.reason) == (
        invoice_of(db, pid).number,
        "direct debit collects GBP only (by transfer or online)",
    )
    assert summary.text.endswith(
        "1 document(s) skipped: direct debit collects GBP only (by transfer or online)."
    )


def test_a_non_euro_debit_is_refused_by_the_sandbox_bank(chef):
    db = chef["db"]
    request = DebitRequest(
        payment_id=1,
        external_id="DD-X-USD-2026-12-1",
        partner_code="X",
        amount=Money(100, "USD"),
        iban=GOOD_IBAN,
        account_holder="X",
        email="x@example.com",
        mandate_reference="MNDT-X",
        mandate_signed_on=date(2026, 1, 1),
        description="Commission X",
    )
    with pytest.raises(GatewayError, match="SEPA Direct Debit collects euros only"):
        sandbox_gateway(db).collect_debit(request)


# -- the mandate -------------------------------------------------------------------------------


def test_a_new_account_gets_a_new_mandate_and_the_bank_details_page_shows_it(chef):
    db, pid = chef["db"], chef["chef"]
    view = direct_debit_mandate.mandate_of(db=db, partner_id=pid)
    assert view.text == (
        f"Direct debit mandate {MANDATE}, signed August 1, 2026, collected from "
        "ES79 •••• •••• •••• •••• 6789"
    )
    partner_finance.update_bank_account(
        db=db, partner_id=pid, account_holder="Chef S.L.", iban=GOOD_IBAN, bic="", actor=ACTOR
    )
    # the same account: the same mandate
    assert direct_debit_mandate.mandate_of(db=db, partner_id=pid).reference == MANDATE
    partner_finance.update_bank_account(
        db=db,
        partner_id=pid,
        account_holder="Chef S.L.",
        iban="DE89 3704 0044 0532 0130 00",
        bic="",
        actor="chef@example.com",
    )
    new = direct_debit_mandate.mandate_of(db=db, partner_id=pid)
    assert new.reference.startswith("MNDT-OPR-CHEF1-") and new.reference != MANDATE
    assert new.iban_masked == "DE89 •••• •••• •••• •••• 3000"
    (reissued,) = audit_actions(db, "partner.mandate_reissued")
    assert reissued == {
        "before": MANDATE,
        "after": new.reference,
        "iban": "DE89 •••• •••• •••• •••• 3000",
        "status": "awaiting the partner's acceptance",
    }
    # saving the IBAN signed nothing: the new mandate waits for the partner's acceptance
    assert new.pending and collect(db).requested == ()
    direct_debit_mandate.accept_mandate(
        db=db,
        partner_id=pid,
        reference=new.reference,
        accepted_by="chef@example.com",
        accepted_from="203.0.113.7",
    )
    (debit,) = collect(db).requested
    with db.read() as s:
        (bank,) = s.exec(select(SandboxDebit)).all()
    assert (bank.iban, bank.mandate_reference) == ("DE89370400440532013000", new.reference)
    assert debit.amount == eur("36.00")
    assert direct_debit_mandate.mandate_of(db=db, partner_id=chef["gross"]) is None


# -- the Stripe adapter on the wire ---------------------------------------------------------------


def stripe_request() -> DebitRequest:
    return DebitRequest(
        payment_id=42,
        external_id="DD-OPR-2003-EUR-2026-12-1",
        partner_code="OPR-2003",
        amount=Money(1_440, "EUR"),
        iban="ES6000491500051234567892",
        account_holder="SwiftRide Transfers S.L.",
        email="finance@swiftride.example",
        mandate_reference="MNDT-OPR-2003",
        mandate_signed_on=date(2026, 8, 1),
        description="Commission OPR-2003 CM-2026-000012 CM-2026-000020",
    )


def test_collect_debit_sends_one_confirmed_sepa_payment_intent(fake_stripe: FakeStripe):  # noqa: F811
    fake_stripe.reply(
        "POST",
        "/v1/payment_intents",
        200,
        processing_intent("pi_3Sepa"),
    )
    assert gateway_for(fake_stripe).collect_debit(stripe_request()) == "pi_3Sepa"
    (sent,) = fake_stripe.requests
    assert (sent.method, sent.path) == ("POST", "/v1/payment_intents")
    assert sent.headers["Idempotency-Key"] == "direct_debit:DD-OPR-2003-EUR-2026-12-1"
    assert sent.headers["Stripe-Version"] == STRIPE_API_VERSION
    expected = {
        "amount": "1440",
        "currency": "eur",
        "allowed_payment_method_types[0]": "sepa_debit",
        "payment_method_data[type]": "sepa_debit",
        "payment_method_data[sepa_debit][iban]": "ES6000491500051234567892",
        "payment_method_data[billing_details][name]": "SwiftRide Transfers S.L.",
        "payment_method_data[billing_details][email]": "finance@swiftride.example",
        "mandate_data[customer_acceptance][type]": "offline",
        "mandate_data[customer_acceptance][accepted_at]": "1785542400",  # 2026-08-01 UTC
        "confirm": "true",
        "description": "Commission OPR-2003 CM-2026-000012 CM-2026-000020",
        "metadata[kind]": "partner_direct_debit",
        "metadata[partner_payment_id]": "42",
        "metadata[external_id]": "DD-OPR-2003-EUR-2026-12-1",
        "metadata[partner_code]": "OPR-2003",
        "metadata[mandate_reference]": "MNDT-OPR-2003",
    }
    assert {k: sent.field(k) for k in expected} == expected
    assert set(sent.form) == set(expected)


def test_a_payment_intent_refused_at_once_is_a_gateway_error(fake_stripe: FakeStripe):  # noqa: F811
    fake_stripe.reply(
        "POST",
        "/v1/payment_intents",
        200,
        stripe_object(
            "payment_intent",
            id="pi_3Bad",
            status="requires_payment_method",
            last_payment_error={
                "type": "invalid_request_error",
                "code": "invalid_bank_account_iban",
                "message": "Bad IBAN.",
            },
        ),
    )
    with pytest.raises(GatewayError, match=r"Bad IBAN\."):
        gateway_for(fake_stripe).collect_debit(stripe_request())
    fake_stripe.reply(
        "POST",
        "/v1/payment_intents",
        400,
        stripe_error(type="invalid_request_error", message="SEPA is not enabled."),
    )
    with pytest.raises(GatewayError, match=r"SEPA is not enabled\."):
        gateway_for(fake_stripe).collect_debit(stripe_request())


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, {"type": "api_error", "message": "Something went wrong on Stripe's end."}),
        (503, {"type": "api_error", "message": "Stripe is unavailable."}),
        (
            409,
            {
                "type": "idempotency_error",
                "message": "There is currently another in-progress request using this "
                "Idempotent Key.",
            },
        ),
        (429, {"type": "invalid_request_error", "message": "Too many requests."}),
        (401, {"type": "invalid_request_error", "message": "Invalid API Key provided."}),
    ],
)
def test_stripe_not_taking_the_request_is_no_refusal(
    fake_stripe: FakeStripe,  # noqa: F811
    status: int,
    error: dict,
):
    fake_stripe.reply("POST", "/v1/payment_intents", status, stripe_error(**error))
    with pytest.raises(GatewayUnavailable) as caught:
        gateway_for(fake_stripe).collect_debit(stripe_request())
    assert str(caught.value) == error["message"]


def test_stripe_out_of_reach_is_no_refusal():
    with socket.socket() as probe:  # a port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gateway = StripeGateway(
        "sk_test_concierge_123", api_base=f"http://127.0.0.1:{port}", max_network_retries=0
    )
    with pytest.raises(GatewayUnavailable, match=r"^Could not reach Stripe: "):
        gateway.collect_debit(stripe_request())


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, {"type": "invalid_request_error", "message": "SEPA is not enabled."}),
        (402, {"type": "card_error", "code": "bank_account_unusable", "message": "Unusable."}),
    ],
)
def test_stripe_refusing_the_debit_is_a_refusal(
    fake_stripe: FakeStripe,  # noqa: F811
    status: int,
    error: dict,
):
    fake_stripe.reply("POST", "/v1/payment_intents", status, stripe_error(**error))
    with pytest.raises(GatewayError) as caught:
        gateway_for(fake_stripe).collect_debit(stripe_request())
    assert type(caught.value) is GatewayError and str(caught.value) == error["message"]


def test_black_documents_stay_black_after_collection(chef):
    db, pid = chef["db"], chef["chef"]
    write_off(db, invoice_of(db, pid).id, to=PartnerInvoiceState.LEGAL)
    assert collect(db).requested == ()
    assert status(db, pid, COLLECTION).status_text == "With our legal department"


# -- the in-app schedule -----------------------------------------------------------------------


SCHEDULE_CAP = 60  # seconds: a schedule that has not finished its first check by then hangs


def run_schedule(db, monkeypatch, *, day: date, seconds: str) -> None:
    """The lifespan task, as the app runs it, on `day`, until its first check is over: the
    second check ends it (or it stops at once when switched off)."""
    import asyncio

    from concierge_app.jobs import direct_debit as job
    from tests.conftest import run_async

    checks: list[date] = []

    def check_day() -> date:
        checks.append(day)
        if len(checks) > 1:  # the first check (and its collection) is over: stop here
            raise asyncio.CancelledError
        return day

    monkeypatch.setenv("DIRECT_DEBIT_CHECK_SECONDS", seconds)
    monkeypatch.setattr(job, "get_database", lambda: db)
    monkeypatch.setattr(job, "today", check_day)
    get_settings.cache_clear()

    async def run_until_checked() -> None:
        task = asyncio.create_task(job.collect_direct_debits_when_due())
        deadline = time.monotonic() + SCHEDULE_CAP
        while not task.done() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        done = task.done()
        task.cancel()
        assert done, f"the schedule's first check took more than {SCHEDULE_CAP} s"
        assert task.cancelled() or task.exception() is None

    try:
        run_async(run_until_checked())
    finally:
        get_settings.cache_clear()


def test_the_schedule_collects_from_the_collection_day_and_can_be_switched_off(chef, monkeypatch):
    db, pid = chef["db"], chef["chef"]
    run_schedule(db, monkeypatch, day=date(2026, 12, 9), seconds="1")  # before the 10th
    assert payments(db) == []
    run_schedule(db, monkeypatch, day=COLLECTION, seconds="0")  # switched off
    assert payments(db) == []
    run_schedule(db, monkeypatch, day=COLLECTION, seconds="1")
    (pay,) = payments(db)
    assert (pay.created_by, pay.received_on) == ("system:schedule", COLLECTION)
    assert status(db, pid, COLLECTION).status_text == "Paid"


def test_credit_the_partner_holds_is_applied_before_the_next_debit(chef):
    """A transfer made while the debit covered the invoice is kept as credit; the debit fails
    and the invoice is open again: the next collection uses the credit first, debits the rest."""
    from .test_partner_transfers import transfer

    db, pid = chef["db"], chef["chef"]
    give_mandate(db, pid, iban=failing_iban())
    invoice = invoice_of(db, pid)
    collect(db)
    kept = transfer(db, "10.00", "OPR-CHEF1", external_id="BANK-CREDIT", received_on=COLLECTION)
    assert kept.allocated == () and kept.credit_left == eur("10.00")  # nothing was open
    direct_debit.answer_sandbox_debits(db=db)  # the debit fails: €36.00 open again
    give_mandate(db, pid)  # a working account

    january = date(2027, 1, 11)
    (debit,) = collect(db, today=january).requested

    assert debit.amount == eur("26.00") and debit.documents == (invoice.number,)
    with db.read() as s:
        credit = s.exec(
            select(PartnerAllocation).where(PartnerAllocation.payment_id == kept.payment_id)
        ).one()
    assert (credit.invoice_id, credit.amount_minor) == (invoice.id, 1000)
    assert status(db, pid, january).status_text == "Paid"


# -- documents with a transfer processing --------------------------------------------------------


def test_a_document_the_partner_said_it_has_paid_is_not_debited_while_the_transfer_processes(
    chef,
):
    db, pid = chef["db"], chef["chef"]
    invoice = invoice_of(db, pid)
    expected = partner_transfers.announce_payment(
        db=db, invoice_id=invoice.id, partner_id=pid, today=date(2026, 12, 9)
    )
    assert expected == date(2026, 12, 11)  # "I've paid" on Wednesday: reflected by Friday
    before = snapshot(db)

    summary = collect(db)  # Thursday December 10: processing

    assert summary.requested == () and payments(db) == []
    (skipped,) = summary.skipped
    assert (skipped.number, skipped.outstanding, skipped.reason) == (
        invoice.number,
        eur("36.00"),
        TRANSFER_PROCESSING,
    )
    assert summary.text == (
        "Nothing new to collect. 1 document(s) skipped: a bank transfer for them is processing "
        "(collected later if still due)."
    )
    assert snapshot(db) == before
    # No money came by Friday: the invoice is debited.
    (debit,) = collect(db, today=date(2026, 12, 11)).requested
    assert (debit.amount, debit.documents) == (eur("36.00"), (invoice.number,))


def test_the_rest_of_a_document_a_transfer_is_processing_for_is_not_debited(chef):
    from .test_partner_transfers import transfer

    db, pid = chef["db"], chef["chef"]
    invoice = invoice_of(db, pid)
    part = transfer(db, "10.00", f"OPR-CHEF1 {invoice.number}", received_on=COLLECTION)
    assert part.allocated == ((invoice.number, eur("10.00")),)
    assert part.reflected_on == date(2026, 12, 14)

    summary = collect(db)

    assert summary.requested == ()
    assert [(s.number, s.outstanding, s.reason) for s in summary.skipped] == [
        (invoice.number, eur("26.00"), TRANSFER_PROCESSING)
    ]
    assert [p.method for p in payments(db)] == ["bank_transfer"]


# -- the month's scheduled collection ------------------------------------------------------------


def test_a_debit_staff_made_before_the_collection_day_does_not_take_the_month_s_schedule(chef):
    from .test_partner_notes import debit_note

    db, pid = chef["db"], chef["chef"]
    invoice = invoice_of(db, pid)
    early = collect(db, today=date(2026, 12, 5))  # staff, before the 10th
    assert [d.documents for d in early.requested] == [(invoice.number,)]
    note = debit_note(db, invoice.id, "20.00", date(2026, 12, 31), today=date(2026, 12, 6))

    scheduled = collect(db, scheduled=True)  # December 10

    (debit,) = scheduled.requested
    assert (debit.amount, debit.documents) == (eur("20.00"), (note.number,))
    assert scheduled.already_collected == 0
    assert payments(db)[-1].external_id == "DD-OPR-CHEF1-EUR-2026-12-2"
    later = collect(db, today=date(2026, 12, 11), scheduled=True)
    assert (later.requested, later.already_collected) == ((), 1)


def test_a_failed_scheduled_debit_does_not_take_the_month(chef):
    from .test_partner_notes import debit_note

    db, pid = chef["db"], chef["chef"]
    invoice = invoice_of(db, pid)
    refused = collect(db, gateway=RefusingGateway(), scheduled=True)
    assert len(refused.refused) == 1
    note = debit_note(db, invoice.id, "20.00", date(2026, 12, 31), today=date(2026, 12, 12))

    later = collect(db, today=date(2026, 12, 12), scheduled=True)

    (debit,) = later.requested
    assert (debit.amount, debit.documents) == (eur("20.00"), (note.number,))
    assert [(s.number, s.reason) for s in later.skipped] == [
        (invoice.number, direct_debit.FAILED_THIS_MONTH)
    ]


def test_once_the_schedule_collected_its_later_checks_lock_no_document(chef, monkeypatch):
    db = chef["db"]
    assert len(collect(db, scheduled=True).requested) == 1

    def lock(*args: object) -> None:
        raise AssertionError("the partner's documents were locked")

    monkeypatch.setattr(direct_debit, "open_items", lock)
    later = collect(db, today=date(2026, 12, 11), scheduled=True)
    assert (later.requested, later.already_collected) == ((), 1)


# -- a conflicting insert -----------------------------------------------------------------------


def test_a_collection_another_run_recorded_meanwhile_counts_as_collected(chef, monkeypatch):
    db = chef["db"]
    collect(db)  # DD-OPR-CHEF1-EUR-2026-12-1
    with db.transaction() as s:  # test only: the invoice open again, that debit spent
        s.exec(update(PartnerAllocation).values(reversed_at=utcnow()))
        s.exec(update(PartnerPayment).values(status="failed"))
    # This run does not see that debit (as if it had read before the other run committed):
    # it records attempt 1 again, and the database refuses a second DD-…-1.
    monkeypatch.setattr(direct_debit, "month_prefix", lambda *args: "DD-NOT-SEEN-")
    before = snapshot(db)
    summary = collect(db)
    assert (summary.requested, summary.already_collected) == ((), 1)
    assert snapshot(db) == before


def test_a_conflict_that_is_no_other_run_s_collection_is_raised(chef, monkeypatch):
    db = chef["db"]

    def conflict(*args: object, **kwargs: object) -> None:
        raise IntegrityError("INSERT INTO audit_event", {}, Exception("the audit chain moved"))

    monkeypatch.setattr(direct_debit, "record_event", conflict)
    with pytest.raises(IntegrityError, match="the audit chain moved"):
        collect(db)
    assert payments(db) == []


# -- the sandbox bank's answers -------------------------------------------------------------------


def test_an_answer_that_cannot_be_delivered_waits_and_the_others_are_still_sent(chef):
    db, gross = chef["db"], chef["gross"]
    with db.transaction() as s:
        s.exec(
            update(Partner)
            .where(col(Partner.id) == gross)
            .values(commission_payment_method="direct_debit")
        )
    give_mandate(db, gross, reference="MNDT-PRP-GRS01")
    assert [r.partner_code for r in collect(db).requested] == ["OPR-CHEF1", "PRP-GRS01"]
    delivered: list[str] = []

    def flaky(payload: bytes, signature: str) -> object:
        if not delivered:
            delivered.append("lost")
            raise ConnectionError("the webhook endpoint went away")
        delivered.append(json.loads(payload)["data"]["object"]["metadata"]["partner_code"])
        return receive_webhook(db=db, payload=payload, signature=signature)

    bank = SandboxGateway(
        db, webhook_secret=webhook_secret(), send_event=flaky, base_url="http://127.0.0.1"
    )
    with pytest.raises(ConnectionError, match="went away"):
        bank.answer_debits(failing_iban=failing_iban())

    assert delivered == ["lost", "PRP-GRS01"]  # the first was lost, the next still sent
    assert direct_debit.sandbox_pending_debits(db=db) == 1  # the lost one waits
    (noted,) = audit_actions(db, "partner_payment.direct_debit_succeeded")
    assert noted["external_id"] == "DD-PRP-GRS01-EUR-2026-12-1"
    assert bank.answer_debits(failing_iban=failing_iban()) == DebitAnswers(1, 0)
    assert delivered[-1] == "OPR-CHEF1" and direct_debit.sandbox_pending_debits(db=db) == 0
    assert {
        n["external_id"] for n in audit_actions(db, "partner_payment.direct_debit_succeeded")
    } == {
        "DD-OPR-CHEF1-EUR-2026-12-1",
        "DD-PRP-GRS01-EUR-2026-12-1",
    }


# -- a new account without direct debit -----------------------------------------------------------


def test_a_new_account_of_a_partner_not_paying_by_direct_debit_drops_the_old_mandate(chef):
    db, gross = chef["db"], chef["gross"]  # pays by bank transfer
    give_mandate(db, gross, reference="MNDT-PRP-GRS01")
    partner_finance.update_bank_account(
        db=db, partner_id=gross, account_holder="Chef S.L.", iban=GOOD_IBAN, bic="", actor=ACTOR
    )
    assert direct_debit_mandate.mandate_of(db=db, partner_id=gross).reference == "MNDT-PRP-GRS01"

    partner_finance.update_bank_account(
        db=db,
        partner_id=gross,
        account_holder="Chef S.L.",
        iban="DE89 3704 0044 0532 0130 00",
        bic="",
        actor=ACTOR,
    )

    assert direct_debit_mandate.mandate_of(db=db, partner_id=gross) is None
    with db.read() as s:
        account = s.exec(
            select(PartnerBankAccount).where(PartnerBankAccount.partner_id == gross)
        ).one()
    assert (account.iban, account.mandate_reference, account.mandate_signed_on) == (
        "DE89370400440532013000",
        None,
        None,
    )
    (withdrawn,) = audit_actions(db, "partner.mandate_withdrawn")
    assert withdrawn == {
        "before": "MNDT-PRP-GRS01",
        "after": None,
        "iban": "DE89 •••• •••• •••• •••• 3000",
    }
    assert audit_actions(db, "partner.mandate_reissued") == []
