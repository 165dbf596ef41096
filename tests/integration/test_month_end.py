"""The month-end run on SQLite and PostgreSQL: what departed, payout netting, idempotent
reruns, and a crash in the middle followed by a rerun (no duplicates, no gaps)."""

from __future__ import annotations

import itertools
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select

from concierge_app.db.partner_billing import (
    MonthEndRun,
    PartnerInvoice,
    PartnerStatement,
    Payout,
)
from concierge_app.db.types import table_of
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import Period
from concierge_app.domain.statement import parse_statement
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services.guest import bookings, portfolio
from concierge_app.services.partner.billing import month_end, month_end_steps

from ..factories import ACTOR, make_partner

NOV = Period(2026, 11)
RUN_DATE = date(2026, 12, 2)


def stay(db, property_id, check_in, check_out, total="1000.00", collected_by="platform"):
    guest = bookings.create_guest(db=db, name="Ana Ruiz", email="ana@example.com")
    return bookings.create_booking(
        db=db,
        reference=f"ME-{check_out:%m%d}-{property_id}-{check_in:%d}",
        guest_id=guest,
        property_id=property_id,
        check_in=check_in,
        check_out=check_out,
        currency="EUR",
        accommodation_total=Money.parse(total, "EUR"),
        accommodation_collected_by=collected_by,
        actor=ACTOR,
    )


def service(db, booking_id, operator_id, day, strategy, gross, deposit=None, confirm=True):
    sid = portfolio.add_service_item(
        db=db,
        booking_id=booking_id,
        operator_id=operator_id,
        title=f"Service on {day}",
        service_date=day,
        gross=Money.parse(gross, "EUR"),
        strategy=strategy,
        deposit=None if deposit is None else Money.parse(deposit, "EUR"),
        actor=ACTOR,
    )
    if confirm:
        portfolio.confirm_service(db=db, service_id=sid, actor=ACTOR)
    return sid


def run(db, **kw):
    return month_end.run_month_end(db=db, period=NOV, run_date=RUN_DATE, actor=ACTOR, **kw)


def invoices(db):
    with db.read() as s:
        return list(s.exec(select(PartnerInvoice).order_by(col(PartnerInvoice.number))).all())


def lines_of(db, invoice_id):
    """The invoice's statement lines as billed, in the order the stays and services were made."""
    with db.read() as s:
        statement = s.exec(
            select(PartnerStatement)
            .join(PartnerInvoice, col(PartnerInvoice.statement_id) == PartnerStatement.id)
            .where(PartnerInvoice.id == invoice_id)
        ).one()
    billed = sorted(
        parse_statement(statement.lines, statement.rate_bps), key=lambda b: (b.source, b.source_id)
    )
    return [
        SimpleNamespace(
            source_id=b.source_id,
            base_minor=b.base_minor,
            collected_by=b.collected_by,
            commission_minor=b.commission_minor,
            deducted_minor=b.deducted_minor(statement.net_payout),
        )
        for b in billed
    ]


def counts(db):
    with db.read() as s:
        return tuple(
            s.exec(select(func.count()).select_from(t)).one()
            for t in (PartnerInvoice, PartnerStatement, Payout)
        )


def test_only_what_departed_in_the_month_is_invoiced_one_line_each(db):
    villa = make_partner(db, kind="property", rate_bps=1500)
    first = stay(db, villa, date(2026, 10, 28), date(2026, 11, 1))  # departs Nov 1: in
    last = stay(db, villa, date(2026, 11, 25), date(2026, 11, 30))  # Nov 30: in
    stay(db, villa, date(2026, 10, 20), date(2026, 10, 31))  # Oct 31: out
    stay(db, villa, date(2026, 11, 28), date(2026, 12, 1))  # Dec 1: out
    cancelled = stay(db, villa, date(2026, 11, 10), date(2026, 11, 12))
    bookings.cancel_booking(db=db, booking_id=cancelled, actor=ACTOR, reason="Guest cancelled")
    summary = run(db)
    (invoice,) = invoices(db)
    assert (summary.invoices_created, summary.lines_created) == (1, 2)
    assert [ln.source_id for ln in lines_of(db, invoice.id)] == [first, last]
    assert invoice.amount_minor == 2 * 15000  # 15% of 1,000.00, twice
    assert (invoice.invoice_date, invoice.due_date) == (RUN_DATE, date(2026, 12, 16))
    assert invoice.number == "CM-2026-000001" and invoice.period == "2026-11"


def test_services_count_by_service_date_and_cancelled_or_included_ones_are_left_out(db):
    villa = make_partner(db, kind="property")
    chef = make_partner(db, kind="operator", rate_bps=1200)
    booking = stay(db, villa, date(2026, 11, 20), date(2026, 12, 3))  # departs in December
    service(db, booking, chef, date(2026, 11, 22), S.PLATFORM_COLLECTS_FULL, "200.00")
    deposit = service(
        db, booking, chef, date(2026, 11, 24), S.PLATFORM_COLLECTS_DEPOSIT, "500.00", "100.00"
    )
    service(db, booking, chef, date(2026, 11, 25), S.OPERATOR_COLLECTS_FULL, "300.00")
    service(db, booking, chef, date(2026, 11, 26), S.INCLUDED_IN_STAY, "0.00")
    gone = service(db, booking, chef, date(2026, 11, 27), S.PLATFORM_COLLECTS_FULL, "90.00")
    portfolio.cancel_service(db=db, service_id=gone, actor=ACTOR)
    service(db, booking, chef, date(2026, 12, 1), S.PLATFORM_COLLECTS_FULL, "80.00")
    run(db)
    (invoice,) = invoices(db)  # the villa: nothing departed in November
    lines = lines_of(db, invoice.id)
    assert [(ln.base_minor, ln.collected_by) for ln in lines] == [
        (20000, "platform"),
        (50000, "shared"),
        (30000, "partner"),
    ]
    assert invoice.amount_minor == 2400 + 6000 + 3600  # 12% of each gross
    # deducted from the payout: commission on what the platform collected (gross, deposit)
    assert invoice.deducted_minor == 2400 + 1200
    assert [ln.deducted_minor for ln in lines] == [2400, 1200, 0]
    with db.read() as s:
        payout = s.exec(select(Payout)).one()
    assert (payout.gross_minor, payout.commission_minor, payout.net_minor) == (
        30000,
        3600,
        26400,
    )
    assert lines[1].source_id == deposit


def test_a_partner_paid_out_gross_pays_the_whole_commission(db):
    villa = partners_gross(db)
    stay(db, villa, date(2026, 11, 1), date(2026, 11, 5), total="800.00")
    run(db)
    (invoice,) = invoices(db)
    assert (invoice.amount_minor, invoice.deducted_minor) == (8000, 0)
    with db.read() as s:
        payout = s.exec(select(Payout)).one()
    assert (payout.gross_minor, payout.commission_minor, payout.net_minor) == (80000, 0, 80000)


def partners_gross(db):
    from concierge_app.services.partner import accounts as partners

    return partners.create_partner(
        db=db,
        code="PRP-GROSS1",
        name="Stripe-paid villa",
        kind="property",
        category="villa",
        country="ES",
        currency="EUR",
        commission_rate_bps=1000,
        finance_email="finance@villa.example",
        payout_method="gross_stripe",
        commission_payment_method="bank_transfer",
        actor=ACTOR,
    )


def test_a_stay_paid_at_the_property_is_invoiced_but_not_deducted(db):
    villa = make_partner(db, kind="property", rate_bps=1000)
    stay(db, villa, date(2026, 11, 1), date(2026, 11, 4), total="600.00", collected_by="property")
    run(db)
    (invoice,) = invoices(db)
    assert (invoice.amount_minor, invoice.deducted_minor) == (6000, 0)
    assert counts(db)[2] == 0  # the platform collected nothing: no payout


def test_a_rerun_adds_nothing(db):
    villa = make_partner(db, kind="property")
    stay(db, villa, date(2026, 11, 1), date(2026, 11, 4))
    first = run(db)
    before = counts(db)
    again = run(db)
    assert again.already_done and again.invoices_created == 0
    assert counts(db) == before and first.invoices_total == again.invoices_total == 1


def test_a_crash_in_the_middle_then_a_rerun_leaves_no_duplicates_and_no_gaps(db, monkeypatch):
    villas = [make_partner(db, kind="property") for _ in range(7)]
    for i, villa in enumerate(villas):
        stay(db, villa, date(2026, 11, 1 + i), date(2026, 11, 10 + i))
    real = month_end_steps.invoice_chunk
    calls = []

    def crash_on_third_chunk(session, run_id, period, lo, hi, *rest):
        calls.append((lo, hi))
        made = real(session, run_id, period, lo, hi, *rest)  # the chunk's writes happen…
        if len(calls) == 3:
            raise RuntimeError("power cut")  # …and are rolled back with its transaction
        return made

    monkeypatch.setattr(month_end_steps, "invoice_chunk", crash_on_third_chunk)
    with pytest.raises(RuntimeError):
        run(db, chunk=2, workers=1)
    assert len(invoices(db)) == 4  # two chunks of two committed
    monkeypatch.setattr(month_end_steps, "invoice_chunk", real)
    resumed = run(db, chunk=2)
    assert resumed.resumed and resumed.invoices_created == 3
    numbers = [i.number for i in invoices(db)]
    assert numbers == [f"CM-2026-{n:06d}" for n in range(1, 8)]  # gapless, once each
    assert sorted(i.partner_id for i in invoices(db)) == sorted(villas)
    with db.read() as s:
        run_row = s.exec(select(MonthEndRun)).one()
    assert run_row.finished_at is not None and run_row.invoices_created == 7
    assert run_row.lines_created == 7


def test_chunks_issued_in_parallel_crash_then_resume_with_the_numbers_in_partner_order(
    db, monkeypatch
):
    """Two connections at once on PostgreSQL (one on SQLite): a chunk that fails rolls back
    alone; the rerun issues what is missing, each statement under the number of its place."""
    villas = [make_partner(db, kind="property") for _ in range(9)]
    for i, villa in enumerate(villas):
        stay(db, villa, date(2026, 11, 1 + i), date(2026, 11, 10 + i))
    real = month_end_steps.invoice_chunk
    failing = villas[4]

    def crash_on_one_chunk(session, run_id, period, lo, hi, *rest):
        made = real(session, run_id, period, lo, hi, *rest)
        if lo <= failing <= hi:
            raise RuntimeError("power cut")
        return made

    monkeypatch.setattr(month_end_steps, "invoice_chunk", crash_on_one_chunk)
    with pytest.raises(RuntimeError):
        run(db, chunk=2, workers=2)
    assert failing not in {i.partner_id for i in invoices(db)}
    monkeypatch.setattr(month_end_steps, "invoice_chunk", real)
    resumed = run(db, chunk=3, workers=2)  # other chunk boundaries than the first attempt
    assert resumed.resumed and resumed.invoices_total == 9
    by_partner = {i.partner_id: i.number for i in invoices(db)}
    assert [by_partner[v] for v in sorted(villas)] == [f"CM-2026-{n:06d}" for n in range(1, 10)]
    assert counts(db) == (9, 9, 9)
    assert run(db).already_done


@pytest.mark.parametrize("rerun_workers", [2, 1])
def test_statements_written_in_parallel_that_fail_halfway_are_written_again_once(
    db, monkeypatch, rerun_workers
):
    """PostgreSQL writes the statements over two connections: one range may have committed when
    the other fails; the rerun (over two connections or one) deletes it and writes every
    statement once."""
    if db.dialect == "sqlite":
        pytest.skip("SQLite writes the statements in one transaction (one writer)")
    villas = [make_partner(db, kind="property") for _ in range(6)]
    for villa in villas:
        stay(db, villa, date(2026, 11, 2), date(2026, 11, 6))
    real, calls = month_end_steps.write_statements, []

    def second_range_fails(dialect, ranged=False, rates=()):
        calls.append(ranged)
        if len(calls) == 2:
            return insert(table_of(PartnerStatement)).values(run_id=None)  # NOT NULL: fails
        return real(dialect, ranged, rates)

    monkeypatch.setattr(month_end_steps, "write_statements", second_range_fails)
    with pytest.raises(IntegrityError):
        run(db, workers=2)
    assert counts(db)[0] == 0 and 0 < counts(db)[1] < 6  # one range's statements committed
    monkeypatch.setattr(month_end_steps, "write_statements", real)
    assert run(db, workers=rerun_workers).invoices_total == 6
    assert counts(db) == (6, 6, 6)
    assert [i.number for i in invoices(db)] == [f"CM-2026-{n:06d}" for n in range(1, 7)]


def test_progress_is_reported_partner_by_partner_after_the_statements_are_written(db):
    for i in range(5):
        stay(db, make_partner(db, kind="property"), date(2026, 11, 1), date(2026, 11, 3 + i))
    make_partner(db, kind="property")  # nothing departed: nothing to invoice
    seen = []
    run(db, chunk=2, progress=lambda done, total: seen.append((done, total)))
    # chunks of 2, 2 and 1 partners; on PostgreSQL they run in parallel, so in any order
    assert seen[:2] == [(0, 0), (0, 5)] and seen[-1] == (5, 5)
    assert {total for _, total in seen[1:]} == {5}
    done = [d for d, _ in seen[1:]]
    assert sorted(b - a for a, b in itertools.pairwise(done)) == [1, 2, 2]


def test_a_malformed_period_is_refused_before_anything_is_written(db):
    from concierge_app.domain.errors import DomainError

    with pytest.raises(DomainError):
        month_end.run_month_end(
            db=db, period=Period.parse("2026-13"), run_date=RUN_DATE, actor=ACTOR
        )
    assert counts(db) == (0, 0, 0)


def test_the_schedule_runs_last_month_in_the_first_week_until_its_run_finished(db):
    villa = make_partner(db, kind="property")
    stay(db, villa, date(2026, 11, 1), date(2026, 11, 4))
    assert month_end.scheduled_period(db=db, today=date(2026, 11, 21)) is None  # not week 1
    assert month_end.scheduled_period(db=db, today=date(2026, 12, 3)) == NOV
    run(db)
    assert month_end.scheduled_period(db=db, today=date(2026, 12, 4)) is None  # done


def test_the_preview_writes_nothing_and_matches_the_run(db):
    villa = make_partner(db, kind="property", rate_bps=1000)
    stay(db, villa, date(2026, 11, 1), date(2026, 11, 4), total="800.00")
    before = counts(db)
    preview = month_end.preview_month_end(db=db, period=NOV)
    assert counts(db) == before
    assert (preview.partners, preview.lines, preview.commission) == (1, 1, (Money(8000, "EUR"),))
    run(db)
    assert month_end.preview_month_end(db=db, period=NOV).already_run
    (listed,) = month_end.list_runs(db=db)
    assert (listed.period, listed.invoices, listed.finished) == ("2026-11", 1, True)


def test_a_refund_is_taken_off_the_commission_base_and_the_payout(db):
    from concierge_app.services.guest import invoicing, queries
    from concierge_app.services.guest.refunds import record_refund
    from concierge_app.services.payments import checkout

    villa = make_partner(db, kind="property")
    chef = make_partner(db, kind="operator", rate_bps=1000)
    booking = stay(db, villa, date(2026, 11, 20), date(2026, 12, 3))
    sid = service(db, booking, chef, date(2026, 11, 22), S.PLATFORM_COLLECTS_FULL, "200.00")
    draft = queries.payments_panel(db=db, booking_id=booking).draft.id
    invoice = invoicing.send_invoice(db=db, invoice_id=draft, actor=ACTOR).invoice_id
    attempt = checkout.start_payment_attempt(db=db, invoice_ids=[invoice], actor="guest")
    checkout.fulfil_payment_attempt(
        db=db,
        attempt_id=attempt.id,
        provider="sandbox",
        event_id="evt_refund_base",
        event_type="checkout.session.completed",
        amount=attempt.amount,
    )
    record_refund(
        db=db,
        service_id=sid,
        amount=Money.parse("50.00", "EUR"),
        note="Started late",
        actor=ACTOR,
        idempotency_key="r-base",
    )
    run(db)
    (invoice_row,) = invoices(db)
    (line,) = lines_of(db, invoice_row.id)
    assert (line.base_minor, line.commission_minor, line.deducted_minor) == (15000, 1500, 1500)
    with db.read() as s:
        payout = s.exec(select(Payout)).one()
    assert (payout.gross_minor, payout.net_minor) == (15000, 13500)


def test_large_amounts_do_not_overflow_the_commission_arithmetic(db):
    villa = make_partner(db, kind="property", rate_bps=1500)
    stay(db, villa, date(2026, 11, 1), date(2026, 11, 20), total="250000.00")
    run(db)
    (invoice,) = invoices(db)
    assert invoice.amount_minor == 3_750_000  # 15 % of 250,000.00, in cents


def test_credit_waiting_for_the_next_invoice_pays_it_when_the_run_issues_it(db):
    """An over-payment made before the month's invoice exists is applied by the run."""
    from concierge_app.db.parties import Partner
    from concierge_app.db.partner_payments import PartnerAllocation
    from concierge_app.services.partner.money import transfers as partner_transfers
    from concierge_app.services.partner.views import documents as partner_documents

    villa = partners_gross(db)  # pays the whole commission: 10 % of 800.00 = 80.00
    stay(db, villa, date(2026, 11, 1), date(2026, 11, 5), total="800.00")
    with db.read() as s:
        code = s.get(Partner, villa).code
    paid = partner_transfers.record_bank_transfer(
        db=db,
        amount=Money.parse("100.00", "EUR"),
        reference=code,
        received_on=date(2026, 11, 20),
        external_id="BANK-EARLY",
        actor=ACTOR,
    )
    assert paid.allocated == () and paid.credit_left == Money.parse("100.00", "EUR")
    run(db)
    (invoice,) = invoices(db)
    with db.read() as s:
        applied = s.exec(select(PartnerAllocation)).all()
    assert [(a.invoice_id, a.payment_id, a.amount_minor) for a in applied] == [
        (invoice.id, paid.payment_id, 8000)
    ]
    summary = partner_documents.partner_invoices(db=db, partner_id=villa, today=RUN_DATE)
    assert [s.status_text for s in summary] == ["Paid"]
    assert run(db).already_done  # a rerun applies nothing more
    with db.read() as s:
        assert len(s.exec(select(PartnerAllocation)).all()) == 1
