"""A bank transfer and the direct-debit collection landing on the same invoice at once: the
invoice is allocated once, never twice; what the loser brought stays as the partner's credit.

Both paths lock the partner's open documents (`partner_payments.open_items`, FOR UPDATE) before
reading what is still due. On PostgreSQL every other round is gated: a third connection holds
the invoice's row lock until both racers are queued behind it, so each has read the ledger
before either writes — the interleaving that breaks check-then-act code; the racers queue in
start order, which alternates, so both outcomes are exercised. The other rounds start together
on a barrier. SQLite (one writer, BEGIN IMMEDIATE) runs the same races and assertions.

Each round is a new month (the collection requests a document at most once a month); between
rounds the test reverses every allocation of the invoice, so it is open again.

Also on PostgreSQL: two requests of one debit (one idempotency key) reaching the sandbox bank
at once record one debit, and the second gets the first's id.
"""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, insert, text
from sqlmodel import col, select, update

from concierge_app.adapters.payments.gateway import DebitRequest
from concierge_app.db.engine import Database
from concierge_app.db.partner_payments import PartnerAllocation, PartnerPayment
from concierge_app.db.sandbox import SandboxDebit
from concierge_app.db.types import utcnow
from concierge_app.domain.partner_billing import Period
from concierge_app.domain.statuses import PartnerPaymentStatus
from concierge_app.services.partner.money import transfers as partner_transfers
from concierge_app.services.payments import direct_debit
from concierge_app.services.payments.provider import sandbox_gateway
from concierge_app.services.shared.audit import verify_chain
from concierge_app.services.shared.common import table_of

from ..factories import ACTOR
from .test_direct_debit import give_mandate
from .test_partner_documents import ledger  # noqa: F401  (fixture)
from .test_partner_transfers import eur, invoice_of

ROUNDS = 12
JOIN_TIMEOUT = 60  # seconds: a racer still running after this is a hang (a deadlock)


@pytest.fixture(
    params=[pytest.param("postgres", marks=pytest.mark.postgres), pytest.param("sqlite")]
)
def db(request: pytest.FixtureRequest) -> Database:
    """PostgreSQL first (the point of this file), then the same race on SQLite."""
    return request.getfixturevalue("pg_db" if request.param == "postgres" else "sqlite_db")


def live_allocated(db: Database, invoice_id: int) -> int:
    with db.read() as s:
        return int(
            s.exec(
                select(func.coalesce(func.sum(PartnerAllocation.amount_minor), 0)).where(
                    PartnerAllocation.invoice_id == invoice_id,
                    col(PartnerAllocation.reversed_at).is_(None),
                )
            ).one()
        )


def lock_waiters(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
        )


def race(db: Database, invoice_id: int, calls: list, *, gated: bool) -> None:
    """Run the calls at once, one thread each; gated: queued on the invoice's row lock in
    list order (PostgreSQL), else started together on a barrier."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(calls))

    def run(call) -> None:
        try:
            if not gated:
                barrier.wait(timeout=JOIN_TIMEOUT)
            call()
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=run, args=(c,), daemon=True) for c in calls]
    if gated:
        with db.engine.connect() as gate:
            tx = gate.begin()
            gate.execute(
                text("SELECT id FROM partner_invoice WHERE id = :id FOR UPDATE"), {"id": invoice_id}
            )
            for n, thread in enumerate(threads, start=1):
                thread.start()
                deadline = time.monotonic() + 10
                while lock_waiters(db) < n:
                    assert time.monotonic() < deadline, "a racer did not queue on the lock"
                    time.sleep(0.005)
            tx.rollback()
    else:
        for thread in threads:
            thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
        assert not thread.is_alive(), "a racer hung (a deadlock?)"
    assert errors == [], errors


def test_a_transfer_and_a_direct_debit_at_once_allocate_the_invoice_once(ledger):  # noqa: F811
    db, chef = ledger["db"], ledger["chef"]
    give_mandate(db, chef)
    invoice = invoice_of(db, chef)
    due = 3600  # €60.00 − €24.00 deducted from the payout
    gateway = sandbox_gateway(db)
    winners: list[str] = []
    month = Period(2027, 1)
    for round_no in range(ROUNDS):
        today = date(month.year, month.month, 10)
        assert live_allocated(db, invoice.id) == 0
        outcome: dict[str, Any] = {}

        def pay_by_transfer(today: date = today, n: int = round_no, out: dict = outcome) -> None:
            out["transfer"] = partner_transfers.record_bank_transfer(
                db=db,
                amount=eur("36.00"),
                reference=f"OPR-CHEF1 {invoice.number}",
                received_on=today,
                external_id=f"RACE-{n}",
                actor=ACTOR,
            )

        def collect(today: date = today, out: dict = outcome) -> None:
            out["debit"] = direct_debit.collect_direct_debits(
                db=db, today=today, actor=ACTOR, gateway=gateway
            )

        transfer_first = round_no % 4 < 2
        gated = db.dialect == "postgresql" and round_no % 2 == 0
        calls = [pay_by_transfer, collect] if transfer_first else [collect, pay_by_transfer]
        race(db, invoice.id, calls, gated=gated)

        # Paid exactly once: never more than what was due.
        assert live_allocated(db, invoice.id) == due
        transfer, debits = outcome["transfer"], outcome["debit"].requested
        allocated = sum(m.minor for _, m in transfer.allocated)
        assert allocated + transfer.credit_left.minor == due
        if debits:
            (debit,) = debits
            assert debit.amount == eur("36.00") and debit.refused is None
            assert allocated == 0  # the transfer came second: all of it is credit
            winners.append("debit")
        else:
            assert allocated == due and transfer.credit_left.is_zero
            winners.append("transfer")
        if gated:  # the racer that queued first on the lock wins
            assert winners[-1] == ("transfer" if transfer_first else "debit")

        with db.transaction() as s:  # open the invoice again for the next round (test only)
            s.exec(
                update(PartnerAllocation)
                .where(
                    col(PartnerAllocation.invoice_id) == invoice.id,
                    col(PartnerAllocation.reversed_at).is_(None),
                )
                .values(reversed_at=utcnow())
            )
            # …and spend this round's money elsewhere: no credit left over for the next
            # round (the collection would use it first)
            s.exec(update(PartnerPayment).values(status=PartnerPaymentStatus.FAILED.value))
        month = month.next()

    if db.dialect == "postgresql":
        assert set(winners) == {"debit", "transfer"}, winners
    assert verify_chain(db=db).ok


@pytest.mark.postgres
def test_two_requests_with_one_key_at_once_record_one_sandbox_debit(pg_db: Database) -> None:
    """The first request has inserted the key, not committed yet; the second finds nothing,
    inserts, waits on the key's unique index, and must then answer with the first's debit."""
    db = pg_db
    request = DebitRequest(
        payment_id=7,
        external_id="DD-OPR-CHEF1-EUR-2027-01-1",
        partner_code="OPR-CHEF1",
        amount=eur("36.00"),
        iban="ES7921000813610123456789",
        account_holder="Chef S.L.",
        email="opr-chef1@example.com",
        mandate_reference="MNDT-OPR-CHEF1",
        mandate_signed_on=date(2026, 8, 1),
        description="Commission OPR-CHEF1",
    )
    answered: dict[str, str] = {}
    errors: list[BaseException] = []

    def second() -> None:
        try:
            answered["id"] = sandbox_gateway(db).collect_debit(request)
        except BaseException as err:  # reported below
            errors.append(err)

    thread = threading.Thread(target=second, daemon=True)
    with db.engine.connect() as first:
        tx = first.begin()
        first.execute(
            insert(table_of(SandboxDebit)).values(
                id="pi_sandbox_dd_first",
                idempotency_key=request.idempotency_key,
                iban=request.iban,
                mandate_reference=request.mandate_reference,
                currency="EUR",
                amount_minor=3600,
                metadata_json="{}",
                status="pending",
                created_at=utcnow(),
            )
        )
        thread.start()
        deadline = time.monotonic() + 10
        while lock_waiters(db) < 1:
            assert time.monotonic() < deadline, "the second request did not wait on the key"
            time.sleep(0.005)
        tx.commit()
    thread.join(JOIN_TIMEOUT)
    assert not thread.is_alive(), "the second request hung"
    assert errors == [] and answered == {"id": "pi_sandbox_dd_first"}
    with db.read() as s:
        assert s.exec(select(func.count()).select_from(SandboxDebit)).one() == 1
