"""Integration tests run without VAT/GST unless a test asks for it (`vat_rates`): the default
rates (Spain among them) would add a VAT document to every invoice of the factories' partners."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from concierge_app.settings import get_settings


@pytest.fixture(autouse=True)
def _no_vat_by_default(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("VAT_RATES", "")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def vat_rates(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Configure VAT_RATES for this test, e.g. `vat_rates("ES:21")`."""

    def configure(rates: str) -> None:
        monkeypatch.setenv("VAT_RATES", rates)
        get_settings.cache_clear()

    return configure
