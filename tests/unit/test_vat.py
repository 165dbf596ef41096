"""VAT/GST rules: the configured rates, the label per country, rounding half up once."""

from __future__ import annotations

import pytest

from concierge_app.domain.errors import DomainError
from concierge_app.domain.money import Money, Rounding
from concierge_app.domain.vat import TaxRate, format_bps, parse_rates, tax_label


def test_rates_are_read_per_country_in_basis_points():
    assert parse_rates("ES:21, au:10 ,NZ:15%,DE:7.25") == {
        "ES": TaxRate("ES", 2100),
        "AU": TaxRate("AU", 1000),
        "NZ": TaxRate("NZ", 1500),
        "DE": TaxRate("DE", 725),
    }
    assert parse_rates("") == {} and parse_rates(" , ") == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ES", "is not a VAT rate: write COUNTRY:PERCENT"),
        ("ES:", "is not a VAT rate"),
        ("ESP:21", "is not a VAT rate"),
        ("ES:21.125", "is not a VAT rate"),
        ("ES:-5", "is not a VAT rate"),
        ("ES:0", "The rate for ES must be above 0 and at most 100 %"),
        ("ES:101", "The rate for ES must be above 0 and at most 100 %"),
        ("ES:21,ES:10", "ES is listed twice"),
    ],
)
def test_a_malformed_rate_list_is_refused(text, message):
    with pytest.raises(DomainError, match=message):
        parse_rates(text)


def test_gst_countries_and_vat_elsewhere():
    assert tax_label("AU") == "GST" and tax_label("nz") == "GST" and tax_label("ES") == "VAT"
    assert TaxRate("AU", 1000).label == "GST"
    assert format_bps(1050) == "10.5" and format_bps(2100) == "21"


@pytest.mark.parametrize(
    ("commission", "bps", "tax"),
    [(15000, 2100, 3150), (1, 2100, 0), (3, 2100, 1), (250, 2000, 50), (25, 2000, 5), (0, 2100, 0)],
)
def test_tax_is_rounded_once_half_up(commission, bps, tax):
    assert Money(commission, "EUR").basis_points(bps, rounding=Rounding.HALF_UP) == Money(
        tax, "EUR"
    )
