"""Partner session in the browser: a cookie with the session token; a partner user sees only
its own partner's finance pages (every load and action checks the session again)."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from concierge_app.db.engine import get_database
from concierge_app.domain.errors import DomainError
from concierge_app.services import partner_auth
from concierge_app.services.changes import ledger_version
from concierge_app.services.partner_auth import PartnerIdentity
from concierge_app.settings import get_settings

PARTNER_COOKIE = "concierge_partner"


class PartnerAuthState(rx.State):
    partner_token: str = rx.Cookie(
        "",
        name=PARTNER_COOKIE,
        max_age=get_settings().staff_session_hours * 3600,
        same_site="strict",
    )
    partner_name: str = ""
    partner_code: str = ""
    id_label: str = "Property ID"  # "Partner ID" for a service operator
    sign_in_error: str = ""
    signing_in: bool = False

    async def _identity(self) -> PartnerIdentity | None:
        """The signed-in partner user (None: not signed in, expired or signed out)."""
        who = await asyncio.to_thread(
            partner_auth.current_partner_user, db=get_database(), token=self.partner_token
        )
        self.partner_name = "" if who is None else who.partner_name
        self.partner_code = "" if who is None else who.partner_code
        self.id_label = "Partner ID" if who and who.partner_kind == "operator" else "Property ID"
        return who

    def _to_sign_in(self) -> rx.event.EventSpec:
        return rx.redirect(f"/partner/login?next={self.router.url.path or '/partner'}")

    @rx.event
    async def sign_in(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        self.signing_in, self.sign_in_error = True, ""
        yield
        try:
            signed = await asyncio.to_thread(
                partner_auth.partner_sign_in,
                db=get_database(),
                email=form.get("email", ""),
                password=form.get("password", ""),
            )
        except DomainError as refused:
            self.sign_in_error, self.signing_in = refused.message, False
            return
        self.partner_token = signed.token
        self.partner_name = signed.identity.partner_name
        self.partner_code = signed.identity.partner_code
        operator = signed.identity.partner_kind == "operator"
        self.id_label = "Partner ID" if operator else "Property ID"
        self.signing_in = False
        target = self.router.url.query_parameters.get("next", "/partner")
        safe = target.startswith("/partner") and not target.startswith("//")
        yield rx.redirect(target if safe else "/partner")

    @rx.event
    async def sign_out(self) -> rx.event.EventSpec:
        await asyncio.to_thread(
            partner_auth.partner_sign_out, db=get_database(), token=self.partner_token
        )
        self.partner_token = ""
        self.partner_name = self.partner_code = ""
        return rx.redirect("/partner/login")


class PartnerLiveState(PartnerAuthState, mixin=True):
    """Base of the partner pages: who is signed in (`_pid`), and a reload when the ledger moves."""

    version: int = -1
    view: str = "loading"  # loading / ready / error
    _pid: int = 0

    async def _enter(self) -> bool:
        """on_load: check the session; remember the partner."""
        who = await self._identity()
        self._pid = 0 if who is None else who.partner_id
        return who is not None

    @rx.event
    async def poll(self, _tick: str = "") -> None:
        """Every half second: reload when the ledger moved since the page last read it."""
        if self._pid and await self._ledger_version() != self.version:
            await self._reload()

    async def _ledger_version(self) -> int:
        return await asyncio.to_thread(ledger_version, db=get_database())

    async def _reload(self) -> None:
        """Record the ledger version (`self.version = await self._ledger_version()`), then read
        what the page shows: a change landing meanwhile is seen by the next poll."""
        raise NotImplementedError

    def _scope(self) -> dict[str, Any]:
        return {"db": get_database(), "partner_id": self._pid}
