"""The guest's language: gettext catalogs (Babel) in `concierge_app/locale/<lang>/LC_MESSAGES/`.

Two domains: `portal` holds the words of the guest's pages (sent whole to the browser, see
`portal_words`), `messages` everything written on the server (messages, PDFs, notices, the
phrases a page computes). The source language is English: a string missing from a catalog is
shown in English, and `tests/unit/test_catalogs.py` fails when a catalog misses one.

`.mo` files are compiled by the build (`make install`); when one is missing or older than its
`.po` (a fresh clone, a catalog just edited) it is compiled in memory from the `.po` instead.
"""

from __future__ import annotations

import gettext as _gettext
import io
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAINS = ("portal", "messages")
SOURCE_LANGUAGE = "en"

# The languages the guest's side is written in, by their own names (the portal's switcher).
LANGUAGES: dict[str, str] = {
    "en": "English",
    "es": "Español",
    "fr": "Français",
    "de": "Deutsch",
    "it": "Italiano",
    "pt": "Português",
    "nl": "Nederlands",
    "ja": "日本語",
}

# The locale each language is written with where only the language is known (a guest choosing
# it on the portal, the checkout page): its dates and amounts as that country writes them.
LANGUAGE_LOCALES: dict[str, str] = {
    "en": "en_US",
    "es": "es_ES",
    "fr": "fr_FR",
    "de": "de_DE",
    "it": "it_IT",
    "pt": "pt_PT",
    "nl": "nl_NL",
    "ja": "ja_JP",
}

# What Stripe Checkout is opened in for each language (its `locale` parameter).
CHECKOUT_LOCALES: dict[str, str] = {lang: lang for lang in LANGUAGES}


def N_(message: str) -> str:
    """Marks a string for the catalogs without translating it (translated where it is shown)."""
    return message


def language_of(locale: str | None) -> str:
    """'es_ES', 'es-MX', 'ES' -> 'es'; a language without catalogs -> English."""
    lang = (locale or "").replace("-", "_").split("_", 1)[0].lower()
    return lang if lang in LANGUAGES else SOURCE_LANGUAGE


def _catalog_files(lang: str, domain: str) -> tuple[Path, Path]:
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    return folder / f"{domain}.po", folder / f"{domain}.mo"


@lru_cache(maxsize=32)
def translations(lang: str, domain: str = "messages") -> _gettext.NullTranslations:
    """The compiled catalog of `lang` (NullTranslations for English or a missing catalog)."""
    po, mo = _catalog_files(lang, domain)
    if lang == SOURCE_LANGUAGE or not po.exists():
        return _gettext.NullTranslations()
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as compiled:
            return _gettext.GNUTranslations(compiled)
    with po.open("rb") as source:
        catalog = read_po(source, locale=lang, domain=domain)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def gettext(locale: str | None, message: str, **values: Any) -> str:
    """`message` in the language of `locale`, its `{placeholders}` filled from `values`."""
    text = translations(language_of(locale)).gettext(message)
    return text.format(**values) if values else text


def ngettext(locale: str | None, singular: str, plural: str, n: int, **values: Any) -> str:
    """The form for `n` in the language of `locale`; `{n}` and `values` filled in."""
    text = translations(language_of(locale)).ngettext(singular, plural, n)
    return text.format(n=n, **values)


def in_sentence(title: str, locale: str | None) -> str:
    """A title as it reads inside a sentence: 'Credit note' -> 'credit note', 'Nota de abono'
    -> 'nota de abono'; German nouns keep their capital ('Gutschrift'), and so do acronyms
    ('VAT document')."""
    if language_of(locale) == "de" or title[:2].isupper():
        return title
    return title[:1].lower() + title[1:]


def translated(locale: str | None, message: str) -> str | None:
    """The catalog's own text for `message`, or None when `locale`'s catalog lacks it."""
    lang = language_of(locale)
    if lang == SOURCE_LANGUAGE:
        return message
    text = translations(lang).gettext(message)
    return text if text != message else None


@lru_cache(maxsize=1)
def portal_messages() -> tuple[str, ...]:
    """Every word of the guest's pages (the msgids of the `portal` template)."""
    template = LOCALE_DIR / "portal.pot"
    if not template.exists():
        return ()
    with template.open("rb") as source:
        return tuple(str(m.id) for m in read_po(source) if m.id and isinstance(m.id, str))


@lru_cache(maxsize=16)
def portal_words(locale: str | None) -> dict[str, str]:
    """The guest pages' words in the language of `locale`: msgid -> text (English where the
    catalog has none)."""
    catalog = translations(language_of(locale), "portal")
    return {m: catalog.gettext(m) for m in portal_messages()}
