"""The journal as CSV text: our own format (one file per currency, `debit` and `credit`
columns), Xero's manual journal import and QuickBooks Online's journal entry import. Amounts
are printed from integer minor units with the currency's exponent (JPY 0, EUR 2, KWD 3), never
through floats; free text is made safe to open in a spreadsheet (no formulas)."""

from __future__ import annotations

import csv
import enum
import io
from collections.abc import Sequence

from concierge_app.domain.currencies import exponent
from concierge_app.domain.journal import JournalEntry, check_balanced
from concierge_app.domain.journal_accounts import ChartOfAccounts

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

JOURNAL_COLUMNS = (
    "date",
    "journal_reference",
    "description",
    "account",
    "account_name",
    "debit",
    "credit",
    "currency",
)
# Xero: Accounting → Manual journals → Import (its template's columns; * = required).
XERO_COLUMNS = (
    "*Narration",
    "*Date",
    "Description",
    "*AccountCode",
    "*TaxRate",
    "*Amount",
    "TrackingName1",
    "TrackingOption1",
    "TrackingName2",
    "TrackingOption2",
)
XERO_TAX_RATE = "Tax Exempt"  # the amounts are gross: VAT is its own line on its own account
# QuickBooks Online: Settings → Import data → Journal entries.
QUICKBOOKS_COLUMNS = (
    "Journal No",
    "Journal Date",
    "Currency",
    "Account",
    "Debits",
    "Credits",
    "Description",
    "Name",
    "Memo",
)


class CsvFormat(enum.StrEnum):
    JOURNAL = "journal"
    XERO = "xero"
    QUICKBOOKS = "quickbooks"


def decimal_text(minor: int, currency: str) -> str:
    """12345 EUR → "123.45", 12345 JPY → "12345", 12345 KWD → "12.345", -5 EUR → "-0.05"."""
    if not isinstance(minor, int) or isinstance(minor, bool):
        raise TypeError("amounts are whole minor units")
    places = exponent(currency)
    sign = "-" if minor < 0 else ""
    digits = str(abs(minor)).rjust(places + 1, "0")
    if not places:
        return sign + digits
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


def safe_text(text: str) -> str:
    """Free text a spreadsheet would run as a formula is prefixed with a quote."""
    clean = " ".join(str(text).split())
    return "'" + clean if clean.startswith(_FORMULA_START) else clean


def _one_currency(entries: Sequence[JournalEntry], currency: str) -> None:
    check_balanced(entries)
    other = {e.currency for e in entries} - {currency}
    if other:
        raise ValueError(f"A {currency} file cannot hold {sorted(other)[0]} entries.")


def journal_csv(entries: Sequence[JournalEntry], currency: str, chart: ChartOfAccounts) -> str:
    """Our journal for one currency: a line per account and side."""
    _one_currency(entries, currency)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(JOURNAL_COLUMNS)
    for e in entries:
        for line in e.lines:
            writer.writerow(
                [
                    e.day.isoformat(),
                    safe_text(e.reference),
                    safe_text(e.description),
                    chart.code(line.account),
                    chart.name(line.account),
                    decimal_text(line.debit_minor, currency) if line.debit_minor else "",
                    decimal_text(line.credit_minor, currency) if line.credit_minor else "",
                    currency,
                ]
            )
    return out.getvalue()


def xero_csv(entries: Sequence[JournalEntry], currency: str, chart: ChartOfAccounts) -> str:
    """Xero's manual journal import: one journal per narration and date, debits positive,
    credits negative (Xero's manual journals are in the organisation's base currency)."""
    _one_currency(entries, currency)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(XERO_COLUMNS)
    for e in entries:
        narration = safe_text(e.description)
        for line in e.lines:
            amount = line.debit_minor - line.credit_minor
            writer.writerow(
                [
                    narration,
                    e.day.isoformat(),
                    safe_text(chart.name(line.account)),
                    chart.code(line.account),
                    XERO_TAX_RATE,
                    decimal_text(amount, currency),
                    "",
                    "",
                    "",
                    "",
                ]
            )
    return out.getvalue()


def quickbooks_csv(entries: Sequence[JournalEntry], currency: str, chart: ChartOfAccounts) -> str:
    """QuickBooks Online's journal entry import: lines sharing a Journal No are one entry."""
    _one_currency(entries, currency)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(QUICKBOOKS_COLUMNS)
    for number, e in enumerate(entries, start=1):
        for line in e.lines:
            writer.writerow(
                [
                    f"{e.day:%Y%m}-{number:05d}",
                    e.day.isoformat(),
                    currency,
                    chart.code(line.account),
                    decimal_text(line.debit_minor, currency) if line.debit_minor else "",
                    decimal_text(line.credit_minor, currency) if line.credit_minor else "",
                    safe_text(e.description),
                    "",
                    safe_text(e.reference),
                ]
            )
    return out.getvalue()


def render(
    fmt: CsvFormat, entries: Sequence[JournalEntry], currency: str, chart: ChartOfAccounts
) -> str:
    writers = {CsvFormat.JOURNAL: journal_csv, CsvFormat.XERO: xero_csv}
    return writers.get(fmt, quickbooks_csv)(entries, currency, chart)
