"""A booking typed by staff or read from a bookings CSV: good text gives a checked booking;
hostile cells (huge, negative, full-width digits, odd Unicode, formulas, bad dates) are refused
per field; one bad row refuses the whole file with its row number; the file's shape is checked."""

from __future__ import annotations

from datetime import date

import pytest

from concierge_app.domain.booking_changes import BookingFacts, edit_problems
from concierge_app.domain.booking_csv import (
    EXAMPLE,
    MAX_BYTES,
    MAX_ROWS,
    MAX_SHOWN,
    BookingFileRefused,
    decode_bookings_file,
    parse_bookings_csv,
)
from concierge_app.domain.booking_input import BookingInvalid, check_booking_fields, read_booking
from concierge_app.domain.money import Money
from concierge_app.domain.statuses import AccommodationCollector

GOOD = {
    "external_reference": "HX-1",
    "guest_name": "Ana Souza",
    "guest_email": " Ana@Example.com ",
    "guest_language": "pt_PT",
    "property": "prp-1001",
    "check_in": "2027-03-02",
    "check_out": "2027-03-09",
    "currency": "eur",
    "accommodation_total": "4200.00",
    "accommodation_paid": "1000",
    "collected_by": "Property",
}
HEADER = ",".join(GOOD)


def problems_with(**changes: str) -> dict[str, str]:
    booking, problems = check_booking_fields({**GOOD, **changes})
    assert booking is None
    return dict(problems)


def test_good_fields_give_a_checked_booking():
    booking = read_booking(GOOD)
    assert booking.external_reference == "HX-1"
    assert booking.guest_email == "ana@example.com"
    assert booking.property_code == "PRP-1001"
    assert (booking.check_in, booking.check_out) == (date(2027, 3, 2), date(2027, 3, 9))
    assert booking.accommodation_total == Money(420000, "EUR")
    assert booking.accommodation_paid == Money(100000, "EUR")
    assert booking.collected_by is AccommodationCollector.PROPERTY


def test_optional_fields_have_their_defaults():
    booking = read_booking(
        {
            **GOOD,
            "external_reference": "",
            "guest_language": "",
            "accommodation_paid": "",
            "collected_by": "",
        }
    )
    assert booking.external_reference is None
    assert booking.guest_language == "en_US"
    assert booking.accommodation_paid.is_zero
    assert booking.collected_by is AccommodationCollector.PLATFORM


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("accommodation_total", "9" * 30, "not an amount"),
        ("accommodation_total", "99999999999", "more than the most allowed"),
        ("accommodation_total", "-5", "cannot be negative"),
        ("accommodation_total", "１２３", "not an amount"),
        ("accommodation_total", "12.345", "at most 2 decimals"),
        ("accommodation_total", "1e5", "not an amount"),
        ("accommodation_total", "NaN", "not an amount"),
        ("accommodation_paid", "5000", "more than the total"),
        ("check_in", "２０２７-03-02", "not a day"),
        ("check_in", "2027-02-30", "not a day"),
        ("check_in", "02/03/2027", "not a day"),
        ("check_in", "1899-01-01", "between"),
        ("check_out", "2027-03-02", "after check-in"),
        ("check_out", "2028-06-01", "at most 366 nights"),
        ("guest_name", "=cmd|' /C calc'!A0", "formula"),
        ("guest_name", "@SUM(1+1)", "formula"),
        ("guest_name", "+33 Ana", "formula"),
        ("guest_name", "Ana\u202eazuoS", "direction"),
        ("guest_name", "Ana\x00", "control"),
        ("guest_name", "A" * 201, "longer than 200"),
        ("guest_name", "   ", "missing"),
        ("guest_email", "not-an-email", "not an email"),
        ("guest_email", '=HYPERLINK("x")', "formula"),
        ("guest_language", "xx_YY", "not a language"),
        ("currency", "EURO", "EURO"),
        ("currency", "", "missing"),
        ("collected_by", "guest", "platform or property"),
        ("external_reference", "has space", "letters, digits"),
        ("external_reference", "-1", "formula"),
        ("external_reference", "X" * 101, "longer than 100"),
        ("property", "", "Choose the property"),
    ],
)
def test_hostile_cells_are_refused_at_their_field(field: str, value: str, says: str):
    problems = problems_with(**{field: value})
    assert field in problems, problems
    assert says.lower() in problems[field].lower(), problems[field]


def test_every_problem_is_listed_not_only_the_first():
    with pytest.raises(BookingInvalid) as refused:
        read_booking({**GOOD, "guest_name": "", "check_in": "soon", "currency": "??"})
    assert {f for f, _ in refused.value.problems} == {"guest_name", "check_in", "currency"}


def test_unicode_names_are_kept_normalised():
    booking = read_booking({**GOOD, "guest_name": "Zoe\u0301 Ōtani 山田"})
    assert booking.guest_name == "Zoé Ōtani 山田"


def test_zero_decimal_currency():
    booking = read_booking(
        {**GOOD, "currency": "JPY", "accommodation_total": "120000", "accommodation_paid": "0"}
    )
    assert booking.accommodation_total == Money(120000, "JPY")
    assert (
        "decimals"
        in problems_with(currency="JPY", accommodation_total="1.5")["accommodation_total"]
    )


# -- the file -----------------------------------------------------------------------------------
def row(**changes: str) -> str:
    return ",".join({**GOOD, **changes}.values())


def refusal(text: str) -> BookingFileRefused:
    with pytest.raises(BookingFileRefused) as refused:
        parse_bookings_csv(text)
    return refused.value


def test_the_example_reads():
    (line,) = parse_bookings_csv(EXAMPLE)
    assert line.row == 2 and line.external_reference == "HX-88121"


def test_columns_in_any_order_and_case_semicolons_and_a_bom():
    text = (
        "\ufeffCurrency;External Reference;guest-name;GUEST_EMAIL;property;check_in;check_out;"
        "accommodation_total\n"
    )
    text += "EUR;HX-9;Ana;ana@example.com;PRP-1;2027-01-01;2027-01-03;100\n"
    (line,) = parse_bookings_csv(text)
    assert line.booking.external_reference == "HX-9"
    assert line.booking.accommodation_paid.is_zero


def test_one_bad_row_refuses_the_file_with_row_numbers():
    refused = refusal(
        f"{HEADER}\n{row()}\n\n{row(external_reference='HX-2', accommodation_total='-1')}\n"
        f"{row(external_reference='HX-3', guest_name='=cmd')}\n"
    )
    assert refused.summary.startswith("Nothing was imported: 2 rows")
    assert refused.problems[0].startswith("Row 4 (accommodation_total)")
    assert refused.problems[1].startswith("Row 5 (guest_name)")


def test_external_reference_is_required_and_unique_in_the_file():
    refused = refusal(f"{HEADER}\n{row()}\n{row()}\n{row(external_reference='')}\n")
    assert any("also on row 2" in p for p in refused.problems)
    assert any(p.startswith("Row 4 (external_reference)") for p in refused.problems)


def test_the_shape_of_the_file_is_checked():
    assert "empty" in refusal("  \n").summary
    assert "no bookings" in refusal(HEADER + "\n").summary
    assert "Unknown column 'colour'" in refusal(HEADER + ",colour\n").summary
    assert "Missing column: currency" in refusal(HEADER.replace(",currency", "") + "\n").summary
    assert "more than once" in refusal(HEADER + ",currency\n").summary
    assert "values" in refusal(f"{HEADER}\n{row()},extra\n").problems[0]


def test_size_limits():
    too_many = "\n".join(
        [HEADER, *(row(external_reference=f"HX-{i}") for i in range(MAX_ROWS + 1))]
    )
    assert "at most" in refusal(too_many).summary
    with pytest.raises(BookingFileRefused):
        decode_bookings_file(b"x" * (MAX_BYTES + 1))
    assert "larger" in refusal("x" * (MAX_BYTES + 1)).summary
    with pytest.raises(BookingFileRefused, match="UTF-8"):
        decode_bookings_file(b"\xff\xfe\x00bad")


def test_many_bad_rows_are_listed_up_to_a_limit():
    bad = "\n".join(row(external_reference=f"HX-{i}", check_in="bad") for i in range(30))
    refused = refusal(f"{HEADER}\n{bad}\n")
    assert len(refused.problems) == MAX_SHOWN + 1
    assert refused.problems[-1].startswith("… and")


# -- what may change ----------------------------------------------------------------------------
FACTS = BookingFacts(
    reference="BK-1",
    cancelled=False,
    property_code="PRP-1001",
    check_in=date(2027, 3, 2),
    check_out=date(2027, 3, 9),
    currency="EUR",
    accommodation_paid=Money(100000, "EUR"),
    invoices=0,
    services=0,
)


def test_edit_rules():
    wanted = read_booking(GOOD)
    assert edit_problems(FACTS, wanted, ()) == []
    cancelled = FACTS.__class__(
        **{**{f: getattr(FACTS, f) for f in FACTS.__slots__}, "cancelled": True}
    )
    moved = read_booking({**GOOD, "check_out": "2027-03-10"})
    assert edit_problems(cancelled, wanted, ()) == []  # nothing changes: nothing to refuse
    for changed in (("check_out",), ("guest_name",), ("external_reference", "currency")):
        refused = edit_problems(cancelled, moved, changed)
        assert len(refused) == 1 and refused[0][0] == "booking"
        assert refused[0][1].startswith("This booking is cancelled: BK-1")
    below = read_booking({**GOOD, "accommodation_total": "999", "accommodation_paid": ""})
    assert "below what is already paid" in edit_problems(FACTS, below, ("x",))[0][1]
    usd = read_booking({**GOOD, "currency": "USD"})
    assert "accommodation payments" in dict(edit_problems(FACTS, usd, ("currency",)))["currency"]
    invoiced = FACTS.__class__(**{**{f: getattr(FACTS, f) for f in FACTS.__slots__}, "invoices": 1})
    elsewhere = read_booking({**GOOD, "property": "PRP-2"})
    assert (
        "already has invoices"
        in dict(edit_problems(invoiced, elsewhere, ("property",)))["property"]
    )
