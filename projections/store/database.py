"""Where Palabra keeps its events and read models: one URL, two backends.

`PALABRA_DATABASE_URL` is `sqlite:///path/to/palabra.db` (the embedded default;
`?mode=ro` opens the file read-only, for a reader) or
`postgresql://user:password@host:port/dbname` (psycopg 3 with a connection pool).
`Database` maps the URL onto the eventsourcing library's persistence settings;
`open_ledger` and `open_view` open the event store and the read models on it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import psycopg
from eventsourcing.persistence import (
    InfrastructureFactory,
)
from eventsourcing.utils import Environment
from psycopg.sql import SQL, Identifier

from domain.errors import Unavailable
from domain.keyring import Keyring, MasterKey
from domain.ledger import Clock, Ledger, utc_now
from projections.store.connections import DEFAULT_TIMEOUT, TIMEOUT_KEY, connection_options
from projections.store.master_key import open_keyring
from projections.store.portfolio_index import ClientsView
from projections.store.postgres import PostgresClientsView
from projections.store.sqlite import SQLiteClientsView

DEFAULT_URL = "sqlite:///palabra.db"
#: a schema name used as is, unquoted, by the library's SQL
SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
#: the parameters each kind of URL may carry
_PARAMETERS = {"sqlite": ("mode",), **dict.fromkeys(
    ("postgresql", "postgres", "postgresql+psycopg"), ("schema", "pool_size", "max_overflow"))}


def _refuse_unknown(query: dict[str, str], known: tuple[str, ...]) -> None:
    unknown = sorted(set(query) - set(known))
    if unknown:
        raise ValueError(f"unknown parameter{'s' if len(unknown) > 1 else ''} in the store URL: "
                         f"{', '.join('?' + name for name in unknown)} (it may carry "
                         f"{', '.join('?' + name for name in known)})")


def _count(query: dict[str, str], name: str, default: int, least: int) -> int:
    """A whole-number parameter of the URL, at least `least`."""
    value = query.get(name)
    if value is None:
        return default
    if not value.isdigit() or int(value) < least:
        raise ValueError(f"?{name} in the store URL must be a whole number of at least "
                         f"{least}, not {value!r}")
    return int(value)


def _port(parts: Any) -> int:
    try:
        return int(parts.port or 5432)
    except ValueError:
        raise ValueError("the port in the store URL must be a number from 1 to 65535") from None


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
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        if parts.scheme in _PARAMETERS:
            _refuse_unknown(query, _PARAMETERS[parts.scheme])
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
            schema = query.get("schema", "")
            if schema and not SCHEMA_NAME.fullmatch(schema):
                raise ValueError(f"?schema={schema} is not a schema name Palabra can use: "
                                 "lower-case letters, digits and _, starting with a letter "
                                 "or _, at most 63 characters")
            return cls(url, "postgres", dbname=dbname, host=parts.hostname,
                       port=_port(parts), user=unquote(parts.username or "postgres"),
                       password=unquote(parts.password or ""), schema=schema,
                       pool_size=_count(query, "pool_size", 5, 1),
                       max_overflow=_count(query, "max_overflow", 10, 0), timeout=timeout)
        raise ValueError(f"PALABRA_DATABASE_URL must start with sqlite:/// or postgresql://, "
                         f"not {url!r}")

    def persistence_env(self) -> dict[str, str]:
        """The eventsourcing settings for this database."""
        if self.backend == "sqlite":
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": f"file:{self.path}?mode=ro" if self.read_only else self.path,
                "SQLITE_LOCK_TIMEOUT": "30",
                "APPLICATION_RECORDER_TOPIC": "projections.store.events:SQLiteStreamRecorder",
            }
        return {
            "PERSISTENCE_MODULE": "projections.store.connections:FailFastPostgresFactory",
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
            "APPLICATION_RECORDER_TOPIC": "projections.store.events:PostgresStreamRecorder",
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
                timeout: float = DEFAULT_TIMEOUT, master: MasterKey | None = None,
                keyring: Keyring | None = None) -> Ledger:
    """The ledger on the database a URL names; tables are created on first use.  Its
    keyring (unless one is given): the master key given, or the default key file
    (`projections.store.master_key`), and the store's key store."""
    database = Database.parse(url, timeout)
    database.prepare()
    env = {**database.persistence_env(), **(extra_env or {})}
    keyring = keyring or open_keyring(database, master,
                                      create=env.get("CREATE_TABLE", "y") != "n")
    try:
        return Ledger(env=env, clock=clock, keyring=keyring)
    except BaseException:
        keyring.store.close()
        raise


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

