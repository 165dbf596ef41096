"""The real app in production mode as a subprocess, shared by the browser tests
(`tests/e2e/conftest.py`) and the load bench (`bench/load`): its environment, the CLI steps
that prepare its database, and `serve_prod_app`, which starts `reflex run --env prod
--single-port` on a port, waits until both the built frontend and the backend answer, and stops
the whole process group afterwards. Plain Python (no pytest): failures raise `AppStartError`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
TOOLS = REPO_ROOT / ".tools"
BUN_BIN = TOOLS / "bun" / "node_modules" / ".bin"


class AppStartError(RuntimeError):
    """The app (or a CLI step before it) did not start; the message carries its output."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def app_env(database_url: str) -> dict[str, str]:
    """The environment the app runs with: its database, bun on PATH, no telemetry, its own
    build and state folders (`.tools/e2e-web`, `.tools/e2e-states`: a `make run` serving from
    .web/ is left alone), and the scheduled jobs off (the tests and benches run them)."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        PATH=f"{BUN_BIN}{os.pathsep}{env.get('PATH', '')}",
        REFLEX_USE_SYSTEM_BUN="1",
        REFLEX_TELEMETRY_ENABLED="false",
        REFLEX_CHECK_LATEST_VERSION="0",
        PYTHONUNBUFFERED="1",
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


def run_cli(command: str, env: dict[str, str]) -> None:
    """`python -m concierge_app.cli <command>` with the app's environment."""
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
        raise AppStartError(
            f"`python -m concierge_app.cli {command}` exited {result.returncode}\n"
            f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
        )


def log_tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def serves(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the app's process group (bun, workers), SIGKILL if it lingers."""
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


@contextlib.contextmanager
def serve_prod_app(
    env: dict[str, str], port: int, log_path: Path, timeout_s: float
) -> Iterator[subprocess.Popen[bytes]]:
    """`reflex run --env prod --single-port` on `port` (frontend build + backend on one port)
    until both `/` and `/ping` answer 200; yields the process (its own process group) and
    stops the group on the way out. The output goes to `log_path`."""
    base_url = f"http://127.0.0.1:{port}"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
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
                    raise AppStartError(
                        f"The app exited with code {process.returncode} before serving.\n"
                        f"--- {log_path} ---\n{log_tail(log_path)}"
                    )
                # `/` is the built frontend, `/ping` the backend: both on the one port.
                if serves(f"{base_url}/") and serves(f"{base_url}/ping"):
                    break
                if time.monotonic() - started > timeout_s:
                    raise AppStartError(
                        f"The app did not serve {base_url} within {timeout_s:.0f}s.\n"
                        f"--- {log_path} ---\n{log_tail(log_path)}"
                    )
                time.sleep(0.5)
            yield process
        finally:
            stop(process)
