"""The translation catalogs against the source: every string the code marks is in the templates
(`portal.pot`, `messages.pot`) and translated in every language, with the same placeholders.

Fails when a string is added without `make i18n`, when a catalog misses or leaves empty a
string, or when a translation drops, adds or renames a placeholder (`{amount}`, `{{ guest_name }}`,
`{% for … %}`). Prints each catalog's coverage.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from concierge_app.domain.i18n import DOMAINS, LANGUAGES, LOCALE_DIR, SOURCE_LANGUAGE

SOURCE = LOCALE_DIR.parent
# The extraction keywords of each domain (the Makefile's `make i18n` uses the same).
KEYWORDS = {
    "portal": {"T": None},
    "messages": {
        "N_": None,
        "gettext": (2,),
        "ngettext": (2, 3),
        "translated": (2,),
        "_t": None,
        "_": None,
    },
}
PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{[A-Za-z_]\w*\}")
TRANSLATED = sorted(lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE)


def _msgid(message: str | tuple[str, ...]) -> str:
    return message[0] if isinstance(message, tuple) else message


def _extracted(domain: str) -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(SOURCE),
        method_map=[("**.py", "python")],
        keywords=KEYWORDS[domain],
        comment_tags=(),
        strip_comment_tags=True,
    ):
        found.add(_msgid(message))
    return found


def _read(path: Path) -> Catalog:
    with path.open("rb") as source:
        return read_po(source)


def _ids(catalog: Catalog) -> set[str]:
    return {_msgid(m.id) for m in catalog if m.id}


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_template_holds_every_marked_string(domain: str) -> None:
    template = _ids(_read(LOCALE_DIR / f"{domain}.pot"))
    missing = sorted(_extracted(domain) - template)
    assert not missing, f"Run `make i18n`: {domain}.pot misses {missing[:5]}"
    stale = sorted(template - _extracted(domain))
    assert not stale, f"Run `make i18n`: {domain}.pot still has {stale[:5]}"


def _placeholders(text: str) -> list[str]:
    return sorted(set(PLACEHOLDER.findall(text)))


@pytest.mark.parametrize("language", TRANSLATED)
@pytest.mark.parametrize("domain", DOMAINS)
def test_every_language_translates_every_string_with_its_placeholders(
    domain: str, language: str
) -> None:
    catalog = _read(LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po")
    wanted = _ids(_read(LOCALE_DIR / f"{domain}.pot"))
    problems = []
    translated = 0
    for message in catalog:
        if not message.id:
            continue
        source = _msgid(message.id)
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(forms) or message.fuzzy:
            problems.append(f"untranslated: {source[:60]!r}")
            continue
        translated += 1
        for form in forms:
            if _placeholders(form) != _placeholders(source):
                problems.append(
                    f"placeholders of {source[:50]!r}: {_placeholders(form)} "
                    f"(source: {_placeholders(source)})"
                )
    missing = sorted(wanted - _ids(catalog))
    problems += [f"missing: {m[:60]!r}" for m in missing]
    print(f"{language}/{domain}: {translated} of {len(wanted)} strings translated")
    assert not problems, f"{language}/{domain}.po:\n" + "\n".join(problems[:20])
