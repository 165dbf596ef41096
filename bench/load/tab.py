"""One open browser tab, replayed over Socket.IO as the compiled frontend does it
(`.web/utils/state.js`, reflex 0.10): a websocket to `/_event` (namespace `/_event`) with the
tab's own `?token=`, the page's `hydrate_and_load` boot event in the CONNECT packet's `auth`
(the backend then queues the page's on_load, e.g. `PortalState.load`), every later event as an
`event` frame with the tab's router data, and the server's `event` frames (state deltas and
frontend events such as `_redirect`) read back into a copy of the page's vars.

While the page shows an `rx.moment` timer the browser sends its `on_change` event every
`interval` ms; a tab sends it too when `poll_ms` > 0 (the bench reads the interval from the
compiled page). Ping/pong is Engine.IO's own and automatic.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import socketio

NAMESPACE = "/_event"
FIELD_MARKER = "_rx_state_"  # reflex_base.constants.state.FIELD_MARKER: var names in deltas

Predicate = Callable[["Tab"], bool]


@dataclass(frozen=True)
class Route:
    """Where the tab is: the router data an event carries (`withRouterData` in state.js)."""

    pathname: str  # "/portal/LB-1A2B-0001"
    search: str = ""  # "?t=…"
    params: dict[str, str] = field(default_factory=dict)  # the route's dynamic parts

    def router_data(self) -> dict[str, Any]:
        query = dict(
            pair.split("=", 1) if "=" in pair else (pair, "")
            for pair in self.search.lstrip("?").split("&")
            if pair
        )
        data: dict[str, Any] = {"pathname": self.pathname, "asPath": self.pathname + self.search}
        if query or self.params:
            data["query"] = query | self.params
        return data


@dataclass(frozen=True)
class StateNames:
    """Full names of the root state and of the event a client-side navigation sends."""

    root: str  # "reflex___state____state"
    on_load_internal: str


@dataclass(frozen=True)
class Boot:
    """What every tab's CONNECT carries, from the compiled frontend (`utils/context.jsx`)."""

    names: StateNames
    hashes: list[str]  # initialStateHashes: the first hydrate gets only what differs
    state_schema: str


class Tab:
    """A tab: connect, keep the page's vars, send events, wait until the vars say something."""

    def __init__(
        self,
        base_url: str,
        route: Route,
        boot: Boot,
        poll: tuple[str, str, int] = ("", "", 0),
        cookie: str = "",
    ):
        self.base_url = base_url
        self.route = route
        self.boot = boot
        self.names = boot.names
        # the page's timer: (event, its argument, interval ms); ("", "", 0) = none
        self.poll_event, self.poll_arg, self.poll_ms = poll
        self.cookie = cookie  # the Cookie header (a signed-in session), as the browser sends
        self.token = str(uuid.uuid4())
        self.vars: dict[str, dict[str, Any]] = {}  # state full name -> var -> value
        self.frontend_events: list[dict[str, Any]] = []
        self.updates = 0
        self.last_delta: dict[str, dict[str, Any]] = {}  # of the latest update
        self.errors: list[str] = []
        self._waiters: list[tuple[Predicate, asyncio.Future[float]]] = []
        self._poller: asyncio.Task[None] | None = None
        self.sio = socketio.AsyncClient(reconnection=False, request_timeout=30)
        self.sio.on("event", self._on_update, namespace=NAMESPACE)
        self.sio.on("new_token", self._on_new_token, namespace=NAMESPACE)
        self.sio.on("disconnect", self._on_disconnect, namespace=NAMESPACE)

    # -- the server's frames --------------------------------------------------------------
    async def _on_update(self, update: dict[str, Any]) -> None:
        self.updates += 1
        for state, changes in (update.get("delta") or {}).items():
            into = self.vars.setdefault(state, {})
            for name, value in changes.items():
                into[name.removesuffix(FIELD_MARKER)] = value
        self.last_delta = update.get("delta") or {}
        self.frontend_events.extend(update.get("events") or [])
        now = time.perf_counter()
        for waiter in list(self._waiters):
            predicate, future = waiter
            if not future.done() and predicate(self):
                future.set_result(now)
                self._waiters.remove(waiter)

    async def _on_new_token(self, token: str) -> None:
        self.token = token

    async def _on_disconnect(self, *_reason: Any) -> None:
        for _, future in self._waiters:
            if not future.done():
                future.set_exception(ConnectionError("the server closed the socket"))

    def get(self, state: str, name: str, default: Any = None) -> Any:
        return self.vars.get(state, {}).get(name, default)

    # -- the tab's actions ------------------------------------------------------------------
    def _boot_auth(self) -> dict[str, Any]:
        """`bootAuth(true)` of state.js: the first hydrate, with the compiled state hashes."""
        payload = {"hashes": self.boot.hashes} if self.boot.hashes else {}
        event = {
            "name": f"{self.names.root}.hydrate_and_load",
            "payload": payload,
            "router_data": self.route.router_data(),
        }
        auth: dict[str, Any] = {"event": event}
        if self.boot.state_schema:
            auth["state_schema"] = self.boot.state_schema
        return auth

    def waiter(self, predicate: Predicate) -> asyncio.Future[float]:
        """A future resolved with `perf_counter()` at the first update after which
        `predicate` holds (at once if it holds already)."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        if predicate(self):
            future.set_result(time.perf_counter())
        else:
            self._waiters.append((predicate, future))
        return future

    async def wait(self, predicate: Predicate, timeout: float) -> float:
        return await asyncio.wait_for(self.waiter(predicate), timeout)

    async def open(self, ready: Predicate, timeout: float) -> float:
        """Connect with the page's boot event; seconds until `ready` holds (the page's data
        arrived). Starts the page's timer if it has one."""
        started = time.perf_counter()
        arrived = self.waiter(ready)
        await self.sio.connect(
            f"{self.base_url}?token={self.token}",  # socket.io-client's `query: { token }`
            socketio_path="/_event",
            namespaces=[NAMESPACE],
            transports=["websocket"],
            auth=self._boot_auth(),
            wait_timeout=timeout,
            headers={"Origin": self.base_url} | ({"Cookie": self.cookie} if self.cookie else {}),
        )
        done = await asyncio.wait_for(arrived, timeout)
        if self.poll_ms > 0 and self.poll_event:
            self._poller = asyncio.create_task(self._poll_loop())
        return done - started

    async def send(self, name: str, payload: dict[str, Any] | None = None) -> None:
        await self.sio.emit(
            "event",
            {"name": name, "payload": payload or {}, "router_data": self.route.router_data()},
            namespace=NAMESPACE,
        )

    async def navigate(self, route: Route) -> None:
        """A client-side navigation (e.g. `rx.redirect` to a page of the app): the frontend
        sends the new page's on_load through `on_load_internal` with the new router data."""
        self.route = route
        await self.send(self.names.on_load_internal)

    async def _poll_loop(self) -> None:
        """The page's `rx.moment(interval=…, on_change=…)`: its event every interval."""
        interval = self.poll_ms / 1000
        while self.sio.connected:
            await asyncio.sleep(interval)
            tick = time.strftime("%Y-%m-%dT%H:%M:%S")  # react-moment's value: the time now
            with contextlib.suppress(Exception):
                await self.send(self.poll_event, {self.poll_arg: tick})

    async def close(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._poller
        with contextlib.suppress(Exception):
            await self.sio.disconnect()
