"""HTTP endpoints beside the Reflex app (mounted through `rx.App(api_transformer=...)`).

`POST /api/stripe/webhook`: the payment provider's signed events (Stripe's, or the sandbox's).
The signature is checked on the raw body; 400 when it is wrong, so nothing is written.
"""

from __future__ import annotations

import asyncio

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from concierge_app.db.engine import get_database
from concierge_app.services.webhooks import receive_webhook

MAX_BODY = 512 * 1024  # Stripe's events are far smaller


async def stripe_webhook(request: Request) -> JSONResponse:
    payload = await request.body()
    if len(payload) > MAX_BODY:
        return JSONResponse({"error": "payload too large"}, status_code=413)
    result = await asyncio.to_thread(
        receive_webhook,
        db=get_database(),
        payload=payload,
        signature=request.headers.get("stripe-signature", ""),
    )
    body = {"received": result.status == 200, "outcome": result.outcome}
    return JSONResponse(body, status_code=result.status)


api = Starlette(routes=[Route("/api/stripe/webhook", stripe_webhook, methods=["POST"])])
