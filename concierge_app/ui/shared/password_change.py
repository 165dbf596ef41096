"""What the staff Security page and the partner Account page share about a new password: the
strength shown while it is typed (zxcvbn, by the policy the service applies on saving) and the
form's handling (`PasswordChangeMixin`)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable

import reflex as rx

from concierge_app.domain.errors import DomainError
from concierge_app.services.access.passwords import MIN_LENGTH, strength

PASSWORD_HINT = (
    f"At least {MIN_LENGTH} characters, hard to guess, and not your name or email. A few "
    "unrelated words make a strong password."
)


@dataclasses.dataclass(frozen=True)
class StrengthView:
    """The meter under the new password: 0–4 bars, a word, what zxcvbn says."""

    score: int = -1  # -1: nothing typed
    label: str = ""
    feedback: str = ""
    acceptable: bool = False


def rate(password: str, *, email: str, name: str) -> StrengthView:
    if not password:
        return StrengthView()
    rated = strength(password, email=email, name=name)
    return StrengthView(rated.score, rated.label, rated.feedback, rated.acceptable)


class PasswordChangeMixin(rx.State, mixin=True):
    """The password form of a signed-in person's own account. A page state provides who it is
    (`_password_owner`), whether the session still holds (`_still_signed_in`) and the service
    call that saves (`_password_saver`)."""

    password_errors: dict[str, str] = {}
    password_message: str = ""
    new_strength: StrengthView = StrengthView()
    saving_password: bool = False

    def _password_owner(self) -> tuple[str, str]:
        """(email, name) of whoever changes the password: the policy refuses both in it."""
        raise NotImplementedError

    async def _still_signed_in(self) -> rx.event.EventSpec | None:
        """None when the session is still valid; else where to send the browser."""
        raise NotImplementedError

    def _password_saver(self, form: dict[str, str]) -> Callable[[], None]:
        """The service call that checks and saves the new password from `form`."""
        raise NotImplementedError

    @rx.event
    def rate_password(self, value: str) -> None:
        """The strength meter while the new password is typed (the password is not kept)."""
        email, name = self._password_owner()
        self.new_strength = rate(value, email=email, name=name)
        if "password" in self.password_errors:  # the meter speaks for the new one now
            self.password_errors = {
                k: v for k, v in self.password_errors.items() if k != "password"
            }

    @rx.event
    async def change_password(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        if self.saving_password:
            return
        away = await self._still_signed_in()
        if away is not None:
            yield away
            return
        self.saving_password, self.password_errors, self.password_message = True, {}, ""
        yield
        try:
            await asyncio.to_thread(self._password_saver(form))
        except DomainError as refused:
            field = refused.field if refused.field in ("password", "repeat") else "current"
            self.password_errors = {field: refused.message}
            return
        finally:
            self.saving_password = False
        self.new_strength = StrengthView()
        self.password_message = "Your password is changed. Your other sessions are signed out."
        yield rx.call_script("document.getElementById('password-form').reset()")
