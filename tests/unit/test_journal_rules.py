"""The journal's domain rules: the account mapping, the balance rule, each event's postings and
the CSV formats (JPY 0, EUR 2, KWD 3 decimals), with hostile input."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from concierge_app.domain.errors import DomainError
from concierge_app.domain.journal import (
    JournalEntry,
    JournalLine,
    UnbalancedJournal,
    check_balanced,
    credit,
    debit,
    make_entry,
)
from concierge_app.domain.journal_accounts import DEFAULT_CHART, Account, parse_chart
from concierge_app.domain.journal_csv import (
    JOURNAL_COLUMNS,
    QUICKBOOKS_COLUMNS,
    XERO_COLUMNS,
    decimal_text,
    journal_csv,
    quickbooks_csv,
    safe_text,
    xero_csv,
)
from concierge_app.domain.journal_rules import EventKind, LedgerEvent, entry_for, journal_of
from concierge_app.domain.money import MAX_MINOR
from concierge_app.settings import Settings

DAY = date(2026, 11, 5)
CHART = parse_chart("")


# --- the account mapping ---------------------------------------------------------------------


def test_default_chart_has_a_distinct_code_for_every_role():
    assert set(DEFAULT_CHART) == set(Account)
    assert len({info.code for info in DEFAULT_CHART.values()}) == len(Account)
    assert CHART.code(Account.RECEIVABLE_GUEST) == "1100"
    assert CHART.code(Account.COMMISSION_REVENUE) == "4000"


def test_overrides_replace_codes_and_keep_the_rest():
    chart = parse_chart(" receivable_guest = 11000 , BANK=1010,")
    assert chart.code(Account.RECEIVABLE_GUEST) == "11000"
    assert chart.code(Account.BANK) == "1010"
    assert chart.code(Account.VAT_PAYABLE) == "2200"


@pytest.mark.parametrize(
    "text, words",
    [
        ("nonsense=1", "not an account role"),
        ("bank", "give a code"),
        ("bank=", "give a code"),
        ("bank=12 34", "give a code"),
        ("bank==1", "give a code"),
        ("bank=1,bank=2", "listed twice"),
        ("bank=1100", "two roles"),
        ("bank=" + "9" * 21, "give a code"),
        ("bank=１２３", "give a code"),  # full-width digits
        ("bank=1\u202e2", "give a code"),  # a bidi override
        ("x" * 5000, "too long"),
    ],
)
def test_bad_overrides_are_refused_with_a_clear_message(text, words):
    with pytest.raises(DomainError, match=words) as err:
        parse_chart(text)
    assert err.value.field == "journal_accounts"


def test_settings_refuse_a_bad_chart_at_start_up():
    with pytest.raises(ValueError, match="JOURNAL_ACCOUNTS"):
        Settings(journal_accounts="bank=1100")
    assert Settings(journal_accounts="bank=1010").chart_of_accounts.code(Account.BANK) == "1010"


# --- the balance rule -------------------------------------------------------------------------


def test_an_entry_nets_accounts_flips_negatives_and_drops_zeros():
    entry = make_entry(
        day=DAY,
        reference="X",
        description="x",
        currency="eur",
        postings=[
            debit(Account.BANK, 100),
            credit(Account.RECEIVABLE_PARTNER, 130),
            credit(Account.BANK, 0),
            credit(Account.COMMISSION_REVENUE, -30),  # a negative credit is a debit
            debit(Account.VAT_PAYABLE, 0),
        ],
    )
    assert entry is not None and entry.currency == "EUR"
    assert set(entry.lines) == {
        JournalLine(Account.BANK, 100, 0),
        JournalLine(Account.RECEIVABLE_PARTNER, 0, 130),
        JournalLine(Account.COMMISSION_REVENUE, 30, 0),
    }


def test_an_entry_that_moves_nothing_is_none():
    assert (
        make_entry(
            day=DAY,
            reference="X",
            description="",
            currency="EUR",
            postings=[debit(Account.BANK, 0)],
        )
        is None
    )


@pytest.mark.parametrize(
    "postings",
    [
        [debit(Account.BANK, 100), credit(Account.RECEIVABLE_PARTNER, 99)],
        [debit(Account.BANK, 1)],
        [debit(Account.BANK, MAX_MINOR + 1), credit(Account.CLEARING, MAX_MINOR + 1)],
    ],
)
def test_an_unbalanced_or_oversized_entry_is_an_error(postings):
    with pytest.raises(UnbalancedJournal):
        make_entry(day=DAY, reference="X", description="", currency="EUR", postings=postings)


def test_a_float_amount_is_refused():
    with pytest.raises(UnbalancedJournal, match="whole minor units"):
        make_entry(
            day=DAY,
            reference="X",
            description="",
            currency="EUR",
            postings=[debit(Account.BANK, 1.5), credit(Account.CLEARING, 1.5)],  # type: ignore[arg-type]
        )


def test_check_balanced_refuses_a_tampered_entry_and_totals_per_currency():
    good = entry_for(LedgerEvent(EventKind.GUEST_REFUND, DAY, "RF-1", "JPY", 500))
    assert good is not None
    bad = JournalEntry(DAY, "BAD", "", "EUR", (JournalLine(Account.BANK, 5, 0),))
    with pytest.raises(UnbalancedJournal, match="BAD"):
        check_balanced([good, bad])
    [jpy] = check_balanced([good, good])
    assert (jpy.currency, jpy.entries, jpy.debit_minor, jpy.credit_minor) == ("JPY", 2, 1000, 1000)


# --- each event's postings --------------------------------------------------------------------

A = Account
EXPECTED = {
    EventKind.GUEST_INVOICE_ISSUED: {A.RECEIVABLE_GUEST: 1000, A.PAYABLE_PARTNER: -1000},
    EventKind.GUEST_INVOICE_VOIDED: {A.PAYABLE_PARTNER: 1000, A.RECEIVABLE_GUEST: -1000},
    EventKind.GUEST_PAYMENT: {A.CLEARING: 1000, A.RECEIVABLE_GUEST: -900, A.GUEST_UNAPPLIED: -100},
    EventKind.GUEST_REFUND: {A.PAYABLE_PARTNER: 1000, A.CLEARING: -1000},
    EventKind.STAY_PAYMENT: {A.CLEARING: 1000, A.PAYABLE_PARTNER: -1000},
    EventKind.COMMISSION_EARNED: {A.COMMISSION_ACCRUED: 1000, A.COMMISSION_REVENUE: -1000},
    EventKind.COMMISSION_REVERSED: {A.COMMISSION_REVENUE: 1000, A.COMMISSION_ACCRUED: -1000},
    EventKind.PARTNER_COMMISSION_INVOICE: {
        A.RECEIVABLE_PARTNER: 1000,
        A.COMMISSION_ACCRUED: -100,
        A.COMMISSION_REVENUE: -900,
    },
    EventKind.PARTNER_VAT_DOCUMENT: {A.RECEIVABLE_PARTNER: 1000, A.VAT_PAYABLE: -1000},
    EventKind.PARTNER_DEBIT_NOTE: {A.RECEIVABLE_PARTNER: 1000, A.COMMISSION_ADJUSTMENTS: -1000},
    EventKind.PARTNER_CREDIT_NOTE: {A.COMMISSION_ADJUSTMENTS: 1000, A.RECEIVABLE_PARTNER: -1000},
    EventKind.PAYOUT: {A.PAYABLE_PARTNER: 1000, A.RECEIVABLE_PARTNER: -150, A.BANK: -850},
    EventKind.PARTNER_TRANSFER: {A.BANK: 1000, A.RECEIVABLE_PARTNER: -1000},
    EventKind.PARTNER_ONLINE: {A.CLEARING: 1000, A.RECEIVABLE_PARTNER: -1000},
    EventKind.PARTNER_DIRECT_DEBIT: {A.CLEARING: 1000, A.RECEIVABLE_PARTNER: -1000},
    EventKind.PARTNER_UNMATCHED: {A.BANK: 1000, A.UNMATCHED_RECEIPTS: -1000},
    EventKind.DIRECT_DEBIT_FAILED: {A.RECEIVABLE_PARTNER: 1000, A.CLEARING: -1000},
    EventKind.WRITE_OFF: {A.BAD_DEBT: 1000, A.RECEIVABLE_PARTNER: -1000},
}


def _signed(entry: JournalEntry) -> dict[Account, int]:
    return {line.account: line.debit_minor - line.credit_minor for line in entry.lines}


@pytest.mark.parametrize("kind", list(EventKind))
def test_each_event_kind_posts_its_accounts(kind):
    part = {EventKind.GUEST_PAYMENT: 100, EventKind.PARTNER_COMMISSION_INVOICE: 100}.get(kind, 0)
    part = 100 if kind is EventKind.PAYOUT else part
    tax = 50 if kind is EventKind.PAYOUT else 0
    entry = entry_for(LedgerEvent(kind, DAY, "REF-1", "EUR", 1000, part=part, tax=tax, who="P"))
    assert entry is not None
    assert _signed(entry) == EXPECTED[kind]
    assert entry.reference == "REF-1" and "REF-1" in entry.description


def test_a_commission_invoice_below_its_accrual_takes_revenue_back():
    entry = entry_for(
        LedgerEvent(EventKind.PARTNER_COMMISSION_INVOICE, DAY, "CM-1", "EUR", 900, part=1000)
    )
    assert entry is not None
    assert _signed(entry) == {
        A.RECEIVABLE_PARTNER: 900,
        A.COMMISSION_ACCRUED: -1000,
        A.COMMISSION_REVENUE: 100,
    }


# --- random mixes always balance (property) ---------------------------------------------------

_events = st.builds(
    LedgerEvent,
    kind=st.sampled_from(list(EventKind)),
    day=st.dates(date(2026, 1, 1), date(2026, 12, 31)),
    reference=st.text(min_size=1, max_size=30),
    currency=st.sampled_from(["EUR", "JPY", "KWD", "USD"]),
    amount=st.integers(0, 10**15),
    part=st.integers(0, 10**15),
    tax=st.integers(0, 10**15),
)


@given(st.lists(_events, max_size=40))
def test_any_mix_of_events_gives_a_balanced_journal(events):
    entries = journal_of(events)
    totals = check_balanced(entries)
    for t in totals:
        assert t.debit_minor == t.credit_minor
    for e in entries:
        assert e.debits == e.credits
        assert all(line.debit_minor >= 0 and line.credit_minor >= 0 for line in e.lines)
        assert all((line.debit_minor == 0) != (line.credit_minor == 0) for line in e.lines)
        text = journal_csv([e], e.currency, CHART)
        rows = list(csv.DictReader(io.StringIO(text)))
        assert len(rows) == len(e.lines)


# --- CSV formatting ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "minor, currency, text",
    [
        (12345, "JPY", "12345"),
        (0, "JPY", "0"),
        (12345, "EUR", "123.45"),
        (5, "EUR", "0.05"),
        (-5, "EUR", "-0.05"),
        (0, "EUR", "0.00"),
        (12345, "KWD", "12.345"),
        (7, "KWD", "0.007"),
        (-1234567, "KWD", "-1234.567"),
        (MAX_MINOR, "EUR", "92233720368547758.07"),
    ],
)
def test_amounts_print_with_the_currency_exponent(minor, currency, text):
    assert decimal_text(minor, currency) == text


def test_a_float_is_never_printed():
    with pytest.raises(TypeError):
        decimal_text(1.5, "EUR")  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["=HYPERLINK(1)", "+1", "-1", "@SUM(A1)", "\t=1"])
def test_formula_like_text_is_quoted(text):
    assert safe_text(text).startswith("'")


def _sample(currency: str) -> list[JournalEntry]:
    events = [
        LedgerEvent(EventKind.GUEST_PAYMENT, DAY, "pa_1", currency, 10_001, part=1),
        LedgerEvent(
            EventKind.PAYOUT, DAY, "=PO-1", currency, 5_000, part=700, tax=147, who="Ünïcødé ✈"
        ),
    ]
    return journal_of(events)


@pytest.mark.parametrize(
    "currency, payment", [("JPY", "10001"), ("EUR", "100.01"), ("KWD", "10.001")]
)
def test_our_csv_has_debit_and_credit_columns_that_add_up(currency, payment):
    rows = list(csv.DictReader(io.StringIO(journal_csv(_sample(currency), currency, CHART))))
    assert tuple(rows[0]) == JOURNAL_COLUMNS
    [clearing] = [r for r in rows if r["journal_reference"] == "pa_1" and r["debit"]]
    assert clearing["debit"] == payment and clearing["account"] == "1200"
    assert {r["currency"] for r in rows} == {currency}
    assert any(r["journal_reference"] == "'=PO-1" for r in rows)
    assert any("Ünïcødé ✈" in r["description"] for r in rows)
    minor = [int(x.replace(".", "")) if x else 0 for r in rows for x in (r["debit"], r["credit"])]
    debits = sum(int(r["debit"].replace(".", "") or 0) for r in rows)
    credits = sum(int(r["credit"].replace(".", "") or 0) for r in rows)
    assert debits == credits and sum(minor) == 2 * debits


def test_xero_and_quickbooks_files_balance_per_journal():
    entries = _sample("KWD")
    xero = list(csv.DictReader(io.StringIO(xero_csv(entries, "KWD", CHART))))
    assert tuple(xero[0]) == XERO_COLUMNS
    by_narration: dict[str, int] = {}
    for r in xero:
        by_narration[r["*Narration"]] = by_narration.get(r["*Narration"], 0) + int(
            r["*Amount"].replace(".", "")
        )
    assert set(by_narration.values()) == {0}
    qb = list(csv.DictReader(io.StringIO(quickbooks_csv(entries, "KWD", CHART))))
    assert tuple(qb[0]) == QUICKBOOKS_COLUMNS
    assert {r["Journal No"] for r in qb} == {"202611-00001", "202611-00002"}
    assert {r["Currency"] for r in qb} == {"KWD"}


def test_a_file_refuses_entries_of_another_currency():
    with pytest.raises(ValueError, match="EUR file cannot hold JPY"):
        journal_csv(_sample("JPY"), "EUR", CHART)
