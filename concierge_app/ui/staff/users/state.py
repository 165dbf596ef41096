"""State of `/users` (admins): the staff list, the Invite dialog, Disable / Enable, Reset
password and the Roles dialog. Every action is the service's: a member without the admin role
sees its refusal, and the list is not shown to them."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from typing import Any

import reflex as rx

from concierge_app.domain.errors import DomainError
from concierge_app.domain.formatting import format_moment
from concierge_app.domain.roles import Role
from concierge_app.services.access import staff_users
from concierge_app.services.shared.database import get_database
from concierge_app.ui.staff.session import AuthState
from concierge_app.ui.staff.times import PlatformTimesMixin

ROLE_ORDER = (Role.CONCIERGE, Role.FINANCE, Role.ADMIN)


@dataclasses.dataclass(frozen=True)
class UserRow:
    id: str
    name: str
    email: str
    roles: str  # "concierge, finance"
    status: str  # Invited / Active / Disabled
    last_sign_in: str
    is_me: bool


class UsersState(PlatformTimesMixin, AuthState):
    users: list[UserRow] = []
    loading: bool = True
    refused: str = ""  # the page is not for this member (the service's refusal)
    message: str = ""
    error: str = ""
    # The Invite and Roles dialogs share the role choice.
    invite_open: bool = False
    roles_open: bool = False
    roles_of: str = ""  # whose roles are edited (id)
    roles_name: str = ""
    pick: dict[str, bool] = {r.value: False for r in ROLE_ORDER}
    form_errors: dict[str, str] = {}
    saving: bool = False

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        self.message = self.error = ""
        await self._reload()

    async def _reload(self) -> None:
        try:
            rows = await asyncio.to_thread(
                staff_users.list_staff, db=get_database(), actor=self.staff_email
            )
        except DomainError as refused:
            self.users, self.refused, self.loading = [], refused.message, False
            return
        zone = self._platform_zone()
        self.refused = ""
        self.users = [
            UserRow(
                id=str(r.id),
                name=r.name,
                email=r.email,
                roles=", ".join(role.value for role in ROLE_ORDER if role in r.roles) or "—",
                status=r.status,
                last_sign_in=format_moment(r.last_sign_in, zone) if r.last_sign_in else "Never",
                is_me=r.email == self.staff_email,
            )
            for r in rows
        ]
        self.loading = False

    async def _act(self, call: Callable[[], Any], done: str) -> bool:
        """Run a service call; show its refusal, or `done`; reload the list."""
        self.message = self.error = ""
        if not await self._signed_in():
            self.error = "You are signed out. Sign in again."
            return False
        try:
            await asyncio.to_thread(call)
        except DomainError as refused:
            self.error = refused.message
            ok = False
        else:
            self.message, ok = done, True
        await self._reload()
        return ok

    def _name_of(self, user_id: str) -> str:
        return next((u.name for u in self.users if u.id == user_id), "The user")

    # -- row actions ---------------------------------------------------------------------------
    @rx.event
    async def disable(self, user_id: str) -> None:
        await self._act(
            lambda: staff_users.disable_staff(
                db=get_database(), staff_id=int(user_id), actor=self.staff_email
            ),
            f"{self._name_of(user_id)} is disabled and signed out everywhere.",
        )

    @rx.event
    async def enable(self, user_id: str) -> None:
        await self._act(
            lambda: staff_users.enable_staff(
                db=get_database(), staff_id=int(user_id), actor=self.staff_email
            ),
            f"{self._name_of(user_id)} can sign in again.",
        )

    @rx.event
    async def reset_password(self, user_id: str) -> None:
        await self._act(
            lambda: staff_users.send_password_reset(
                db=get_database(), staff_id=int(user_id), actor=self.staff_email
            ),
            f"A password-reset link was emailed to {self._name_of(user_id)} (valid 24 hours).",
        )

    # -- role choice ---------------------------------------------------------------------------
    @rx.event
    def toggle(self, role: str, on: bool) -> None:
        self.pick = {**self.pick, role: bool(on)}

    def _chosen(self) -> list[str]:
        return [role for role, on in self.pick.items() if on]

    # -- invite --------------------------------------------------------------------------------
    @rx.event
    def open_invite(self) -> None:
        self.pick = {r.value: r is Role.CONCIERGE for r in ROLE_ORDER}
        self.form_errors, self.invite_open = {}, True

    @rx.event
    def set_invite_open(self, value: bool) -> None:
        self.invite_open = value

    @rx.event
    async def invite(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        self.saving, self.form_errors = True, {}
        yield
        email, name, roles = form.get("email", ""), form.get("name", ""), self._chosen()
        try:
            if not await self._signed_in():
                raise DomainError("You are signed out. Sign in again.")
            await asyncio.to_thread(
                staff_users.invite_staff,
                db=get_database(),
                email=email,
                name=name,
                roles=roles,
                actor=self.staff_email,
            )
        except DomainError as refused:
            self.form_errors = {refused.field or "form": refused.message}
        else:
            self.invite_open, self.error = False, ""
            self.message = f"Invitation sent to {email.strip().lower()} (the link works 7 days)."
            await self._reload()
        self.saving = False

    # -- roles ---------------------------------------------------------------------------------
    @rx.event
    def open_roles(self, user_id: str) -> None:
        row = next((u for u in self.users if u.id == user_id), None)
        if row is None:
            return
        held = {part.strip() for part in row.roles.split(",")}
        self.pick = {r.value: r.value in held for r in ROLE_ORDER}
        self.roles_of, self.roles_name = row.id, row.name
        self.form_errors, self.roles_open = {}, True

    @rx.event
    def set_roles_open(self, value: bool) -> None:
        self.roles_open = value

    @rx.event
    async def save_roles(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        self.saving, self.form_errors = True, {}
        yield
        try:
            if not await self._signed_in():
                raise DomainError("You are signed out. Sign in again.")
            await asyncio.to_thread(
                staff_users.change_roles,
                db=get_database(),
                staff_id=int(self.roles_of or 0),
                roles=self._chosen(),
                actor=self.staff_email,
            )
        except DomainError as refused:
            self.form_errors = {refused.field or "form": refused.message}
        else:
            self.roles_open, self.error = False, ""
            self.message = f"{self.roles_name}'s roles are saved."
            await self._reload()
        self.saving = False
