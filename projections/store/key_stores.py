"""The key stores: where the clients' wrapped data keys live, apart from their events.

One table, `palabra_data_keys` (stream id, key id, master key id, wrapped key, when it
was destroyed).  On SQLite it is a file of its own beside the database
(`palabra.db.keys`), so that the database's backups never carry a key; it is opened
with `secure_delete`, so a destroyed key is overwritten with zeros in the file, not
merely unlinked from its page.  On PostgreSQL it is a table beside the events (one
database to run and back up): its backups carry the wrapped keys, and a destroyed key
stays recoverable from a backup taken before until that backup ages out
(docs/erasure.md).  After destroying a key the table is rewritten (`VACUUM FULL`), so
that no dead row keeps it.  A wrapped key is of no use without the master key, which
neither store holds.
"""

from __future__ import annotations

import functools
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar
from uuid import UUID

import psycopg
from psycopg.sql import SQL, Identifier
from psycopg_pool import ConnectionPool, PoolTimeout

from domain.errors import Unavailable
from domain.keyring import KeyStore, KeyUnavailable, StoredKey
from projections.store.connections import (
    DISK_FULL,
    ROOM,
    connection_options,
    disk_full,
    watched,
)

if TYPE_CHECKING:
    from projections.store.database import Database

log = logging.getLogger("palabra.keys")
P = ParamSpec("P")
R = TypeVar("R")
TABLE = "palabra_data_keys"
COLUMNS = "stream, key_id, master_id, wrapped"


def _row(row: Sequence[Any]) -> StoredKey:
    return StoredKey(UUID(str(row[0])), row[1], row[2],
                     None if row[3] is None else bytes(row[3]))


def _room(method: Callable[P, R]) -> Callable[P, R]:
    """A write to the SQLite key store on a full disk is UNAVAILABLE, as the events' are,
    and the store says it is out of room until there is room again (readiness)."""
    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        store = args[0]
        try:
            result = method(*args, **kwargs)
        except sqlite3.OperationalError as error:
            if disk_full(error):
                store.full = True  # type: ignore[attr-defined]
                raise Unavailable(DISK_FULL) from error
            raise
        store.full = False  # type: ignore[attr-defined]
        return result
    return wrapper


def _now() -> str:
    return datetime.now(UTC).isoformat()


class SQLiteKeyStore:
    """The key store as a SQLite file of its own."""

    full = False  # the last write found the disk full

    def out_of_room(self) -> bool:
        """Whether the last write found the disk full and there is still no room."""
        if self.full:
            stats = os.statvfs(Path(self.path).resolve().parent)
            self.full = stats.f_bavail * stats.f_frsize < ROOM
        return self.full

    def __init__(self, path: str, read_only: bool = False) -> None:
        self.path = path
        if read_only and not Path(path).exists():
            raise KeyUnavailable(f"there is no key store at {path} (a reader opens it "
                                 "read-only: open the database once for writing first)")
        target = f"file:{path}?mode=ro" if read_only else f"file:{path}"
        self._conn = sqlite3.connect(target, uri=True, timeout=30, check_same_thread=False,
                                     isolation_level=None)
        self._lock = threading.Lock()
        self._conn.execute("PRAGMA secure_delete = ON")
        if not read_only:
            Path(path).chmod(0o600)
            self._conn.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (stream TEXT PRIMARY KEY, "
                               "key_id TEXT NOT NULL, master_id TEXT NOT NULL, wrapped BLOB, "
                               "destroyed_at TEXT)")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (under the lock), rolled back if it fails."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:  # SQLite may have rolled it back itself
                    self._conn.execute("ROLLBACK")
                raise

    def fetch(self, streams: Collection[UUID]) -> dict[UUID, StoredKey]:
        found: dict[UUID, StoredKey] = {}
        wanted = [str(s) for s in streams]
        with self._lock:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                rows = self._conn.execute(
                    f"SELECT {COLUMNS} FROM {TABLE} WHERE stream IN "
                    f"({', '.join('?' * len(chunk))})", chunk).fetchall()
                found.update({k.stream: k for k in map(_row, rows)})
        return found

    @_room
    def add(self, keys: Sequence[StoredKey]) -> dict[UUID, StoredKey]:
        with self._transaction() as conn:
            conn.executemany(f"INSERT OR IGNORE INTO {TABLE} ({COLUMNS}) VALUES (?, ?, ?, ?)",
                             [(str(k.stream), k.key_id, k.master_id, k.wrapped) for k in keys])
        return self.fetch([k.stream for k in keys])

    @_room
    def destroy(self, stream: UUID) -> None:
        with self._transaction() as conn:
            conn.execute(f"INSERT OR IGNORE INTO {TABLE} ({COLUMNS}) VALUES "
                         "(?, '', '', NULL)", (str(stream),))
            conn.execute(f"UPDATE {TABLE} SET wrapped = NULL, destroyed_at = "
                         "coalesce(destroyed_at, ?) WHERE stream = ?", (_now(), str(stream)))

    def every(self) -> list[StoredKey]:
        with self._lock:
            return [_row(r) for r in self._conn.execute(f"SELECT {COLUMNS} FROM {TABLE}")]

    @_room
    def rewrap(self, keys: Sequence[StoredKey]) -> None:
        with self._transaction() as conn:
            conn.executemany(f"UPDATE {TABLE} SET master_id = ?, wrapped = ? WHERE stream = ? "
                             "AND wrapped IS NOT NULL",
                             [(k.master_id, k.wrapped, str(k.stream)) for k in keys])

    def close(self) -> None:
        self._conn.close()


class PostgresKeyStore:
    """The key store as a table in the PostgreSQL database (schema) of the events."""

    def __init__(self, database: Database, create: bool = True) -> None:
        self.database = database
        # a few connections of its own, opened on first use (a read asks once for its keys)
        self._pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
            kwargs={"dbname": database.dbname, "host": database.host, "port": database.port,
                    "user": database.user, "password": database.password,
                    "autocommit": True, **connection_options(database.timeout)},
            min_size=0, max_size=4, timeout=database.timeout,
            reconnect_timeout=max(2 * database.timeout, 1.0), open=True)
        schema = database.schema or "public"
        self._table = SQL("{}.{}").format(Identifier(schema), Identifier(TABLE))
        self._name = f"{schema}.{TABLE}"
        if create:
            with self._connect() as conn:
                conn.execute(SQL("CREATE TABLE IF NOT EXISTS {} (stream uuid PRIMARY KEY, "
                                 "key_id text NOT NULL, master_id text NOT NULL, wrapped bytea, "
                                 "destroyed_at timestamptz)").format(self._table))

    @contextmanager
    def _connect(self) -> Iterator[psycopg.Connection[Any]]:
        try:
            with self._pool.connection() as conn, watched(conn, self.database.timeout):
                yield conn
        except (psycopg.OperationalError, PoolTimeout) as error:
            raise Unavailable() from error

    def fetch(self, streams: Collection[UUID]) -> dict[UUID, StoredKey]:
        with self._connect() as conn:
            rows = conn.execute(SQL(f"SELECT {COLUMNS} FROM {{}} WHERE stream = ANY(%s)")
                                .format(self._table), (list(streams),)).fetchall()
        return {k.stream: k for k in map(_row, rows)}

    def add(self, keys: Sequence[StoredKey]) -> dict[UUID, StoredKey]:
        """One statement however many keys: a bulk append's new clients cost one round trip."""
        with self._connect() as conn:
            conn.execute(SQL(f"INSERT INTO {{}} ({COLUMNS}) SELECT * FROM unnest("
                             "%s::uuid[], %s::text[], %s::text[], %s::bytea[]) "
                             "ON CONFLICT (stream) DO NOTHING").format(self._table),
                         ([k.stream for k in keys], [k.key_id for k in keys],
                          [k.master_id for k in keys], [k.wrapped for k in keys]))
        return self.fetch([k.stream for k in keys])

    def destroy(self, stream: UUID) -> None:
        with self._connect() as conn:
            with conn.transaction():
                conn.execute(SQL(f"INSERT INTO {{}} ({COLUMNS}) VALUES (%s, '', '', NULL) "
                                 "ON CONFLICT (stream) DO NOTHING").format(self._table),
                             (stream,))
                conn.execute(SQL("UPDATE {} SET wrapped = NULL, destroyed_at = "
                                 "coalesce(destroyed_at, now()) WHERE stream = %s")
                             .format(self._table), (stream,))
            try:  # rewrite the table: no dead row keeps the key
                conn.execute(SQL("VACUUM FULL {}").format(self._table))
            except psycopg.Error as error:
                log.warning("the data key is destroyed, but %s could not be rewritten (%s): "
                            "run VACUUM FULL %s as its owner so that no dead row keeps it",
                            self._name, str(error).strip().splitlines()[0], self._name)

    def every(self) -> list[StoredKey]:
        with self._connect() as conn:
            return [_row(r) for r in conn.execute(
                SQL(f"SELECT {COLUMNS} FROM {{}}").format(self._table)).fetchall()]

    def rewrap(self, keys: Sequence[StoredKey]) -> None:
        with self._connect() as conn:
            conn.execute(SQL("UPDATE {} AS k SET master_id = n.master_id, wrapped = n.wrapped "
                             "FROM unnest(%s::uuid[], %s::text[], %s::bytea[]) "
                             "AS n(stream, master_id, wrapped) "
                             "WHERE k.stream = n.stream AND k.wrapped IS NOT NULL")
                         .format(self._table),
                         ([k.stream for k in keys], [k.master_id for k in keys],
                          [k.wrapped for k in keys]))

    def close(self) -> None:
        self._pool.close()


def key_store_path(database_path: str) -> str:
    """Where the key store of a SQLite database lives: a file beside it."""
    return f"{database_path}.keys"


__all__ = ["KeyStore", "PostgresKeyStore", "SQLiteKeyStore", "key_store_path"]
