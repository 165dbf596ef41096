"""Integration API keys: their shape, what is stored of them (the SHA-256 of the secret and a
short prefix to recognise it by), their scopes and names.

A key reads `ck_live_` + 40 letters and digits. Only its hash is kept; the secret is shown once,
when the key is made. Comparing hashes is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import string
import unicodedata
from collections.abc import Iterable

from concierge_app.domain.errors import DomainError

KEY_START = "ck_live_"
SECRET_LENGTH = 40  # characters after KEY_START
SHOWN_LENGTH = len(KEY_START) + 4  # "ck_live_ab12", shown with "…"
ALPHABET = string.ascii_letters + string.digits
MAX_NAME = 100

READ_BOOKINGS = "bookings:read"
WRITE_BOOKINGS = "bookings:write"
SCOPES: dict[str, str] = {
    READ_BOOKINGS: "Read bookings",
    WRITE_BOOKINGS: "Create, update and cancel bookings",
}

_KEY = re.compile(rf"^{KEY_START}[A-Za-z0-9]{{{SECRET_LENGTH}}}$")


class KeyRefused(DomainError):
    """The key is missing, malformed or unknown (HTTP 401)."""


class KeyForbidden(DomainError):
    """The key is known but revoked, or lacks the scope asked for (HTTP 403)."""


def key_from_random(random_part: str) -> str:
    """The full secret made of `random_part` (SECRET_LENGTH characters of ALPHABET)."""
    if len(random_part) != SECRET_LENGTH or any(c not in ALPHABET for c in random_part):
        raise ValueError("an API key's random part is 40 letters and digits")
    return KEY_START + random_part


def well_formed(secret: str) -> bool:
    return bool(_KEY.match(secret))


def secret_hash(secret: str) -> str:
    """The SHA-256 (hex) stored for a secret."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def same_hash(stored: str, offered: str) -> bool:
    """Constant-time comparison of two hex digests."""
    return hmac.compare_digest(stored.encode("ascii"), offered.encode("ascii"))


def shown_prefix(secret: str) -> str:
    """What lists show of a key: "ck_live_ab12"."""
    return secret[:SHOWN_LENGTH]


def bearer_secret(authorization: str | None) -> str:
    """The key of an `Authorization: Bearer <key>` header; KeyRefused when absent or odd."""
    if not authorization:
        raise KeyRefused("Send your API key as 'Authorization: Bearer ck_live_…'.")
    scheme, _, secret = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not well_formed(secret.strip()):
        raise KeyRefused("The Authorization header must be 'Bearer ck_live_…' with a valid key.")
    return secret.strip()


def read_scopes(wanted: Iterable[str]) -> tuple[str, ...]:
    """The scopes asked for, known and at least one, in a stable order."""
    asked = {s.strip().lower() for s in wanted if s.strip()}
    unknown = sorted(asked - SCOPES.keys())
    if unknown:
        shown = ", ".join(u[:30] for u in unknown[:3])
        raise DomainError(
            f"Unknown scope {shown}; the scopes are {', '.join(SCOPES)}.", field="scopes"
        )
    if not asked:
        raise DomainError("Give the key at least one scope.", field="scopes")
    return tuple(s for s in SCOPES if s in asked)


def read_name(text: str) -> str:
    """The integration's name: 1 to 100 characters, no control characters."""
    name = unicodedata.normalize("NFC", text or "").strip()
    if not name:
        raise DomainError("Name the integration (e.g. 'Guesty').", field="name")
    if len(name) > MAX_NAME:
        raise DomainError(f"The name is longer than {MAX_NAME} characters.", field="name")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co") for c in name):
        raise DomainError("The name has control or invisible characters; retype it.", field="name")
    return name


def scopes_text(scopes: Iterable[str]) -> str:
    """How scopes are stored: space-separated."""
    return " ".join(scopes)


def scopes_of(text: str) -> tuple[str, ...]:
    return tuple(s for s in text.split() if s)
