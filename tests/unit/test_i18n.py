"""The language machinery: locales to languages, catalogs compiled or read from their source,
the portal's words, and formatting by the same locale."""

from __future__ import annotations

import gettext as std_gettext
import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from concierge_app.domain import i18n
from concierge_app.domain.formatting import format_day, format_money
from concierge_app.domain.money import Money


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("es_ES", "es"),
        ("es-MX", "es"),
        ("JA_jp", "ja"),
        ("de", "de"),
        ("pt_PT", "pt"),
        ("nl_BE", "nl"),
        ("sv_SE", "en"),  # no catalog: English
        ("", "en"),
        (None, "en"),
        ("x" * 10_000, "en"),
        ("ｅｓ", "en"),  # full-width letters are not a language code
    ],
)
def test_a_locale_reads_as_a_language_with_catalogs(locale: str | None, language: str) -> None:
    assert i18n.language_of(locale) == language


def test_english_is_the_source_and_placeholders_are_filled() -> None:
    assert i18n.gettext("en_US", "Invoice {number}", number="CI-1") == "Invoice CI-1"
    assert i18n.gettext("sv_SE", "Invoice {number}", number="CI-1") == "Invoice CI-1"


@pytest.mark.parametrize("language", sorted(set(i18n.LANGUAGES) - {"en"}))
def test_each_language_translates_the_portals_words(language: str) -> None:
    words = i18n.portal_words(language)
    assert set(words) == set(i18n.portal_messages())
    assert words["Total due"] != "Total due"
    assert i18n.gettext(language, "Invoice {number}", number="CI-7").count("CI-7") == 1
    assert i18n.gettext(language, "Invoice {number}", number="CI-7") != "Invoice CI-7"


def test_plurals_follow_the_language() -> None:
    assert i18n.ngettext("en", "{n} night", "{n} nights", 1) == "1 night"
    assert i18n.ngettext("en", "{n} night", "{n} nights", 4) == "4 nights"
    assert "4" in i18n.ngettext("ja", "{n} night", "{n} nights", 4)
    assert i18n.ngettext("es", "{n} night", "{n} nights", 1) != i18n.ngettext(
        "es", "{n} night", "{n} nights", 4
    ).replace("4", "1")


def test_a_catalog_without_its_compiled_file_is_read_from_its_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh clone has no .mo: the .po is compiled in memory; an edited .po (newer than its
    .mo) wins over the stale .mo."""
    folder = tmp_path / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    source = i18n.LOCALE_DIR / "es" / "LC_MESSAGES" / "portal.po"
    shutil.copy(source, folder / "portal.po")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translations.cache_clear()
    try:
        fresh = i18n.translations("es", "portal")
        assert isinstance(fresh, std_gettext.GNUTranslations)
        assert fresh.gettext("Total due") != "Total due"
        # A stale .mo (older than the .po) that says something else is not used.
        with source.open("rb") as po:
            catalog = read_po(po)
        catalog["Total due"].string = "STALE"
        with (folder / "portal.mo").open("wb") as mo:
            write_mo(mo, catalog)
        old = (folder / "portal.po").stat().st_mtime - 60
        os.utime(folder / "portal.mo", (old, old))
        i18n.translations.cache_clear()
        assert i18n.translations("es", "portal").gettext("Total due") != "STALE"
    finally:
        i18n.translations.cache_clear()


@pytest.mark.parametrize(
    ("locale", "day", "money"),
    [
        ("en_US", "Jul 3, 2026", "€1,250.50"),
        ("es_ES", "3 jul 2026", "1.250,50\xa0€"),
        ("de_DE", "03.07.2026", "1.250,50\xa0€"),
        ("fr_FR", "3 juil. 2026", "1\u202f250,50\xa0€"),
        ("ja_JP", "2026/07/03", "€1,250.50"),
    ],
)
def test_dates_and_money_follow_the_same_locale(locale: str, day: str, money: str) -> None:
    assert format_day(date(2026, 7, 3), locale) == day
    assert format_money(Money(125050, "EUR"), locale) == money


@pytest.mark.parametrize(
    ("title", "locale", "inside"),
    [
        ("Credit note", "en_US", "credit note"),
        ("Nota de abono", "es_ES", "nota de abono"),
        ("Gutschrift", "de_DE", "Gutschrift"),  # German nouns keep their capital
        ("VAT document", "en_US", "VAT document"),  # so do acronyms
        ("クレジットノート", "ja_JP", "クレジットノート"),
        ("", "fr_FR", ""),
    ],
)
def test_a_title_inside_a_sentence(title: str, locale: str, inside: str) -> None:
    assert i18n.in_sentence(title, locale) == inside


def test_capitalize_in_templates_keeps_the_rest_as_written() -> None:
    from concierge_app.domain.templates import render

    subject, body = render(
        "{{ a|capitalize }}",
        "{{ b|capitalize }} {{ c|capitalize }}",
        {"a": "gutschrift", "b": "VAT document", "c": ""},
    )
    assert (subject, body) == ("Gutschrift", "VAT document ")
