"""Live pages: state that reloads when the ledger moved (another browser's change shows here).

The page's hidden timer (`components/live.py`) calls `poll` twice a second; `poll` asks the
database for the ledger version and calls `_reload` when it is not the one last shown."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from concierge_app.db.engine import get_database
from concierge_app.services.changes import ledger_version
from concierge_app.state.auth import AuthState


class LiveState(AuthState, mixin=True):
    """Base of the live page states: `class BookingsState(LiveState, AuthState)`.

    A Reflex mixin, so each page state gets its own `version` and `poll` and stays a direct
    substate of AuthState (name AuthState last among the bases: a class whose state bases are
    all mixins would be a mixin too). Subclasses implement `_reload`, which reads the page's data
    and records the version it shows; `_version_scope` narrows what is watched (e.g. one
    booking) and `_may_poll` says when not to look.
    """

    version: int = -1

    def _may_poll(self) -> bool:
        """Whether to look now: only for a signed-in user."""
        return bool(self.staff_name)

    def _version_scope(self) -> dict[str, Any]:
        """Keyword arguments of `ledger_version`: the whole ledger unless narrowed."""
        return {}

    @rx.event
    async def poll(self, _tick: str = "") -> None:
        """Every half second: reload when what the page shows changed on the ledger."""
        if not self._may_poll():
            return
        if await self._ledger_version() != self.version:
            await self._reload()

    async def _ledger_version(self) -> int:
        """The version of what the page watches (read in a worker thread)."""
        return await asyncio.to_thread(ledger_version, db=get_database(), **self._version_scope())

    async def _reload(self) -> None:
        """Read what the page shows and set `version` to the ledger version it reflects."""
        raise NotImplementedError
