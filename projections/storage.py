"""Where Palabra keeps its events: one URL, two backends.

`PALABRA_DATABASE_URL` is `sqlite:///path/to/palabra.db` (the embedded default)
or `postgresql://user:password@host:port/dbname` (psycopg 3 with a connection
pool).  This module maps the URL onto the eventsourcing library's persistence
settings and provides the recorders the ledger needs: the library's own, plus
`select_ranges()` — clients' events with their global positions, in one query.

A database that stops answering fails fast (`Unavailable`) instead of hanging:
waiting for a pooled connection, and opening one, take at most the database
timeout (`PALABRA_DB_TIMEOUT`, 5 s), and within `time_limit()` (the API's
requests) a connection still busy after that long has its socket cut, so that a
server that accepts but never answers cannot hold a request.  The pools
reconnect on their own when the database is back.  On SQLite, an append that
finds the disk full is `Unavailable` too, and the store says so until there is
room again.
"""

from __future__ import annotations

import math
import os
import socket
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from time import monotonic
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from uuid import UUID

import psycopg
from eventsourcing.persistence import (
    InfrastructureFactory,
    InterfaceError,
    Notification,
    OperationalError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore, PostgresFactory
from eventsourcing.sqlite import SQLiteApplicationRecorder
from eventsourcing.utils import Environment, retry
from psycopg.sql import SQL, Identifier
from psycopg_pool import PoolTimeout

from domain.errors import Unavailable
from domain.ledger import Clock, Ledger, utc_now
from projections.view import ClientsView, PostgresClientsView, SQLiteClientsView, one_at_a_time

DEFAULT_URL = "sqlite:///palabra.db"
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


class SQLiteStreamRecorder(SQLiteApplicationRecorder):
    """The library's recorder, plus: recordedAt is monotonic in the log (a trigger stamps
    an event recorded before the log's latest one — by a clock behind the others, or
    inserted by hand — with that latest time), and the queries of the ledger and the
    rebuild.  (Whoever can write the file can also drop the trigger: SQLite has no roles.)
    """

    def construct_create_table_statements(self) -> list[str]:
        table = self.events_table_name
        at = "json_extract(CAST({}.state AS TEXT), '$.timestamp')"
        new, latest = at.format("NEW"), (f"(SELECT {at.format('e')} FROM {table} e "
                                          "WHERE e.rowid < NEW.rowid ORDER BY e.rowid DESC "
                                          "LIMIT 1)")
        return [*super().construct_create_table_statements(),
                f"CREATE TRIGGER IF NOT EXISTS {table}_stamped AFTER INSERT ON {table} "
                f"FOR EACH ROW WHEN julianday({new}) < julianday({latest}) OR "
                f"(julianday({new}) = julianday({latest}) AND {new} < {latest}) BEGIN "
                f"UPDATE {table} SET state = CAST(json_set(CAST(state AS TEXT), "
                f"'$.timestamp', {latest}) AS BLOB) WHERE rowid = NEW.rowid; END"]

    full = False  # the last append found the disk full

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any,
                      ) -> Sequence[int] | None:
        try:
            ids = super().insert_events(stored_events, **kwargs)
        except OperationalError as error:
            if not disk_full(error):
                raise
            self.full = True
            raise Unavailable(DISK_FULL) from error
        self.full = False
        return ids

    def out_of_room(self) -> bool:
        """Whether the last append found the disk full and there is still no room."""
        if self.full:
            stats = os.statvfs(Path(self.datastore.pool.db_name).resolve().parent)
            self.full = stats.f_bavail * stats.f_frsize < ROOM
        return self.full

    def convert_originator_id(self, originator_id: str) -> UUID | str:
        return _uuid(originator_id)  # one object per client, not one per event read

    def select_ranges(self, ranges: Mapping[UUID, tuple[int, int | None]],
                      ) -> Sequence[Notification]:
        statement = (f"SELECT rowid, * FROM {self.events_table_name} "
                     "WHERE originator_id=? AND originator_version>? AND originator_version<=? "
                     "ORDER BY originator_version")
        found: list[Notification] = []
        with self.datastore.transaction(commit=False) as c:
            for originator_id, (gt, lte) in ranges.items():
                c.execute(statement, (originator_id.hex, gt, NO_LIMIT if lte is None else lte))
                found += [Notification(id=row["rowid"], originator_id=originator_id,
                                       originator_version=row["originator_version"],
                                       topic=row["topic"], state=row["state"])
                          for row in c.fetchall()]
        return found

    def select_shard(self, after: int, stop: int, limit: int, shard: int, shards: int,
                     ) -> Sequence[Notification]:
        """Events after a position of the clients in one shard of `shards` (by the last
        hex digit of their stream id), for folding the log in parallel."""
        digits = [d for d in "0123456789abcdef" if int(d, 16) % shards == shard]
        statement = (f"SELECT rowid, * FROM {self.events_table_name} WHERE rowid > ? AND "
                     f"rowid <= ? AND substr(originator_id, 32, 1) IN "
                     f"({', '.join('?' * len(digits))}) ORDER BY rowid LIMIT ?")
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, (after, stop, *digits, limit))
            return [Notification(id=row["rowid"],
                                 originator_id=self.convert_originator_id(row["originator_id"]),
                                 originator_version=row["originator_version"],
                                 topic=row["topic"], state=row["state"])
                    for row in c.fetchall()]


class PostgresStreamRecorder(PostgresApplicationRecorder):
    """The library's recorder, plus: the events table refuses UPDATE, DELETE and TRUNCATE
    (triggers), and appends take the table lock through a SECURITY DEFINER function, so
    that an application role with only INSERT and SELECT on the events can append.

    recordedAt is monotonic in the log, whoever inserts (the ledger, or anyone holding the
    application role): a BEFORE INSERT trigger takes the table lock and stamps an event
    recorded before the log's latest one with that latest time (a replica's clock behind
    the others, or a back-dated forgery), and refuses an event without a readable
    recordedAt, or one more than a day ahead of the database's clock (it would hold every
    later event's recordedAt back)."""

    def __init__(self, datastore: Any, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        schema, table = Identifier(self.datastore.schema), Identifier(self.events_table_name)
        names = {"schema": schema, "table": table,
                 "refuse": Identifier(f"{self.events_table_name}_refuse_change"),
                 "lock": Identifier(f"{self.events_table_name}_lock"),
                 "immutable": Identifier(f"{self.events_table_name}_immutable"),
                 "untruncatable": Identifier(f"{self.events_table_name}_untruncatable"),
                 "stamp": Identifier(f"{self.events_table_name}_stamp"),
                 "stamped": Identifier(f"{self.events_table_name}_stamped"),
                 "recorded_at": SQL(RECORDED_AT.format("NEW")),
                 "latest": SQL(RECORDED_AT.format("e"))}
        self.sql_create_statements += [statement.format(**names) for statement in (
            SQL("CREATE OR REPLACE FUNCTION {schema}.{refuse}() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION "
                "'the ledger''s events are never changed or deleted (% refused); "
                "retract an entry instead' , TG_OP USING ERRCODE = 'insufficient_privilege'; "
                "END $$"),
            SQL("CREATE OR REPLACE TRIGGER {immutable} BEFORE UPDATE OR DELETE ON "
                "{schema}.{table} FOR EACH ROW EXECUTE FUNCTION {schema}.{refuse}()"),
            SQL("CREATE OR REPLACE TRIGGER {untruncatable} BEFORE TRUNCATE ON "
                "{schema}.{table} FOR EACH STATEMENT EXECUTE FUNCTION {schema}.{refuse}()"),
            SQL("CREATE OR REPLACE FUNCTION {schema}.{lock}() RETURNS void LANGUAGE plpgsql "
                "SECURITY DEFINER SET search_path = pg_catalog AS $$ BEGIN "
                "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; END $$"),
            SQL("REVOKE ALL ON FUNCTION {schema}.{lock}() FROM PUBLIC"),
            SQL("CREATE OR REPLACE FUNCTION {schema}.{stamp}() RETURNS trigger "
                "LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$ "
                "DECLARE stamped text; latest text; BEGIN "
                "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
                "stamped := {recorded_at}; "
                "IF stamped IS NULL THEN RAISE EXCEPTION "
                "'an event needs its recordedAt (timestamp)' USING ERRCODE = 'data_exception'; "
                "END IF; "
                "IF stamped::timestamptz > clock_timestamp() + interval '1 day' THEN "
                "RAISE EXCEPTION 'recordedAt % is more than a day ahead of the database''s "
                "clock', stamped USING ERRCODE = 'data_exception'; END IF; "
                "SELECT {latest} INTO latest "
                "FROM {schema}.{table} e ORDER BY e.notification_id DESC LIMIT 1; "
                "IF latest IS NOT NULL AND stamped::timestamptz < latest::timestamptz THEN "
                "NEW.state := convert_to(replace(convert_from(NEW.state, 'UTF8'), "
                "'\"timestamp\":\"' || stamped || '\"', "
                "'\"timestamp\":\"' || latest || '\"'), 'UTF8'); "
                "IF {recorded_at} IS DISTINCT FROM latest THEN RAISE EXCEPTION "
                "'recordedAt % is before the log''s latest (%)', stamped, latest "
                "USING ERRCODE = 'data_exception'; "
                "END IF; END IF; RETURN NEW; END $$"),
            SQL("CREATE OR REPLACE TRIGGER {stamped} BEFORE INSERT ON {schema}.{table} "
                "FOR EACH ROW EXECUTE FUNCTION {schema}.{stamp}()"),
        )]
        self.lock_table_statements = [
            SQL("SET LOCAL lock_timeout = '{0}s'").format(self.datastore.lock_timeout),
            SQL("SELECT {}.{}()").format(schema, names["lock"]),
        ]

    def create_table(self) -> None:
        with one_at_a_time(self.datastore):
            super().create_table()

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_ranges(self, ranges: Mapping[UUID, tuple[int, int | None]],
                      ) -> Sequence[Notification]:
        statement = SQL(
            "SELECT e.notification_id, e.originator_id, e.originator_version, e.topic, e.state "
            "FROM unnest(%s::uuid[], %s::bigint[], %s::bigint[]) AS r(id, gt, lte) "
            "JOIN {}.{} e ON e.originator_id = r.id "
            "AND e.originator_version > r.gt AND e.originator_version <= r.lte "
            "ORDER BY e.originator_id, e.originator_version"
        ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name))
        ids = list(ranges)
        params = (ids, [ranges[i][0] for i in ids],
                  [NO_LIMIT if ranges[i][1] is None else ranges[i][1] for i in ids])
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, params, prepare=True)
            return [Notification(id=row["notification_id"], originator_id=row["originator_id"],
                                 originator_version=row["originator_version"],
                                 topic=row["topic"], state=bytes(row["state"]))
                    for row in curs.fetchall()]


    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_shard(self, after: int, stop: int, limit: int, shard: int, shards: int,
                     ) -> Sequence[Notification]:
        """As SQLiteStreamRecorder.select_shard (the same shards: the last hex digit)."""
        statement = SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state "
            "FROM {}.{} WHERE notification_id > %s AND notification_id <= %s "
            "AND (get_byte(uuid_send(originator_id), 15) & 15) %% %s = %s "
            "ORDER BY notification_id LIMIT %s"
        ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name))
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, (after, stop, shards, shard, limit), prepare=True)
            return [Notification(id=row["notification_id"], originator_id=row["originator_id"],
                                 originator_version=row["originator_version"],
                                 topic=row["topic"], state=bytes(row["state"]))
                    for row in curs.fetchall()]


NO_LIMIT = 2**62
# an event's recordedAt, read by PostgreSQL (json: jsonb would refuse a \u0000 anywhere, and
# so does json once it unescapes; a NUL is no timestamp, so reading it as a space is fine)
RECORDED_AT = ("replace(convert_from({}.state, 'UTF8'), '\\u0000', '\\u0020')::json "
               "->> 'timestamp'")
@lru_cache(maxsize=100_000)
def _uuid(hex_id: str) -> UUID:
    return UUID(hex_id)


@dataclass(frozen=True)
class Database:
    """A parsed `PALABRA_DATABASE_URL`."""

    url: str
    backend: str  # "sqlite" or "postgres"
    path: str = ""  # sqlite
    read_only: bool = False  # sqlite: `?mode=ro`, the file opened read-only (a reader)
    dbname: str = ""
    host: str = ""
    port: int = 5432
    user: str = ""
    password: str = ""
    schema: str = ""
    pool_size: int = 5
    max_overflow: int = 10
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def parse(cls, url: str, timeout: float = DEFAULT_TIMEOUT) -> Database:
        parts = urlsplit(url)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if parts.scheme == "sqlite":
            path = unquote(parts.path[1:] if parts.path.startswith("/") else parts.path)
            if parts.netloc or not path:
                raise ValueError(f"a SQLite URL is sqlite:///relative/path.db or "
                                 f"sqlite:////absolute/path.db, not {url!r}")
            return cls(url, "sqlite", path=path, read_only=query.get("mode") == "ro",
                       timeout=timeout)
        if parts.scheme in ("postgresql", "postgres", "postgresql+psycopg"):
            dbname = unquote(parts.path.lstrip("/"))
            if not dbname or not parts.hostname:
                raise ValueError(f"a PostgreSQL URL is postgresql://user:password@host:port/"
                                 f"dbname, not {url!r}")
            return cls(url, "postgres", dbname=dbname, host=parts.hostname,
                       port=parts.port or 5432, user=unquote(parts.username or "postgres"),
                       password=unquote(parts.password or ""), schema=query.get("schema", ""),
                       pool_size=int(query.get("pool_size", 5)),
                       max_overflow=int(query.get("max_overflow", 10)), timeout=timeout)
        raise ValueError(f"PALABRA_DATABASE_URL must start with sqlite:/// or postgresql://, "
                         f"not {url!r}")

    def persistence_env(self) -> dict[str, str]:
        """The eventsourcing settings for this database."""
        if self.backend == "sqlite":
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": f"file:{self.path}?mode=ro" if self.read_only else self.path,
                "SQLITE_LOCK_TIMEOUT": "30",
                "APPLICATION_RECORDER_TOPIC": "projections.storage:SQLiteStreamRecorder",
            }
        return {
            "PERSISTENCE_MODULE": "projections.storage:FailFastPostgresFactory",
            "POSTGRES_DBNAME": self.dbname,
            "POSTGRES_HOST": self.host,
            "POSTGRES_PORT": str(self.port),
            "POSTGRES_USER": self.user,
            "POSTGRES_PASSWORD": self.password,
            "POSTGRES_SCHEMA": self.schema,
            "POSTGRES_POOL_SIZE": str(self.pool_size),
            "POSTGRES_MAX_OVERFLOW": str(self.max_overflow),
            "POSTGRES_CONNECT_TIMEOUT": str(max(1, math.ceil(self.timeout))),
            TIMEOUT_KEY: str(self.timeout),
            "APPLICATION_RECORDER_TOPIC": "projections.storage:PostgresStreamRecorder",
        }

    def connect(self, **kwargs: Any) -> psycopg.Connection[Any]:
        """A plain psycopg connection (PostgreSQL only), for set-up and read models."""
        return psycopg.connect(dbname=self.dbname, host=self.host, port=self.port,
                               user=self.user, password=self.password,
                               **{**connection_options(self.timeout), **kwargs})

    def prepare(self) -> None:
        """Create what the library will not: the SQLite file's folder, the PostgreSQL schema."""
        if self.backend == "sqlite":
            if not self.read_only:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        elif self.schema:
            try:
                conn = self.connect(autocommit=True)
            except psycopg.OperationalError as error:
                raise Unavailable() from error
            with conn:
                if not conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s",
                                    (self.schema,)).fetchone():
                    conn.execute(SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                        Identifier(self.schema)))



def open_ledger(url: str = DEFAULT_URL, clock: Clock = utc_now,
                extra_env: dict[str, str] | None = None,
                timeout: float = DEFAULT_TIMEOUT) -> Ledger:
    """The ledger on the database a URL names; tables are created on first use."""
    database = Database.parse(url, timeout)
    database.prepare()
    return Ledger(env={**database.persistence_env(), **(extra_env or {})}, clock=clock)


def open_view(url: str = DEFAULT_URL, extra_env: dict[str, str] | None = None,
              timeout: float = DEFAULT_TIMEOUT) -> ClientsView:
    """The read models on the database a URL names (tables created on first use)."""
    database = Database.parse(url, timeout)
    database.prepare()
    view_class: type[Any] = (SQLiteClientsView if database.backend == "sqlite"
                             else PostgresClientsView)
    factory = InfrastructureFactory.construct(
        Environment(VIEW_NAME, {**database.persistence_env(), **(extra_env or {})}))
    view = factory.tracking_recorder(view_class)
    assert isinstance(view, SQLiteClientsView | PostgresClientsView)
    return view


VIEW_NAME = "palabra_clients"  # PostgreSQL: its tracking table is palabra_clients_tracking
