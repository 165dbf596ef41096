"""The staff pages' live state: the shared `LiveMixin` on the staff session."""

from __future__ import annotations

from concierge_app.ui.shared.live_state import LiveMixin
from concierge_app.ui.staff.session import AuthState


class LiveState(LiveMixin, AuthState, mixin=True):
    """Base of the live staff page states: `class BookingsState(LiveState, AuthState)`.

    A Reflex mixin, so each page state stays a direct substate of AuthState (name AuthState
    last among the bases: a class whose state bases are all mixins would be a mixin too). It
    is reloaded only for a signed-in member, and its `load` sends anyone else to the sign-in page.
    """

    def _may_reload(self) -> bool:
        return bool(self.staff_name)

    async def _enter(self) -> bool:
        return await self._signed_in()
