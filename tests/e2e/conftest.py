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
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from concierge_app.db.engine import Database
from tests import prod_app
from tests.prod_app import BUN_BIN, REPO_ROOT, TOOLS

ARTIFACTS = REPO_ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
SERVER_LOG = ARTIFACTS / "e2e-server.log"

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


def _app_env(database_url: str) -> dict[str, str]:
    return prod_app.app_env(database_url)


def _run_cli(command: str, env: dict[str, str]) -> None:
    try:
        prod_app.run_cli(command, env)
    except prod_app.AppStartError as exc:
        pytest.fail(str(exc), pytrace=False)


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
    port = prod_app.free_port()
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

    server_log = ARTIFACTS / f"e2e-server{label}.log"
    started = time.monotonic()
    try:
        with prod_app.serve_prod_app(env, port, server_log, STARTUP_TIMEOUT_S):
            elapsed = time.monotonic() - started
            sys.stderr.write(f"\n[e2e] app ready at {base_url} after {elapsed:.1f}s\n")
            yield AppServer(base_url=base_url, database_url=database_url, log_path=server_log)
    except prod_app.AppStartError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """The real app, one process, on its own demo database."""
    yield from _serve_app(tmp_path_factory, "", {})


@pytest.fixture(scope="session")
def app_db(app_server: AppServer) -> Iterator[Database]:
    """The app's own database, for set-up through the services and for checks."""
    database = Database(app_server.database_url)
    try:
        yield database
    finally:
        database.dispose()


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
