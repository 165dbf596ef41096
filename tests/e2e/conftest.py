"""End-to-end fixtures: the real app in a subprocess, driven through Debian's Chromium.

`app_server` migrates and seeds a fresh SQLite file, starts `reflex run --env prod --single-port`
on a free port (frontend build + backend on one port), waits until it serves, yields its base URL
and stops the whole process group afterwards. The frontend is built in `.tools/e2e-web/`, not in
`.web/`, so a running `make run` is not disturbed. The server log is kept in
`test-artifacts/e2e-server.log`.

Chromium is required: when it is missing the tests fail (`make test` installs it).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
SERVER_LOG = ARTIFACTS / "e2e-server.log"
TOOLS = REPO_ROOT / ".tools"
BUN_BIN = TOOLS / "bun" / "node_modules" / ".bin"

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# A cold start installs the frontend packages and builds the bundle; allow for a slow registry.
STARTUP_TIMEOUT_S = float(os.environ.get("E2E_STARTUP_TIMEOUT", "600"))


@dataclass(frozen=True)
class AppServer:
    base_url: str
    database_url: str
    log_path: Path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _app_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        PATH=f"{BUN_BIN}{os.pathsep}{env.get('PATH', '')}",
        REFLEX_USE_SYSTEM_BUN="1",
        REFLEX_TELEMETRY_ENABLED="false",
        REFLEX_CHECK_LATEST_VERSION="0",
        PYTHONUNBUFFERED="1",
        # Own build and state folders: a `make run` serving from .web/ is left alone.
        REFLEX_WEB_WORKDIR=str(TOOLS / "e2e-web"),
        REFLEX_STATES_WORKDIR=str(TOOLS / "e2e-states"),
        # The month-end schedule would invoice the demo on its own in the first week of a
        # month; the tests run the job themselves.
        MONTH_END_CHECK_SECONDS="0",
        DIRECT_DEBIT_CHECK_SECONDS="0",  # the direct-debit e2e collects by the staff button
        REMINDER_CHECK_SECONDS="0",  # reminders would change the demo's Outbox on their own
    )
    # Spares Reflex timing npm registries before its first frontend install.
    env.setdefault("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org/")
    return env


def _run_cli(command: str, env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "concierge_app.cli", command],
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"`python -m concierge_app.cli {command}` exited {result.returncode}\n"
            f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}",
            pytrace=False,
        )


def _log_tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _serves(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _serve_app(
    tmp_path_factory: pytest.TempPathFactory,
    label: str,
    extra_env: dict[str, str],
    *,
    demo: bool = True,
) -> Iterator[AppServer]:
    """Start the real app (prod build, one port) on a fresh, migrated SQLite file, with the
    demo data unless `demo` is False (a new platform's empty database, as `make run EMPTY=1`)."""
    if not (BUN_BIN / "bun").exists():
        pytest.fail(f"bun is missing at {BUN_BIN}: run `make install` first.", pytrace=False)

    db_file = tmp_path_factory.mktemp("e2e-db") / "concierge.db"
    database_url = f"sqlite:///{db_file}"
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    # Links in messages (guest portal) and checkout return URLs point at this server.
    env = _app_env(database_url) | {"PUBLIC_BASE_URL": base_url} | extra_env
    _run_cli("migrate", env)
    if demo:
        _run_cli("seed-demo", env)
        # The flow tests read the guest's pages in English: the demo's French, Japanese and
        # Italian guests are made English here. The languages are tested on bookings of their
        # own (test_guest_languages.py).
        with contextlib.closing(sqlite3.connect(db_file)) as connection, connection:
            connection.execute("UPDATE guest SET locale = 'en_US'")

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    server_log = ARTIFACTS / f"e2e-server{label}.log"
    with server_log.open("wb") as log:
        started = time.monotonic()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "reflex",
                "run",
                "--env",
                "prod",
                "--single-port",
                "--frontend-port",
                str(port),
                "--loglevel",
                "info",
            ],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: teardown kills bun/workers too
        )
        try:
            while True:
                if process.poll() is not None:
                    pytest.fail(
                        f"The app exited with code {process.returncode} before serving.\n"
                        f"--- {server_log} ---\n{_log_tail(server_log)}",
                        pytrace=False,
                    )
                # `/` is the built frontend, `/ping` the backend: both on the one port.
                if _serves(f"{base_url}/") and _serves(f"{base_url}/ping"):
                    break
                if time.monotonic() - started > STARTUP_TIMEOUT_S:
                    pytest.fail(
                        f"The app did not serve {base_url} within {STARTUP_TIMEOUT_S:.0f}s.\n"
                        f"--- {server_log} ---\n{_log_tail(server_log)}",
                        pytrace=False,
                    )
                time.sleep(0.5)
            elapsed = time.monotonic() - started
            sys.stderr.write(f"\n[e2e] app ready at {base_url} after {elapsed:.1f}s\n")
            yield AppServer(base_url=base_url, database_url=database_url, log_path=server_log)
        finally:
            _stop(process)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """The real app, one process, on its own demo database."""
    yield from _serve_app(tmp_path_factory, "", {})


@pytest.fixture(scope="session")
def empty_app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """The real app on a new platform's empty database: no demo data, no logins."""
    yield from _serve_app(
        tmp_path_factory,
        "-empty",
        {
            "REFLEX_WEB_WORKDIR": str(TOOLS / "e2e-web-empty"),
            "REFLEX_STATES_WORKDIR": str(TOOLS / "e2e-states-empty"),
        },
        demo=False,
    )


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/7")


@pytest.fixture(scope="session")
def redis_app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """The real app as several Granian workers sharing state through Redis (REFLEX_REDIS_URL)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        message = f"Redis at {REDIS_URL} is not reachable ({exc})"
        if os.environ.get("CI"):
            pytest.fail(message + " — CI must run the multi-worker test.", pytrace=False)
        pytest.skip(message + ": skipping the multi-worker test.")
    yield from _serve_app(
        tmp_path_factory,
        "-redis",
        {
            "REFLEX_REDIS_URL": REDIS_URL,
            "REFLEX_WEB_WORKDIR": str(TOOLS / "e2e-web-redis"),
            "REFLEX_STATES_WORKDIR": str(TOOLS / "e2e-states-redis"),
        },
    )


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium through Playwright (Playwright's own browser download is not used)."""
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}. `make test` installs it "
            "(apt-get install chromium); or set CHROMIUM_PATH.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page in its own context, at a desktop size."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-US")
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def console_errors(page: Page) -> list[str]:
    """Errors the page logs to the console or throws, collected from before navigation."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


# The toasts come and go: screenshots leave them out.
HIDE_TOASTS = "[data-sonner-toaster] { display: none !important; }"
DESKTOP_WIDTH, PHONE_WIDTH = 1280, 390


def shot_desktop_and_phone(page: Page, prefix: Path) -> None:
    """Full-page screenshots `<prefix>-1280.png` and `<prefix>-390.png` (900 px high, from the
    top, without the toasts); fails if the page is wider than the window at either width.
    Leaves the page at 1280 × 900."""
    prefix.parent.mkdir(parents=True, exist_ok=True)
    for width in (DESKTOP_WIDTH, PHONE_WIDTH):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(300)  # the layout settles at the new width
        page.evaluate("window.scrollTo(0, 0)")  # the sticky top bar stays at the top
        page.screenshot(
            path=str(prefix.with_name(f"{prefix.name}-{width}.png")),
            full_page=True,
            style=HIDE_TOASTS,
            animations="disabled",
        )
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{prefix.name} overflows by {overflow}px at {width}px"
    page.set_viewport_size({"width": DESKTOP_WIDTH, "height": 900})


DEMO_STAFF = ("concierge@demo.test", "demo-concierge")


def sign_in(
    page: Page, base_url: str, *, email: str = DEMO_STAFF[0], password: str = DEMO_STAFF[1]
) -> None:
    """Sign in through the real form, as a person would."""
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url, timeout=30_000)


@contextlib.contextmanager
def signed_in_page(browser: Browser, base_url: str, viewport: ViewportSize) -> Iterator[Page]:
    """A page of its own browser context, signed in as the demo staff member; the test fails
    if the page throws."""
    context = browser.new_context(viewport=viewport, locale="en-US")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, base_url)
    try:
        yield page
    finally:
        context.close()
    assert errors == [], f"the page threw: {errors}"


@pytest.fixture
def staff_page(app_server: AppServer, page: Page) -> Page:
    """A page signed in as the demo staff member."""
    sign_in(page, app_server.base_url)
    return page


def run_month_end(app_server: AppServer) -> subprocess.CompletedProcess[str]:
    """`python -m concierge_app.cli month-end` on the app's database, as the README says."""
    return subprocess.run(
        [sys.executable, "-m", "concierge_app.cli", "month-end"],
        cwd=REPO_ROOT,
        # As the app runs: its database, and its address for the link in the email.
        env=dict(os.environ)
        | {"DATABASE_URL": app_server.database_url, "PUBLIC_BASE_URL": app_server.base_url},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="session")
def month_end(app_server: AppServer) -> subprocess.CompletedProcess[str]:
    """A new user runs the month-end job on the demo data (once for the whole run: the first
    test that needs it runs it; every test sees that first run's output)."""
    return run_month_end(app_server)
