"""The reservation statement of a partner document as CSV (RFC 4180, header row, total row).

Amounts are plain decimals with the currency's digits ("1250.00", "12000"), dates ISO 8601.
Text a spreadsheet would run as a formula (starting with = + - @) is prefixed with a quote.
The result is text: encode it as UTF-8 ("utf-8-sig" for Excel to read non-Latin names).
"""

from __future__ import annotations

import csv
import io

from concierge_app.domain.documents import InvoiceDocument

HEADER = (
    "Reference",
    "Guest",
    "Description",
    "Start",
    "End",
    "Base",
    "Rate",
    "Commission",
    "Collected by",
    "Currency",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    """Free text made safe to open in a spreadsheet (no formula injection)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def statement_csv(doc: InvoiceDocument) -> str:
    """One row per statement line, then the total of the base and the commission."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for line in doc.lines:
        writer.writerow(
            (
                _text(line.reference),
                _text(line.guest_name),
                _text(line.description),
                line.start_date.isoformat(),
                line.end_date.isoformat(),
                line.base.amount_text(),
                line.rate,
                line.commission.amount_text(),
                line.collected_by,
                doc.currency,
            )
        )
    writer.writerow(
        (
            "Total",
            "",
            "",
            "",
            "",
            doc.base_total.amount_text(),
            "",
            doc.commission_total.amount_text(),
            "",
            doc.currency,
        )
    )
    return out.getvalue()
