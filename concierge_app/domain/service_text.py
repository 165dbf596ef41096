"""A service's words — its title and description — bounded, so that every table, invoice line
and message can show them.

A title is one line of at most 200 characters (the guest's invoice line quotes it); a
description at most 2,000 characters, line breaks allowed. Nothing is cut silently: text over the
limit is refused with a message that says how long it is and how long it may be.
"""

from __future__ import annotations

import unicodedata

from concierge_app.domain.errors import DomainError

TITLE_MAX_CHARS = 200
DESCRIPTION_MAX_CHARS = 2_000
_DESCRIPTION_SPACING = frozenset("\n\t")


def _control_character(text: str, allowed: frozenset[str] = frozenset()) -> str | None:
    """The first control character of `text` (other than `allowed`), e.g. 'U+0000'."""
    for char in text:
        if char not in allowed and unicodedata.category(char) == "Cc":
            return f"U+{ord(char):04X}"
    return None


def clean_title(title: str) -> str:
    """The title as stored: trimmed, present, one line, at most TITLE_MAX_CHARS characters."""
    title = title.strip()
    if not title:
        raise DomainError("Give the service a title.", field="title")
    if "\n" in title or "\r" in title:
        raise DomainError("Keep the title on one line.", field="title")
    if (found := _control_character(title)) is not None:
        raise DomainError(
            f"The title contains a control character ({found}); remove it.", field="title"
        )
    if len(title) > TITLE_MAX_CHARS:
        raise DomainError(
            f"The title has {len(title):,} characters; keep it to {TITLE_MAX_CHARS:,} at most "
            "(put the details in the description).",
            field="title",
        )
    return title


def clean_description(description: str) -> str:
    """The description as stored: trimmed, line breaks as '\\n', at most DESCRIPTION_MAX_CHARS
    characters; '' when there is none."""
    description = description.replace("\r\n", "\n").replace("\r", "\n").strip()
    if (found := _control_character(description, _DESCRIPTION_SPACING)) is not None:
        raise DomainError(
            f"The description contains a control character ({found}); remove it.",
            field="description",
        )
    if len(description) > DESCRIPTION_MAX_CHARS:
        raise DomainError(
            f"The description has {len(description):,} characters; shorten it to "
            f"{DESCRIPTION_MAX_CHARS:,} at most.",
            field="description",
        )
    return description
