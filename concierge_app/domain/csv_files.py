"""What every CSV import shares (bank statements, bookings): reading the rows of a file with its
delimiter, and checking its header against the columns the import knows. Each import words its
own refusals through `refused` (its DomainError), so the messages name what it imports."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Collection, Mapping

from concierge_app.domain.errors import DomainError

Records = list[tuple[int, list[str]]]  # (line number, cells), blank rows left out


def column_name(header: str) -> str:
    """A header cell as words: 'Transaction-ID ' is 'transaction id'."""
    return " ".join(header.strip().lower().replace("_", " ").replace("-", " ").split())


def delimiter(first_line: str) -> str:
    """Comma, or semicolon / tab when the header row uses that instead."""
    return next((d for d in (",", ";", "\t") if d in first_line), ",")


def read_records(text: str, refused: Callable[[str], DomainError]) -> Records:
    """The non-blank rows of a non-blank CSV text, numbered from 1."""
    first_line = next(line for line in text.splitlines() if line.strip())
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(first_line))
        numbered = list(enumerate(reader, start=1))
    except csv.Error as bad:
        raise refused(f"The file is not a readable CSV file ({bad}).") from None
    return [(n, cells) for n, cells in numbered if any(c.strip() for c in cells)]


def header_columns(
    header: list[str],
    *,
    labels: Mapping[str, str],
    required: Collection[str],
    key_of: Callable[[str], str | None],
    refused: Callable[[str], DomainError],
) -> dict[str, int]:
    """Each known column's key → its index; `refused` saying which columns are unknown, twice
    or missing. `labels` names every column (key → label), `key_of` reads a header cell."""
    expected = ", ".join(
        label if key in required else f"{label} (optional)" for key, label in labels.items()
    )
    found: dict[str, int] = {}
    unknown: list[str] = []
    twice: list[str] = []
    for index, raw in enumerate(header):
        key = key_of(raw)
        if key is None:
            name = raw.strip()[:40]
            unknown.append(f"'{name}'" if name else f"column {index + 1} (no name)")
        elif key in found:
            twice.append(labels[key])
        else:
            found[key] = index
    plural = "s" if len(unknown) > 1 else ""
    if unknown:
        raise refused(
            f"Unknown column{plural} {', '.join(unknown[:5])}. The columns are: {expected}."
        )
    if twice:
        raise refused(
            f"The {', '.join(sorted(set(twice)))} column appears more than once in the header."
        )
    missing = [labels[k] for k in required if k not in found]
    if missing:
        raise refused(
            f"Missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}. "
            f"The columns are: {expected}."
        )
    return found


def read_rows(
    csv_text: str,
    *,
    noun: str,
    max_bytes: int,
    max_rows: int,
    too_big: str,
    columns_of: Callable[[list[str]], dict[str, int]],
    refused: Callable[[str], DomainError],
) -> list[tuple[int, dict[str, str] | str]]:
    """Each data row of a CSV file of `noun`s, numbered: its fields by key, or (a row whose width
    is not the header's) the problem to report. `refused` when the file as a whole is bad."""
    if len(csv_text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise refused(too_big)
    text = csv_text.removeprefix("\ufeff")
    if not text.strip():
        raise refused(f"The file is empty. It needs a header row, then one row per {noun}.")
    records = read_records(text, refused)
    header = records[0][1]
    columns = columns_of(header)
    data = records[1:]
    if not data:
        raise refused(f"The file has a header row but no {noun}s.")
    if len(data) > max_rows:
        raise refused(
            f"The file has {len(data):,} {noun}s; import at most {max_rows:,} at a time. "
            "Split it into smaller files."
        )
    return [
        (
            number,
            {key: cells[index] for key, index in columns.items()}
            if len(cells) == len(header)
            else f"Row {number}: it has {len(cells)} values, the header has {len(header)} columns.",
        )
        for number, cells in data
    ]
