"""State of `/partner/users`: the partner's own logins (name, email, status, last sign-in);
invite a colleague to this property; disable or enable one. Another partner's logins are
never listed and cannot be touched (the service says "not found")."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from typing import Any

import reflex as rx

from concierge_app.domain.errors import DomainError
from concierge_app.domain.formatting import format_moment
from concierge_app.services.access import partner_users
from concierge_app.services.shared.database import get_database
from concierge_app.ui.partner.session import PartnerAuthState


@dataclasses.dataclass(frozen=True)
class ColleagueRow:
    id: str
    name: str
    email: str
    status: str
    last_sign_in: str
    is_me: bool
    group_login: bool


class PartnerUsersState(PartnerAuthState):
    colleagues: list[ColleagueRow] = []
    loading: bool = True
    message: str = ""
    error: str = ""
    errors: dict[str, str] = {}
    busy: bool = False
    form_key: int = 0  # a new value empties the invite form after a success

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        if await self._identity() is None:
            yield self._to_sign_in()
            return
        self.message = self.error = ""
        self.errors = {}
        await self._reload()

    async def _reload(self) -> None:
        rows = await asyncio.to_thread(
            partner_users.my_colleagues, db=get_database(), partner_user_id=self._user_id
        )
        self.colleagues = [
            ColleagueRow(
                id=str(r.id),
                name=r.name,
                email=r.email,
                status=r.status,
                last_sign_in=format_moment(r.last_sign_in) + " UTC" if r.last_sign_in else "Never",
                is_me=r.id == self._user_id,
                group_login=r.group_login,
            )
            for r in rows
        ]
        self.loading = False

    async def _act(self, call: Callable[[], Any], done: str) -> None:
        self.message = self.error = ""
        if await self._identity() is None:
            self.error = "You are signed out. Sign in again."
            return
        try:
            await asyncio.to_thread(call)
        except DomainError as refused:
            self.error = refused.message
        else:
            self.message = done
        await self._reload()

    def _name_of(self, user_id: str) -> str:
        return next((c.name for c in self.colleagues if c.id == user_id), "The login")

    @rx.event
    async def set_active(self, user_id: str, active: bool) -> None:
        name = self._name_of(user_id)
        await self._act(
            lambda: partner_users.set_colleague_active(
                db=get_database(),
                partner_user_id=self._user_id,
                user_id=int(user_id),
                active=active,
            ),
            f"{name} can sign in again." if active else f"{name} can no longer sign in.",
        )

    @rx.event
    async def invite(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        self.busy, self.errors, self.message, self.error = True, {}, "", ""
        yield
        email = form.get("email", "")
        try:
            if await self._identity() is None:
                raise DomainError("You are signed out. Sign in again.")
            await asyncio.to_thread(
                partner_users.invite_colleague,
                db=get_database(),
                partner_user_id=self._user_id,
                email=email,
                name=form.get("name", ""),
            )
        except DomainError as refused:
            self.errors = {refused.field or "form": refused.message}
        else:
            self.message = f"Invitation sent to {email.strip().lower()} (the link works 7 days)."
            self.form_key += 1
            await self._reload()
        self.busy = False
