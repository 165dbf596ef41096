"""ISO 4217 currencies and their minor-unit exponents."""

from __future__ import annotations

from concierge_app.domain.errors import UnknownCurrency

# Active ISO 4217 codes whose minor unit is not 2.
_ZERO_DECIMAL = frozenset(
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "ISK",
        "JPY",
        "KMF",
        "KRW",
        "PYG",
        "RWF",
        "UGX",
        "UYI",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ]
)
_THREE_DECIMAL = frozenset(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"])
_FOUR_DECIMAL = frozenset(["CLF", "UYW"])
# Active ISO 4217 codes with two decimals (funds and precious metals left out).
_TWO_DECIMAL = frozenset(
    [
        "AED",
        "AFN",
        "ALL",
        "AMD",
        "ANG",
        "AOA",
        "ARS",
        "AUD",
        "AWG",
        "AZN",
        "BAM",
        "BBD",
        "BDT",
        "BGN",
        "BMD",
        "BND",
        "BOB",
        "BRL",
        "BSD",
        "BTN",
        "BWP",
        "BYN",
        "BZD",
        "CAD",
        "CDF",
        "CHF",
        "CNY",
        "COP",
        "CRC",
        "CUP",
        "CVE",
        "CZK",
        "DKK",
        "DOP",
        "DZD",
        "EGP",
        "ERN",
        "ETB",
        "EUR",
        "FJD",
        "FKP",
        "GBP",
        "GEL",
        "GHS",
        "GIP",
        "GMD",
        "GTQ",
        "GYD",
        "HKD",
        "HNL",
        "HTG",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "IRR",
        "JMD",
        "KES",
        "KGS",
        "KHR",
        "KPW",
        "KYD",
        "KZT",
        "LAK",
        "LBP",
        "LKR",
        "LRD",
        "LSL",
        "MAD",
        "MDL",
        "MGA",
        "MKD",
        "MMK",
        "MNT",
        "MOP",
        "MRU",
        "MUR",
        "MVR",
        "MWK",
        "MXN",
        "MYR",
        "MZN",
        "NAD",
        "NGN",
        "NIO",
        "NOK",
        "NPR",
        "NZD",
        "PAB",
        "PEN",
        "PGK",
        "PHP",
        "PKR",
        "PLN",
        "QAR",
        "RON",
        "RSD",
        "RUB",
        "SAR",
        "SBD",
        "SCR",
        "SDG",
        "SEK",
        "SGD",
        "SHP",
        "SLE",
        "SOS",
        "SRD",
        "SSP",
        "STN",
        "SVC",
        "SYP",
        "SZL",
        "THB",
        "TJS",
        "TMT",
        "TOP",
        "TRY",
        "TTD",
        "TWD",
        "TZS",
        "UAH",
        "USD",
        "UYU",
        "UZS",
        "VES",
        "WST",
        "XCD",
        "XCG",
        "YER",
        "ZAR",
        "ZMW",
        "ZWG",
    ]
)

CURRENCY_EXPONENTS: dict[str, int] = {
    **{code: 2 for code in _TWO_DECIMAL},
    **{code: 0 for code in _ZERO_DECIMAL},
    **{code: 3 for code in _THREE_DECIMAL},
    **{code: 4 for code in _FOUR_DECIMAL},
}


def normalise_currency(code: str) -> str:
    """Return the upper-case ISO 4217 code, or raise UnknownCurrency."""
    if not isinstance(code, str):
        raise UnknownCurrency("A currency must be a three-letter ISO 4217 code.", field="currency")
    upper = code.strip().upper()
    if upper not in CURRENCY_EXPONENTS:
        raise UnknownCurrency(
            f"'{code}' is not a currency we support (use a three-letter ISO 4217 code such as "
            "EUR, USD or JPY).",
            field="currency",
        )
    return upper


def exponent(code: str) -> int:
    """Number of decimal places of the currency's minor unit (JPY 0, EUR 2, KWD 3)."""
    return CURRENCY_EXPONENTS[normalise_currency(code)]
