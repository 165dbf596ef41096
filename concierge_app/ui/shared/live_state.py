"""Live pages: state that reloads when the ledger moved (another browser's change shows here).

The page's hidden timer (`ui/shared/live.py`) calls `poll` twice a second; `poll` asks the
database for the ledger version and calls `_reload` when it is not the one last shown."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from concierge_app.services.shared.changes import ledger_version
from concierge_app.services.shared.database import get_database


class LiveMixin(rx.State, mixin=True):
    """Base of the live page states of every audience (staff: `ui/staff/live_state.py`,
    partners: `ui/partner/session.py`, the guest portal).

    A Reflex mixin, so each page state gets its own `version`, `poll` and `load`. Subclasses
    implement `_reload`, which reads the page's data and records the version it shows;
    `_version_scope` narrows what is watched (e.g. one booking), `_may_poll` says when not to
    look and `_switched` lets a page read itself again for something else first. The default
    `load` (the page's on_load) checks the session (`_enter`) and reads the page.
    """

    version: int = -1

    def _may_poll(self) -> bool:
        """Whether to look now."""
        return True

    def _version_scope(self) -> dict[str, Any]:
        """Keyword arguments of `ledger_version`: the whole ledger unless narrowed."""
        return {}

    async def _switched(self) -> bool:
        """True when the page was read again for something else (nothing more to do now)."""
        return False

    @rx.event
    async def poll(self, _tick: str = "") -> None:
        """Every half second: reload when what the page shows changed on the ledger."""
        if not self._may_poll() or await self._switched():
            return
        if await self._ledger_version() != self.version:
            await self._reload()

    async def _ledger_version(self) -> int:
        """The version of what the page watches (read in a worker thread)."""
        return await asyncio.to_thread(ledger_version, db=get_database(), **self._version_scope())

    async def _reload(self) -> None:
        """Read what the page shows and set `version` to the ledger version it reflects."""
        raise NotImplementedError

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        """on_load: strangers go to the sign-in page; the others see the page's data."""
        if not await self._enter():  # type: ignore[attr-defined]
            yield self._to_sign_in()  # type: ignore[attr-defined]
            return
        await self._reload()
