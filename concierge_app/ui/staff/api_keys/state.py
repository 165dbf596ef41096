"""State of `/api-keys` (staff): the integrations' keys; New key (the secret shown once, in
this state only, until Done); Revoke after a confirmation. Live: reloads when the audit trail
moves (a key made or revoked elsewhere)."""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from concierge_app.domain.api_keys import SCOPES
from concierge_app.domain.errors import DomainError
from concierge_app.domain.formatting import format_moment
from concierge_app.services.integrations import api_keys
from concierge_app.services.shared.database import get_database
from concierge_app.ui.staff.live_state import LiveState
from concierge_app.ui.staff.session import AuthState
from concierge_app.ui.staff.times import PlatformTimesMixin


@dataclasses.dataclass(frozen=True)
class KeyRow:
    id: str
    name: str
    prefix: str  # "ck_live_ab12…"
    scopes: list[str]
    created: str
    created_by: str
    last_used: str
    status: str  # Active / Revoked
    revoked: str  # when, or ""


class ApiKeysState(PlatformTimesMixin, LiveState, AuthState):
    keys: list[KeyRow] = []
    loading: bool = True
    creating: bool = False  # the New key dialog is open
    busy: bool = False
    errors: dict[str, str] = {}
    new_secret: str = ""  # shown once, until Done
    new_name: str = ""
    revoke_id: str = ""  # the key waiting for confirmation
    revoke_label: str = ""
    message: str = ""
    revoke_error: str = ""

    async def _reload(self) -> None:
        self.version = await self._ledger_version()
        views = await asyncio.to_thread(api_keys.list_keys, db=get_database())
        zone = self._platform_zone()
        self.keys = [
            KeyRow(
                id=str(k.id),
                name=k.name,
                prefix=f"{k.prefix}…",
                scopes=list(k.scopes),
                created=format_moment(k.created_at, zone),
                created_by=k.created_by,
                last_used=format_moment(k.last_used_at, zone) if k.last_used_at else "Never",
                status="Active" if k.active else "Revoked",
                revoked=format_moment(k.revoked_at, zone) if k.revoked_at else "",
            )
            for k in views
        ]
        self.loading = False

    # -- New key -------------------------------------------------------------------------------
    @rx.event
    def open_create(self) -> None:
        self.creating, self.errors, self.new_secret, self.new_name = True, {}, "", ""

    def _forget(self) -> None:
        self.creating, self.errors, self.new_secret, self.new_name = False, {}, "", ""

    @rx.event
    def done(self) -> None:
        """Done: the dialog closes and the secret is forgotten for good."""
        self._forget()

    @rx.event
    def close_create(self, is_open: bool) -> None:
        """The dialog closed otherwise (Escape, outside, Cancel): as Done."""
        if not is_open:
            self._forget()

    @rx.event
    async def create(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        if self.busy or self.new_secret:
            return
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        scopes = [s for s in SCOPES if form.get(s) in ("on", "true", s)]
        self.busy, self.errors, self.message = True, {}, ""
        yield None
        try:
            made = await asyncio.to_thread(
                api_keys.create_key,
                db=get_database(),
                name=form.get("name", ""),
                scopes=scopes,
                actor=self.staff_email,
            )
        except DomainError as refused:
            self.errors = {refused.field or "name": refused.message}
            return
        finally:
            self.busy = False
        self.new_secret, self.new_name = made.secret, made.key.name
        await self._reload()

    # -- Revoke --------------------------------------------------------------------------------
    @rx.event
    def ask_revoke(self, key_id: str) -> None:
        row = next((r for r in self.keys if r.id == key_id), None)
        if row is not None:
            self.revoke_id, self.revoke_label = key_id, f"{row.name} ({row.prefix})"
            self.revoke_error = ""

    @rx.event
    def close_revoke(self, is_open: bool) -> None:
        if not is_open:
            self.revoke_id, self.revoke_label, self.revoke_error = "", "", ""

    @rx.event
    async def revoke(self, _form: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        if self.busy or not self.revoke_id:
            return
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        self.busy = True
        yield None
        try:
            key = await asyncio.to_thread(
                api_keys.revoke_key,
                db=get_database(),
                key_id=int(self.revoke_id),
                actor=self.staff_email,
            )
        except DomainError as refused:
            self.revoke_error = refused.message
            return
        finally:
            self.busy = False
        self.message = f"The key {key.prefix}… ({key.name}) is revoked: its requests are refused."
        self.revoke_id, self.revoke_label = "", ""
        await self._reload()
