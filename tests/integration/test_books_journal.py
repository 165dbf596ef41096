"""The journal export on SQLite and PostgreSQL: each money event of the ledger gives its
balanced entry (one test per kind), the demo data with every kind of event balances, the CLI
writes one file per currency (and refuses a bad period or folder), and nothing is ever
unbalanced."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from concierge_app.cli import app
from concierge_app.db.engine import Database
from concierge_app.db.partner_billing import PartnerInvoice
from concierge_app.demo.seed import load_demo
from concierge_app.domain.journal_accounts import Account, parse_chart
from concierge_app.domain.journal_rules import EventKind, LedgerEvent, entry_for
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import Period
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services.books.charts import books_charts
from concierge_app.services.books.events import ledger_events
from concierge_app.services.books.journal import build_journal, export_journal
from concierge_app.services.guest import bookings, invoicing, refunds
from concierge_app.services.partner.money import notes
from concierge_app.services.payments import direct_debit
from concierge_app.services.payments.provider import sandbox_gateway
from concierge_app.services.shared.common import today as business_day

from ..factories import ACTOR, add_service, make_world, pay, send_draft, snapshot
from .test_direct_debit import collect, failing_iban, give_mandate
from .test_partner_documents import ledger  # noqa: F401  (fixture)
from .test_partner_online import (
    GOOD,
    begin,
    sailing,  # noqa: F401  (fixture)
    session_of,
)
from .test_partner_transfers import FRIDAY, eur, invoice_of, transfer
from .test_partner_write_off import write_off

CHART = parse_chart("")


@pytest.fixture
def es_vat(vat_rates):
    vat_rates("ES:21")


@pytest.fixture
def taxed(es_vat, ledger):  # noqa: F811  (es_vat first: the run sees the rate)
    """The partner documents' ledger with Spanish VAT on the commission."""
    return ledger


def commission_invoice(db: Database, partner_id: int) -> PartnerInvoice:
    with db.read() as s:
        return s.exec(
            select(PartnerInvoice).where(
                PartnerInvoice.partner_id == partner_id, PartnerInvoice.kind == "commission"
            )
        ).one()


def periods() -> list[Period]:
    """The months the tests' events fall in: the fixtures' November and December 2026, and
    this month (events stamped with the clock)."""
    return sorted({Period(2026, 11), Period(2026, 12), Period.of(business_day())})


def events(db: Database) -> list[LedgerEvent]:
    with db.read() as s:
        return [e for p in periods() for e in ledger_events(s.connection(), p)]


def of_kind(db: Database, kind: EventKind) -> list[LedgerEvent]:
    return [e for e in events(db) if e.kind is kind]


def signed(event: LedgerEvent) -> dict[Account, int]:
    entry = entry_for(event)
    assert entry is not None and entry.debits == entry.credits
    return {ln.account: ln.debit_minor - ln.credit_minor for ln in entry.lines}


def all_balanced(db: Database) -> None:
    for p in periods():
        journal = build_journal(db=db, period=p, actor=ACTOR)
        for t in journal.totals:
            assert t.debit_minor == t.credit_minor


# --- the guests' side ---------------------------------------------------------------------


def test_a_guest_invoice_issued_then_voided_posts_and_reverses(db):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00")
    invoice_id = send_draft(w)
    (issued,) = of_kind(db, EventKind.GUEST_INVOICE_ISSUED)
    assert (issued.amount, issued.currency, issued.reference.startswith("CI-")) == (
        10000,
        "EUR",
        True,
    )
    assert signed(issued) == {Account.RECEIVABLE_GUEST: 10000, Account.PAYABLE_PARTNER: -10000}
    invoicing.void_invoice(db=db, invoice_id=invoice_id, actor=ACTOR, reason="wrong date")
    (voided,) = of_kind(db, EventKind.GUEST_INVOICE_VOIDED)
    assert (voided.reference, voided.amount) == (issued.reference, 10000)
    all_balanced(db)


def test_a_guest_payment_posts_clearing_and_earns_commission(db):
    w = make_world(db, rate_bps=1000)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00")
    attempt = pay(w, [send_draft(w)])
    (payment,) = of_kind(db, EventKind.GUEST_PAYMENT)
    assert (payment.reference, payment.amount, payment.part) == (attempt, 10000, 0)
    assert signed(payment) == {Account.CLEARING: 10000, Account.RECEIVABLE_GUEST: -10000}
    (earned,) = of_kind(db, EventKind.COMMISSION_EARNED)
    assert (earned.reference, earned.amount) == (attempt, 1000)
    all_balanced(db)


def test_a_refund_posts_and_reverses_its_commission(db):
    w = make_world(db, rate_bps=1000)
    sid = add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00")
    pay(w, [send_draft(w)])
    refunds.record_refund(db=db, service_id=sid, amount=w.money("30.00"), note="rain", actor=ACTOR)
    (refund,) = of_kind(db, EventKind.GUEST_REFUND)
    assert refund.amount == 3000 and refund.reference.startswith("RF-")
    assert signed(refund) == {Account.PAYABLE_PARTNER: 3000, Account.CLEARING: -3000}
    (reversed_,) = of_kind(db, EventKind.COMMISSION_REVERSED)
    assert (reversed_.reference, reversed_.amount) == (refund.reference, 300)
    all_balanced(db)


def test_a_stay_paid_to_the_platform_is_owed_to_the_property(db):
    w = make_world(db, currency="JPY")
    bookings.record_accommodation_payment(
        db=db,
        booking_id=w.booking_id,
        amount=Money.parse("45000", "JPY"),
        received_on=FRIDAY,
        method="card",
        reference="CARD-1",
        actor=ACTOR,
    )
    (stay,) = of_kind(db, EventKind.STAY_PAYMENT)
    assert (stay.reference, stay.amount, stay.currency, stay.day) == (
        "CARD-1",
        45000,
        "JPY",
        FRIDAY,
    )
    assert signed(stay) == {Account.CLEARING: 45000, Account.PAYABLE_PARTNER: -45000}


# --- the partners' side ---------------------------------------------------------------------


def test_month_end_documents_and_payouts_post_receivables_vat_and_deductions(taxed):
    db = taxed["db"]
    invoices = of_kind(db, EventKind.PARTNER_COMMISSION_INVOICE)
    assert {e.who for e in invoices} == {"PRP-NET01", "PRP-GRS01", "OPR-CHEF1"}
    net = next(e for e in invoices if e.who == "PRP-NET01")
    assert (net.amount, net.day) == (52500, date(2026, 12, 2))
    assert signed(net) == {Account.RECEIVABLE_PARTNER: 52500, Account.COMMISSION_REVENUE: -52500}
    vat = of_kind(db, EventKind.PARTNER_VAT_DOCUMENT)
    assert vat and all(signed(e)[Account.VAT_PAYABLE] == -e.amount for e in vat)
    payout = next(e for e in of_kind(db, EventKind.PAYOUT) if e.who == "PRP-NET01")
    assert (payout.amount, payout.part) == (350000, 52500)
    assert signed(payout) == {
        Account.PAYABLE_PARTNER: 350000,
        Account.RECEIVABLE_PARTNER: -(52500 + payout.tax),
        Account.BANK: -(350000 - 52500 - payout.tax),
    }
    all_balanced(db)


def test_credit_and_debit_notes_post_to_adjustments(ledger):  # noqa: F811
    db = ledger["db"]
    invoice = invoice_of(db, ledger["gross"])
    today = business_day()
    notes.issue_credit_note(
        db=db,
        invoice_id=invoice.id,
        amount=eur("5.00"),
        reason="goodwill",
        actor=ACTOR,
        today=today,
    )
    notes.issue_debit_note(
        db=db,
        invoice_id=invoice.id,
        amount=eur("7.00"),
        reason="missed stay",
        due_date=today.replace(day=28),
        actor=ACTOR,
        today=today,
    )
    (cn,) = of_kind(db, EventKind.PARTNER_CREDIT_NOTE)
    (dn,) = of_kind(db, EventKind.PARTNER_DEBIT_NOTE)
    assert signed(cn) == {Account.COMMISSION_ADJUSTMENTS: 500, Account.RECEIVABLE_PARTNER: -500}
    assert signed(dn) == {Account.RECEIVABLE_PARTNER: 700, Account.COMMISSION_ADJUSTMENTS: -700}
    all_balanced(db)


def test_transfers_matched_and_unmatched_and_a_write_off(ledger):  # noqa: F811
    db = ledger["db"]
    invoice = invoice_of(db, ledger["gross"])
    transfer(db, "10.00", f"PRP-GRS01 {invoice.number}", external_id="BANK-1")
    transfer(db, "3.00", "no idea who", external_id="BANK-2")
    (matched,) = of_kind(db, EventKind.PARTNER_TRANSFER)
    assert (matched.amount, matched.who) == (1000, "PRP-GRS01")
    assert signed(matched) == {Account.BANK: 1000, Account.RECEIVABLE_PARTNER: -1000}
    (queued,) = of_kind(db, EventKind.PARTNER_UNMATCHED)
    assert signed(queued) == {Account.BANK: 300, Account.UNMATCHED_RECEIPTS: -300}
    write_off(db, invoice.id)
    (off,) = of_kind(db, EventKind.WRITE_OFF)
    assert (off.reference, off.amount) == (invoice.number, invoice.amount_minor - 1000)
    assert signed(off) == {Account.BAD_DEBT: off.amount, Account.RECEIVABLE_PARTNER: -off.amount}
    all_balanced(db)


def test_a_direct_debit_that_fails_posts_and_reverses(ledger):  # noqa: F811
    db, chef = ledger["db"], ledger["chef"]
    give_mandate(db, chef, iban=failing_iban())
    collect(db)
    from_partner = of_kind(db, EventKind.PARTNER_DIRECT_DEBIT)
    assert len(from_partner) == 1 and from_partner[0].who == "OPR-CHEF1"

    direct_debit.answer_sandbox_debits(db=db)
    (failed,) = of_kind(db, EventKind.DIRECT_DEBIT_FAILED)
    assert failed.amount == from_partner[0].amount
    assert signed(failed) == {
        Account.RECEIVABLE_PARTNER: failed.amount,
        Account.CLEARING: -failed.amount,
    }
    all_balanced(db)


def test_an_online_partner_payment_posts_to_clearing(sailing):  # noqa: F811
    db, pid = sailing["db"], sailing["pid"]
    start = begin(db, [sailing["a"][0]], pid)
    gateway = sandbox_gateway(db)
    gateway.pay(gateway.session(session_of(start.url)).id, GOOD)
    (online,) = of_kind(db, EventKind.PARTNER_ONLINE)
    assert (online.amount, online.who) == (8000, "OPR-SAIL1")
    assert signed(online) == {Account.CLEARING: 8000, Account.RECEIVABLE_PARTNER: -8000}


# --- the demo data, every kind at once, and the CLI ---------------------------------------------


def test_the_demo_data_with_every_kind_of_event_balances(taxed):
    db, parties = taxed["db"], taxed
    load_demo(db)
    w = make_world(db, rate_bps=1000)
    sid = add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00")
    pay(w, [send_draft(w)])
    refunds.record_refund(db=db, service_id=sid, amount=w.money("30.00"), note="rain", actor=ACTOR)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "10.00", title="Spa")
    invoicing.void_invoice(db=db, invoice_id=send_draft(w), actor=ACTOR, reason="typo")
    bookings.record_accommodation_payment(
        db=db,
        booking_id=w.booking_id,
        amount=eur("50.00"),
        received_on=FRIDAY,
        method="card",
        actor=ACTOR,
    )
    gross = commission_invoice(db, parties["gross"])
    transfer(db, "1.00", "nobody", external_id="BANK-9")
    notes.issue_credit_note(
        db=db,
        invoice_id=gross.id,
        amount=eur("1.00"),
        reason="x",
        actor=ACTOR,
        today=business_day(),
    )
    notes.issue_debit_note(
        db=db,
        invoice_id=gross.id,
        amount=eur("2.00"),
        reason="y",
        due_date=date(2026, 12, 28),
        actor=ACTOR,
        today=business_day(),
    )
    transfer(db, "10.00", f"PRP-GRS01 {gross.number}", external_id="BANK-1")
    write_off(db, gross.id)
    give_mandate(db, parties["chef"], iban=failing_iban())
    collect(db)

    direct_debit.answer_sandbox_debits(db=db)
    kinds = Counter(e.kind for e in events(db))
    missing = set(EventKind) - set(kinds) - {EventKind.PARTNER_ONLINE}  # its own test above
    assert not missing, missing
    all_balanced(db)
    journal = build_journal(db=db, period=Period.of(business_day()), actor=ACTOR)
    assert {"EUR", "JPY", "USD"} <= set(journal.currencies)


def test_the_cli_writes_one_file_per_currency_and_prints_totals(ledger, tmp_path: Path):  # noqa: F811
    db = ledger["db"]
    load_demo(db)
    period = str(Period.of(business_day()))
    out = tmp_path / "books"
    result = CliRunner().invoke(
        app, ["export-journal", "--period", period, "--out", str(out), "--url", db.url]
    )
    assert result.exit_code == 0, result.output
    journal = build_journal(db=db, period=Period.parse(period), actor=ACTOR)
    names = sorted(p.name for p in out.iterdir())
    for currency in journal.currencies:
        assert f"journal-{period}-{currency}.csv" in names
        assert f"journal-{period}-{currency}-xero.csv" in names
        assert f"journal-{period}-{currency}-quickbooks.csv" in names
        rows = list(
            csv.DictReader(io.StringIO((out / f"journal-{period}-{currency}.csv").read_text()))
        )
        assert {r["currency"] for r in rows} == {currency}
        assert currency in result.output
    assert "Debit" in result.output and "Credit" in result.output
    before = sorted((p.name, p.read_bytes()) for p in out.iterdir())
    again = CliRunner().invoke(
        app, ["export-journal", "--period", period, "--out", str(out), "--url", db.url]
    )
    assert again.exit_code == 0
    assert sorted((p.name, p.read_bytes()) for p in out.iterdir()) == before  # idempotent


@pytest.mark.parametrize(
    "period", ["2026-13", "26-11", "", "2026-11-01", "２０２６-１１", "x" * 10_000]
)
def test_the_cli_refuses_a_bad_period_and_writes_nothing(sqlite_db, tmp_path: Path, period):
    out = tmp_path / "books"
    result = CliRunner().invoke(
        app, ["export-journal", "--period", period, "--out", str(out), "--url", sqlite_db.url]
    )
    assert result.exit_code == 1
    assert not out.exists()


def test_the_cli_refuses_an_unwritable_folder(sqlite_db, tmp_path: Path):
    w = make_world(sqlite_db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00")
    send_draft(w)
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x")
    period = str(Period.of(business_day()))
    for out in (a_file, a_file / "below"):
        result = CliRunner().invoke(
            app, ["export-journal", "--period", period, "--out", str(out), "--url", sqlite_db.url]
        )
        assert result.exit_code == 1, result.output
        said = " ".join(result.output.split())
        assert "Cannot write" in said or "is not a folder" in said
    assert a_file.read_text() == "x"


def test_an_export_changes_nothing_in_the_ledger(db, tmp_path: Path):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00")
    pay(w, [send_draft(w)])
    before = snapshot(db)
    export_journal(
        db=db, period=Period.of(business_day()), out_dir=tmp_path, chart=CHART, actor=ACTOR
    )
    assert snapshot(db) == before


# --- the finance charts ---------------------------------------------------------------------


def test_the_charts_show_invoiced_paid_and_outstanding_by_month_per_currency(ledger):  # noqa: F811
    db = ledger["db"]
    w = make_world(db, currency="JPY")
    add_service(w, S.PLATFORM_COLLECTS_FULL, "5000")
    pay(w, [send_draft(w)])
    add_service(w, S.PLATFORM_COLLECTS_FULL, "700", title="Tea")
    send_draft(w)
    now = business_day()
    charts = books_charts(db=db, today=now)
    (jpy,) = [s for s in charts.guest if s.currency == "JPY"]
    assert len(jpy.months) == 12 and jpy.months[-1].period == Period.of(now)
    last = jpy.months[-1]
    assert (last.invoiced.minor, last.paid.minor, last.outstanding.minor) == (5700, 5000, 700)
    (eur,) = charts.commission
    december = next(m for m in eur.months if m.period == Period(2026, 12))
    gross = commission_invoice(db, ledger["gross"])
    assert december.invoiced.minor >= gross.amount_minor
    assert december.paid.minor + december.outstanding.minor == december.invoiced.minor
    before = december.outstanding.minor
    transfer(db, "10.00", f"PRP-GRS01 {gross.number}", external_id="BANK-7")
    after = next(
        m
        for m in books_charts(db=db, today=now).commission[0].months
        if m.period == Period(2026, 12)
    )
    assert after.outstanding.minor == before - 1000
