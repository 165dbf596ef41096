"""Reconciliation with the sandbox provider: the demo data reconciles to zero drift; one injected
mismatch of each kind is flagged; the daily job runs once a day and tells finance staff."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from concierge_app.db.engine import Database
from concierge_app.db.messaging import OutboxMessage
from concierge_app.db.payments import PaymentAttempt, Refund
from concierge_app.db.reconciliation import ReconciliationDifference, ReconciliationRun
from concierge_app.db.sandbox import SandboxCheckoutSession
from concierge_app.db.sandbox_refunds import SandboxRefund
from concierge_app.demo.seed import load_demo
from concierge_app.domain.errors import DomainError
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import Period
from concierge_app.domain.reconciliation import Item, ItemKind
from concierge_app.services.reconciliation.runs import run_daily, run_reconciliation
from concierge_app.services.reconciliation.views import last_run


def today() -> date:
    return datetime.now(UTC).date()


def reconcile_now(db: Database):
    return run_reconciliation(db=db, period=Period.of(today()), actor="system:test", today=today())


def outcomes(view) -> dict[str, str]:
    return {d.reference: d.outcome for d in view.differences}


def test_the_demo_data_reconciles_to_zero_drift(db: Database):
    load_demo(db)
    view = reconcile_now(db)
    assert view.provider == "sandbox" and view.ends_on == today()  # the month so far
    assert view.drift_count == 0 and view.differences == ()
    matched = {(c.kind, c.outcome): c.count for c in view.counts}
    # two paid guest checkouts and the Kyoto refund, each matched at the sandbox
    assert matched == {("Payment", "Matched"): 2, ("Refund", "Matched"): 1}
    with db.read() as s:
        assert len(s.exec(select(SandboxRefund)).all()) == 1
        refund = s.exec(select(Refund)).one()
        assert refund.provider_reference and refund.provider_reference.startswith("re_sandbox_")


def test_one_injected_mismatch_of_each_kind_is_flagged(db: Database):
    load_demo(db)
    with db.transaction() as s:
        sessions = s.exec(select(SandboxCheckoutSession).order_by(SandboxCheckoutSession.id)).all()
        # amount differs: the sandbox charged 1 more than the ledger holds
        sessions[0].amount_minor += 1
        s.add(sessions[0])
        # currency differs: the refund was made in another currency at the provider
        refund = s.exec(select(SandboxRefund)).one()
        refund.currency = "USD"
        s.add(refund)
        # only at the provider: a payment the ledger never heard of
        s.add(
            SandboxCheckoutSession(
                id="cs_test_sandbox_stray",
                attempt_id="pa_stray",
                booking_reference="AZ-24001",
                currency="EUR",
                amount_minor=4200,
                lines_json="[]",
                customer_email="x@example.com",
                success_url="https://x",
                cancel_url="https://x",
                status="complete",
                payment_intent="pi_sandbox_stray",
                completed_at=datetime.now(UTC),
            )
        )
        # only in the ledger: the other paid checkout's record is gone at the provider
        s.delete(sessions[1])
        ours = s.exec(
            select(PaymentAttempt).where(PaymentAttempt.id == sessions[1].attempt_id)
        ).one()
        ledger_only = ours.provider_payment_id
    view = reconcile_now(db)
    assert view.drift_count == 4
    got = outcomes(view)
    assert got[sessions[0].payment_intent] == "Amount differs"
    assert got[refund.id] == "Currency differs"
    assert got["pi_sandbox_stray"] == "Only at the provider"
    assert got[ledger_only] == "Only in the ledger"
    # stored, and nothing in the ledger was touched or "fixed"
    assert last_run(db=db) == view
    with db.read() as s:
        run = s.get(ReconciliationRun, view.id)
        assert run is not None and run.drift_count == 4
        rows = s.exec(
            select(ReconciliationDifference).where(ReconciliationDifference.run_id == view.id)
        ).all()
        assert {json.loads(r.provider_json) == [] for r in rows} == {True, False}
        assert s.get(PaymentAttempt, ours.id).status == "succeeded"


def test_the_daily_job_runs_once_a_day_and_tells_finance_of_drift(db: Database):
    load_demo(db)
    tomorrow = today() + timedelta(days=1)
    clean = run_daily(db=db, today=tomorrow)
    assert clean.drift_count == 0
    assert clean.ends_on == today()  # yesterday's month, up to the end of yesterday
    with db.transaction() as s:
        s.delete(s.exec(select(SandboxRefund)).one())
    # the same day again: the same run, nothing new
    assert run_daily(db=db, today=tomorrow) == clean
    day_after = tomorrow + timedelta(days=1)
    flagged = run_daily(db=db, today=day_after)
    again = run_daily(db=db, today=day_after)
    assert flagged == again and flagged.drift_count in (0, 1)
    with db.read() as s:
        runs = s.exec(select(ReconciliationRun)).all()
        assert len(runs) == 2
        messages = s.exec(
            select(OutboxMessage).where(OutboxMessage.template_key == "reconciliation_drift")
        ).all()
    if Period.of(today()) == Period.of(tomorrow):  # the refund is in yesterday's period
        assert flagged.drift_count == 1
        assert [d.outcome for d in flagged.differences] == ["Only in the ledger"]
        assert len(messages) == 1 and "1 differences" in messages[0].subject


def test_a_period_not_started_yet_is_refused_and_nothing_is_stored(db: Database):
    later = today().replace(day=1) + timedelta(days=40)
    with pytest.raises(DomainError) as refused:
        run_reconciliation(db=db, period=Period.of(later), actor="system:test", today=today())
    assert refused.value.field == "period"
    with db.read() as s:
        assert s.exec(select(ReconciliationRun)).all() == []
    past = run_reconciliation(db=db, period=Period(2024, 2), actor="system:test", today=today())
    assert past.ends_on == date(2024, 2, 29) and past.counts == ()  # a whole (leap) month


class Records:
    """A provider that reports the given items (a stand-in for Stripe)."""

    name = "stripe"

    def __init__(self, *items: Item) -> None:
        self.items = items

    def provider_records(self, *, start, end, progress=None):
        return self.items


def test_a_huge_odd_reference_at_the_provider_is_stored_cut_and_says_so(db: Database):
    reference = "pi_\u202eẞ😀\x00" + "x" * 10_000
    huge = Item(ItemKind.PAYMENT, reference, Money(2**62, "KWD"))
    view = run_reconciliation(
        db=db, period=Period.of(today()), actor="system:test", today=today(), records=Records(huge)
    )
    (row,) = view.differences
    assert row.outcome == "Only at the provider"
    assert row.reference == reference[:255].replace("\x00", "\ufffd")
    assert "NUL characters" in row.note and "10,007 characters: shown cut" in row.note
    assert "4,611,686,018,427,387.904" in row.provider  # KWD: three decimals, exact


def test_the_daily_message_takes_a_hostile_reference_too(db: Database):
    odd = Item(ItemKind.REFUND, "re_\x00" + "ẞ" * 400, Money(1, "EUR"))
    run = run_daily(db=db, today=today() + timedelta(days=1), records=Records(odd))
    assert run.drift_count == 1
    with db.read() as s:
        (message,) = s.exec(
            select(OutboxMessage).where(OutboxMessage.template_key == "reconciliation_drift")
        ).all()
    assert "\x00" not in message.body and "Only at the provider" in message.body
