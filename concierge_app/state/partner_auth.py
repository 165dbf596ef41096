"""Partner session in the browser: a cookie with the session token; a partner user sees only
its own partner's finance pages (every load and action checks the session again).

A group login also has its group (the group page) and may switch which of the group's
properties the other pages show: the choice is a cookie, checked by the server on every load
(a code outside the group is ignored)."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import reflex as rx

from concierge_app.db.engine import get_database
from concierge_app.domain.errors import DomainError
from concierge_app.services import partner_auth
from concierge_app.services.changes import ledger_version
from concierge_app.services.partner_auth import PartnerIdentity
from concierge_app.settings import get_settings

PARTNER_COOKIE = "concierge_partner"
PROPERTY_COOKIE = "concierge_partner_property"  # a group login's chosen property (its code)


@dataclasses.dataclass(frozen=True)
class PropertyOption:
    code: str
    label: str  # "Villa Sol Ibiza · PRP-1004"


class PartnerAuthState(rx.State):
    partner_token: str = rx.Cookie(
        "",
        name=PARTNER_COOKIE,
        max_age=get_settings().staff_session_hours * 3600,
        same_site="strict",
    )
    partner_property: str = rx.Cookie(
        "",
        name=PROPERTY_COOKIE,
        max_age=get_settings().staff_session_hours * 3600,
        same_site="strict",
    )
    partner_name: str = ""
    partner_code: str = ""
    id_label: str = "Property ID"  # "Partner ID" for a service operator
    group_code: str = ""  # a group login's group ("" for any other login)
    property_options: list[PropertyOption] = []  # a group login's properties
    sign_in_error: str = ""
    signing_in: bool = False

    async def _identity(self) -> PartnerIdentity | None:
        """The signed-in partner user (None: not signed in, expired or signed out)."""
        who = await asyncio.to_thread(
            partner_auth.current_partner_user,
            db=get_database(),
            token=self.partner_token,
            property_code=self.partner_property,
        )
        self._show(who)
        return who

    def _show(self, who: PartnerIdentity | None) -> None:
        self.partner_name = "" if who is None else who.partner_name
        self.partner_code = "" if who is None else who.partner_code
        self.id_label = "Partner ID" if who and who.partner_kind == "operator" else "Property ID"
        self.group_code = "" if who is None else who.group_code
        self.property_options = [
            PropertyOption(p.code, f"{p.name} · {p.code}") for p in (who.properties if who else ())
        ]

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
        self.partner_property = ""  # a group login starts at its home property
        self._show(signed.identity)
        self.signing_in = False
        target = self.router.url.query_parameters.get("next", "/partner")
        safe = target.startswith("/partner") and not target.startswith("//")
        yield rx.redirect(target if safe else "/partner")

    @rx.event
    async def sign_out(self) -> rx.event.EventSpec:
        await asyncio.to_thread(
            partner_auth.partner_sign_out, db=get_database(), token=self.partner_token
        )
        self.partner_token = self.partner_property = ""
        self._show(None)
        return rx.redirect("/partner/login")

    @rx.event
    async def switch_property(self, code: str):  # type: ignore[no-untyped-def]
        """A group login shows another of its group's properties: the open page reloads for it
        (see `PartnerLiveState.poll`); one document's page goes back to the Invoices list."""
        self.partner_property = code.strip().upper()[:20]
        if await self._identity() is None:
            yield self._to_sign_in()
            return
        if self.router.url.path.startswith("/partner/invoices/"):
            yield rx.redirect("/partner/invoices")


class PartnerLiveState(PartnerAuthState, mixin=True):
    """Base of the partner pages: who is signed in (`_pid`), and a reload when the ledger moves."""

    version: int = -1
    view: str = "loading"  # loading / ready / error
    _pid: int = 0
    _gid: int = 0  # a group login's group (0: not a group login)
    _shown: str = ""  # the partner code the page was read for

    async def _enter(self) -> bool:
        """on_load: check the session; remember the partner (and a group login's group)."""
        who = await self._identity()
        self._pid = 0 if who is None else who.partner_id
        self._gid = (who.group_id or 0) if who is not None else 0
        self._shown = self.partner_code
        return who is not None

    @rx.event
    async def poll(self, _tick: str = "") -> None:
        """Every half second: reload when the ledger moved since the page last read it, or when
        a group login switched to another property."""
        if not self._pid:
            return
        if self.partner_code != self._shown:
            if await self._enter():
                await self._reload()
            return
        if await self._ledger_version() != self.version:
            await self._reload()

    async def _ledger_version(self) -> int:
        return await asyncio.to_thread(ledger_version, db=get_database())

    async def _reload(self) -> None:
        """Record the ledger version (`self.version = await self._ledger_version()`), then read
        what the page shows: a change landing meanwhile is seen by the next poll."""
        raise NotImplementedError

    def _scope(self) -> dict[str, Any]:
        return {"db": get_database(), "partner_id": self._pid}
