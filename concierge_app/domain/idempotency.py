"""Idempotency keys of API requests (`Idempotency-Key`): the key's shape, and the fingerprint
that tells the same request from a different one sent with the same key.

The fingerprint covers the method, the path and the JSON body read as data (so key order and
spacing do not matter, a changed value does).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from concierge_app.domain.errors import DomainError

MAX_KEY = 255


class KeyReused(DomainError):
    """The idempotency key was already used for a different request."""


def read_idempotency_key(header: str | None) -> str | None:
    """The header's key (None without one): 1 to 255 printable ASCII characters."""
    if header is None:
        return None
    key = header.strip()
    if not (0 < len(key) <= MAX_KEY and key.isascii() and key.isprintable()):
        raise DomainError(
            f"The Idempotency-Key is 1 to {MAX_KEY} printable ASCII characters.",
            field="Idempotency-Key",
        )
    return key


def fingerprint(method: str, path: str, body: Any) -> str:
    """SHA-256 of the request as data."""
    canonical = json.dumps(
        [method.upper(), path, body], sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def check_same_request(stored: str, offered: str) -> None:
    """KeyReused unless the two fingerprints are equal."""
    if not hmac.compare_digest(stored, offered):
        raise KeyReused(
            "This Idempotency-Key was already used with a different request; "
            "use a new key for a new request.",
            field="Idempotency-Key",
        )
