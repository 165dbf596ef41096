"""Reading an API request and answering it: the bearer key, the JSON body (size, type, syntax),
the Idempotency-Key, and errors as `{"error": {"code", "message", "fields"}}`.

Every refusal a rule raises maps to one status here: 401 unknown key, 403 revoked or lacking the
scope, 404, 409 conflict (and an Idempotency-Key reused for another request), 413 a body over
64 KB, 415 not JSON, 422 invalid, 400 malformed JSON. Answers are ASCII JSON, so odd Unicode in
a message can never break one.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from concierge_app.domain.api_keys import KeyForbidden, KeyRefused
from concierge_app.domain.booking_input import BookingInvalid
from concierge_app.domain.booking_json import api_field
from concierge_app.domain.errors import Conflict, DomainError, InvalidTransition, NotFound
from concierge_app.domain.idempotency import KeyReused

MAX_BODY = 64 * 1024
_NO_BODY = object()


class ApiError(Exception):
    """An answer other than success, raised by a handler and written by `error_response`."""

    def __init__(
        self, status: int, code: str, message: str, fields: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}


class JSON(Response):
    """JSON answer, ASCII-escaped (a lone surrogate in a message cannot fail to encode)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def error_response(error: ApiError, headers: dict[str, str] | None = None) -> JSON:
    body = {"error": {"code": error.code, "message": error.message, "fields": error.fields}}
    return JSON(body, status_code=error.status, headers=headers)


def _fields(problems: tuple[tuple[str, str], ...]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for field, message in problems:
        name = api_field(field)
        fields[name] = f"{fields[name]} {message}" if name in fields else message
    return fields


def api_error(refused: DomainError) -> ApiError:
    """The HTTP answer of a rule's refusal."""
    message = refused.message
    if isinstance(refused, KeyRefused):
        return ApiError(401, "unauthorized", message)
    if isinstance(refused, KeyForbidden):
        return ApiError(403, "forbidden", message)
    if isinstance(refused, NotFound):
        return ApiError(404, "not_found", message)
    if isinstance(refused, KeyReused):
        return ApiError(409, "idempotency_key_reused", message)
    if isinstance(refused, Conflict | InvalidTransition):
        return ApiError(409, "conflict", message)
    if isinstance(refused, BookingInvalid):
        return ApiError(422, "invalid", message, _fields(refused.problems))
    field = {api_field(refused.field): message} if refused.field else {}
    return ApiError(422, "invalid", message, field)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


async def json_body(request: Request, *, required: bool) -> Any:
    """The request's JSON body (None when empty and not `required`): 413, 415 or 400 when it is
    too big, not JSON or malformed."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise ApiError(413, "too_large", f"The body is larger than {MAX_BODY // 1024} KB.")
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY:
            raise ApiError(413, "too_large", f"The body is larger than {MAX_BODY // 1024} KB.")
    if not raw.strip() and not required:
        return None
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise ApiError(415, "unsupported_media_type", "Send the body as application/json.")
    if not raw.strip():
        raise ApiError(400, "malformed_json", "The body is empty; send a JSON object.")
    try:
        return json.loads(bytes(raw).decode("utf-8"), parse_constant=_refuse_constant)
    except UnicodeDecodeError:
        raise ApiError(400, "malformed_json", "The body is not UTF-8.") from None
    except (ValueError, RecursionError) as bad:
        detail = str(bad).encode("ascii", "backslashreplace").decode()[:120]
        raise ApiError(400, "malformed_json", f"The body is not valid JSON: {detail}") from None
