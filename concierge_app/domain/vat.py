"""VAT/GST on the platform's commission: which partners get a separate VAT/GST document, at what
rate, and how the tax is rounded.

Rates are configured per partner country ("ES:21,AU:10"): a partner in a listed country gets,
with each commission invoice, a VAT/GST document for `commission × rate`. The tax is rounded
to the currency's minor unit once per document, half up (the rule the document states), never
per line: `Money.basis_points(bps, rounding=Rounding.HALF_UP)` (in SQL:
`db.sql.month_end.statements.half_up`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from concierge_app.domain.errors import DomainError

# Countries whose consumption tax is called GST; every other one's is VAT.
GST_COUNTRIES = frozenset({"AU", "NZ", "SG", "IN", "CA", "MY"})
_PAIR = re.compile(r"^\s*([A-Za-z]{2})\s*:\s*([0-9]+(?:\.[0-9]{1,2})?)\s*%?\s*$")


@dataclass(frozen=True, slots=True)
class TaxRate:
    country: str
    bps: int  # 2100 = 21 %

    @property
    def label(self) -> str:
        """ "VAT" or "GST"."""
        return tax_label(self.country)


def parse_rates(text: str) -> dict[str, TaxRate]:
    """ "ES:21,AU:10" → {"ES": TaxRate("ES", 2100), ...}; empty text: no VAT anywhere."""
    rates: dict[str, TaxRate] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        match = _PAIR.match(part)
        if not match:
            raise DomainError(
                f"{part.strip()!r} is not a VAT rate: write COUNTRY:PERCENT, e.g. ES:21.",
                field="vat_rates",
            )
        country = match[1].upper()
        try:
            bps = int(Decimal(match[2]) * 100)
        except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
            raise DomainError(f"{part.strip()!r} is not a rate.", field="vat_rates") from None
        if not 0 < bps <= 10_000:
            raise DomainError(f"The rate for {country} must be above 0 and at most 100 %.")
        if country in rates:
            raise DomainError(f"{country} is listed twice in the VAT rates.", field="vat_rates")
        rates[country] = TaxRate(country, bps)
    return rates


def tax_label(country: str) -> str:
    return "GST" if country.upper() in GST_COUNTRIES else "VAT"


def format_bps(bps: int) -> str:
    """2100 → "21", 1050 → "10.5", 725 → "7.25"."""
    whole, part = divmod(bps, 100)
    return str(whole) if not part else f"{whole}.{part:02d}".rstrip("0")
