"""HTTP endpoints beside the Reflex app (mounted through `rx.App(api_transformer=...)`).

`POST /api/stripe/webhook`: the payment provider's signed events (Stripe's, or the sandbox's).
The signature is checked on the raw body; 400 when it is wrong, so nothing is written.

`GET /api/auth/session?code=…&next=…`: the sign-in page sends the browser here with a one-time
ticket (valid a minute); the answer sets the session cookie — HttpOnly, SameSite=Lax, Path=/,
Secure when PUBLIC_BASE_URL is https — and redirects (303) to `next` on this site.

`POST /api/auth/signout?kind=staff|partner`: ends the session of the cookie and clears it.

`GET /api/guest/documents/<reference>/<number>`: a guest's receipt or sent invoice as PDF, for
the booking's portal link (or checkout return code) or a signed-in staff member; 404 otherwise.

`/api/v1/…`: the bookings API for a PMS or channel manager (`api_v1/`).

Both refuse requests another site starts (Sec-Fetch-Site / Origin): a link elsewhere cannot
sign someone out, nor into an account of the link maker's choosing.
"""

from __future__ import annotations

import asyncio

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from concierge_app import routes
from concierge_app.api_v1.app import api_v1_routes
from concierge_app.db.engine import get_database
from concierge_app.domain.sign_in import Kind, safe_next
from concierge_app.services.access.partner_sign_in import partner_sign_out
from concierge_app.services.access.staff_sign_in import sign_out
from concierge_app.services.access.tickets import redeem_session
from concierge_app.services.guest.document_access import document_file
from concierge_app.services.payments.webhooks import receive_webhook
from concierge_app.ui.shared.session_cookies import (
    PARTNER_COOKIE,
    PROPERTY_COOKIE,
    STAFF_COOKIE,
    cookie_name,
    public_origin,
    read_cookie,
    secure_cookies,
)

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


def _from_this_site(request: Request) -> bool:
    """False when another site started the request. Browsers say so in Sec-Fetch-Site (which
    pages cannot forge); without it, an Origin must be this site's (its own address, or
    PUBLIC_BASE_URL behind a proxy); a request with neither (an old browser) passes."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("origin")
    if origin is None:
        return True
    here = f"{request.url.scheme}://{request.headers.get('host', '')}".lower()
    return origin.lower() in {here, public_origin()}


def _refused() -> PlainTextResponse:
    return PlainTextResponse("Refused: this request did not come from this site.", status_code=403)


def _redirect(target: str) -> RedirectResponse:
    response = RedirectResponse(target, status_code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


def _clear(response: Response, name: str) -> None:
    response.delete_cookie(name, path="/", secure=secure_cookies(), httponly=True, samesite="lax")


async def open_session(request: Request) -> Response:
    """Redeem a one-time sign-in ticket: set the session cookie, go on to `next`."""
    if not _from_this_site(request):
        return _refused()
    target = request.query_params.get("next", "")
    new = await asyncio.to_thread(
        redeem_session, db=get_database(), code=request.query_params.get("code", "")
    )
    if new is None:  # unknown, used or expired: sign in again
        partner = target.startswith(routes.PARTNER_HOME)
        login = routes.sign_in(Kind.PARTNER if partner else Kind.STAFF)
        return _redirect(f"{login}?expired=1")
    home = routes.home(new.kind)
    target = safe_next(target, default=home, within=home, refused=routes.NOT_AFTER_SIGN_IN)
    response = _redirect(target)
    if new.kind is not Kind.STAFF:
        _clear(response, PROPERTY_COOKIE)  # a group login starts at its home property
    response.set_cookie(
        cookie_name(new.kind),
        new.token,
        max_age=new.max_age_seconds,
        path="/",
        secure=secure_cookies(),
        httponly=True,
        samesite="lax",
    )
    return response


async def end_session(request: Request) -> Response:
    """Sign out: end the cookie's session and clear the cookie (staff or partner)."""
    if not _from_this_site(request):
        return _refused()
    partner = request.query_params.get("kind") == "partner"
    cookies = request.headers.get("cookie", "")
    if partner:
        token = read_cookie(cookies, PARTNER_COOKIE)
        await asyncio.to_thread(partner_sign_out, db=get_database(), token=token)
        response = _redirect(routes.PARTNER_SIGN_IN)
        _clear(response, PARTNER_COOKIE)
        _clear(response, PROPERTY_COOKIE)
    else:
        token = read_cookie(cookies, STAFF_COOKIE)
        await asyncio.to_thread(sign_out, db=get_database(), token=token)
        response = _redirect(routes.SIGN_IN)
        _clear(response, STAFF_COOKIE)
    return response


def _pair(text: str) -> tuple[str, str]:
    first, _, second = text.partition(":")
    return first, second


async def guest_document(request: Request) -> Response:
    """A guest document's PDF (a receipt RC-…, a sent invoice CI-…), for the guest's portal
    token (`?t=`), the return code of a checkout the guest came back from
    (`?back=<attempt>:<code>`) or a signed-in staff member; 404 for anyone else, as for a
    document that does not exist."""
    found = await asyncio.to_thread(
        document_file,
        db=get_database(),
        reference=request.path_params["reference"],
        number=request.path_params["number"],
        guest_token=request.query_params.get("t", ""),
        staff_token=read_cookie(request.headers.get("cookie", ""), STAFF_COOKIE),
        returned=_pair(request.query_params.get("back", "")),
    )
    if found is None:
        return PlainTextResponse(
            "Not found.", status_code=404, headers={"Cache-Control": "no-store"}
        )
    name, pdf = found
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


api = Starlette(
    routes=[
        Route(routes.STRIPE_WEBHOOK, stripe_webhook, methods=["POST"]),
        Route(routes.OPEN_SESSION, open_session, methods=["GET"]),
        Route(routes.SIGN_OUT, end_session, methods=["POST"]),
        Route(routes.GUEST_DOCUMENT, guest_document, methods=["GET"]),
        *api_v1_routes(),  # the bookings API: /api/v1/…
    ]
)
