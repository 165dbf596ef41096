"""State of `/security` (staff): the sign-in log, locked accounts (Unlock), and the signed-in
member's own password and two-factor sign-in. Live: reloads when the sign-in log moves."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
from collections.abc import AsyncIterator, Callable
from typing import Any

import reflex as rx

from concierge_app.domain.errors import DomainError
from concierge_app.domain.formatting import format_moment_to_the_second
from concierge_app.domain.sign_in import Kind
from concierge_app.services.access import (
    guard as sign_in_guard,
)
from concierge_app.services.access import (
    sign_in_log,
    two_factor,
)
from concierge_app.services.access import (
    staff_sign_in as auth,
)
from concierge_app.services.shared.database import get_database
from concierge_app.ui.shared.password_change import PasswordChangeMixin, StrengthView
from concierge_app.ui.shared.session import client_address
from concierge_app.ui.staff.live_state import LiveState
from concierge_app.ui.staff.session import AuthState
from concierge_app.ui.staff.times import PlatformTimesMixin

KIND_WORDS = {Kind.STAFF: "Staff", Kind.PARTNER: "Partner"}


@dataclasses.dataclass(frozen=True)
class LogRow:
    id: str
    at: str
    email: str
    who: str  # Staff / Partner
    address: str
    what: str
    alarming: bool


@dataclasses.dataclass(frozen=True)
class LockedRow:
    id: str
    email: str
    who: str
    failures: str
    locked_at: str


class SecurityState(PasswordChangeMixin, PlatformTimesMixin, LiveState, AuthState):
    log: list[LogRow] = []
    locked: list[LockedRow] = []
    loading: bool = True
    message: str = ""
    unlock_error: str = ""
    # Your account: the password (PasswordChangeMixin)
    # Your account: two-factor sign-in
    two_factor_on: bool = False
    two_factor_required: bool = False
    setting_up: bool = False  # a new authenticator waits for its first code
    setup_secret: str = ""
    setup_qr: str = ""
    code_error: str = ""
    two_factor_message: str = ""
    _code_taken: bool = False  # the last code step succeeded (backend only)
    switching: bool = False

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        self.message = self.unlock_error = self.password_message = ""
        self.password_errors, self.new_strength = {}, StrengthView()
        self.code_error = self.two_factor_message = ""
        self.setting_up, self.setup_secret, self.setup_qr = False, "", ""
        await self._reload()

    def _push_scope(self) -> dict[str, Any]:
        """Pushed when the sign-in log moves (and, as every staff page, the ledger)."""
        return {"sign_ins": True}

    async def _ledger_version(self) -> int:
        """The page watches the sign-in log (any new line: a sign-in, failure, unlock…)."""
        return await asyncio.to_thread(sign_in_log.log_version, db=get_database())

    async def _reload(self) -> None:
        db = get_database()
        self.version = await self._ledger_version()
        lines = await asyncio.to_thread(sign_in_log.sign_in_log, db=db)
        locked = await asyncio.to_thread(sign_in_log.locked_accounts, db=db)
        status = await asyncio.to_thread(two_factor.status, db=db, staff_id=self._staff_id)
        zone = self._platform_zone()
        self.log = [
            LogRow(
                id=str(line.id),
                at=format_moment_to_the_second(line.occurred_at, zone),
                email=line.email,
                who=KIND_WORDS[line.kind],
                address=line.client_address or "—",
                what=line.what,
                alarming=line.alarming,
            )
            for line in lines
        ]
        self.locked = [
            LockedRow(
                id=str(a.id),
                email=a.email,
                who=KIND_WORDS[a.kind],
                failures=str(a.failures),
                locked_at=format_moment_to_the_second(a.locked_at, zone),
            )
            for a in locked
        ]
        self.two_factor_on, self.two_factor_required = status.enabled, status.required
        self.loading = False

    # -- locked accounts -------------------------------------------------------------------
    @rx.event
    async def unlock(self, account_id: str):  # type: ignore[no-untyped-def]
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        row = next((r for r in self.locked if r.id == account_id), None)
        self.message = self.unlock_error = ""
        try:
            await asyncio.to_thread(
                sign_in_guard.unlock,
                db=get_database(),
                account_id=int(account_id),
                actor=self.staff_email,
            )
        except DomainError as refused:
            self.unlock_error = refused.message
        else:
            who = row.email if row is not None else "The account"
            self.message = f"{who} is unlocked: it can sign in again."
        await self._reload()

    # -- your password -----------------------------------------------------------------------
    def _password_owner(self) -> tuple[str, str]:
        return self.staff_email, self.staff_name

    async def _still_signed_in(self) -> rx.event.EventSpec | None:
        return None if await self._signed_in() else self._to_sign_in()

    def _password_saver(self, form: dict[str, str]) -> Callable[[], None]:
        return functools.partial(
            auth.change_password,
            db=get_database(),
            staff_id=self._staff_id,
            current=form.get("current_password", ""),
            new=form.get("new_password", ""),
            repeat=form.get("repeat_password", ""),
            keep_token=self._token(),
            client_address=client_address(self),
        )

    # -- your two-factor sign-in ------------------------------------------------------------
    @rx.event
    async def start_two_factor(self):  # type: ignore[no-untyped-def]
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        self.code_error = self.two_factor_message = ""
        try:
            enrolment = await asyncio.to_thread(
                two_factor.start_enrolment, db=get_database(), staff_id=self._staff_id
            )
        except DomainError as refused:
            self.code_error = refused.message
            return
        self.setting_up, self.setup_secret, self.setup_qr = (
            True,
            enrolment.secret,
            enrolment.qr_data_uri,
        )

    @rx.event
    def cancel_two_factor(self) -> None:
        self.setting_up, self.setup_secret, self.setup_qr, self.code_error = False, "", "", ""

    @rx.event
    async def confirm_two_factor(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        async for step in self._with_code(two_factor.confirm_enrolment, form):
            yield step
        if self._code_taken:
            self.setting_up, self.setup_secret, self.setup_qr = False, "", ""
            self.two_factor_message = "Two-factor sign-in is on: you will be asked for a code."

    @rx.event
    async def switch_off_two_factor(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        async for step in self._with_code(two_factor.switch_off, form):
            yield step
        if self._code_taken:
            self.two_factor_message = "Two-factor sign-in is off."

    async def _with_code(
        self, call: Callable[..., None], form: dict[str, str]
    ) -> AsyncIterator[rx.event.EventSpec | None]:
        """Run a two-factor change that takes the authenticator's code (throttled like a
        sign-in); on success (`_code_taken`) the page reads the new state; `code_error` says a
        refusal."""
        self._code_taken = False
        if self.switching:
            return
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        self.switching, self.code_error = True, ""
        yield None
        try:
            await asyncio.to_thread(
                call,
                db=get_database(),
                staff_id=self._staff_id,
                code=form.get("code", ""),
                client_address=client_address(self),
            )
        except DomainError as refused:
            self.code_error = refused.message
            return
        finally:
            self.switching = False
        self._code_taken = True
        await self._reload()
