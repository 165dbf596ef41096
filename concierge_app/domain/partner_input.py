"""What a partner (a property or a service operator) is made of when staff type it, checked
field by field for the New partner and Edit details forms.

`check_partner_fields` takes text by field name and gives a `PartnerInput`, or every problem
found as (field, message) in `PartnerInvalid`. Text goes through the booking form's rules
(`booking_input.clean_text`: no control or bidi characters, no spreadsheet formula); the
commission rate is a percentage read without floats (`commission_rates.parse_rate`); the bank
account is checked as the partner's own Bank details page checks it (`bank_details`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from zoneinfo import available_timezones

from concierge_app.domain.bank_details import BankDetails, check_bank_details
from concierge_app.domain.booking_input import LOCALES, clean_text
from concierge_app.domain.commission_rates import parse_rate
from concierge_app.domain.countries import is_country
from concierge_app.domain.currencies import normalise_currency
from concierge_app.domain.errors import DomainError
from concierge_app.domain.statuses import CommissionPaymentMethod, PartnerKind, PayoutMethod

FIELDS = (
    "code",
    "name",
    "kind",
    "category",
    "address",
    "country",
    "timezone",
    "currency",
    "commission_rate",
    "payout_method",
    "commission_payment_method",
    "finance_contact",
    "finance_email",
    "language",
    "account_holder",
    "iban",
    "bic",
)
KINDS: dict[str, str] = {
    PartnerKind.PROPERTY.value: "Property",
    PartnerKind.OPERATOR.value: "Operator",
}
PAYOUT_METHODS: dict[str, str] = {
    PayoutMethod.NET_PAYOUT.value: "Net payout (commission deducted)",
    PayoutMethod.GROSS_STRIPE.value: "Gross (e.g. through Stripe)",
}
COMMISSION_PAYMENT_METHODS: dict[str, str] = {
    CommissionPaymentMethod.PAYOUT_DEDUCTION.value: "Deducted from the payout",
    CommissionPaymentMethod.BANK_TRANSFER.value: "Bank transfer",
    CommissionPaymentMethod.ONLINE.value: "Online (card)",
    CommissionPaymentMethod.DIRECT_DEBIT.value: "Direct debit",
}
DEFAULT_LANGUAGE = "en_US"
MAX_NAME, MAX_CATEGORY, MAX_EMAIL = 200, 50, 254
MAX_ADDRESS, MAX_ADDRESS_LINE, MAX_ADDRESS_LINES = 500, 100, 6

CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,19}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_TIMEZONE = re.compile(r"^[A-Za-z0-9_+\-/]{1,64}$")

Problems = list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class PartnerInput:
    """A partner as typed, every field checked. On an edit `code` is "" (it never changes),
    `commission_rate_bps` is None when no new rate was typed and `bank` None when the account
    is left as it is."""

    code: str
    name: str
    kind: PartnerKind
    category: str
    address: str  # lines separated by "\n"
    country: str
    timezone: str
    currency: str
    commission_rate_bps: int | None
    payout_method: PayoutMethod
    commission_payment_method: CommissionPaymentMethod
    finance_contact: str
    finance_email: str
    bank: BankDetails | None
    language: str = DEFAULT_LANGUAGE  # the locale its notices are written in, one of LOCALES


class PartnerInvalid(DomainError):
    """The partner typed by staff is not valid; `problems` holds (field, message) for each."""

    def __init__(self, problems: Problems) -> None:
        field, message = problems[0]
        super().__init__(message, field=field)
        self.problems = tuple(problems)


def check_code(text: str) -> str:
    """The partner ID quoted on transfers ("VILLA-01"), upper-cased; fixed once created."""
    code = (text or "").strip().upper()
    if not CODE.match(code):
        raise DomainError(
            "A partner ID is 3–20 letters (A–Z), digits or dashes, e.g. VILLA-01.", field="code"
        )
    return code


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_timezone(name: str) -> bool:
    return bool(_TIMEZONE.match(name)) and (name == "UTC" or name in _zones())


def _required(fields: Mapping[str, str], field: str, label: str, limit: int, p: Problems) -> str:
    text = clean_text(str(fields.get(field, "")), field, label, limit, p)
    if not text and not any(f == field for f, _ in p):
        p.append((field, f"Enter the {label}."))
    return text


def _choice(fields: Mapping[str, str], field: str, choices: Mapping[str, str], p: Problems) -> str:
    value = str(fields.get(field, "")).strip()
    if value not in choices:
        p.append((field, f"Choose one of: {', '.join(choices.values())}."))
    return value


def _address(text: str, p: Problems) -> str:
    if len(text or "") > 4 * MAX_ADDRESS:  # not worth reading line by line
        p.append(("address", f"The address is longer than {MAX_ADDRESS} characters."))
        return ""
    lines = [" ".join(line.split()) for line in (text or "").replace("\r\n", "\n").split("\n")]
    lines = [line for line in lines if line]
    for line in lines:
        if clean_text(line, "address", "address line", MAX_ADDRESS_LINE, p) == "":
            return ""
    address = "\n".join(lines)
    if not lines:
        p.append(("address", "Enter the postal address (street, town, postcode)."))
    elif len(lines) > MAX_ADDRESS_LINES:
        p.append(("address", f"An address has at most {MAX_ADDRESS_LINES} lines."))
    elif len(address) > MAX_ADDRESS:
        p.append(("address", f"The address is longer than {MAX_ADDRESS} characters."))
    return address


def _country(text: str, p: Problems) -> str:
    country = (text or "").strip().upper()
    if not _COUNTRY.match(country) or not is_country(country):
        shown = (text or "").strip()[:20]
        p.append(("country", f"“{shown}” is not a country: use its ISO code, e.g. ES, GB or AU."))
    return country


def _rate(text: str, required: bool, p: Problems) -> int | None:
    raw = (text or "").strip()
    if not raw and not required:
        return None
    if raw.startswith("-"):
        p.append(("commission_rate", "A commission rate cannot be negative."))
        return None
    if len(raw) > 20:
        p.append(("commission_rate", "Write the rate as a percentage such as 15 or 12.5."))
        return None
    try:
        return parse_rate(raw)
    except DomainError as bad:
        p.append(("commission_rate", bad.message))
        return None


def _email(text: str, p: Problems) -> str:
    email = (text or "").strip().lower()
    if not email:
        p.append(("finance_email", "Enter the finance contact's email."))
    elif len(email) > MAX_EMAIL or not email.isascii() or not _EMAIL.match(email):
        p.append(("finance_email", "Enter a valid email address, e.g. finance@villa.com."))
    return email


def _language(text: str, p: Problems) -> str:
    """The language of the partner's notices (a locale of `LOCALES`); empty: English (US)."""
    language = (text or "").strip() or DEFAULT_LANGUAGE
    if language not in LOCALES:
        p.append(("language", f"Choose one of: {', '.join(LOCALES.values())}."))
    return language


def _bank(fields: Mapping[str, str], required: bool, p: Problems) -> BankDetails | None:
    typed = [str(fields.get(f, "")).strip() for f in ("account_holder", "iban", "bic")]
    if not any(typed) and not required:
        return None
    holder = clean_text(typed[0], "account_holder", "account holder", 200, p)
    if not typed[1]:
        p.append(("iban", "Enter the IBAN (or leave the bank account empty)."))
        return None
    try:
        return check_bank_details(holder or typed[0], typed[1], typed[2])
    except DomainError as bad:
        p.append((bad.field or "iban", bad.message))
        return None


def check_partner_fields(fields: Mapping[str, str], *, new: bool) -> PartnerInput:
    """The partner typed in the New partner (`new`) or Edit details form, or `PartnerInvalid`
    with every problem. A new partner needs its ID and commission rate; on an edit the ID is
    not read and an empty rate (or bank account) keeps what there is."""
    p: Problems = []
    code = ""
    if new:
        try:
            code = check_code(str(fields.get("code", "")))
        except DomainError as bad:
            p.append(("code", bad.message))
    name = _required(fields, "name", "legal name", MAX_NAME, p)
    kind = _choice(fields, "kind", KINDS, p)
    category = _required(fields, "category", "category", MAX_CATEGORY, p)
    address = _address(str(fields.get("address", "")), p)
    country = _country(str(fields.get("country", "")), p)
    timezone = str(fields.get("timezone", "")).strip() or "UTC"
    if not is_timezone(timezone):
        p.append(("timezone", f"“{timezone[:40]}” is not a time zone, e.g. Europe/Madrid."))
    currency = ""
    try:
        currency = normalise_currency(str(fields.get("currency", ""))[:10])
    except DomainError as bad:
        p.append(("currency", bad.message))
    rate = _rate(str(fields.get("commission_rate", "")), new, p)
    payout = _choice(fields, "payout_method", PAYOUT_METHODS, p)
    paying = _choice(fields, "commission_payment_method", COMMISSION_PAYMENT_METHODS, p)
    if payout == PayoutMethod.GROSS_STRIPE and paying == CommissionPaymentMethod.PAYOUT_DEDUCTION:
        p.append(
            (
                "commission_payment_method",
                "A partner paid out gross has no payout to deduct from: it pays its commission "
                "by bank transfer, online or by direct debit.",
            )
        )
    contact = _required(fields, "finance_contact", "finance contact's name", MAX_NAME, p)
    email = _email(str(fields.get("finance_email", "")), p)
    language = _language(str(fields.get("language", "")), p)
    bank = _bank(fields, paying == CommissionPaymentMethod.DIRECT_DEBIT and new, p)
    if p:
        raise PartnerInvalid(p)
    return PartnerInput(
        code=code,
        name=name,
        kind=PartnerKind(kind),
        category=category,
        address=address,
        country=country,
        timezone=timezone,
        currency=currency,
        commission_rate_bps=rate,
        payout_method=PayoutMethod(payout),
        commission_payment_method=CommissionPaymentMethod(paying),
        finance_contact=contact,
        finance_email=email,
        bank=bank,
        language=language,
    )
