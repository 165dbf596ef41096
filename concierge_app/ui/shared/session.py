"""The browser session, one mechanism for staff and partners: an HttpOnly cookie holding the
session token, checked on every page. JavaScript never sees the token: the sign-in ends with a
full page load of `/api/auth/session`, which sets the cookie; the state reads it from its
websocket's Cookie header (server side only); sign-out is a form posted to `/api/auth/signout`.

`SessionMixin` is the base of both (`ui/staff/session.py`, `ui/partner/session.py`); `KIND` says
whose session it is: it names the cookie, the sign-in page and where a sign-in goes back to."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any, ClassVar
from urllib.parse import urlencode

import reflex as rx

from concierge_app import routes
from concierge_app.domain.errors import DomainError
from concierge_app.domain.sign_in import Kind
from concierge_app.ui.shared.session_cookies import cookie_name, read_cookie

EXPIRED_TICKET = "That sign-in took too long to finish. Please sign in again."


def cookie(state: rx.State, name: str) -> str:
    """A cookie of the browser behind this websocket (as sent when it connected)."""
    return read_cookie(state.router.headers.cookie, name)


def client_address(state: rx.State) -> str:
    """The browser's address as Reflex sees it (`rx.Config(trusted_proxy_hops=…)`, env
    REFLEX_TRUSTED_PROXY_HOPS, says how many proxies' X-Forwarded-For entries to trust)."""
    return state.router.session.client_ip


def to_session(ticket: str, target: str) -> rx.event.EventSpec:
    """A full page load of /api/auth/session (not a client-side route: it is no page), which
    sets the HttpOnly cookie and goes on to `target`."""
    url = f"{routes.OPEN_SESSION}?" + urlencode({"code": ticket, "next": target})
    return rx.call_script(f"window.location.replace({json.dumps(url)})")


class SessionMixin(rx.State, mixin=True):
    """Who is signed in, and the sign-in card: `class AuthState(SessionMixin, rx.State)` with
    `KIND = Kind.STAFF`. A subclass says how a password is checked (`_check_password`) and may
    add steps after it (`_after`)."""

    KIND: ClassVar[Kind] = Kind.STAFF
    sign_in_error: str = ""
    signing_in: bool = False

    def _token(self) -> str:
        return cookie(self, cookie_name(self.KIND))

    def _to_sign_in(self) -> rx.event.EventSpec:
        here = self.router.url.path or routes.home(self.KIND)
        return rx.redirect(f"{routes.sign_in(self.KIND)}?next={here}")

    def _next(self) -> str:
        return self.router.url.query_parameters.get("next", routes.home(self.KIND))

    def _restart(self, error: str = "") -> None:
        """Back to the first step of the card, saying `error`."""
        self.sign_in_error, self.signing_in = error, False

    @rx.event
    def open_sign_in(self) -> None:
        """on_load of the sign-in page: the first step; says why when a sign-in ticket
        expired."""
        expired = self.router.url.query_parameters.get("expired") == "1"
        self._restart(EXPIRED_TICKET if expired else "")

    def _check_password(self, email: str, password: str, address: str) -> Any:
        """In a worker thread: the service's answer to a right password (something with a
        `ticket`); raises DomainError when it refuses."""
        raise NotImplementedError

    def _after(self, step: Any) -> rx.event.EventSpec | None:
        """What follows an accepted step: go and collect the session cookie."""
        self.signing_in = False
        return to_session(step.ticket, self._next())

    def _refused(self, refused: DomainError) -> None:
        self.sign_in_error, self.signing_in = refused.message, False

    async def _step(
        self, check: Callable[..., Any], *args: str
    ) -> AsyncIterator[rx.event.EventSpec | None]:
        """One step of the card: the spinner, `check(*args)` in a worker thread, then the
        next step or the refusal's message (a second click while one runs does nothing)."""
        if self.signing_in:
            return
        self.signing_in, self.sign_in_error = True, ""
        yield None
        try:
            step = await asyncio.to_thread(check, *args)
        except DomainError as refused:
            self._refused(refused)
            return
        yield self._after(step)

    @rx.event
    async def sign_in(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        """The card's first step: email and password."""
        email, password = form.get("email", ""), form.get("password", "")
        async for update in self._step(self._check_password, email, password, client_address(self)):
            yield update
