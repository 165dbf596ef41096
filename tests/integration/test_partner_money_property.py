"""Issue 15, done when: for random mixes of commission invoices, VAT documents, credit and debit
notes, bank transfers (a partner's and a group's), online payments, direct debits (paid or
refused by the bank) and payout deductions, every partner page's rows add up to its totals, and
staff and partner balances agree.

Hypothesis draws, per example and on a fresh database (a copy of the migrated SQLite file, or a
PostgreSQL database cloned from the migrated one): stays of six partners over three months
(each collected by us or at the property), with three month-end runs; then 2 to 14
actions on random days — transfers quoting documents or not (some more than is due, some to the
group's code), online payments of a partner's open documents, credit notes (within what the
document allows, or refused), debit notes, a direct debit collection and the bank's answers
(from an account the sandbox refuses, or not), "I've paid". Who:

- PRP-T1 (Spain: VAT 21 %, paid gross, pays by bank transfer)
- PRP-O1 (Spain, paid gross, pays online)
- PRP-D1 (Spain, paid out net, pays the rest by direct debit, its mandate accepted)
- PRP-N1 (France: no VAT, paid out net, deducted from its payout; the rest by transfer)
- PRP-G1 and PRP-G2 (Spain, paid gross, on the group GRP-7101's plan)

After every action, on that day and ten days later, for every partner:
- Invoices: each Outstanding balances row's "To pay" is what remains of it; the rows add up to
  "Total amount due" (per currency); a document's remaining never exceeds what it asks for,
  and a green one has nothing left;
- every credit note: what it paid (to the documents it names) plus what is left = its amount;
- Ledger: each row's balance is the running sum; the closing balance = outstanding − credit;
- staff Finance: the partner's outstanding = its total amount due, its credit = the Ledger's
  credit, its balance = the Ledger's closing balance; invoiced − paid = outstanding;
- the group page: its documents add up to its total due, and that is the sum of its properties'.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from concierge_app.db.partner_billing import PartnerInvoice
from concierge_app.db.partner_payments import PartnerCheckout
from concierge_app.domain.errors import DomainError
from concierge_app.domain.money import Money, totals_by_currency
from concierge_app.domain.partner_billing import PartnerInvoiceKind, Period, StatusColour
from concierge_app.services.partner.money import (
    groups as partner_groups,
)
from concierge_app.services.partner.money import (
    notes as partner_notes,
)
from concierge_app.services.partner.money import (
    transfers as partner_transfers,
)
from concierge_app.services.partner.money.credit import credit_applications
from concierge_app.services.partner.views import (
    documents as partner_documents,
)
from concierge_app.services.partner.views import (
    finance as partner_finance,
)
from concierge_app.services.partner.views.group import group_view
from concierge_app.services.partner.views.ledger import ledger
from concierge_app.services.payments import direct_debit, direct_debit_mandate
from concierge_app.services.payments.partner_checkout import begin_partner_checkout
from concierge_app.services.payments.partner_fulfilment import fulfil_partner_checkout
from concierge_app.services.payments.provider import sandbox_gateway
from concierge_app.settings import get_settings
from concierge_app.ui.partner.invoices.state import outstanding_rows
from concierge_app.ui.shared.document_rows import to_pay_text

from ..conftest import add_test_staff, create_pg_database, drop_pg_database, require_postgres
from ..factories import ACTOR
from .test_ledger_stateful import PostgresDatabases, SqliteDatabases
from .test_partner_documents import partner, run, stay

MONTHS = ((Period(2026, 10), date(2026, 11, 3)), (Period(2026, 11), date(2026, 12, 2)))
LAST = (Period(2026, 12), date(2027, 1, 4))
FIRST_DAY, DAYS = date(2026, 11, 3), 75  # actions fall between November 3 and mid-January
CODES = ("PRP-T1", "PRP-O1", "PRP-D1", "PRP-N1", "PRP-G1", "PRP-G2")
GROUP = "GRP-7101"
GOOD_IBAN = "ES7921000813610123456789"

euros = st.integers(min_value=1, max_value=60_000)  # 0.01 … 600.00
day = st.integers(min_value=0, max_value=DAYS)
pick = st.integers(min_value=0, max_value=1_000)

a_stay = st.tuples(
    st.sampled_from(CODES),
    st.integers(0, 2),  # month: October, November, December
    st.integers(100_00, 9_000_00),  # the stay's total
    st.booleans(),  # collected by us (else at the property)
)
action = st.one_of(
    st.tuples(st.just("transfer"), day, st.sampled_from((*CODES, GROUP)), euros, pick),
    st.tuples(st.just("online"), day, pick),
    st.tuples(st.just("credit"), day, pick, euros),
    st.tuples(st.just("debit"), day, pick, euros),
    st.tuples(st.just("direct_debit"), day, st.booleans()),
    st.tuples(st.just("announce"), day, pick),
)


class World:
    """One example's partners on one database, and the actions on it."""

    def __init__(self, db: Any, failing: bool) -> None:
        self.db = db
        self.ids: dict[str, int] = {}
        self.group_id = 0
        self.counter = itertools.count(1)
        self.failing = failing
        self.calls: dict[str, int] = {}

    def setup(self, stays: list[tuple[str, int, int, bool]]) -> None:
        db = self.db
        self.ids["PRP-T1"] = partner(
            db, "PRP-T1", rate=1000, payout="gross_stripe", method="bank_transfer"
        )
        self.ids["PRP-O1"] = partner(
            db, "PRP-O1", rate=1200, payout="gross_stripe", method="online"
        )
        self.ids["PRP-D1"] = partner(db, "PRP-D1", rate=1500, method="direct_debit")
        self.ids["PRP-N1"] = partner(db, "PRP-N1", rate=1500)
        self.ids["PRP-G1"] = partner(
            db, "PRP-G1", rate=1000, payout="gross_stripe", method="bank_transfer"
        )
        self.ids["PRP-G2"] = partner(
            db, "PRP-G2", rate=1100, payout="gross_stripe", method="bank_transfer"
        )
        _country(db, self.ids["PRP-N1"], "FR")
        self.group_id = partner_groups.create_group(
            db=db, code=GROUP, name="Test group", finance_email="g@example.com", actor=ACTOR
        )
        for code in ("PRP-G1", "PRP-G2"):
            partner_groups.join_group(
                db=db, group_id=self.group_id, partner_id=self.ids[code], actor=ACTOR
            )
        iban = get_settings().sandbox_failing_iban if self.failing else GOOD_IBAN
        partner_finance.update_bank_account(
            db=db,
            partner_id=self.ids["PRP-D1"],
            account_holder="D1 S.L.",
            iban=iban,
            bic="",
            actor=ACTOR,
            notify=False,
        )
        mandate = direct_debit_mandate.mandate_of(db=db, partner_id=self.ids["PRP-D1"])
        assert mandate is not None and mandate.pending
        direct_debit_mandate.accept_mandate(
            db=db,
            partner_id=self.ids["PRP-D1"],
            reference=mandate.reference,
            accepted_by="d1@example.com",
            accepted_from="192.0.2.1",
        )
        for n, (code, month, total, ours) in enumerate(stays):
            period = (MONTHS[0][0], MONTHS[1][0], LAST[0])[month]
            check_in = period.first_day + timedelta(days=n % 20)
            stay(
                db,
                self.ids[code],
                f"BK-{n:04d}",
                check_in,
                check_in + timedelta(days=3),
                Money(total, "EUR").amount_text(),
                collected_by="platform" if ours else "property",
            )

    # -- reading ---------------------------------------------------------------------------
    def documents(self, code: str, today: date) -> list[Any]:
        return partner_documents.partner_invoices(
            db=self.db, partner_id=self.ids[code], today=today
        )

    def open_documents(self, today: date, codes: tuple[str, ...] = CODES) -> list[tuple[str, Any]]:
        return [
            (code, s)
            for code in codes
            for s in partner_documents.outstanding(
                db=self.db, partner_id=self.ids[code], today=today
            )
        ]

    def every_document(self) -> list[Any]:
        with self.db.read() as s:
            return list(
                s.connection().execute(
                    select(PartnerInvoice.__table__).order_by(PartnerInvoice.__table__.c.id)
                )
            )

    # -- acting ----------------------------------------------------------------------------
    def act(self, step: tuple[Any, ...], today: date) -> None:
        kind = step[0]
        self.calls[kind] = self.calls.get(kind, 0) + 1
        try:
            getattr(self, f"_{kind}")(today, *step[2:])
        except DomainError as refused:  # a refusal says why (it writes nothing: see the notes)
            assert str(refused).strip()
            self.calls[f"{kind}: refused"] = self.calls.get(f"{kind}: refused", 0) + 1

    def _transfer(self, today: date, code: str, minor: int, quote: int) -> None:
        open_now = self.open_documents(today, (code,)) if code != GROUP else []
        quoted = f" {open_now[quote % len(open_now)][1].number}" if open_now and quote % 3 else ""
        partner_transfers.record_bank_transfer(
            db=self.db,
            amount=Money(minor, "EUR"),
            reference=f"{code}{quoted}",
            received_on=today,
            external_id=f"BANK-{next(self.counter)}",
            actor=ACTOR,
        )

    def _online(self, today: date, which: int) -> None:
        docs = self.open_documents(today, ("PRP-O1",))
        if not docs:
            return
        chosen = [s.id for _, s in docs[: 1 + which % len(docs)]]
        start = begin_partner_checkout(
            db=self.db,
            invoice_ids=chosen,
            actor="partner",
            return_path="/partner/invoices",
            partner_id=self.ids["PRP-O1"],
            gateway=sandbox_gateway(self.db),
            today=today,
        )
        with self.db.read() as s:
            checkout = s.get(PartnerCheckout, start.checkout_id)
            amount = Money(checkout.amount_minor, checkout.currency)
        fulfil_partner_checkout(
            db=self.db,
            checkout_id=start.checkout_id,
            provider="sandbox",
            event_id=f"evt_{next(self.counter)}",
            event_type="checkout.session.completed",
            amount=amount,
            today=today,
        )

    def _correctable(self, which: int) -> Any | None:
        docs = [d for d in self.every_document() if d.kind != PartnerInvoiceKind.CREDIT_NOTE.value]
        return docs[which % len(docs)] if docs else None

    def _credit(self, today: date, which: int, minor: int) -> None:
        doc = self._correctable(which)
        if doc is not None:
            partner_notes.issue_credit_note(
                db=self.db,
                invoice_id=doc.id,
                amount=Money(minor, "EUR"),
                reason=f"Correction {next(self.counter)}",
                actor=ACTOR,
                today=today,
            )

    def _debit(self, today: date, which: int, minor: int) -> None:
        doc = self._correctable(which)
        if doc is not None:
            partner_notes.issue_debit_note(
                db=self.db,
                invoice_id=doc.id,
                amount=Money(minor, "EUR"),
                reason=f"Fee {next(self.counter)}",
                due_date=today + timedelta(days=14),
                actor=ACTOR,
                today=today,
            )

    def _direct_debit(self, today: date, answer: bool) -> None:
        direct_debit.collect_direct_debits(
            db=self.db, today=today, actor=ACTOR, gateway=sandbox_gateway(self.db)
        )
        if answer:
            direct_debit.answer_sandbox_debits(db=self.db)

    def _announce(self, today: date, which: int) -> None:
        docs = self.open_documents(today)
        if docs:
            code, doc = docs[which % len(docs)]
            partner_transfers.announce_payment(
                db=self.db, invoice_id=doc.id, partner_id=self.ids[code], today=today
            )

    def _month_end(self, today: date, period: Period) -> None:
        run(self.db, period, today)

    # -- checking --------------------------------------------------------------------------
    def check(self, today: date) -> None:
        staff = {
            (b.partner_id, b.currency): b
            for b in partner_finance.staff_finance_overview(db=self.db, today=today)
        }
        for code, pid in self.ids.items():
            self._check_partner(code, pid, today, staff)
        self._check_group(today)

    def _check_partner(self, code: str, pid: int, today: date, staff: dict[Any, Any]) -> None:
        view = partner_documents.invoices_view(db=self.db, partner_id=pid, today=today)
        rows = outstanding_rows(view, code)
        assert [r.number for r in rows] == [s.number for s in view.outstanding]
        for row, s in zip(rows, view.outstanding, strict=True):
            assert row.payable == to_pay_text(s.outstanding), (code, row)
        assert view.total_due == totals_by_currency(s.outstanding for s in view.outstanding)
        for s in view.documents:
            owed = s.amount if s.kind is not PartnerInvoiceKind.CREDIT_NOTE else Money.zero("EUR")
            assert Money.zero("EUR") <= s.outstanding <= owed, (code, s)
            if s.status_colour is StatusColour.GREEN:
                assert s.outstanding.is_zero, (code, s)
        with self.db.read() as session:
            notes = [s for s in view.documents if s.kind is PartnerInvoiceKind.CREDIT_NOTE]
            applied = credit_applications(session, [n.id for n in notes], date.max)
        for note in notes:
            used = sum(m.minor for _, m in applied.get(note.id, []))
            assert used <= note.amount.minor, (code, note)
        books = {b.currency: b for b in ledger(db=self.db, partner_id=pid, today=today)}
        due = {m.currency: m for m in view.total_due}
        for currency, book in books.items():
            running = Money.zero(currency)
            for r in book.rows:
                if r.amount is not None and r.counted:
                    running = running + r.amount
                assert r.balance == running, (code, r)
            assert book.closing == running
            assert book.outstanding == due.get(currency, Money.zero(currency)), code
            assert book.closing == book.outstanding - book.credit, code
            balance = staff.get((pid, currency))
            if balance is None:  # nothing owed, no credit: the staff page has no row for it
                assert book.outstanding.is_zero and book.credit.is_zero, code
                continue
            assert balance.outstanding == book.outstanding, (code, balance, book)
            assert balance.credit_left == book.credit, (code, balance, book)
            assert balance.balance == book.closing, (code, balance, book)
            assert balance.invoiced - balance.paid == balance.outstanding, code
        for (staff_pid, currency), balance in staff.items():
            if staff_pid == pid:
                assert currency in books or (
                    balance.outstanding.is_zero and balance.credit_left.is_zero
                ), code

    def _check_group(self, today: date) -> None:
        view = group_view(db=self.db, group_id=self.group_id, today=today)
        assert view.total_due == totals_by_currency(d.summary.outstanding for d in view.documents)
        members = totals_by_currency(m for p in view.properties for m in p.total_due)
        assert view.total_due == members


def _country(db: Any, partner_id: int, country: str) -> None:
    from sqlalchemy import update

    from concierge_app.db.parties import Partner

    with db.transaction() as s:
        s.exec(update(Partner).where(Partner.id == partner_id).values(country=country))


def scenario(
    databases: Callable[[], Any],
    destroy: Callable[[Any], None],
    stays: list[tuple[str, int, int, bool]],
    steps: list[tuple[Any, ...]],
    failing: bool,
    seen: dict[str, int],
) -> None:
    db = databases()
    try:
        world = World(db, failing)
        world.setup(stays)
        timeline: list[tuple[date, int, tuple[Any, ...]]] = [
            (run_date, -1, ("month_end", 0, period)) for period, run_date in (*MONTHS, LAST)
        ]
        timeline += [(FIRST_DAY + timedelta(days=s[1]), n, s) for n, s in enumerate(steps)]
        for today, _, step in sorted(timeline, key=lambda t: (t[0], t[1])):
            world.act(step, today)
            world.check(today)
            world.check(today + timedelta(days=10))
        for kind, count in world.calls.items():
            seen[kind] = seen.get(kind, 0) + count
    finally:
        destroy(db)


EXAMPLE = given(
    stays=st.lists(a_stay, min_size=3, max_size=12),
    steps=st.lists(action, min_size=2, max_size=14),
    failing=st.booleans(),
)
SLOW = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture
def spain_taxed(vat_rates: Callable[[str], None]) -> None:
    vat_rates("ES:21")


def test_every_partner_page_adds_up_and_staff_and_partner_agree_on_sqlite(
    sqlite_template: Path, tmp_path: Path, spain_taxed: None
) -> None:
    databases = SqliteDatabases(sqlite_template, tmp_path)
    seen: dict[str, int] = {}

    @SLOW
    @EXAMPLE
    def check(stays: list[Any], steps: list[Any], failing: bool) -> None:
        scenario(databases.create, databases.destroy, stays, steps, failing, seen)

    check()
    # the examples did exercise every kind of action (and some were refused)
    assert {"transfer", "online", "credit", "debit", "direct_debit", "month_end"} <= set(seen)


@pytest.mark.postgres
def test_every_partner_page_adds_up_and_staff_and_partner_agree_on_postgres(
    spain_taxed: None,
) -> None:
    require_postgres()
    from concierge_app.cli import run_migrations

    template = create_pg_database("concierge_partner_money")
    try:
        run_migrations(template)
        add_test_staff(template)  # the staff member the tests act as (ACTOR)
        databases = PostgresDatabases(template)
        seen: dict[str, int] = {}

        @settings(
            max_examples=8,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        )
        @EXAMPLE
        def check(stays: list[Any], steps: list[Any], failing: bool) -> None:
            scenario(databases.create, databases.destroy, stays, steps, failing, seen)

        check()
        databases.admin.dispose()
    finally:
        drop_pg_database(template)
