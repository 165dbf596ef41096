"""The database: one engine per process and units of work (one transaction each)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from concierge_app.settings import get_settings


def _sqlite_setup(engine: Engine) -> None:
    """Foreign keys on, WAL, and BEGIN IMMEDIATE for write transactions (serialised writers)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA busy_timeout = 30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """Owns the engine; hands out sessions inside a transaction."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        parsed = make_url(url)
        self.url = url
        self.dialect = parsed.get_backend_name()
        kwargs: dict[str, Any] = {"echo": echo}
        if self.dialect == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kwargs["pool_pre_ping"] = True
            # No automatic server-side prepares: after a few executions PostgreSQL would switch
            # a prepared statement to a generic plan, which for the month-end run's chunked
            # INSERT … SELECT is catastrophically slow (it re-runs the chunk per invoice).
            kwargs["connect_args"] = {"prepare_threshold": None}
        self.engine = create_engine(url, **kwargs)
        if self.dialect == "sqlite":
            _sqlite_setup(self.engine)
        self._write_engine = self.engine.execution_options(write=True)
        # SQLite has one writer: threads of this process queue on a lock instead of polling
        # the file lock (busy_timeout sleeps), which keeps tail latency low under concurrency.
        # Other processes still wait through busy_timeout.
        self._writers: AbstractContextManager[Any] = (
            threading.RLock() if self.dialect == "sqlite" else nullcontext()
        )

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write transaction: committed when the block ends, rolled back on any error."""
        with self._writers, Session(self._write_engine, expire_on_commit=False) as session:
            with session.begin():
                yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading (nothing is committed; loaded rows stay usable after)."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def dispose(self) -> None:
        """Drop pooled connections (call in a forked worker before first use)."""
        self.engine.dispose()


@lru_cache(maxsize=1)
def get_database() -> Database:
    """The process-wide database, built from settings."""
    return Database(get_settings().database_url)
