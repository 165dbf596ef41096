"""The load bench (issue 19, part 2): the production app under open tabs, driven by replayed
Socket.IO tabs (`bench/load/tab.py`) from one asyncio process on the loopback.

    .venv/bin/python -m bench.load [--quick] [--backend sqlite|postgres|both] [--workers N]
                                   [--tabs N] [--poll-ms MS] [--staff N] [--partners N]

Per set-up (SQLite + 1 worker; PostgreSQL + Redis with `--workers` workers, and 1 worker for
the throughput ratio): a burst of concurrent page loads (throughput), then staff on booking
pages and partners on Invoices, then a ramp of open guest tabs. At each step: connected,
errors, page data load and event round trip p50/p95/p99, a new guest's Payments card with the
tabs open, server CPU per page load and per idle tab-minute, RSS per worker and per session,
and payments through the sandbox checkout (1 guest in 10) until the booking's other tab and
its staff page show Paid. Every loop is bounded in count and in time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import re
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import aiohttp
import psutil

from bench.common import cpu_name, postgres_info, table
from bench.load import pages
from bench.load.pages import Frontend, read_frontend
from bench.load.seed import Seeded
from bench.load.server import RunningApp, running_app
from bench.load.tab import Route, Tab
from bench.result import print_result
from tests import prod_app

T = TypeVar("T")

OPEN_TIMEOUT_S = 30.0  # a page whose data has not arrived by then is an error
PAY_TIMEOUT_S = 30.0
PAID_TIMEOUT_S = 15.0
RTT_TIMEOUT_S = 15.0
OPEN_BUDGET_S = 180.0  # no new guest starts opening after this, per step (an error)
PROBES_BUDGET_S = 90.0  # new guests opening one after the other, per step
PAYMENTS_BUDGET_S = 120.0  # payments started per step
CARD = ("4242 4242 4242 4242", "12 / 34", "123")  # the sandbox's succeeding Visa
DEMO_STAFF = ("concierge@demo.test", "demo-concierge")


@dataclass
class Options:
    quick: bool
    backends: list[str]
    workers: int
    steps: list[int]
    idle_s: float
    probes: int
    rtt_samples: int
    burst: int
    concurrency: int
    staff: int
    partners: int
    poll_ms: int | None  # None: what the compiled page does


@dataclass
class Step:
    tabs: int
    connected: int = 0
    errors: int = 0
    load_ms: list[float] = field(default_factory=list)
    rtt_ms: list[float] = field(default_factory=list)
    new_guest_ms: list[float] = field(default_factory=list)
    paid_guest_ms: list[float] = field(default_factory=list)
    paid_staff_ms: list[float] = field(default_factory=list)
    paid_back_ms: list[float] = field(default_factory=list)  # click → payer sent back (paid)
    payments: int = 0
    cpu_ms_per_load: float = 0.0
    idle_cpu_pct: float = 0.0
    idle_cpu_ms_per_tab_min: float = 0.0
    rss_mb: list[float] = field(default_factory=list)
    rss_per_session_kb: float = 0.0
    client_cpu_pct: float = 0.0


@dataclass
class SetupResult:
    label: str
    backend: str
    workers: int
    start_s: float
    seed_s: float
    burst_loads_per_s: float
    burst_load_ms: list[float]
    burst_cpu_ms_per_load: float
    steps: list[Step]
    staff_open: int
    partners_open: int
    errors: int
    error_samples: list[str]
    lock_expired: int
    lock_warnings: int
    poll: tuple[str, str, int]


def pct(values: Sequence[float], q: float) -> float:
    """The q-th percentile (nearest rank); nan for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def fmt(value: float, digits: int = 0) -> str:
    return "-" if value != value else f"{value:,.{digits}f}"  # nan -> "-"


class Errors:
    """Every error counted, by kind (the message without booking references and e-mails)."""

    def __init__(self) -> None:
        self.count = 0
        self.kinds: Counter[str] = Counter()

    def add(self, what: str, n: int = 1) -> None:
        self.count += n
        self.kinds[re.sub(r"\S*(LB-[0-9A-F]+-\d+|@)\S*", "…", what)[:160]] += n

    @property
    def samples(self) -> list[str]:
        return [f"{n} × {kind}" for kind, n in self.kinds.most_common()]


async def bounded(limit: int, jobs: Sequence[Callable[[], Awaitable[T]]]) -> list[T]:
    """Run the jobs with at most `limit` at a time."""
    gate = asyncio.Semaphore(limit)

    async def one(job: Callable[[], Awaitable[T]]) -> T:
        async with gate:
            return await job()

    return await asyncio.gather(*(one(job) for job in jobs))


class Bench:
    def __init__(self, app: RunningApp, frontend: Frontend, options: Options) -> None:
        self.app = app
        self.fe = frontend
        self.opt = options
        self.errors = Errors()
        poll = frontend.portal_poll
        if options.poll_ms is not None:
            poll = (poll[0], poll[1], options.poll_ms if poll[0] else 0)
        self.poll = poll
        self.guests: list[Tab] = []  # open guest tabs, one per booking in order
        self.others: list[Tab] = []  # staff, partners, second tabs of paying bookings
        self.staff_on: dict[int, Tab] = {}  # booking id -> a staff tab on its page
        self.watchers: dict[int, Tab] = {}  # booking id -> the booking's other guest tab
        self.burst_cpu_pct = (0.0, 0.0)  # (server, client) during the burst, % of a core
        self.lost = 0  # tabs that lost their connection, counted so far
        self.burst_db_cpu_pct = 0.0  # PostgreSQL backends of this run's database
        self.idle_db_cpu_pct = 0.0

    def _poll_for(self, compiled: tuple[str, str, int]) -> tuple[str, str, int]:
        if self.opt.poll_ms is None or not compiled[0]:
            return compiled
        return (compiled[0], compiled[1], self.opt.poll_ms)

    # -- guests ------------------------------------------------------------------------------
    def guest_tab(self, booking: Seeded) -> Tab:
        route = Route(
            f"/portal/{booking.reference}", f"?t={booking.token}", {"reference": booking.reference}
        )
        return Tab(self.app.base_url, route, self.fe.boot, self.poll)

    async def open_guest(self, booking: Seeded) -> tuple[Tab | None, float | None]:
        """A guest opens the link: seconds from connect to the Payments card's data."""
        tab = self.guest_tab(booking)
        try:
            seconds = await tab.open(pages.portal_ready(booking.invoice_number), OPEN_TIMEOUT_S)
        except Exception as exc:
            self.errors.add(f"guest {booking.reference}: {type(exc).__name__} {exc}"[:200])
            await tab.close()
            return None, None
        return tab, seconds * 1000

    async def round_trip(self, tab: Tab) -> float | None:
        """An event and its answer: `toggle_pay_all` (one open invoice: Pay All stays off, the
        state is loaded, locked, saved and the delta sent back)."""
        tab.last_delta = {}  # only an update after this counts
        arrived = tab.waiter(lambda t: "pay_all" in _unmarked(t.last_delta.get(pages.PORTAL, {})))
        started = time.perf_counter()
        try:
            await tab.send(f"{pages.PORTAL}.toggle_pay_all", {"on": True})
            done = await asyncio.wait_for(arrived, RTT_TIMEOUT_S)
        except Exception as exc:
            self.errors.add(f"round trip: {type(exc).__name__} {exc}"[:200])
            return None
        return (done - started) * 1000

    # -- signed-in pages -----------------------------------------------------------------------
    async def session_cookie(self, http: aiohttp.ClientSession, ticket: str, home: str) -> str:
        """`GET /api/auth/session?code=<ticket>`, as the sign-in page's redirect does: the
        session cookie it sets, as a Cookie header."""
        url = f"{self.app.base_url}/api/auth/session"
        async with http.get(
            url,
            params={"code": ticket, "next": home},
            allow_redirects=False,
            headers={"Sec-Fetch-Site": "same-origin"},
        ) as response:
            cookies = [c for c in response.cookies.values() if c.value]
            if not cookies:
                raise RuntimeError(f"no session cookie (HTTP {response.status})")
            return "; ".join(f"{c.key}={c.value}" for c in cookies)

    async def open_staff(self, bookings: Sequence[Seeded]) -> int:
        """Staff members sign in (the password check and one-time ticket through the sign-in
        service, the cookie from the app's HTTP endpoint) and open booking pages."""
        from concierge_app.db.engine import Database
        from concierge_app.services.access.staff_sign_in import sign_in

        db = Database(self.app.database_url)
        opened = 0
        try:
            async with aiohttp.ClientSession() as http:
                for booking in bookings:
                    try:
                        tab = None
                        step = await asyncio.to_thread(
                            sign_in, db=db, email=DEMO_STAFF[0], password=DEMO_STAFF[1]
                        )
                        cookie = await self.session_cookie(http, step.ticket, "/")
                        route = Route(
                            f"/bookings/{booking.reference}", "", {"reference": booking.reference}
                        )
                        tab = Tab(
                            self.app.base_url,
                            route,
                            self.fe.boot,
                            self._poll_for(self.fe.staff_poll),
                            cookie,
                        )
                        await tab.open(
                            pages.staff_status(booking.invoice_number, "Active"), OPEN_TIMEOUT_S
                        )
                    except Exception as exc:
                        self.errors.add(f"staff {booking.reference}: {type(exc).__name__} {exc}")
                        if tab is not None:
                            await tab.close()
                        continue
                    self.others.append(tab)
                    self.staff_on[booking.booking_id] = tab
                    opened += 1
        finally:
            db.dispose()
        return opened

    async def open_partners(self, count: int) -> int:
        """Partner users sign in (as staff do) and open their Invoices page."""
        from concierge_app.db.engine import Database
        from concierge_app.demo.partner_seed import DEMO_PARTNER_LOGINS, DEMO_PARTNER_PASSWORD
        from concierge_app.services.access.partner_sign_in import partner_sign_in

        logins = list(DEMO_PARTNER_LOGINS.values())
        db = Database(self.app.database_url)
        opened = 0
        try:
            async with aiohttp.ClientSession() as http:
                for i in range(count):
                    email = logins[i % len(logins)]
                    tab = None
                    try:
                        signed = await asyncio.to_thread(
                            partner_sign_in, db=db, email=email, password=DEMO_PARTNER_PASSWORD
                        )
                        cookie = await self.session_cookie(http, signed.ticket, "/partner")
                        tab = Tab(
                            self.app.base_url,
                            Route("/partner/invoices"),
                            self.fe.boot,
                            self._poll_for(self.fe.partner_poll),
                            cookie,
                        )
                        await tab.open(pages.partner_invoices_ready, OPEN_TIMEOUT_S)
                    except Exception as exc:
                        self.errors.add(f"partner {email}: {type(exc).__name__} {exc}"[:200])
                        if tab is not None:
                            await tab.close()
                        continue
                    self.others.append(tab)
                    opened += 1
        finally:
            db.dispose()
        return opened

    # -- paying ----------------------------------------------------------------------------
    async def pay(self, payer: Tab, booking: Seeded, step: Step) -> None:
        """The guest clicks Pay, goes to the sandbox checkout, pays with a test card and comes
        back; times the booking's other guest tab and staff page until they show Paid."""
        watchers: list[tuple[Tab, list[float]]] = []
        if (other := self.watchers.get(booking.booking_id)) is not None:
            watchers.append((other, step.paid_guest_ms))
        if (staff := self.staff_on.get(booking.booking_id)) is not None:
            watchers.append((staff, step.paid_staff_ms))
        try:
            ids = next(
                str(i["id"])
                for i in payer.get(pages.PORTAL, "open_invoices") or []
                if i.get("number") == booking.invoice_number
            )
            to_checkout = payer.waiter(lambda t: pages.redirect_to(t, "/sandbox/checkout/"))
            await payer.send(f"{pages.PORTAL}.pay_online", {"ids": ids})
            await asyncio.wait_for(to_checkout, PAY_TIMEOUT_S)
            path = pages.redirect_to(payer, "/sandbox/checkout/") or ""
            session = path.rstrip("/").rsplit("/", 1)[-1]
            payer.frontend_events.clear()
            opened = payer.waiter(pages.checkout_open)
            await payer.navigate(Route(f"/sandbox/checkout/{session}", "", {"session": session}))
            await asyncio.wait_for(opened, PAY_TIMEOUT_S)
            back = payer.waiter(lambda t: pages.redirect_to(t, "/portal/"))
            paid_futures = [(w.waiter(_paid_on(w, booking)), into) for w, into in watchers]
            clicked = time.perf_counter()
            number, expiry, cvc = CARD
            await payer.send(
                f"{pages.CHECKOUT}.pay", {"form": {"card": number, "expiry": expiry, "cvc": cvc}}
            )
            await asyncio.wait_for(back, PAY_TIMEOUT_S)
            step.paid_back_ms.append((time.perf_counter() - clicked) * 1000)
            for future, into in paid_futures:
                seen = await asyncio.wait_for(future, PAID_TIMEOUT_S)
                into.append(max(0.0, seen - clicked) * 1000)
            step.payments += 1
        except Exception as exc:
            self.errors.add(f"payment {booking.reference}: {type(exc).__name__} {exc}"[:200])

    # -- measuring -------------------------------------------------------------------------
    def rss_mb(self) -> list[float]:
        return [rss / 2**20 for _name, rss in self.app.rss()]

    async def idle(self, seconds: float) -> tuple[float, float]:
        """(server CPU seconds, client CPU seconds) over `seconds` of open, idle tabs."""
        me = psutil.Process()
        server0, client0 = self.app.cpu_seconds(), sum(me.cpu_times()[:2])
        db0 = self.app.db_cpu_seconds()
        await asyncio.sleep(seconds)
        self.idle_db_cpu_pct = (self.app.db_cpu_seconds() - db0) / seconds * 100
        return self.app.cpu_seconds() - server0, sum(me.cpu_times()[:2]) - client0

    async def burst(self) -> tuple[float, list[float], float]:
        """`burst` guests open their links at once (`concurrency` at a time) with no other tab
        open: page loads per second, their load times, server CPU-ms per load. Closed after."""
        bookings = self.app.bookings[: self.opt.burst]
        me = psutil.Process()
        client0 = sum(me.cpu_times()[:2])
        db0 = self.app.db_cpu_seconds()
        cpu0, started = self.app.cpu_seconds(), time.perf_counter()
        opened = await bounded(
            self.opt.concurrency, [lambda b=b: self.open_guest(b) for b in bookings]
        )
        wall = time.perf_counter() - started
        cpu = self.app.cpu_seconds() - cpu0
        self.burst_db_cpu_pct = (self.app.db_cpu_seconds() - db0) / wall * 100
        # who was busy: the server's processes and this client (% of one core)
        self.burst_cpu_pct = (cpu / wall * 100, (sum(me.cpu_times()[:2]) - client0) / wall * 100)
        await asyncio.gather(*(tab.close() for tab, _ in opened if tab is not None))
        times = [ms for _, ms in opened if ms is not None]
        await asyncio.sleep(2)  # the server forgets the closed tabs
        return len(times) / wall, times, cpu * 1000 / max(1, len(times))

    async def step(self, target: int, baseline_rss: float) -> Step:
        step = Step(tabs=target)
        new = self.app.bookings[len(self.guests) : target]
        cpu0 = self.app.cpu_seconds()
        open_until = time.monotonic() + OPEN_BUDGET_S

        async def open_in_time(booking: Seeded) -> tuple[Tab | None, float | None]:
            if time.monotonic() > open_until:
                self.errors.add(f"guest {booking.reference}: not opened (step over its budget)")
                return None, None
            return await self.open_guest(booking)

        opened = await bounded(self.opt.concurrency, [lambda b=b: open_in_time(b) for b in new])
        cpu = self.app.cpu_seconds() - cpu0
        loads = [ms for _, ms in opened if ms is not None]
        step.load_ms = loads
        step.cpu_ms_per_load = cpu * 1000 / max(1, len(loads))
        first_tabs: list[tuple[Tab, Seeded]] = []
        for booking, (tab, _ms) in zip(new, opened, strict=True):
            if tab is None:
                continue
            self.guests.append(tab)
            if self.app.bookings.index(booking) % 10 == 0:  # 1 guest in 10 pays
                first_tabs.append((tab, booking))
        # the paying bookings' other open tab (same budget, `concurrency` at a time)
        others = await bounded(
            self.opt.concurrency, [lambda b=b: open_in_time(b) for _, b in first_tabs]
        )
        payers: list[tuple[Tab, Seeded]] = []
        for (tab, booking), (other, _ms) in zip(first_tabs, others, strict=True):
            if other is not None:
                self.others.append(other)
                self.watchers[booking.booking_id] = other
                payers.append((tab, booking))
        open_tabs = [t for t in [*self.guests, *self.others] if t.sio.connected]
        step.connected = len(open_tabs)
        # idle: every tab open, nobody acting
        server_s, client_s = await self.idle(self.opt.idle_s)
        step.idle_cpu_pct = server_s / self.opt.idle_s * 100
        step.idle_cpu_ms_per_tab_min = (
            server_s * 1000 / max(1, step.connected) / (self.opt.idle_s / 60)
        )
        step.client_cpu_pct = client_s / self.opt.idle_s * 100
        step.rss_mb = self.rss_mb()
        step.rss_per_session_kb = (sum(step.rss_mb) - baseline_rss) * 1024 / max(1, step.connected)
        # a new guest opens the link while the others stay open (one after the other)
        # (bounded in time too: no new probe after PROBES_BUDGET_S; the table says how many)
        probe_pool = self.app.bookings[-self.opt.probes :]
        probes_until = time.monotonic() + PROBES_BUDGET_S
        for booking in probe_pool:
            if time.monotonic() > probes_until:
                break
            tab, ms = await self.open_guest(booking)
            if tab is not None and ms is not None:
                step.new_guest_ms.append(ms)
                await tab.close()
        # event round trips on open tabs, a few at a time
        sample = self.guests[:: max(1, len(self.guests) // self.opt.rtt_samples)][
            : self.opt.rtt_samples
        ]
        rtts = await bounded(5, [lambda t=t: self.round_trip(t) for t in sample])
        step.rtt_ms = [ms for ms in rtts if ms is not None]
        # payments (5 at a time; none started after PAYMENTS_BUDGET_S; the table says how many)
        pay_until = time.monotonic() + PAYMENTS_BUDGET_S

        async def pay_in_time(payer: Tab, booking: Seeded) -> None:
            if time.monotonic() <= pay_until:
                await self.pay(payer, booking, step)

        await bounded(5, [lambda p=p: pay_in_time(*p) for p in payers])
        step.connected = sum(1 for t in [*self.guests, *self.others] if t.sio.connected)
        lost = len(self.guests) + len(self.others) - step.connected - self.lost
        if lost > 0:
            self.errors.add("a tab lost its connection (counted at the end of its step)", lost)
            self.lost += lost
        step.errors = self.errors.count
        return step

    async def close_all(self) -> None:
        tabs = [*self.guests, *self.others]
        for i in range(0, len(tabs), 100):
            await asyncio.gather(*(t.close() for t in tabs[i : i + 100]))


def _ms3(values: Sequence[float]) -> str:
    return "/".join(fmt(pct(values, q)) for q in (50, 95, 99)) + " ms"


def _unmarked(changes: dict[str, Any]) -> dict[str, Any]:
    return {k.removesuffix("_rx_state_"): v for k, v in changes.items()}


def _paid_on(tab: Tab, booking: Seeded) -> Callable[[Tab], bool]:
    if pages.STAFF_BOOKING in tab.vars:
        return pages.staff_status(booking.invoice_number, "Paid")
    return pages.portal_paid(booking.invoice_number)


async def run_setup(app: RunningApp, options: Options, ramp: bool) -> SetupResult:
    frontend = read_frontend(prod_app.TOOLS / "load-web")
    bench = Bench(app, frontend, options)
    label = f"{app.backend} {app.workers}w"
    print(
        f"\n== {label}: app up in {app.start_s:.0f}s, {len(app.bookings)} bookings seeded in "
        f"{app.seed_s:.0f}s; portal timer: "
        + (f"{bench.poll[2]} ms ({bench.poll[0].rsplit('.', 1)[-1]})" if bench.poll[2] else "none"),
        flush=True,
    )
    loads_per_s, burst_ms, burst_cpu = await bench.burst()
    print(
        f"burst: {len(burst_ms)}/{options.burst} page loads, {loads_per_s:.1f}/s, "
        f"p50 {fmt(pct(burst_ms, 50))} p95 {fmt(pct(burst_ms, 95))} ms, "
        f"{burst_cpu:.0f} server CPU-ms per load; CPU % of a core: server "
        f"{bench.burst_cpu_pct[0]:.0f}, this client {bench.burst_cpu_pct[1]:.0f}"
        + (f", PostgreSQL {bench.burst_db_cpu_pct:.0f}" if app.backend == "postgres" else ""),
        flush=True,
    )
    steps: list[Step] = []
    staff_open = partners_open = 0
    if ramp:
        baseline_rss = sum(bench.rss_mb())
        payer_bookings = [b for i, b in enumerate(app.bookings) if i % 10 == 0]
        staff_open = await bench.open_staff(payer_bookings[: options.staff])
        partners_open = await bench.open_partners(options.partners)
        print(
            f"staff on booking pages: {staff_open}/{options.staff}; partners on Invoices: "
            f"{partners_open}/{options.partners}",
            flush=True,
        )
        shown = 0
        for target in options.steps:
            started = time.monotonic()
            step = await bench.step(target, baseline_rss)
            steps.append(step)
            print(
                f"step {target}: {step.connected} open, {step.errors} errors; load p50/p95/p99 "
                f"{_ms3(step.load_ms)}; rtt {_ms3(step.rtt_ms)}; {len(step.new_guest_ms)} new "
                f"guests {_ms3(step.new_guest_ms)}; paid guest p95 "
                f"{fmt(pct(step.paid_guest_ms, 95))}, staff {fmt(pct(step.paid_staff_ms, 95))} "
                f"(payer sent back p50/p95 {fmt(pct(step.paid_back_ms, 50))}/"
                f"{fmt(pct(step.paid_back_ms, 95))}; {step.payments} pays); "
                f"{step.cpu_ms_per_load:.0f} CPU-ms/load; idle "
                f"{step.idle_cpu_pct:.0f}% of a core, {step.idle_cpu_ms_per_tab_min:.0f} "
                f"CPU-ms/tab-min; RSS {'+'.join(f'{m:.0f}' for m in step.rss_mb)} MB, "
                f"{step.rss_per_session_kb:.0f} KB/session; client "
                f"{step.client_cpu_pct:.0f}%"
                + (
                    f", PostgreSQL {bench.idle_db_cpu_pct:.0f}%"
                    if app.backend == "postgres"
                    else ""
                )
                + f" ({time.monotonic() - started:.0f}s)",
                flush=True,
            )
            if bench.errors.count > shown:
                print("  errors so far: " + "; ".join(bench.errors.samples), flush=True)
            shown = bench.errors.count
        await bench.close_all()
    return SetupResult(
        label=label,
        backend=app.backend,
        workers=app.workers,
        start_s=app.start_s,
        seed_s=app.seed_s,
        burst_loads_per_s=loads_per_s,
        burst_load_ms=burst_ms,
        burst_cpu_ms_per_load=burst_cpu,
        steps=steps,
        staff_open=staff_open,
        partners_open=partners_open,
        errors=bench.errors.count,
        error_samples=bench.errors.samples,
        lock_expired=app.log_count("LockExpiredError"),
        lock_warnings=_lock_warnings(app),
        poll=bench.poll,
    )


def _lock_warnings(app: RunningApp) -> int:
    try:
        lines = app.log_path.read_text(errors="replace").lower().splitlines()
    except OSError:
        return 0
    # Reflex's "Warning: Lock for token … was held too long" (and any other lock warning)
    return sum(1 for line in lines if "lock" in line and "warn" in line)


def print_setup(result: SetupResult) -> None:
    print(f"\n-- {result.label}: per step (ms; CPU of the server's processes)")
    headers = [
        "tabs",
        "open",
        "err",
        "load p50",
        "p95",
        "p99",
        "rtt p50",
        "p95",
        "p99",
        "new guests",
        "p50",
        "p95",
        "paid guest p95",
        "paid staff p95",
        "pays",
        "CPU-ms/load",
        "idle CPU %core",
        "CPU-ms/tab-min",
        "RSS MB (procs)",
        "KB/session",
        "client CPU %",
    ]
    rows = []
    for s in result.steps:
        rows.append(
            [
                str(s.tabs),
                str(s.connected),
                str(s.errors),
                fmt(pct(s.load_ms, 50)),
                fmt(pct(s.load_ms, 95)),
                fmt(pct(s.load_ms, 99)),
                fmt(pct(s.rtt_ms, 50)),
                fmt(pct(s.rtt_ms, 95)),
                fmt(pct(s.rtt_ms, 99)),
                str(len(s.new_guest_ms)),
                fmt(pct(s.new_guest_ms, 50)),
                fmt(pct(s.new_guest_ms, 95)),
                fmt(pct(s.paid_guest_ms, 95)),
                fmt(pct(s.paid_staff_ms, 95)),
                str(s.payments),
                fmt(s.cpu_ms_per_load),
                fmt(s.idle_cpu_pct, 1),
                fmt(s.idle_cpu_ms_per_tab_min, 1),
                "+".join(f"{m:.0f}" for m in s.rss_mb),
                fmt(s.rss_per_session_kb),
                fmt(s.client_cpu_pct),
            ]
        )
    if rows:
        print(table(headers, rows, right=set(range(len(headers)))))
    print(f"errors: {result.errors}" + "".join(f"\n  {e}" for e in result.error_samples))
    print(
        f"server log: {result.lock_expired} LockExpiredError, {result.lock_warnings} lock "
        "warnings (a state lock held too long)"
    )


def print_results(results: list[SetupResult], options: Options) -> None:
    print()
    for r in results:
        name = f"load_{r.backend}_{r.workers}w"
        if r.steps:
            top = r.steps[-1]
            print_result(f"{name}_idle_cpu_pct_core_{top.tabs}tabs", top.idle_cpu_pct, "< 10")
            print_result(
                f"{name}_new_guest_payments_p95_ms_{top.tabs}tabs",
                pct(top.new_guest_ms, 95),
                "< 300",
            )
            paid = [ms for s in r.steps for ms in (*s.paid_guest_ms, *s.paid_staff_ms)]
            print_result(f"{name}_payment_to_paid_p95_ms", pct(paid, 95), "< 1000")
        print_result(f"{name}_errors", r.errors, "<= 0")
        print_result(f"{name}_lock_expiries", r.lock_expired, "<= 0")
        print_result(f"{name}_lock_warnings", r.lock_warnings, "<= 0")
    pg = {r.workers: r for r in results if r.backend == "postgres"}
    if 1 in pg and options.workers in pg and options.workers != 1:
        ratio = pg[options.workers].burst_loads_per_s / max(1e-9, pg[1].burst_loads_per_s)
        one = pg[1]
        print(
            f"per core (PostgreSQL, 1 worker): {one.burst_cpu_ms_per_load:.0f} CPU-ms per page "
            f"load -> ~{1000 / max(1e-9, one.burst_cpu_ms_per_load):.0f} loads/s per core"
        )
        print_result(f"load_postgres_workers_ratio_{options.workers}v1", ratio, ">= 1.7")
    for r in results:
        if r.steps:
            # the first step: later ones may be saturated (polls left unhandled cost nothing)
            first = r.steps[0]
            per_core = 60_000 / max(1e-9, first.idle_cpu_ms_per_tab_min)
            print(
                f"per core ({r.label}, {first.connected} tabs): "
                f"{first.idle_cpu_ms_per_tab_min:.1f} CPU-ms per idle tab-minute -> one core "
                f"keeps ~{per_core:,.0f} idle tabs; {r.burst_cpu_ms_per_load:.0f} CPU-ms per "
                "page load"
            )


def parse_args(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="up to ~50 tabs, < 1 min a set-up")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--workers", type=int, default=2, help="PostgreSQL + Redis workers")
    parser.add_argument("--tabs", type=int, default=None, help="the ramp's last step")
    parser.add_argument("--steps", type=str, default=None, help="e.g. 100,300,1000")
    parser.add_argument("--idle", type=float, default=None, help="idle window, seconds")
    parser.add_argument("--staff", type=int, default=None, help="staff on booking pages (20)")
    parser.add_argument("--partners", type=int, default=None, help="partners on Invoices (50)")
    parser.add_argument(
        "--poll-ms",
        type=int,
        default=None,
        help="the pages' timer interval; default: what the compiled page does; 0: none",
    )
    args = parser.parse_args(argv)
    if args.steps:
        steps = [int(s) for s in args.steps.split(",")]
    else:
        top = args.tabs or (50 if args.quick else 1000)
        steps = (
            sorted({max(1, top // 5), max(1, top // 2), top})
            if args.quick
            else sorted({s for s in (100, 300, 600, top) if s <= top})
        )
    if max(steps) > 1000:
        parser.error("at most 1,000 tabs")
    return Options(
        quick=args.quick,
        backends=["sqlite", "postgres"] if args.backend == "both" else [args.backend],
        workers=args.workers,
        steps=steps,
        idle_s=args.idle if args.idle is not None else (5.0 if args.quick else 20.0),
        probes=5 if args.quick else 20,
        rtt_samples=10 if args.quick else 30,
        burst=min(max(steps), 50 if args.quick else 200),
        concurrency=25 if args.quick else 50,
        staff=args.staff if args.staff is not None else (5 if args.quick else 20),
        partners=args.partners if args.partners is not None else (10 if args.quick else 50),
        poll_ms=args.poll_ms,
    )


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    load = os.getloadavg()
    print(
        f"# load bench — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {cpu_name()}, "
        f"{os.cpu_count()} cores, load avg {load[0]:.2f}, Python {platform.python_version()}"
    )
    print(
        f"steps {options.steps}, idle window {options.idle_s:.0f}s, staff {options.staff}, "
        f"partners {options.partners}, probes {options.probes}, burst {options.burst}"
    )
    results: list[SetupResult] = []
    bookings = max(options.steps) + options.probes
    for backend in options.backends:
        if backend == "postgres":
            info, why = postgres_info()
            if info is None:
                print(f"PostgreSQL: SKIPPED ({why})")
                continue
            setups = [(options.workers, True)]
            if options.workers != 1:
                setups.append((1, False))  # the throughput ratio's baseline
        else:
            setups = [(1, True)]
        for workers, ramp in setups:
            with running_app(backend, workers, bookings) as app:
                result = asyncio.run(run_setup(app, options, ramp))
            results.append(result)
            print_setup(result)
    print_results(results, options)
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
