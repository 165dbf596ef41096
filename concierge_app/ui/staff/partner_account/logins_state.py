"""State of the Extranet logins card on a partner's staff page (admins): the partner's users,
Invite (to the property, or to its whole group), Disable / Enable."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from typing import Any

import reflex as rx

from concierge_app import routes
from concierge_app.domain.errors import DomainError
from concierge_app.domain.formatting import format_moment
from concierge_app.services.access import partner_users
from concierge_app.services.partner.views.finance import partner_by_code
from concierge_app.services.shared.database import get_database
from concierge_app.ui.staff.session import AuthState


@dataclasses.dataclass(frozen=True)
class LoginRow:
    id: str
    name: str
    email: str
    status: str
    last_sign_in: str
    group_login: bool


class PartnerLoginsState(AuthState):
    logins: list[LoginRow] = []
    logins_message: str = ""
    logins_error: str = ""
    logins_errors: dict[str, str] = {}
    invite_busy: bool = False
    invite_key: int = 0
    _partner_id: int = 0

    async def _partner(self) -> int:
        code = routes.path_parameter(self.router.url.path, routes.FINANCE_PARTNER_PREFIX)
        header = await asyncio.to_thread(partner_by_code, db=get_database(), code=code)
        self._partner_id = header.id
        return header.id

    @rx.event
    async def load_logins(self) -> None:
        self.logins_message = self.logins_error = ""
        if not await self._signed_in():
            return
        try:
            await self._partner()
            await self._reload()
        except DomainError as refused:
            self.logins, self.logins_error = [], refused.message

    async def _reload(self) -> None:
        rows = await asyncio.to_thread(
            partner_users.partner_users_for_staff,
            db=get_database(),
            partner_id=self._partner_id,
            actor=self.staff_email,
        )
        self.logins = [
            LoginRow(
                id=str(r.id),
                name=r.name,
                email=r.email,
                status=r.status,
                last_sign_in=format_moment(r.last_sign_in) + " UTC" if r.last_sign_in else "Never",
                group_login=r.group_login,
            )
            for r in rows
        ]

    async def _act(self, call: Callable[[], Any], done: str) -> None:
        self.logins_message = self.logins_error = ""
        try:
            if not await self._signed_in():
                raise DomainError("You are signed out. Sign in again.")
            await asyncio.to_thread(call)
        except DomainError as refused:
            self.logins_error = refused.message
        else:
            self.logins_message = done
        await self._reload()

    @rx.event
    async def set_login_active(self, user_id: str, active: bool) -> None:
        await self._act(
            lambda: partner_users.set_partner_user_active(
                db=get_database(), user_id=int(user_id), active=active, actor=self.staff_email
            ),
            "The login can sign in again." if active else "The login can no longer sign in.",
        )

    @rx.event
    async def invite_login(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        self.invite_busy, self.logins_errors = True, {}
        self.logins_message = self.logins_error = ""
        yield
        email = form.get("email", "")
        try:
            if not await self._signed_in():
                raise DomainError("You are signed out. Sign in again.")
            await asyncio.to_thread(
                partner_users.invite_partner_user,
                db=get_database(),
                partner_id=self._partner_id,
                email=email,
                name=form.get("name", ""),
                group_login=form.get("group_login") == "on",
                actor=self.staff_email,
            )
        except DomainError as refused:
            self.logins_errors = {refused.field or "form": refused.message}
        else:
            self.logins_message = f"Invitation sent to {email.strip().lower()}."
            self.invite_key += 1
            await self._reload()
        self.invite_busy = False
