"""What the benches share: throwaway databases, the PostgreSQL server's settings, plain-text
tables and the CPU's name."""

from __future__ import annotations

import os
import platform
import secrets
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from concierge_app.services.access.staff_users import create_admin

PG_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL",
    os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
)
PG_SETTINGS = ("server_version", "synchronous_commit", "fsync", "shared_buffers", "work_mem")


@contextmanager
def sqlite_database(filename: str = "ledger.db") -> Iterator[tuple[str, str]]:
    """A SQLite file in a temporary directory: (URL, description)."""
    with tempfile.TemporaryDirectory(prefix="concierge-bench-") as tmp:
        path = Path(tmp) / filename
        yield f"sqlite:///{path}", f"file {path}"


def postgres_info() -> tuple[dict[str, str] | None, str | None]:
    """The server's version and settings, or why it can't be reached."""
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            info = {name: str(conn.execute(text(f"SHOW {name}")).scalar()) for name in PG_SETTINGS}
        engine.dispose()
        return info, None
    except Exception as exc:  # any failure means "not reachable"
        return None, f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"


@contextmanager
def postgres_database() -> Iterator[tuple[str, str]]:
    """A throwaway PostgreSQL database, dropped afterwards: (URL, description)."""
    name = f"concierge_bench_{secrets.token_hex(4)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", f"throwaway database {name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def bench_staff(db: Any, email: str) -> str:
    """The bench's actor: an active staff member holding every role (a person's actor is checked
    against staff users, as a signed-in member of staff is). Returns the email."""
    create_admin(
        db=db,
        email=email,
        name="Bench Admin",
        password=secrets.token_urlsafe(24),
        actor="cli:bench",
    )
    return email


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> str:
    """A plain-text table; the columns in `right` are right-aligned."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return "\n".join([line(headers), "  ".join("-" * w for w in widths), *map(line, rows)])


def cpu_name() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for ln in cpuinfo.read_text().splitlines():
            if ln.startswith("model name"):
                return ln.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"
