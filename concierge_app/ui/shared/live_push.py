"""Push, not poll: one watcher per worker tells the open pages when the ledger moved.

Every live page (a `LiveMixin` state) registers its tab here each time it reads its data,
with what it shows: one booking (guest portal, staff booking page), one partner (Extranet
pages) or the whole ledger (staff lists). The worker's watcher (`push_changes_forever`, a
lifespan task) reads the change feed four times a second — one cheap query per worker, whatever
the number of open tabs, and at once when one of its pages saw a newer version (a change made in
this worker) — and, when it moved, reloads only the pages the change concerns,
through `app.modify_state`, which sends each page its delta over its own socket. An idle tab
costs nothing: no timer in the browser, no event, no state lock, no database session.

Each worker keeps its own registry of the tabs whose socket it holds (a tab's events, its
page load included, arrive over that socket); tabs whose socket closed are dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import reflex as rx

from concierge_app.services.shared.changes import LedgerChanges, changes_since
from concierge_app.services.shared.database import get_database


class LivePage(Protocol):
    """What the watcher needs of a live page's state (`ui/shared/live_state.LiveMixin`)."""

    version: int
    router: Any

    async def _changed(self) -> None: ...


logger = logging.getLogger(__name__)

PUSH_SECONDS = 0.25  # how often each worker reads the change feed (one indexed read)
PUSH_AT_ONCE = 16  # pages reloaded concurrently (each reads in a worker thread)


@dataclass(frozen=True)
class Watch:
    """What one tab's page shows: a booking, a partner, or (neither) the whole ledger."""

    page: type[rx.State]
    booking_id: int | None = None
    partner_id: int | None = None
    sign_ins: bool = False  # the page shows the sign-in log (not on the audit trail)
    since: int = 0  # the version the page's data reflects

    def concerned(self, changes: LedgerChanges) -> bool:
        if changes.everything or (self.sign_ins and changes.sign_ins):
            return True
        if self.booking_id is not None:
            return self.booking_id in changes.bookings
        if self.partner_id is not None:
            return changes.other or self.partner_id in changes.partners
        return changes.any


class LiveRegistry:
    """The open live pages of this worker: one per tab (a tab shows one page at a time)."""

    def __init__(self) -> None:
        self.watches: dict[str, Watch] = {}
        self.pending: set[str] = set()  # tabs to look at on the next round
        self.seen = -1  # the newest version the watcher has dealt with (-1: not started)
        self.nudged = asyncio.Event()  # a page of this worker saw a newer version: look now
        self.seen_sign_in = 0  # the newest sign-in log line it has dealt with

    def watch(self, token: str, watch: Watch) -> None:
        """Register (or move) a tab; one that read older data than the watcher saw is looked at."""
        self.watches[token] = watch
        if 0 <= watch.since < self.seen:
            self.pending.add(token)
        elif self.seen >= 0 and watch.since > self.seen:
            self.nudged.set()  # e.g. this tab's own change: the other tabs need not wait

    def forget(self, tokens: Iterable[str]) -> None:
        for token in tokens:
            self.watches.pop(token, None)
            self.pending.discard(token)

    def concerned(self, changes: LedgerChanges) -> list[str]:
        """The tabs to reload: the pending ones and those the changes concern."""
        found = set(self.pending)
        if changes.any or changes.sign_ins:
            found.update(t for t, w in self.watches.items() if w.concerned(changes))
        self.pending.clear()
        return [t for t in found if t in self.watches]

    def in_turns(self, tokens: Iterable[str]) -> list[list[str]]:
        """The tabs to reload, booking pages first: a guest's other tab and the staff page
        of a booking that was just paid are the ones someone is looking at for the change; a
        partner's or the whole ledger's pages (often many, and dearer) follow."""
        first: list[str] = []
        then: list[str] = []
        for token in tokens:
            watch = self.watches.get(token)
            if watch is not None:
                (first if watch.booking_id is not None else then).append(token)
        return [turn for turn in (first, then) if turn]


REGISTRY = LiveRegistry()


def connected_tokens(app: rx.App) -> set[str] | None:
    """The tabs whose socket this worker holds (None: the app has no socket server yet)."""
    namespace = app.event_namespace
    if namespace is None:
        return None
    manager = namespace._token_manager
    return {
        token
        for token, record in list(manager.token_to_socket.items())
        if record.instance_id == manager.instance_id
    }


async def push_changes_forever(app: rx.App) -> None:
    """The worker's watcher (a lifespan task): reload the open pages a change concerns."""
    db = get_database()
    first = await asyncio.to_thread(changes_since, db=db, after=0, most=0)
    REGISTRY.seen, REGISTRY.seen_sign_in = first.head, first.sign_in_head
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(REGISTRY.nudged.wait(), PUSH_SECONDS)
        REGISTRY.nudged.clear()
        try:
            await push_once(app, REGISTRY)
        except Exception:  # the next round looks again; the watcher must not die
            logger.exception("Live updates: a round failed")


async def push_once(app: rx.App, registry: LiveRegistry) -> int:
    """One round: drop closed tabs, read the change feed, reload the concerned pages."""
    alive = connected_tokens(app)
    if alive is not None:
        registry.forget([t for t in registry.watches if t not in alive])
    changes = await asyncio.to_thread(
        changes_since, db=get_database(), after=registry.seen, after_sign_in=registry.seen_sign_in
    )
    registry.seen = max(registry.seen, changes.head)
    registry.seen_sign_in = max(registry.seen_sign_in, changes.sign_in_head)
    tokens = registry.concerned(changes)
    limit = asyncio.Semaphore(PUSH_AT_ONCE)
    for turn in registry.in_turns(tokens):
        await asyncio.gather(*(_push(app, registry, token, limit) for token in turn))
    return len(tokens)


async def _push(app: rx.App, registry: LiveRegistry, token: str, limit: asyncio.Semaphore) -> None:
    watch = registry.watches.get(token)
    if watch is None:
        return
    async with limit:
        try:
            async with app.modify_state(rx.BaseStateToken(ident=token, cls=watch.page)) as state:
                page: LivePage = await state.get_state(watch.page)  # type: ignore[assignment]
                await page._changed()
        except Exception:
            logger.exception("Live updates: could not update tab %s", token[:8])


def watch_page(page: LivePage, scope: dict[str, Any]) -> None:
    """Called by a live page after it read its data: this tab now shows it."""
    token = page.router.session.client_token
    if not token:
        return
    sign_ins = bool(scope.get("sign_ins"))
    REGISTRY.watch(
        token,
        Watch(
            page=type(page),  # type: ignore[arg-type]
            booking_id=scope.get("booking_id"),
            partner_id=scope.get("partner_id"),
            sign_ins=sign_ins,
            since=-1 if sign_ins else page.version,  # the sign-in log's lines are not versions
        ),
    )


async def reload_open_page(state: rx.State) -> None:
    """Read the tab's open live page again now (e.g. a group login chose another property)."""
    watch = REGISTRY.watches.get(state.router.session.client_token)
    if watch is not None:
        page: LivePage = await state.get_state(watch.page)  # type: ignore[assignment]
        await page._changed()
