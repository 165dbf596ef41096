"""Reading incoming bank transfers: one typed by staff, or a bank statement exported as CSV.

A statement is read whole before anything is recorded: every row is checked, and one bad row
refuses the file with the rows and reasons listed, so a statement is never half imported.
Columns (a header row; any order, any case): date (YYYY-MM-DD), amount (in the currency's units,
e.g. 1234.50, more than zero, no more decimals than the currency has), currency (ISO 4217),
reference, payer (optional) and transaction id (also `transaction_id` or `id`; unique in the
file). Rows are numbered as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from concierge_app.domain.charge_limits import max_charge
from concierge_app.domain.csv_files import column_name, header_columns, read_rows
from concierge_app.domain.currencies import normalise_currency
from concierge_app.domain.errors import DomainError
from concierge_app.domain.money import Money

MAX_ROWS = 5_000
MAX_BYTES = 2 * 1024 * 1024
MAX_SHOWN = 10  # problems listed when a file is refused
MAX_REFERENCE, MAX_PAYER, MAX_TRANSACTION_ID = 300, 200, 100

# Canonical field → what the column is called (in messages and the example).
COLUMN_LABELS: dict[str, str] = {
    "received_on": "date",
    "amount": "amount",
    "currency": "currency",
    "reference": "reference",
    "payer": "payer",
    "transaction_id": "transaction id",
}
REQUIRED = ("received_on", "amount", "currency", "reference", "transaction_id")
_HEADER_NAMES: dict[str, str] = {
    "date": "received_on",
    "amount": "amount",
    "currency": "currency",
    "reference": "reference",
    "payer": "payer",
    "transaction id": "transaction_id",
    "id": "transaction_id",
}
EXAMPLE = (
    "date,amount,currency,reference,payer,transaction id\n"
    "2026-11-20,120.00,EUR,PRP-1001 CM-2026-000012,Villa Azul S.L.,TX-0001"
)
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class BankLine:
    """One incoming transfer, checked: ready to be recorded."""

    row: int  # its row in the file (header = row 1); 0 when typed by staff
    received_on: date
    amount: Money
    reference: str
    payer: str
    transaction_id: str


class BankLineInvalid(DomainError):
    """A transfer typed by staff is not valid; `problems` holds (field, message) for each."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        field, message = problems[0]
        super().__init__(message, field=field)
        self.problems = tuple(problems)


class StatementRefused(DomainError):
    """The statement file was not imported (nothing was recorded). `summary` says why in one
    sentence; `problems` lists the bad rows (at most MAX_SHOWN, then how many more)."""

    def __init__(self, summary: str, problems: Sequence[str] = ()) -> None:
        shown = list(problems[:MAX_SHOWN])
        if len(problems) > MAX_SHOWN:
            shown.append(f"… and {len(problems) - MAX_SHOWN} more.")
        super().__init__("\n".join([summary, *shown]))
        self.summary = summary
        self.problems = tuple(shown)


def check_bank_line(fields: Mapping[str, str]) -> tuple[BankLine | None, list[tuple[str, str]]]:
    """The transfer described by `fields` (text by canonical field name), or the problems with
    it as (field, message) — every one found, not only the first."""
    problems: list[tuple[str, str]] = []
    text = {k: (fields.get(k) or "").strip() for k in COLUMN_LABELS}

    received_on = _day(text["received_on"], problems)

    currency: str | None = None
    if not text["currency"]:
        problems.append(("currency", "The currency is missing (e.g. EUR)."))
    else:
        try:
            currency = normalise_currency(text["currency"])
        except DomainError as bad:
            problems.append(("currency", bad.message))

    amount: Money | None = None
    raw_amount = text["amount"].removeprefix("+")
    if not raw_amount:
        problems.append(("amount", "The amount is missing (e.g. 120.00)."))
    elif currency is not None:
        try:
            amount = Money.parse(raw_amount, currency)
        except DomainError as bad:
            problems.append(("amount", bad.message))
        else:
            if amount.minor <= 0:
                problems.append(
                    (
                        "amount",
                        f"An incoming transfer is more than zero; '{text['amount']}' is not.",
                    )
                )
                amount = None
            elif amount > max_charge(amount.currency):
                problems.append(
                    (
                        "amount",
                        f"{amount} is more than one payment can be: at most "
                        f"{max_charge(amount.currency)}.",
                    )
                )
                amount = None

    for key, limit in (("reference", MAX_REFERENCE), ("payer", MAX_PAYER)):
        if len(text[key]) > limit:
            problems.append((key, f"The {key} is longer than {limit} characters."))

    transaction_id = text["transaction_id"]
    if not transaction_id:
        problems.append(("transaction_id", "The bank's transaction id is missing."))
    elif len(transaction_id) > MAX_TRANSACTION_ID:
        problems.append(
            (
                "transaction_id",
                f"The transaction id is longer than {MAX_TRANSACTION_ID} characters.",
            )
        )

    if problems or received_on is None or amount is None:
        return None, problems
    line = BankLine(0, received_on, amount, text["reference"], text["payer"], transaction_id)
    return line, []


def read_bank_line(fields: Mapping[str, str]) -> BankLine:
    """A transfer typed by staff, checked; BankLineInvalid lists what is wrong."""
    line, problems = check_bank_line(fields)
    if line is None:
        raise BankLineInvalid(problems)
    return line


def _day(text: str, problems: list[tuple[str, str]]) -> date | None:
    if not text:
        problems.append(("received_on", "The day received is missing (YYYY-MM-DD)."))
        return None
    if _DAY.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    problems.append(("received_on", f"'{text}' is not a day; write it as YYYY-MM-DD."))
    return None


def decode_bank_statement(data: bytes) -> str:
    """The text of an uploaded statement file: UTF-8 (with or without a byte-order mark)."""
    if len(data) > MAX_BYTES:
        raise StatementRefused(_too_big())
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise StatementRefused(
            "The file is not a UTF-8 CSV file. Export the statement as CSV (UTF-8) and import "
            "it again."
        ) from None


def _too_big() -> str:
    megabytes = MAX_BYTES // (1024 * 1024)
    return (
        f"The file is larger than {megabytes} MB, the most one statement may be. "
        "Split it into smaller files."
    )


def _columns(header: list[str]) -> dict[str, int]:
    """Canonical field → its column index, or StatementRefused saying what is wrong."""
    return header_columns(
        header,
        labels=COLUMN_LABELS,
        required=REQUIRED,
        key_of=lambda raw: _HEADER_NAMES.get(column_name(raw)),
        refused=StatementRefused,
    )


def parse_bank_statement(csv_text: str) -> tuple[BankLine, ...]:
    """Every transfer of a statement, checked; StatementRefused when the file or any row is bad
    (then nothing may be recorded)."""
    rows = read_rows(
        csv_text,
        noun="transfer",
        max_bytes=MAX_BYTES,
        max_rows=MAX_ROWS,
        too_big=_too_big(),
        columns_of=_columns,
        refused=StatementRefused,
    )
    lines: list[BankLine] = []
    problems: list[str] = []
    bad_rows: set[int] = set()
    seen: dict[str, int] = {}
    for number, fields in rows:
        if isinstance(fields, str):
            problems.append(fields)
            bad_rows.add(number)
            continue
        line, found = check_bank_line(fields)
        problems += [f"Row {number} ({COLUMN_LABELS[key]}): {message}" for key, message in found]
        transaction_id = fields["transaction_id"].strip()
        first_on = seen.get(transaction_id) if transaction_id else None
        if first_on is not None:
            problems.append(
                f"Row {number} (transaction id): '{transaction_id}' is also on row {first_on}; "
                "each transfer may appear only once."
            )
        elif transaction_id:
            seen[transaction_id] = number
        if line is None or first_on is not None:
            bad_rows.add(number)
        else:
            lines.append(replace(line, row=number))
    if bad_rows:
        many = len(bad_rows) > 1
        raise StatementRefused(
            f"Nothing was imported: {len(bad_rows)} row{'s' if many else ''} of the file "
            f"{'have' if many else 'has'} problems. Correct the file and import it again.",
            problems,
        )
    return tuple(lines)
