"""The audit trail's hash chain: each event's hash covers its content and the previous hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_json(data: Mapping[str, Any]) -> str:
    """Stable JSON text: sorted keys, no spaces, non-ASCII kept."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def event_hash(
    *,
    prev_hash: str,
    sequence: int,
    occurred_at: str,
    actor: str,
    action: str,
    subject: str,
    booking_id: int | None,
    data_json: str,
) -> str:
    """SHA-256 over the event's fields and the previous event's hash."""
    body = canonical_json(
        {
            "prev": prev_hash,
            "seq": sequence,
            "at": occurred_at,
            "actor": actor,
            "action": action,
            "subject": subject,
            "booking": booking_id,
            "data": data_json,
        }
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()
