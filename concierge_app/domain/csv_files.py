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
