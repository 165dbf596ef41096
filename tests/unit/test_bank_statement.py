"""Reading a bank statement CSV and a transfer typed by staff: a good file gives typed rows;
any bad row refuses the whole file with the rows and reasons; the file's shape is checked."""

from __future__ import annotations

from datetime import date

import pytest

from concierge_app.domain.bank_statement import (
    EXAMPLE,
    MAX_BYTES,
    MAX_ROWS,
    MAX_SHOWN,
    BankLine,
    BankLineInvalid,
    StatementRefused,
    decode_bank_statement,
    parse_bank_statement,
    read_bank_line,
)
from concierge_app.domain.money import Money

HEADER = "date,amount,currency,reference,payer,transaction id"


def refusal(text: str) -> StatementRefused:
    with pytest.raises(StatementRefused) as refused:
        parse_bank_statement(text)
    return refused.value


def test_a_good_file_gives_every_transfer_typed_and_numbered_as_in_a_spreadsheet():
    lines = parse_bank_statement(
        f"{HEADER}\n"
        "2026-11-20,120.00,EUR,PRP-1001 CM-2026-000012,Villa Azul S.L.,TX-1\n"
        '2026-11-21,"1500",jpy,"Kyoto, November",,TX-2\n'
        "2026-11-22,1.250,KWD,  OPR-2002  , Marco ,TX-3\n"
    )
    assert lines == (
        BankLine(
            2,
            date(2026, 11, 20),
            Money(12000, "EUR"),
            "PRP-1001 CM-2026-000012",
            "Villa Azul S.L.",
            "TX-1",
        ),
        BankLine(3, date(2026, 11, 21), Money(1500, "JPY"), "Kyoto, November", "", "TX-2"),
        BankLine(4, date(2026, 11, 22), Money(1250, "KWD"), "OPR-2002", "Marco", "TX-3"),
    )


def test_columns_are_found_in_any_order_and_case_and_payer_is_optional():
    lines = parse_bank_statement(
        "\ufeffTransaction_ID;Reference;CURRENCY;Amount;Date\r\nA-9;PRP-1001;EUR;+80.5;2026-11-02\r\n"
    )
    assert [(ln.transaction_id, ln.amount, ln.payer, ln.received_on) for ln in lines] == [
        ("A-9", Money(8050, "EUR"), "", date(2026, 11, 2))
    ]
    (line,) = parse_bank_statement("id,date,amount,currency,reference\nX,2026-11-02,5,USD,\n")
    assert line.transaction_id == "X" and line.reference == ""


def test_the_example_shown_to_staff_is_a_good_file():
    (line,) = parse_bank_statement(EXAMPLE)
    assert line.amount == Money(12000, "EUR") and line.transaction_id == "TX-0001"


def test_blank_rows_are_skipped_not_counted():
    lines = parse_bank_statement(f"\n{HEADER}\n\n2026-11-20,1.00,EUR,r,p,T1\n,,,,,\n\n")
    assert [ln.row for ln in lines] == [4]


@pytest.mark.parametrize(
    ("amount", "currency", "reason"),
    [
        ("12,50", "EUR", "'12,50' is not an amount"),
        ("abc", "EUR", "'abc' is not an amount"),
        ("0.00", "EUR", "An incoming transfer is more than zero; '0.00' is not."),
        ("-10.00", "EUR", "An incoming transfer is more than zero; '-10.00' is not."),
        ("", "EUR", "The amount is missing"),
        ("12.345", "EUR", "EUR amounts have at most 2 decimals; '12.345' has more."),
        ("1500.5", "JPY", "JPY amounts have no decimals; '1500.5' has more."),
        ("10.00", "EURO", "'EURO' is not a currency we support"),
    ],
)
def test_a_bad_amount_or_currency_refuses_the_file_naming_the_row(amount, currency, reason):
    refused = refusal(
        f'{HEADER}\n2026-11-20,1.00,EUR,ok,,T1\n2026-11-20,"{amount}",{currency},r,,T2\n'
    )
    assert refused.summary.startswith("Nothing was imported: 1 row of the file has problems.")
    (problem,) = refused.problems
    assert problem.startswith("Row 3 (")
    assert reason in problem


@pytest.mark.parametrize("day", ["20/11/2026", "2026-11-31", "2026-13-01", "20261120", ""])
def test_a_bad_date_refuses_the_file(day):
    (problem,) = refusal(f"{HEADER}\n{day},1.00,EUR,r,,T1\n").problems
    assert problem.startswith("Row 2 (date): ")
    assert "YYYY-MM-DD" in problem


def test_a_transaction_id_twice_in_the_file_refuses_it_naming_both_rows():
    refused = refusal(
        f"{HEADER}\n2026-11-20,1.00,EUR,r,,T1\n2026-11-20,2.00,EUR,r,,T2\n2026-11-21,1.00,EUR,r,,T1\n"
    )
    assert refused.problems == (
        "Row 4 (transaction id): 'T1' is also on row 2; each transfer may appear only once.",
    )


def test_a_missing_transaction_id_refuses_the_file():
    (problem,) = refusal(f"{HEADER}\n2026-11-20,1.00,EUR,r,,  \n").problems
    assert problem == "Row 2 (transaction id): The bank's transaction id is missing."


def test_every_bad_row_is_listed_up_to_a_limit_then_counted():
    rows = "".join(f"2026-11-20,-1,EUR,r,,T{i}\n" for i in range(MAX_SHOWN + 5))
    refused = refusal(f"{HEADER}\n{rows}")
    assert refused.summary.startswith(f"Nothing was imported: {MAX_SHOWN + 5} rows of the file")
    assert len(refused.problems) == MAX_SHOWN + 1
    assert refused.problems[0].startswith("Row 2 (amount)")
    assert refused.problems[-1] == "… and 5 more."
    assert "Row 2 (amount)" in str(refused)  # the whole message reads on its own


def test_a_row_with_too_few_or_too_many_values_is_refused():
    refused = refusal(f"{HEADER}\n2026-11-20,1.00,EUR\n2026-11-20,1.00,EUR,r,p,T2,extra\n")
    assert refused.problems == (
        "Row 2: it has 3 values, the header has 6 columns.",
        "Row 3: it has 7 values, the header has 6 columns.",
    )


def test_several_problems_of_one_row_are_all_listed():
    refused = refusal(f"{HEADER}\nyesterday,,EUR,r,,\n")
    assert [p.split(":")[0] for p in refused.problems] == [
        "Row 2 (date)",
        "Row 2 (amount)",
        "Row 2 (transaction id)",
    ]


def test_too_long_texts_are_refused_rather_than_cut():
    refused = refusal(f"{HEADER}\n2026-11-20,1.00,EUR,{'r' * 301},{'p' * 201},{'t' * 101}\n")
    assert refused.problems == (
        "Row 2 (reference): The reference is longer than 300 characters.",
        "Row 2 (payer): The payer is longer than 200 characters.",
        "Row 2 (transaction id): The transaction id is longer than 100 characters.",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty. It needs a header row, then one row per transfer."),
        ("\n \n", "The file is empty. It needs a header row, then one row per transfer."),
        (f"{HEADER}\n", "The file has a header row but no transfers."),
        (
            "date,amount,currency,reference,transaction id,balance\n",
            "Unknown column 'balance'. The columns are: date, amount, currency, reference, "
            "payer (optional), transaction id.",
        ),
        (
            "date,amount,reference,payer\n",
            "Missing columns: currency, transaction id. The columns are: date, amount, "
            "currency, reference, payer (optional), transaction id.",
        ),
        (
            "date,amount,currency,reference,id,transaction id\n",
            "The transaction id column appears more than once in the header.",
        ),
    ],
)
def test_a_file_of_the_wrong_shape_is_refused_with_a_clear_message(text, message):
    refused = refusal(text)
    assert refused.summary == message and refused.problems == ()


def test_more_rows_than_allowed_are_refused():
    rows = "".join(f"2026-11-20,1.00,EUR,r,,T{i}\n" for i in range(MAX_ROWS + 1))
    assert refusal(f"{HEADER}\n{rows}").summary == (
        "The file has 5,001 transfers; import at most 5,000 at a time. Split it into smaller files."
    )
    assert len(parse_bank_statement(f"{HEADER}\n{rows.split(chr(10), 1)[1]}")) == MAX_ROWS


def test_a_file_larger_than_allowed_is_refused():
    big = f"{HEADER}\n" + "x" * MAX_BYTES
    assert refusal(big).summary == (
        "The file is larger than 2 MB, the most one statement may be. Split it into smaller files."
    )
    with pytest.raises(StatementRefused, match="larger than 2 MB"):
        decode_bank_statement(big.encode())


def test_an_uploaded_file_must_be_utf8_text():
    assert decode_bank_statement(b"\xef\xbb\xbfdate\n") == "date\n"
    assert decode_bank_statement("Zoë".encode()) == "Zoë"
    with pytest.raises(StatementRefused, match="not a UTF-8 CSV file"):
        decode_bank_statement("Zoë".encode("latin-1"))
    with pytest.raises(StatementRefused, match="not a UTF-8 CSV file"):
        decode_bank_statement(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb5")  # xlsx


def test_a_transfer_typed_by_staff_is_checked_the_same_way_with_every_problem_by_field():
    line = read_bank_line(
        {
            "received_on": "2026-11-20",
            "amount": "120.00",
            "currency": "eur",
            "reference": " PRP-1001 ",
            "payer": "",
            "transaction_id": "TX-1",
        }
    )
    assert line == BankLine(0, date(2026, 11, 20), Money(12000, "EUR"), "PRP-1001", "", "TX-1")
    with pytest.raises(BankLineInvalid) as refused:
        read_bank_line({"received_on": "soon", "amount": "1.234", "currency": "EUR"})
    assert [field for field, _ in refused.value.problems] == [
        "received_on",
        "amount",
        "transaction_id",
    ]
    assert refused.value.field == "received_on"
