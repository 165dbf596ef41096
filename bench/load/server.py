"""The app under load: a throwaway database (SQLite file, or a PostgreSQL database created and
dropped), migrated and seeded (the demo, then the bench's bookings), and the production app on
it (`reflex run --env prod --single-port`, started as the e2e suite starts it:
`tests/prod_app.py`), with REFLEX_REDIS_URL and N Granian workers for PostgreSQL; its process
tree measured with psutil (CPU seconds, RSS)."""

from __future__ import annotations

import contextlib
import secrets
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil

from bench.common import bench_staff, postgres_database, sqlite_database
from bench.load.seed import Seeded, seed_bookings
from concierge_app.db.engine import Database
from tests import prod_app

ARTIFACTS = prod_app.REPO_ROOT / "test-artifacts"
REDIS_URL = "redis://127.0.0.1:6379/11"  # flushed before and after each run
STARTUP_TIMEOUT_S = 900.0  # a cold start installs the frontend packages and builds the bundle


@dataclass
class RunningApp:
    base_url: str
    database_url: str
    log_path: Path
    process: psutil.Process
    bookings: list[Seeded]
    seed_s: float
    start_s: float
    workers: int
    backend: str

    def tree(self) -> list[psutil.Process]:
        """The app's processes now: the `reflex run` supervisor and everything below it."""
        try:
            return [self.process, *self.process.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def cpu_seconds(self) -> float:
        """User + system CPU seconds of the whole tree so far."""
        total = 0.0
        for proc in self.tree():
            with contextlib.suppress(psutil.Error):
                times = proc.cpu_times()
                total += times.user + times.system
        return total

    def db_cpu_seconds(self) -> float:
        """PostgreSQL only: CPU seconds so far of the server's backends serving this run's
        database (their command line names it; a closed connection's time is lost). 0 on
        SQLite, whose work is inside the app's processes."""
        if self.backend != "postgres":
            return 0.0
        name = self.database_url.rsplit("/", 1)[-1]
        total = 0.0
        for proc in psutil.process_iter(["cmdline"]):
            with contextlib.suppress(psutil.Error, TypeError):
                if f" {name} " in " ".join(proc.info["cmdline"] or []) + " ":
                    times = proc.cpu_times()
                    total += times.user + times.system
        return total

    def rss(self) -> list[tuple[str, int]]:
        """(process, RSS bytes) of each process of the tree."""
        out = []
        for proc in self.tree():
            with contextlib.suppress(psutil.Error):
                name = " ".join(proc.cmdline()[:3])[-60:]
                out.append((f"{proc.pid} {name}", proc.memory_info().rss))
        return out

    def log_count(self, *needles: str) -> int:
        """Lines of the server log containing any of the needles (case-insensitive)."""
        lowered = [n.lower() for n in needles]
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return 0
        return sum(1 for line in text.splitlines() if any(n in line.lower() for n in lowered))


def _flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).flushdb()


@contextlib.contextmanager
def running_app(backend: str, workers: int, bookings: int) -> Iterator[RunningApp]:
    """The prod app on a fresh database with `bookings` seeded bookings."""
    database = sqlite_database("load.db") if backend == "sqlite" else postgres_database()
    with database as (database_url, _description):
        port = prod_app.free_port()
        base_url = f"http://127.0.0.1:{port}"
        states_dir = prod_app.TOOLS / f"load-states-{secrets.token_hex(3)}"  # removed after
        env = prod_app.app_env(database_url) | {
            "PUBLIC_BASE_URL": base_url,
            "REFLEX_WEB_WORKDIR": str(prod_app.TOOLS / "load-web"),
            "REFLEX_STATES_WORKDIR": str(states_dir),
            "GRANIAN_WORKERS": str(workers),
        }
        # The sandbox is the payment provider (test mode): no Stripe keys reach the app.
        for key in [k for k in env if k.startswith("STRIPE_")]:
            del env[key]
        env["PAYMENTS"] = "sandbox"
        if backend == "postgres":
            _flush_redis()
            env["REFLEX_REDIS_URL"] = REDIS_URL
        else:
            env.pop("REFLEX_REDIS_URL", None)
        prod_app.run_cli("migrate", env)
        prod_app.run_cli("seed-demo", env)
        db = Database(database_url)
        try:
            actor = bench_staff(db, "load-bench@bench.test")
            seeded, seed_s = seed_bookings(db, bookings, actor)
        finally:
            db.dispose()
        log_path = ARTIFACTS / f"load-server-{backend}-{workers}w.log"
        started = time.monotonic()
        try:
            with prod_app.serve_prod_app(env, port, log_path, STARTUP_TIMEOUT_S) as process:
                yield RunningApp(
                    base_url=base_url,
                    database_url=database_url,
                    log_path=log_path,
                    process=psutil.Process(process.pid),
                    bookings=seeded,
                    seed_s=seed_s,
                    start_s=time.monotonic() - started,
                    workers=workers,
                    backend=backend,
                )
        finally:
            shutil.rmtree(states_dir, ignore_errors=True)
            if backend == "postgres":
                with contextlib.suppress(Exception):
                    _flush_redis()
