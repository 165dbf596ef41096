"""The database: one engine per process and units of work (one transaction each)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from concierge_app.domain.audit import event_hash
from concierge_app.settings import get_settings

# The audit chain's hash as a SQLite function, so that an event is appended by one
# INSERT … SELECT from the chain head (services/shared/audit.py): the domain's own function.
AUDIT_HASH_FUNCTION = "concierge_audit_hash"

# The worker's threads that read and write (asyncio.to_thread uses the loop's default executor,
# sized so by Python): each keeps its pooled connection instead of opening and closing an
# overflow one per call. A few more for the request threads of the API and the CLI.
THREADS = min(32, (os.cpu_count() or 1) + 4)
POOL_OVERFLOW = 8


def _audit_hash(
    prev_hash: str,
    sequence: int,
    occurred_at: str,
    actor: str,
    action: str,
    subject: str,
    booking_id: int | None,
    data_json: str,
) -> str:
    return event_hash(
        prev_hash=prev_hash,
        sequence=sequence,
        occurred_at=occurred_at,
        actor=actor,
        action=action,
        subject=subject,
        booking_id=booking_id,
        data_json=data_json,
    )


def _sqlite_setup(engine: Engine) -> None:
    """Foreign keys on, WAL, and BEGIN IMMEDIATE for write transactions (serialised writers)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA busy_timeout = 30000")
        cur.close()
        dbapi_conn.create_function(AUDIT_HASH_FUNCTION, 8, _audit_hash, deterministic=True)
        record.info[AUDIT_HASH_FUNCTION] = True

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        if options.get("single_read", False):
            return  # one SELECT: SQLite runs it in its own implicit transaction (autocommit)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get("write", False) else "BEGIN")


class Database:
    """Owns the engine; hands out sessions inside a transaction."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        parsed = make_url(url)
        self.url = url
        self.dialect = parsed.get_backend_name()
        kwargs: dict[str, Any] = {"echo": echo}
        if parsed.database not in (None, "", ":memory:"):
            kwargs.update(pool_size=THREADS, max_overflow=POOL_OVERFLOW)
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
        self._single_read_engine = self.engine.execution_options(single_read=True)
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

    @contextmanager
    def read_once(self) -> Iterator[Session]:
        """A session for exactly one SELECT (a lookup, a permission check): on SQLite it runs
        without a BEGIN of its own (one statement is its own consistent snapshot). Use `read`
        for anything that reads twice and needs both reads to agree."""
        with Session(self._single_read_engine, expire_on_commit=False) as session:
            yield session

    def select_one(self, statement: Any, params: Mapping[str, Any] | None = None) -> Any:
        """The first row of one prebuilt Core SELECT (or None), run like `read_once` but on a
        bare connection: no ORM session to build and tear down, for the hot paths' look-ups
        (a permission check, "event seen?")."""
        with self._single_read_engine.connect() as conn:
            return conn.execute(statement, params or {}).first()

    def dispose(self) -> None:
        """Drop pooled connections (call in a forked worker before first use)."""
        self.engine.dispose()


@lru_cache(maxsize=1)
def get_database() -> Database:
    """The process-wide database, built from settings."""
    return Database(get_settings().database_url)
