"""Live pages: state that reloads when the ledger moved (another browser's change shows here).

Pushed, not polled: each time a page reads its data (`_reload`), it registers its tab with the
worker's watcher (`ui/shared/live_push.py`) under what it shows; when a change concerns it, the
watcher calls `_changed` on the tab's state, which reloads the page and sends the delta."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import Any

import reflex as rx

from concierge_app.services.shared.changes import ledger_version
from concierge_app.services.shared.database import get_database
from concierge_app.ui.shared.live_push import watch_page


class LiveMixin(rx.State, mixin=True):
    """Base of the live page states of every audience (staff: `ui/staff/live_state.py`,
    partners: `ui/partner/session.py`, the guest portal).

    A Reflex mixin, so each page state gets its own `version` and `load`. Subclasses implement
    `_reload`, which reads the page's data and records the version it shows (every `_reload`
    also registers the tab for pushed changes); `_version_scope` narrows what is watched (one
    booking), `_push_scope` says which partner a page is about, `_may_reload` says when not to
    reload (this browser's own change runs) and `_switched` lets a page read itself again for
    something else first. The default `load` (the page's on_load) checks the session
    (`_enter`) and reads the page.
    """

    version: int = -1

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        reload = cls.__dict__.get("_reload")
        if reload is not None and not getattr(reload, "_registers", False):
            cls._reload = _registering(reload)  # type: ignore[method-assign,assignment]

    def _may_reload(self) -> bool:
        """Whether the page may be reloaded now."""
        return True

    def _version_scope(self) -> dict[str, Any]:
        """Keyword arguments of `ledger_version`: the whole ledger unless narrowed."""
        return {}

    def _push_scope(self) -> dict[str, Any]:
        """What the page shows, for the watcher: `booking_id`, `partner_id`, or the ledger."""
        return self._version_scope()

    async def _switched(self) -> bool:
        """True when the page was read again for something else (nothing more to do now)."""
        return False

    async def _changed(self) -> None:
        """The watcher saw a change this page may show: reload when its version moved. A page
        busy with this browser's own change is left alone: it reads its data again when that
        change ends (and registers again, so a change it missed is looked at then)."""
        if not self._may_reload() or await self._switched():
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


def _registering(reload: Callable[[Any], Awaitable[None]]) -> Callable[[Any], Awaitable[None]]:
    """`_reload`, then register the tab with the watcher under what the page now shows."""

    @functools.wraps(reload)
    async def reload_and_watch(self: LiveMixin) -> None:
        await reload(self)
        if self._may_reload():
            watch_page(self, self._push_scope())

    reload_and_watch._registers = True  # type: ignore[attr-defined]
    return reload_and_watch
