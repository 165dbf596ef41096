"""Reconciliation with the sandbox of a partner's direct debit: requested (pending at the bank)
and paid, it matches the ledger's partner payment by its "pi_…"; a debit the bank refused moved
no money on either side. The sandbox's refunds are recorded once per idempotency key."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from concierge_app.adapters.payments.sandbox import SandboxRefunds
from concierge_app.db.sandbox_refunds import SandboxRefund
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import Period
from concierge_app.services.payments.provider import sandbox_gateway
from concierge_app.services.reconciliation.runs import run_reconciliation

from .test_direct_debit import collect, failing_iban, give_mandate
from .test_partner_documents import ledger  # noqa: F401  (fixture)


def reconcile(db):
    today = datetime.now(UTC).date()
    return run_reconciliation(db=db, period=Period.of(today), actor="system:test", today=today)


def test_a_direct_debit_matches_while_pending_and_once_paid(ledger):  # noqa: F811
    db = ledger["db"]
    give_mandate(db, ledger["chef"])
    gateway = sandbox_gateway(db)
    assert collect(db, gateway=gateway).requested
    pending = reconcile(db)
    assert pending.drift_count == 0
    assert {(c.kind, c.outcome): c.count for c in pending.counts} == {("Payment", "Matched"): 1}
    assert gateway.answer_debits(failing_iban=failing_iban()).succeeded == 1
    assert reconcile(db).drift_count == 0


def test_a_refused_debit_is_on_neither_side(ledger):  # noqa: F811
    db = ledger["db"]
    give_mandate(db, ledger["chef"], iban=failing_iban())
    gateway = sandbox_gateway(db)
    collect(db, gateway=gateway)
    assert gateway.answer_debits(failing_iban=failing_iban()).failed == 1
    run = reconcile(db)
    assert run.drift_count == 0 and run.counts == ()


def test_a_sandbox_refund_is_kept_once_per_key(ledger):  # noqa: F811
    db = ledger["db"]
    refunds = SandboxRefunds(db)
    first = refunds.refund(payment_reference="pi_x", amount=Money(500, "EUR"), idempotency_key="k")
    again = refunds.refund(payment_reference="pi_x", amount=Money(500, "EUR"), idempotency_key="k")
    assert first == again and first.startswith("re_sandbox_")
    assert (
        SandboxRefunds().refund(
            payment_reference="pi_x", amount=Money(500, "EUR"), idempotency_key="k"
        )
        == first
    )  # without the database: the same id, nothing kept
    with db.read() as s:
        (kept,) = s.exec(select(SandboxRefund)).all()
    assert (kept.id, kept.amount_minor, kept.currency, kept.payment_intent) == (
        first,
        500,
        "EUR",
        "pi_x",
    )
