"""State of `/account?t=…` (public): the link of an invitation or a password reset. It says
whose account it is, takes the name (an invitation) and the new password twice; a used or
expired link says so and changes nothing."""

from __future__ import annotations

import asyncio

import reflex as rx

from concierge_app import routes
from concierge_app.domain.errors import DomainError
from concierge_app.domain.sign_in import Kind
from concierge_app.services.access import account_links
from concierge_app.services.shared.database import get_database


class AccountLinkState(rx.State):
    loading: bool = True
    refused: str = ""  # the link cannot be used (expired, used, unknown)
    invitation: bool = False
    email: str = ""
    name: str = ""
    errors: dict[str, str] = {}
    busy: bool = False
    done: bool = False
    sign_in_url: str = routes.SIGN_IN

    def _token(self) -> str:
        return self.router.url.query_parameters.get("t", "")

    @rx.event
    async def load(self) -> None:
        self.loading, self.done, self.errors, self.refused = True, False, {}, ""
        try:
            info = await asyncio.to_thread(
                account_links.link_info, db=get_database(), token=self._token()
            )
        except DomainError as refused:
            self.refused = refused.message
        else:
            self.invitation = info.purpose == account_links.INVITATION
            self.email, self.name = info.email, info.name
            self.sign_in_url = routes.sign_in(info.kind)
        self.loading = False

    @rx.event
    async def submit(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        self.busy, self.errors = True, {}
        yield
        try:
            info = await asyncio.to_thread(
                account_links.use_link,
                db=get_database(),
                token=self._token(),
                name=form.get("name", ""),
                password=form.get("password", ""),
                repeat=form.get("repeat", ""),
            )
        except account_links.LinkRefused as refused:
            self.refused = refused.message
        except DomainError as refused:
            self.errors = {refused.field or "form": refused.message}
        else:
            self.done = True
            self.sign_in_url = routes.sign_in(Kind(info.kind))
        self.busy = False
