"""The partner session in the browser (the shared mechanism: `ui/shared/session.py`); a partner
user sees only its own partner's finance pages (every load and action checks the session
again).

A group login also has its group (the group page) and may switch which of the group's
properties the other pages show: the choice is a cookie, checked by the server on every load
(a code outside the group is ignored)."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import reflex as rx

from concierge_app import routes
from concierge_app.domain.sign_in import Kind
from concierge_app.services.access import partner_sign_in as partner_auth
from concierge_app.services.access.partner_sign_in import PartnerIdentity, PartnerSignedIn
from concierge_app.services.shared.database import get_database
from concierge_app.settings import get_settings
from concierge_app.ui.shared.live_push import reload_open_page
from concierge_app.ui.shared.live_state import LiveMixin
from concierge_app.ui.shared.session import SessionMixin
from concierge_app.ui.shared.session_cookies import PROPERTY_COOKIE


@dataclasses.dataclass(frozen=True)
class PropertyOption:
    code: str
    label: str  # "Villa Sol Ibiza · PRP-1004"


class PartnerAuthState(SessionMixin, rx.State):
    KIND = Kind.PARTNER
    # Not a secret (the server checks it against the login's group on every load).
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

    _user_id: int = 0  # backend only: the signed-in login

    async def _identity(self) -> PartnerIdentity | None:
        """The signed-in partner user (None: not signed in, expired or signed out)."""
        who = await asyncio.to_thread(
            partner_auth.current_partner_user,
            db=get_database(),
            token=self._token(),
            property_code=self.partner_property,
        )
        self._show(who)
        self._user_id = 0 if who is None else who.user_id
        return who

    def _show(self, who: PartnerIdentity | None) -> None:
        self.partner_name = "" if who is None else who.partner_name
        self.partner_code = "" if who is None else who.partner_code
        self.id_label = "Partner ID" if who and who.partner_kind == "operator" else "Property ID"
        self.group_code = "" if who is None else who.group_code
        self.property_options = [
            PropertyOption(p.code, f"{p.name} · {p.code}") for p in (who.properties if who else ())
        ]

    def _check_password(self, email: str, password: str, address: str) -> PartnerSignedIn:
        return partner_auth.partner_sign_in(
            db=get_database(), email=email, password=password, client_address=address
        )

    @rx.event
    async def switch_property(self, code: str):  # type: ignore[no-untyped-def]
        """A group login shows another of its group's properties: the open page reloads for it
        (see `PartnerLiveState._switched`); one document's page goes back to the Invoices
        list."""
        self.partner_property = code.strip().upper()[:20]
        if await self._identity() is None:
            yield self._to_sign_in()
            return
        if self.router.url.path.startswith(routes.PARTNER_DOCUMENT_PREFIX):
            yield rx.redirect(routes.PARTNER_INVOICES)
            return
        await reload_open_page(self)


class PartnerLiveState(LiveMixin, PartnerAuthState, mixin=True):
    """Base of the partner pages: who is signed in (`_pid`), and a reload when the ledger moves
    or a group login switched to another property."""

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

    def _may_reload(self) -> bool:
        return bool(self._pid)

    async def _switched(self) -> bool:
        """A group login chose another property: the page is read again for it."""
        if self.partner_code == self._shown:
            return False
        if await self._enter():
            await self._reload()
        return True

    def _scope(self) -> dict[str, Any]:
        return {"db": get_database(), "partner_id": self._pid}

    def _push_scope(self) -> dict[str, Any]:
        """Pushed changes: this partner's (its bookings, services and documents)."""
        return {"partner_id": self._pid}
