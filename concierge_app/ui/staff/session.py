"""The staff session in the browser (the shared mechanism: `ui/shared/session.py`): who is
signed in, and the staff sign-in card's steps — the password, then the authenticator's code
(two-factor on) or its enrolment (required, not set up yet)."""

from __future__ import annotations

import asyncio

import reflex as rx

from concierge_app.domain.errors import DomainError
from concierge_app.domain.roles import Role
from concierge_app.domain.sign_in import Kind
from concierge_app.services.access import staff_sign_in as auth
from concierge_app.services.access.staff_sign_in import SignInStep
from concierge_app.services.shared.database import get_database
from concierge_app.ui.shared.session import SessionMixin, client_address, to_session


class AuthState(SessionMixin, rx.State):
    """Base of every staff page state: who is signed in; the sign-in card's steps."""

    KIND = Kind.STAFF
    staff_name: str = ""
    staff_email: str = ""
    # The signed-in member's roles (concierge, finance, admin): the pages hide what they do not
    # allow; the services refuse it anyway.
    staff_roles: list[str] = []
    # The sign-in card: "password", then "code" (two-factor on) or "enrol" (required, not set
    # up yet: the new authenticator's secret and QR code are shown).
    sign_in_step: str = "password"
    sign_in_email: str = ""
    enrol_secret: str = ""
    enrol_qr: str = ""
    _pending_ticket: str = ""  # backend only: the ticket waiting for the code
    _staff_id: int = 0

    async def _signed_in(self) -> bool:
        """True when the cookie's session is valid; remembers who it is."""
        identity = await asyncio.to_thread(
            auth.current_staff, db=get_database(), token=self._token()
        )
        if identity is None:
            self.staff_name = self.staff_email = ""
            self.staff_roles = []
            self._staff_id = 0
            return False
        self.staff_name, self.staff_email = identity.name, identity.email
        self.staff_roles = sorted(role.value for role in identity.roles)
        self._staff_id = identity.staff_id
        return True

    @rx.var
    def is_admin(self) -> bool:
        return Role.ADMIN.value in self.staff_roles

    @rx.var
    def is_finance(self) -> bool:
        return Role.FINANCE.value in self.staff_roles

    @rx.var
    def is_concierge(self) -> bool:
        return Role.CONCIERGE.value in self.staff_roles

    def _restart(self, error: str = "") -> None:
        self.sign_in_step, self.sign_in_error, self.signing_in = "password", error, False
        self.enrol_secret = self.enrol_qr = self.sign_in_email = self._pending_ticket = ""

    def _check_password(self, email: str, password: str, address: str) -> SignInStep:
        return auth.sign_in(
            db=get_database(), email=email, password=password, client_address=address
        )

    def _check_code(self, ticket: str, code: str, address: str) -> SignInStep:
        return auth.second_step(db=get_database(), ticket=ticket, code=code, client_address=address)

    def _after(self, step: SignInStep) -> rx.event.EventSpec | None:
        """Show the next step, or go and collect the session cookie."""
        self.signing_in = False
        if step.next == "session":
            self._pending_ticket = ""
            return to_session(step.ticket, self._next())
        self.sign_in_step, self._pending_ticket = step.next, step.ticket
        self.sign_in_email = step.email
        if step.enrolment is not None:
            self.enrol_secret, self.enrol_qr = step.enrolment.secret, step.enrolment.qr_data_uri
        return None

    def _refused(self, refused: DomainError) -> None:
        if refused.message == auth.EXPIRED_STEP:  # the code came too late: start again
            self._restart(refused.message)
        else:
            super()._refused(refused)

    @rx.event
    async def submit_code(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        """The second step: the authenticator's 6-digit code."""
        code, address = form.get("code", ""), client_address(self)
        async for update in self._step(self._check_code, self._pending_ticket, code, address):
            yield update

    @rx.event
    def cancel_code(self) -> None:
        """Back to the email and password."""
        self._restart()

    @rx.event
    async def require_staff(self) -> rx.event.EventSpec | None:
        """on_load of pages without data of their own: send strangers to the sign-in page."""
        if not await self._signed_in():
            return self._to_sign_in()
        return None
