"""The New partner / Edit details checks (`domain.partner_input`): every field, hostile input
(huge, negative, too precise, odd Unicode, malformed), and each problem named at its field."""

from __future__ import annotations

import pytest

from concierge_app.domain.partner_input import (
    FIELDS,
    PartnerInvalid,
    check_code,
    check_partner_fields,
    is_timezone,
)
from concierge_app.domain.statuses import CommissionPaymentMethod, PartnerKind, PayoutMethod

GOOD = {
    "code": "villa-7",
    "name": "  Villa Sol  S.L. ",
    "kind": "property",
    "category": "villa",
    "address": "Calle Mayor 1\r\n\n  07001 Palma  \n",
    "country": "es",
    "timezone": "Europe/Madrid",
    "currency": "eur",
    "commission_rate": "12.5",
    "payout_method": "net_payout",
    "commission_payment_method": "payout_deduction",
    "finance_contact": "Marta Ruiz",
    "finance_email": " Finance@VillaSol.es ",
    "account_holder": "",
    "iban": "",
    "bic": "",
}


def problems(fields: dict[str, str], *, new: bool = True) -> dict[str, str]:
    with pytest.raises(PartnerInvalid) as refused:
        check_partner_fields(fields, new=new)
    return dict(reversed(refused.value.problems))  # the first problem of each field


def test_a_good_partner_is_read_and_normalised() -> None:
    got = check_partner_fields(GOOD, new=True)
    assert got.code == "VILLA-7"
    assert got.name == "Villa Sol  S.L."
    assert got.kind is PartnerKind.PROPERTY
    assert got.address == "Calle Mayor 1\n07001 Palma"
    assert (got.country, got.currency, got.timezone) == ("ES", "EUR", "Europe/Madrid")
    assert got.commission_rate_bps == 1250
    assert got.payout_method is PayoutMethod.NET_PAYOUT
    assert got.commission_payment_method is CommissionPaymentMethod.PAYOUT_DEDUCTION
    assert got.finance_email == "finance@villasol.es"
    assert got.bank is None
    assert set(FIELDS) >= set(GOOD)


@pytest.mark.parametrize(
    ("typed", "bps"), [("15", 1500), ("12.5", 1250), ("7.25", 725), ("0", 0), ("100", 10_000)]
)
def test_the_rate_is_read_as_basis_points_without_floats(typed: str, bps: int) -> None:
    assert (
        check_partner_fields({**GOOD, "commission_rate": typed}, new=True).commission_rate_bps
        == bps
    )


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("-5", "cannot be negative"),
        ("100.001", "at most two decimals"),
        ("100.01", "at most 100"),
        ("1e3", "not a rate"),
        ("15,5", "not a rate"),
        ("１５", "not a rate"),  # full-width digits
        ("9" * 5000, "percentage"),
        ("", "Enter"),
    ],
)
def test_a_bad_rate_is_refused_at_its_field(typed: str, says: str) -> None:
    assert says in problems({**GOOD, "commission_rate": typed})["commission_rate"]


def test_on_an_edit_an_empty_rate_and_code_keep_what_there_is() -> None:
    got = check_partner_fields({**GOOD, "code": "!!", "commission_rate": ""}, new=False)
    assert got.code == "" and got.commission_rate_bps is None


@pytest.mark.parametrize("code", ["AB", "x" * 21, "VILLA 7", "-VILLA", "VİLLA-7", "VILLA_7", ""])
def test_a_bad_partner_id_is_refused(code: str) -> None:
    assert "partner ID" in problems({**GOOD, "code": code})["code"]
    with pytest.raises(Exception, match="partner ID"):
        check_code(code)


@pytest.mark.parametrize("country", ["XX", "E", "ESP", "ΕΣ", "ｅｓ", "", "E1", "UK"])
def test_an_unknown_country_is_refused(country: str) -> None:
    assert "not a country" in problems({**GOOD, "country": country})["country"]


@pytest.mark.parametrize("currency", ["EURO", "XYZ", "", "€", "ＥＵＲ", "E" * 10_000])
def test_an_unknown_currency_is_refused(currency: str) -> None:
    assert "currency" in problems({**GOOD, "currency": currency})["currency"]


@pytest.mark.parametrize(
    "zone", ["Mars/Olympus", "../../etc/passwd", "Europe/Madrid\x00", "europe/madrid", "x" * 300]
)
def test_an_unknown_time_zone_is_refused(zone: str) -> None:
    assert "time zone" in problems({**GOOD, "timezone": zone})["timezone"]
    assert not is_timezone(zone)


def test_an_empty_time_zone_is_utc() -> None:
    assert check_partner_fields({**GOOD, "timezone": " "}, new=True).timezone == "UTC"


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("name", "", "Enter the legal name"),
        ("name", "N" * 201, "longer than 200"),
        ("name", "Villa\u202eloS", "control or direction"),
        ("name", '=HYPERLINK("x")', "formula"),
        ("category", "", "Enter the category"),
        ("category", "c" * 51, "longer than 50"),
        ("finance_contact", "\x07Bell", "control or direction"),
        ("finance_contact", "", "Enter the finance contact"),
        ("address", "", "Enter the postal address"),
        ("address", "a" * 101, "longer than 100"),
        ("address", "\n".join(["line"] * 7), "at most 6 lines"),
        ("address", "\n".join(["a" * 99] * 6), "longer than 500"),
        ("address", "a\n" * 1_000_000, "longer than 500"),
        ("address", "Calle\u200f 1", "control or direction"),
        ("finance_email", "not-an-email", "valid email"),
        ("finance_email", "ann@exämple.com", "valid email"),
        ("finance_email", "a@b.co" + "m" * 300, "valid email"),
        ("finance_email", "", "Enter the finance contact's email"),
        ("kind", "hotel", "Choose one of"),
        ("payout_method", "cash", "Choose one of"),
        ("commission_payment_method", "cheque", "Choose one of"),
    ],
)
def test_each_bad_field_is_named(field: str, value: str, says: str) -> None:
    assert says in problems({**GOOD, field: value})[field]


def test_every_problem_is_reported_at_once() -> None:
    found = problems({k: "" for k in FIELDS} | {"timezone": "Nowhere/Land"})
    assert {
        "code",
        "name",
        "kind",
        "category",
        "address",
        "country",
        "currency",
        "timezone",
        "commission_rate",
        "payout_method",
        "commission_payment_method",
        "finance_contact",
        "finance_email",
    } <= set(found)


def test_gross_payout_cannot_deduct_the_commission_from_a_payout() -> None:
    found = problems({**GOOD, "payout_method": "gross_stripe"})
    assert "paid out gross" in found["commission_payment_method"]


def test_a_bank_account_is_checked_as_the_partner_page_checks_it() -> None:
    got = check_partner_fields(
        {**GOOD, "account_holder": " Villa  Sol ", "iban": "es91 2100 0418 4502 0005 1332"},
        new=True,
    )
    assert got.bank is not None
    assert (got.bank.account_holder, got.bank.iban) == ("Villa Sol", "ES9121000418450200051332")
    bad = problems({**GOOD, "account_holder": "Villa Sol", "iban": "ES9121000418450200051333"})
    assert "IBAN is not valid" in bad["iban"]
    assert "IBAN" in problems({**GOOD, "account_holder": "Villa Sol", "iban": "X" * 5000})["iban"]
    assert "Enter the IBAN" in problems({**GOOD, "account_holder": "Villa Sol"})["iban"]
    no_holder = problems({**GOOD, "iban": "ES9121000418450200051332"})
    assert "account holder" in no_holder["account_holder"]
    bad_bic = problems(
        {**GOOD, "account_holder": "V", "iban": "ES9121000418450200051332", "bic": "NOPE"}
    )
    assert "BIC is not valid" in bad_bic["bic"]


def test_direct_debit_needs_a_bank_account_for_a_new_partner() -> None:
    found = problems({**GOOD, "commission_payment_method": "direct_debit"})
    assert "IBAN" in found["iban"]
