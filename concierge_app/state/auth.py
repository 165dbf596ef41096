"""Staff session in the browser: a cookie holding the session token, checked on every page."""

from __future__ import annotations

import asyncio

import reflex as rx

from concierge_app.db.engine import get_database
from concierge_app.domain.errors import DomainError
from concierge_app.services import auth
from concierge_app.settings import get_settings

SESSION_COOKIE = "concierge_staff"


class AuthState(rx.State):
    """Base of every staff page state: who is signed in."""

    token: str = rx.Cookie(
        "",
        name=SESSION_COOKIE,
        max_age=get_settings().staff_session_hours * 3600,
        same_site="strict",
    )
    staff_name: str = ""
    staff_email: str = ""
    sign_in_error: str = ""
    signing_in: bool = False

    async def _signed_in(self) -> bool:
        """True when the cookie's session is valid; remembers who it is."""
        identity = await asyncio.to_thread(auth.current_staff, db=get_database(), token=self.token)
        if identity is None:
            self.staff_name = self.staff_email = ""
            return False
        self.staff_name, self.staff_email = identity.name, identity.email
        return True

    def _to_sign_in(self) -> rx.event.EventSpec:
        here = self.router.url.path or "/"
        return rx.redirect(f"/login?next={here}")

    @rx.event
    async def sign_in(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        self.signing_in, self.sign_in_error = True, ""
        yield
        try:
            signed = await asyncio.to_thread(
                auth.sign_in,
                db=get_database(),
                email=form.get("email", ""),
                password=form.get("password", ""),
            )
        except DomainError as refused:
            self.sign_in_error = refused.message
            self.signing_in = False
            return
        self.token = signed.token
        self.staff_name, self.staff_email = signed.identity.name, signed.identity.email
        self.signing_in = False
        target = self.router.url.query_parameters.get("next", "/")
        yield rx.redirect(target if target.startswith("/") and not target.startswith("//") else "/")

    @rx.event
    async def sign_out(self) -> rx.event.EventSpec:
        await asyncio.to_thread(auth.sign_out, db=get_database(), token=self.token)
        self.token = ""
        self.staff_name = self.staff_email = ""
        return rx.redirect("/login")

    @rx.event
    async def require_staff(self) -> rx.event.EventSpec | None:
        """on_load of pages without data of their own: send strangers to the sign-in page."""
        if not await self._signed_in():
            return self._to_sign_in()
        return None
