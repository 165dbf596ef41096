"""Reading a bookings file (CSV) from a PMS or channel manager, whole, before anything is written.

A header row, then one booking per row; columns in any order and any case (`external_reference`
or `external reference`): external_reference (the PMS's id; required, unique in the file),
guest_name, guest_email, guest_language (optional, e.g. fr_FR; default en_US), property (its
code, e.g. PRP-1001), check_in and check_out (YYYY-MM-DD), currency (ISO 4217),
accommodation_total, accommodation_paid (optional, default 0) and collected_by (optional:
platform or property). Every row is checked as the New booking form is
(`domain.booking_input`); one bad row refuses the file with the rows and reasons listed. Rows
are numbered as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from concierge_app.domain.booking_input import BookingInput, check_booking_fields
from concierge_app.domain.csv_files import column_name, header_columns, read_rows
from concierge_app.domain.errors import DomainError

MAX_ROWS = 2_000
MAX_BYTES = 1024 * 1024
MAX_SHOWN = 10  # problems listed when a file is refused

COLUMN_LABELS: dict[str, str] = {
    "external_reference": "external_reference",
    "guest_name": "guest_name",
    "guest_email": "guest_email",
    "guest_language": "guest_language",
    "property": "property",
    "check_in": "check_in",
    "check_out": "check_out",
    "currency": "currency",
    "accommodation_total": "accommodation_total",
    "accommodation_paid": "accommodation_paid",
    "collected_by": "collected_by",
}
OPTIONAL = ("guest_language", "accommodation_paid", "collected_by")
REQUIRED = tuple(k for k in COLUMN_LABELS if k not in OPTIONAL)
EXAMPLE = (
    "external_reference,guest_name,guest_email,guest_language,property,check_in,check_out,"
    "currency,accommodation_total,accommodation_paid,collected_by\n"
    "HX-88121,Ana Souza,ana@example.com,pt_PT,PRP-1001,2027-03-02,2027-03-09,EUR,4200.00,"
    "1000.00,platform"
)


@dataclass(frozen=True, slots=True)
class BookingRow:
    """One row of the file, checked."""

    row: int  # its row in the file (header = row 1)
    booking: BookingInput

    @property
    def external_reference(self) -> str:
        return self.booking.external_reference or ""


class BookingFileRefused(DomainError):
    """The bookings file was not imported (nothing was written). `summary` says why in one
    sentence; `problems` lists the bad rows (at most MAX_SHOWN, then how many more)."""

    def __init__(self, summary: str, problems: Sequence[str] = ()) -> None:
        shown = list(problems[:MAX_SHOWN])
        if len(problems) > MAX_SHOWN:
            shown.append(f"… and {len(problems) - MAX_SHOWN} more.")
        super().__init__("\n".join([summary, *shown]))
        self.summary = summary
        self.problems = tuple(shown)


def refuse_rows(problems: Sequence[str], bad_rows: int) -> BookingFileRefused:
    """The refusal of a file with `bad_rows` rows in trouble, `problems` saying which and why."""
    many = bad_rows > 1
    return BookingFileRefused(
        f"Nothing was imported: {bad_rows} row{'s' if many else ''} of the file "
        f"{'have' if many else 'has'} problems. Correct the file and import it again.",
        problems,
    )


def _too_big() -> str:
    return (
        f"The file is larger than {MAX_BYTES // 1024:,} KB, the most one bookings file may be. "
        "Split it into smaller files."
    )


def decode_bookings_file(data: bytes) -> str:
    """The text of an uploaded bookings file: UTF-8 (with or without a byte-order mark)."""
    if len(data) > MAX_BYTES:
        raise BookingFileRefused(_too_big())
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BookingFileRefused(
            "The file is not a UTF-8 CSV file. Export the bookings as CSV (UTF-8) and import "
            "them again."
        ) from None


def _key(raw: str) -> str | None:
    key = column_name(raw).replace(" ", "_")
    return key if key in COLUMN_LABELS else None


def _columns(header: list[str]) -> dict[str, int]:
    return header_columns(
        header, labels=COLUMN_LABELS, required=REQUIRED, key_of=_key, refused=BookingFileRefused
    )


def parse_bookings_csv(csv_text: str) -> tuple[BookingRow, ...]:
    """Every booking of the file, checked; BookingFileRefused when the file or any row is bad
    (then nothing may be written)."""
    rows = read_rows(
        csv_text,
        noun="booking",
        max_bytes=MAX_BYTES,
        max_rows=MAX_ROWS,
        too_big=_too_big(),
        columns_of=_columns,
        refused=BookingFileRefused,
    )
    checked: list[BookingRow] = []
    problems: list[str] = []
    bad_rows: set[int] = set()
    seen: dict[str, int] = {}
    for number, fields in rows:
        if isinstance(fields, str):
            problems.append(fields)
            bad_rows.add(number)
            continue
        booking, found = check_booking_fields(fields)
        problems += [f"Row {number} ({COLUMN_LABELS[key]}): {message}" for key, message in found]
        external = booking.external_reference if booking else None
        if booking is not None and external is None:
            problems.append(
                f"Row {number} (external_reference): the PMS's id of the booking is missing; "
                "it is how a second import finds the booking again."
            )
        first_on = seen.get(external) if external else None
        if first_on is not None:
            problems.append(
                f"Row {number} (external_reference): '{external}' is also on row {first_on}; "
                "each booking may appear only once."
            )
        elif external:
            seen[external] = number
        if booking is None or external is None or first_on is not None:
            bad_rows.add(number)
        else:
            checked.append(BookingRow(number, booking))
    if bad_rows:
        raise refuse_rows(problems, len(bad_rows))
    return tuple(checked)
