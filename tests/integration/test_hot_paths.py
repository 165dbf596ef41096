"""The hot paths (issue 19, part 3) in the statements they cost, and the branches their leaner
forms added: a receipt asked twice hands its number back, a draft found or created by one upsert,
a sent invoice or a confirmed service refused as before, the audit chain appended in one
statement on SQLite and still verified."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func
from sqlmodel import select

from concierge_app.db.bookings import ServiceItem
from concierge_app.db.engine import Database
from concierge_app.db.invoicing import GuestInvoice, NumberSequence
from concierge_app.db.payments import GuestReceipt, ProviderEvent
from concierge_app.domain.errors import InvalidTransition, NotFound
from concierge_app.domain.guest_documents import RECEIPT_SERIES
from concierge_app.domain.lifecycle import InvoiceStatus
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services.guest import bookings, invoicing, portfolio
from concierge_app.services.guest.receipts import issue_receipt
from concierge_app.services.shared.audit import verify_chain

from ..factories import ACTOR, add_service, draft_id, make_world, send_draft, snapshot
from ..stripe_objects import stripe_event, stripe_object
from .test_webhooks import deliver, open_attempt, session_event


@contextmanager
def counted(db: Database) -> Iterator[list[str]]:
    """The statements sent to the database inside the block (BEGIN included on SQLite)."""
    statements: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def _first_of_the_series(w) -> None:
    """A first invoice sent and paid: the number series' rows exist (their first use costs
    two statements more, once)."""
    add_service(w, S.PLATFORM_COLLECTS_FULL, "10.00")
    attempt = open_attempt(w, send_draft(w))
    assert deliver(w.db, session_event(attempt)).outcome == "fulfilled"


def test_confirm_and_send_cost_6_statements_each_on_sqlite(sqlite_db):
    w = make_world(sqlite_db)
    _first_of_the_series(w)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00")  # the draft exists
    sid = add_service(w, S.PLATFORM_COLLECTS_FULL, "50.00", confirm=False)
    with counted(sqlite_db) as confirm:
        done = portfolio.confirm_service(db=sqlite_db, service_id=sid, actor=ACTOR)
    assert len(confirm) <= 6, confirm
    assert done.billed == w.money("50.00")
    with counted(sqlite_db) as send:
        sent = invoicing.send_invoice(db=sqlite_db, invoice_id=done.invoice_id, actor=ACTOR)
    assert len(send) <= 6, send
    # no link row (the message's link is derived) and no template look-up of its own
    assert not any(
        st.startswith(("INSERT INTO guest_link", "SELECT lifecycle_template")) for st in send
    )
    assert sent.total == w.money("150.00")
    assert verify_chain(db=sqlite_db).ok


def test_a_webhook_first_delivery_costs_11_statements_and_a_duplicate_one(sqlite_db):
    w = make_world(sqlite_db)
    _first_of_the_series(w)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00")
    attempt = open_attempt(w, send_draft(w))
    paid = session_event(attempt)
    with counted(sqlite_db) as first:
        assert deliver(sqlite_db, paid).outcome == "fulfilled"
    assert len(first) <= 11, first
    before = snapshot(sqlite_db)
    with counted(sqlite_db) as again:
        assert deliver(sqlite_db, paid).outcome == "duplicate event (ignored)"
    assert len(again) == 1, again  # one SELECT, no BEGIN
    assert snapshot(sqlite_db) == before
    with sqlite_db.read() as s:
        stored = s.exec(select(ProviderEvent).where(ProviderEvent.attempt_id == attempt.id)).one()
    assert stored.outcome == "fulfilled"  # stored with its outcome, in the same transaction
    assert verify_chain(db=sqlite_db).ok


def test_an_ignored_event_is_stored_once_with_its_reason(db):
    ignored = stripe_event("payout.paid", stripe_object("payout"), event_id="evt_cust_1")
    assert deliver(db, ignored).outcome == "payout.paid is not handled (ignored)"
    assert deliver(db, ignored).outcome == "duplicate event (ignored)"
    with db.read() as s:
        rows = s.exec(select(ProviderEvent).where(ProviderEvent.event_id == "evt_cust_1")).all()
    assert [r.outcome for r in rows] == ["payout.paid is not handled (ignored)"]


def test_a_receipt_asked_for_twice_keeps_its_number_and_leaves_no_gap(db):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00")
    attempt = open_attempt(w, send_draft(w))
    assert deliver(db, session_event(attempt)).outcome == "fulfilled"
    with db.read() as s:
        number = s.exec(
            select(GuestReceipt.number).where(GuestReceipt.attempt_id == attempt.id)
        ).one()
        last = s.get(NumberSequence, RECEIPT_SERIES).last_value
        paid_at = s.get(GuestReceipt, 1).paid_at
    with db.transaction() as session:
        again = issue_receipt(
            session,
            booking_id=w.booking_id,
            attempt_id=attempt.id,
            amount=w.money("100.00"),
            provider="sandbox",
            paid_at=paid_at,
        )
    assert again == number
    with db.read() as s:
        assert s.get(NumberSequence, RECEIPT_SERIES).last_value == last  # handed back
        count = s.exec(select(func.count()).select_from(GuestReceipt)).one()
    assert count == 1


def test_the_draft_is_created_once_then_its_total_moves(db):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00")
    add_service(w, S.PLATFORM_COLLECTS_DEPOSIT, "300.00", "75.00")
    with db.read() as s:
        drafts = s.exec(
            select(GuestInvoice).where(
                GuestInvoice.booking_id == w.booking_id, GuestInvoice.status == "draft"
            )
        ).all()
    assert [(d.id, d.total_minor) for d in drafts] == [(draft_id(w), 17_500)]
    first = send_draft(w)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "20.00")  # a new draft after the send
    assert draft_id(w) != first
    with db.read() as s:
        assert s.get(GuestInvoice, draft_id(w)).total_minor == 2_000


def test_refusals_are_the_same_and_change_nothing(db):
    w = make_world(db)
    sid = add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00")
    draft = draft_id(w)
    before = snapshot(db)
    with pytest.raises(InvalidTransition, match="already confirmed"):
        portfolio.confirm_service(db=db, service_id=sid, actor=ACTOR)
    with pytest.raises(NotFound):
        portfolio.confirm_service(db=db, service_id=999_999, actor=ACTOR)
    assert snapshot(db) == before
    invoicing.send_invoice(db=db, invoice_id=draft, actor=ACTOR)
    before = snapshot(db)
    with db.read() as s:
        numbers = s.exec(select(NumberSequence)).all()
    with pytest.raises(InvalidTransition):
        invoicing.send_invoice(db=db, invoice_id=draft, actor=ACTOR)
    with pytest.raises(NotFound):
        invoicing.send_invoice(db=db, invoice_id=999_999, actor=ACTOR)
    assert snapshot(db) == before
    with db.read() as s:  # no invoice number reserved by a refusal
        assert s.exec(select(NumberSequence)).all() == numbers
        assert s.get(GuestInvoice, draft).status == InvoiceStatus.ACTIVE


def test_an_empty_draft_or_a_cancelled_booking_is_refused_without_a_trace(db):
    w = make_world(db)
    sid = add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00")
    draft = draft_id(w)
    portfolio.cancel_service(db=db, service_id=sid, actor=ACTOR)  # the draft is empty now
    before = snapshot(db)
    with pytest.raises(InvalidTransition, match="empty"):
        invoicing.send_invoice(db=db, invoice_id=draft, actor=ACTOR)
    assert snapshot(db) == before
    other = add_service(w, S.PLATFORM_COLLECTS_FULL, "80.00", confirm=False)
    bookings.cancel_booking(db=db, booking_id=w.booking_id, actor=ACTOR, reason="test")
    with db.read() as s:
        lifecycle = s.get(ServiceItem, other).lifecycle
    before = snapshot(db)
    with pytest.raises(InvalidTransition, match="cancelled"):
        portfolio.confirm_service(db=db, service_id=other, actor=ACTOR)
    assert snapshot(db) == before
    with db.read() as s:
        assert s.get(ServiceItem, other).lifecycle == lifecycle


@pytest.mark.parametrize("rate_bps", [1_250, 1_333, 0, 10_000])
def test_commissions_earned_in_one_statement_round_half_up_as_the_domain_does(db, rate_bps):
    from concierge_app.db.payments import Commission
    from concierge_app.domain.money import Money, Rounding

    w = make_world(db, rate_bps=rate_bps)
    amounts = ["0.04", "0.05", "1.99", "123.45", "0.01"]  # halves and near-halves of a cent
    for amount in amounts:
        add_service(w, S.PLATFORM_COLLECTS_FULL, amount)
    attempt = open_attempt(w, send_draft(w))
    assert deliver(db, session_event(attempt)).outcome == "fulfilled"
    with db.read() as s:
        rows = s.exec(select(Commission).order_by(Commission.id)).all()
    assert [r.base_minor for r in rows] == [w.money(a).minor for a in amounts]
    for row in rows:
        expected = Money(row.base_minor, "EUR").basis_points(rate_bps, rounding=Rounding.HALF_UP)
        assert (row.rate_bps, row.amount_minor) == (rate_bps, expected.minor)
        assert (row.kind, row.attempt_id, row.booking_id) == ("earned", attempt.id, w.booking_id)


def test_a_service_paid_after_it_was_cancelled_is_flagged_and_no_other(db):
    w = make_world(db)
    kept = add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00")
    dropped = add_service(w, S.PLATFORM_COLLECTS_FULL, "40.00")
    attempt = open_attempt(w, send_draft(w))
    with db.transaction() as s:  # cancelled behind the open checkout's back (a race)
        s.get(ServiceItem, dropped).lifecycle = "cancelled"
    assert deliver(db, session_event(attempt)).outcome == "fulfilled"
    with db.read() as s:
        assert s.get(ServiceItem, dropped).refund_required
        assert not s.get(ServiceItem, kept).refund_required


@pytest.mark.postgres
def test_on_postgresql_confirm_send_and_a_first_delivery_cost_9_11_and_14_statements(pg_db):
    w = make_world(pg_db)
    _first_of_the_series(w)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00")
    sid = add_service(w, S.PLATFORM_COLLECTS_FULL, "50.00", confirm=False)
    with counted(pg_db) as confirm:
        done = portfolio.confirm_service(db=pg_db, service_id=sid, actor=ACTOR)
    assert len(confirm) <= 9, confirm
    with counted(pg_db) as send:
        invoicing.send_invoice(db=pg_db, invoice_id=done.invoice_id, actor=ACTOR)
    assert len(send) <= 11, send
    attempt = open_attempt(w, done.invoice_id)
    with counted(pg_db) as first:
        assert deliver(pg_db, session_event(attempt)).outcome == "fulfilled"
    assert len(first) <= 14, first
    assert verify_chain(db=pg_db).ok
