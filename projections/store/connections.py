"""Connections that fail fast: a database that stops answering is `Unavailable`.

Waiting for a pooled connection, and opening one, take at most the database timeout
(`PALABRA_DB_TIMEOUT`, 5 s), and within `time_limit()` (the API's requests) a
connection still busy after that long has its socket cut, so that a server that
accepts but never answers cannot hold a request.  The pools reconnect on their own
when the database is back.  On SQLite, an append that finds the disk full is
`Unavailable` too (`disk_full`, `DISK_FULL`).
"""

from __future__ import annotations

import math
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from time import monotonic
from typing import Any

import psycopg
from eventsourcing.persistence import (
    InterfaceError,
    OperationalError,
)
from eventsourcing.postgres import PostgresDatastore, PostgresFactory
from psycopg_pool import PoolTimeout

from domain.errors import Unavailable

DEFAULT_TIMEOUT = 5.0  # seconds: PALABRA_DB_TIMEOUT
TIMEOUT_KEY = "PALABRA_DB_TIMEOUT"  # how the timeout reaches the factory (persistence env)
DISK_FULL = "the disk is full; free some space, then try again"
ROOM = 1 << 20  # free bytes the store needs beside the database file to take appends again
_TIME_LIMIT: ContextVar[float | None] = ContextVar("palabra_db_time_limit", default=None)

@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Within it (and in the threads it hands work to), each use of a PostgreSQL
    connection that lasts longer than `seconds` is cut off with `Unavailable`."""
    token = _TIME_LIMIT.set(seconds)
    try:
        yield
    finally:
        _TIME_LIMIT.reset(token)


class _Watchdog:
    """Cuts the socket under a connection used past its deadline: the blocked read then
    fails at once, and the pool replaces the connection."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._due: dict[int, tuple[float, Any]] = {}
        self._cut: set[int] = set()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def watch(self, conn: Any, deadline: float) -> None:
        with self._lock:
            self._due[id(conn)] = (deadline, conn)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="palabra-db-watchdog",
                                                daemon=True)
                self._thread.start()
        self._wake.set()

    def release(self, conn: Any) -> bool:
        """Stop watching; True if the connection was cut."""
        with self._lock:
            self._due.pop(id(conn), None)
            if id(conn) in self._cut:
                self._cut.discard(id(conn))
                return True
            return False

    def _run(self) -> None:
        while True:
            now = monotonic()
            with self._lock:  # cut while still watched: its socket cannot be another's yet
                late = [key for key, (deadline, _) in self._due.items() if deadline <= now]
                for key in late:
                    _cut_socket(self._due.pop(key)[1])
                self._cut.update(late)
                wait = min((d for d, _ in self._due.values()), default=now + 60) - now
            self._wake.wait(max(wait, 0.01))
            self._wake.clear()


def _cut_socket(conn: Any) -> None:
    try:
        cut = socket.socket(fileno=os.dup(conn.pgconn.socket))
    except (OSError, psycopg.Error):  # already closed
        return
    try:
        cut.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    finally:
        cut.close()


_WATCHDOG = _Watchdog()


@contextmanager
def watched(conn: Any, seconds: float) -> Iterator[None]:
    """Within it, a connection still busy after `seconds` has its socket cut: the blocked
    read fails at once and the block ends in `Unavailable` (the connection is closed)."""
    _WATCHDOG.watch(conn, monotonic() + seconds)
    try:
        yield
    except (psycopg.OperationalError, psycopg.InterfaceError) as error:
        if _WATCHDOG.release(conn):
            conn.close()
            raise Unavailable() from error
        raise
    if _WATCHDOG.release(conn):
        conn.close()
        raise Unavailable()


def disk_full(error: BaseException) -> bool:
    """Whether a database error says the disk is full (SQLite's SQLITE_FULL, PostgreSQL's
    53100 disk_full)."""
    if isinstance(error, Unavailable):
        return error.reason == DISK_FULL
    return any(getattr(e, "sqlite_errorname", "") == "SQLITE_FULL"
               or isinstance(e, psycopg.errors.DiskFull) for e in (error, error.__cause__))


class FailFastDatastore(PostgresDatastore):
    """The library's datastore, but a database that does not answer is `Unavailable`
    (not retried: the library retries a lost connection ten times) — when no pooled
    connection comes within the pool's timeout, or, within `time_limit()`, when a
    connection is still busy at the limit."""

    @contextmanager
    def get_connection(self) -> Iterator[Any]:
        limit = _TIME_LIMIT.get()
        deadline = None if limit is None else monotonic() + limit
        cut = False
        try:
            with super().get_connection() as conn:
                if deadline is not None:
                    _WATCHDOG.watch(conn, deadline)
                try:
                    yield conn
                finally:
                    if deadline is not None and _WATCHDOG.release(conn):
                        cut = True
                        conn.close()  # the pool replaces it
        except (OperationalError, InterfaceError) as error:
            if disk_full(error):
                raise Unavailable(DISK_FULL) from error
            if cut or isinstance(error.__cause__, PoolTimeout):
                raise Unavailable() from error
            raise


class FailFastPostgresFactory(PostgresFactory):
    """The library's PostgreSQL factory with pools that fail fast and recover: every
    connection attempt, and every wait for a pooled connection, takes at most the
    database timeout; TCP keepalives and a user timeout find dead peers; failed
    reconnections give up after a few seconds so that the next request tries afresh
    (the library's pool would otherwise back off for minutes)."""

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        timeout = float(self.env.get(TIMEOUT_KEY) or DEFAULT_TIMEOUT)
        self.datastore.__class__ = FailFastDatastore  # same state, a stricter get_connection
        pool = self.datastore.pool
        pool.timeout = timeout
        pool.reconnect_timeout = max(2 * timeout, 1.0)
        assert isinstance(pool.kwargs, dict)
        pool.kwargs.update(connection_options(timeout))


def connection_options(timeout: float) -> dict[str, int]:
    """libpq options bounding how long a connection waits for a server that is gone."""
    seconds = max(1, math.ceil(timeout))
    return {"connect_timeout": seconds, "keepalives": 1, "keepalives_idle": seconds,
            "keepalives_interval": 1, "keepalives_count": 3,
            "tcp_user_timeout": seconds * 3000}


