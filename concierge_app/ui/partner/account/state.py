"""State of `/partner/account`: the signed-in partner login's email and its password."""

from __future__ import annotations

import functools
from collections.abc import Callable

import reflex as rx

from concierge_app.services.access import partner_sign_in as partner_auth
from concierge_app.services.shared.database import get_database
from concierge_app.ui.partner.session import PartnerAuthState
from concierge_app.ui.shared.password_change import PasswordChangeMixin, StrengthView
from concierge_app.ui.shared.session import client_address


class PartnerProfileState(PasswordChangeMixin, PartnerAuthState):
    login_email: str = ""
    login_name: str = ""
    loading: bool = True

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        who = await self._identity()
        if who is None:
            yield self._to_sign_in()
            return
        self.login_email, self.login_name = who.email, who.name
        self.password_errors, self.password_message = {}, ""
        self.new_strength, self.loading = StrengthView(), False

    def _password_owner(self) -> tuple[str, str]:
        return self.login_email, self.login_name

    async def _still_signed_in(self) -> rx.event.EventSpec | None:
        return self._to_sign_in() if await self._identity() is None else None

    def _password_saver(self, form: dict[str, str]) -> Callable[[], None]:
        return functools.partial(
            partner_auth.change_partner_password,
            db=get_database(),
            user_id=self._user_id,
            current=form.get("current_password", ""),
            new=form.get("new_password", ""),
            repeat=form.get("repeat_password", ""),
            keep_token=self._token(),
            client_address=client_address(self),
        )
