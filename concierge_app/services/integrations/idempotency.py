"""Requests sent with an Idempotency-Key are applied once per API key: the first answer is
stored in the same transaction as the change it made, and a repeat (same key, same request) gets
that answer again without touching the ledger. The same key with a different request is refused
(`KeyReused`). Refusals are not stored: a repeat is checked again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from concierge_app.db.engine import Database
from concierge_app.db.integrations import ApiIdempotentRequest
from concierge_app.domain.errors import Conflict
from concierge_app.domain.idempotency import check_same_request


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: dict[str, Any]
    replayed: bool = False


def _stored(db: Database, key_id: int, idempotency_key: str, fingerprint: str) -> Answer | None:
    with db.read() as session:
        row = session.exec(
            select(ApiIdempotentRequest).where(
                ApiIdempotentRequest.api_key_id == key_id,
                ApiIdempotentRequest.idempotency_key == idempotency_key,
            )
        ).first()
    if row is None:
        return None
    check_same_request(row.fingerprint, fingerprint)
    return Answer(row.status_code, json.loads(row.body_json), replayed=True)


def answer_once(
    *,
    db: Database,
    key_id: int,
    idempotency_key: str | None,
    fingerprint: str,
    work: Callable[[Session], Answer],
) -> Answer:
    """`work`'s answer, in one transaction; with a key, the stored answer of an earlier
    identical request instead (KeyReused when that request differed)."""
    if idempotency_key is not None:
        earlier = _stored(db, key_id, idempotency_key, fingerprint)
        if earlier is not None:
            return earlier
    try:
        with db.transaction() as session:
            answer = work(session)
            if idempotency_key is not None:
                session.add(
                    ApiIdempotentRequest(
                        api_key_id=key_id,
                        idempotency_key=idempotency_key,
                        fingerprint=fingerprint,
                        status_code=answer.status,
                        body_json=json.dumps(answer.body, sort_keys=True),
                    )
                )
                session.flush()
            return answer
    except IntegrityError:  # a request at the same moment (same key, or same booking) won
        if idempotency_key is not None:
            earlier = _stored(db, key_id, idempotency_key, fingerprint)
            if earlier is not None:
                return replace(earlier, replayed=True)
        raise Conflict(
            "Another request changed this booking at the same moment; send yours again."
        ) from None
