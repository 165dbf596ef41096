"""The bookings endpoints: authenticate the key for the scope, read the request, call one
service, answer JSON. No rule lives here (they are in `services/integrations` and the domain)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from concierge_app import routes
from concierge_app.api_v1.http import JSON, ApiError, api_error, error_response, json_body
from concierge_app.api_v1.openapi import openapi_document
from concierge_app.db.engine import get_database
from concierge_app.domain.api_keys import READ_BOOKINGS, WRITE_BOOKINGS, bearer_secret
from concierge_app.domain.errors import DomainError
from concierge_app.domain.idempotency import fingerprint, read_idempotency_key
from concierge_app.services.integrations.api_keys import Caller, authenticate
from concierge_app.services.integrations.bookings_api import (
    bookings_with_external,
    cancel_through_api,
    get_booking,
    push_booking,
)
from concierge_app.services.integrations.idempotency import Answer
from concierge_app.services.shared.common import today

log = logging.getLogger(__name__)
Handler = Callable[[Request], Awaitable[Response]]


def answering(handler: Handler) -> Handler:
    """Write every refusal as the API's JSON error; anything unforeseen as a 500 in that shape
    (logged), never a stack trace."""

    async def answer(request: Request) -> Response:
        try:
            return await handler(request)
        except ApiError as error:
            return error_response(error)
        except DomainError as refused:
            return error_response(api_error(refused))
        except Exception:
            log.exception("bookings API: %s %s", request.method, request.url.path)
            return error_response(ApiError(500, "internal", "Something went wrong on our side."))

    return answer


async def _caller(request: Request, scope: str) -> Caller:
    secret = bearer_secret(request.headers.get("authorization"))
    return await asyncio.to_thread(authenticate, db=get_database(), secret=secret, scope=scope)


def _answered(answer: Answer) -> JSON:
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else {}
    booking = answer.body.get("data")
    if answer.status == 201 and isinstance(booking, dict):
        headers["Location"] = routes.API_BOOKING.replace("{ref}", str(booking["reference"]))
    return JSON(answer.body, status_code=answer.status, headers=headers)


def _ref(request: Request) -> str:
    ref: str = request.path_params["ref"]
    return ref


@answering
async def push(request: Request) -> Response:
    """POST /api/v1/bookings: create, or update the booking with this external_reference."""
    caller = await _caller(request, WRITE_BOOKINGS)
    body = await json_body(request, required=True)
    key = read_idempotency_key(request.headers.get("idempotency-key"))
    answer = await asyncio.to_thread(
        push_booking,
        db=get_database(),
        caller=caller,
        body=body,
        today=today(),
        idempotency_key=key,
        fingerprint=fingerprint("POST", request.url.path, body),
    )
    return _answered(answer)


@answering
async def find(request: Request) -> Response:
    """GET /api/v1/bookings?external_reference=…"""
    await _caller(request, READ_BOOKINGS)
    external = request.query_params.get("external_reference", "").strip()
    if not external:
        raise ApiError(
            422,
            "invalid",
            "Give the external_reference to look for.",
            {"external_reference": "Required."},
        )
    found = await asyncio.to_thread(
        bookings_with_external, db=get_database(), external_reference=external
    )
    return JSON({"data": found})


@answering
async def read(request: Request) -> Response:
    """GET /api/v1/bookings/{ref}: by our reference or the external one."""
    await _caller(request, READ_BOOKINGS)
    document = await asyncio.to_thread(get_booking, db=get_database(), ref=_ref(request))
    return JSON({"data": document})


@answering
async def cancel(request: Request) -> Response:
    """POST /api/v1/bookings/{ref}/cancel, body optional: {"reason": "…"}."""
    caller = await _caller(request, WRITE_BOOKINGS)
    body = await json_body(request, required=False)
    key = read_idempotency_key(request.headers.get("idempotency-key"))
    answer = await asyncio.to_thread(
        cancel_through_api,
        db=get_database(),
        caller=caller,
        ref=_ref(request),
        body=body,
        idempotency_key=key,
        fingerprint=fingerprint("POST", request.url.path, body),
    )
    return _answered(answer)


@answering
async def openapi(request: Request) -> Response:
    """GET /api/v1/openapi.json (no key needed)."""
    return JSON(openapi_document())


@answering
async def nowhere(request: Request) -> Response:
    raise ApiError(404, "not_found", "There is no such endpoint; see /api/v1/openapi.json.")


# path -> method -> handler: every endpoint of the API (the OpenAPI document lists the same)
ENDPOINTS: dict[str, dict[str, Handler]] = {
    routes.API_BOOKINGS: {"POST": push, "GET": find},
    routes.API_BOOKING: {"GET": read},
    routes.API_BOOKING_CANCEL: {"POST": cancel},
    routes.API_OPENAPI: {"GET": openapi},
}


def dispatcher(methods: dict[str, Handler]) -> Handler:
    """One path's handler: its method's, or a JSON 405 naming the methods allowed."""
    allowed = ", ".join(sorted(methods))

    async def dispatch(request: Request) -> Response:
        handler = methods.get(request.method)
        if handler is None and request.method == "HEAD":
            handler = methods.get("GET")
        if handler is None:
            error = ApiError(405, "method_not_allowed", f"Use {allowed} here.")
            return error_response(error, headers={"Allow": allowed})
        return await handler(request)

    return dispatch
