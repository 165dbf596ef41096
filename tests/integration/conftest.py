"""Integration tests run without VAT/GST unless a test asks for it (`vat_rates`): the default
rates (Spain among them) would add a VAT document to every invoice of the factories' partners.
The migration tests get their old database from `database_at`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from concierge_app.settings import get_settings

from ..conftest import create_pg_database, drop_pg_database, require_postgres
from .migrations import migrate


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


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_at(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """`database_at("0016")`: the URL of an empty database migrated to that revision, on SQLite
    (a file of the test's own) and on PostgreSQL (a throwaway database, dropped afterwards)."""
    made: list[str] = []

    def at(revision: str) -> str:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / f'at_{revision}_{len(made)}.db'}"
        else:
            require_postgres()
            url = create_pg_database(f"concierge_at_{revision}")
        made.append(url)
        migrate(url, revision)
        return url

    yield at
    if request.param == "postgres":
        for url in made:
            drop_pg_database(url)
