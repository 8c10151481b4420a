"""Before a command opens its store: is the store there, reachable, and may it be created?

`check_store` turns what PostgreSQL or the file system says into one plain sentence
(`StoreProblem`) naming the store and what to do, before the library's pool would wait
and retry and hide the cause; commands that only read refuse a store that does not
exist instead of creating it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import psycopg

from domain.errors import Unavailable
from projections.store import Database

#: the event table the library creates: on PostgreSQL named after the application
EVENTS_TABLE = {"sqlite": "stored_events", "postgres": "palabra_events"}


class StoreProblem(Exception):
    """The store cannot be used as asked; the message says why and what to do."""


def where(store: Database) -> str:
    """The store, as a person names it (never its password)."""
    if store.backend == "sqlite":
        return f"the SQLite file {store.path}"
    schema = f" (schema {store.schema})" if store.schema else ""
    return f"PostgreSQL {store.user}@{store.host}:{store.port}/{store.dbname}{schema}"


def check_store(store: Database, create: bool) -> None:
    """Refuse, with the reason, a store that cannot be reached or (when `create` is false:
    a command that only reads) does not exist yet."""
    if store.backend == "sqlite":
        _check_sqlite(store, create)
    else:
        _check_postgres(store, create)


def _check_sqlite(store: Database, create: bool) -> None:
    path = Path(store.path)
    if path.is_dir():
        raise StoreProblem(f"{store.path} is a folder, not a SQLite file: name a file in "
                           "the store URL")
    if not path.exists():
        if not create or store.read_only:
            raise StoreProblem(f"there is no store at {where(store)}: load one first "
                               "(`palabra import FILE` or `palabra demo`), or name another "
                               "with --database")
        return
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            tables = {row[0] for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        raise StoreProblem(f"{store.path} is not a Palabra store ({error})") from None
    if not create and EVENTS_TABLE['sqlite'] not in tables:
        raise StoreProblem(f"{where(store)} holds no Palabra store yet: load one first "
                           "(`palabra import FILE` or `palabra demo`)")


def reach(store: Database) -> psycopg.Connection[Any]:
    """A connection to the PostgreSQL store, or why there is none (`StoreProblem`)."""
    try:
        return store.connect(autocommit=True)
    except psycopg.OperationalError as error:
        raise StoreProblem(_unreachable(store, str(error))) from None


def _check_postgres(store: Database, create: bool) -> None:
    with reach(store) as conn:
        schema = store.schema or "public"
        exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL",
                              (f'"{schema}".{EVENTS_TABLE["postgres"]}',)).fetchone()
        if exists and exists[0]:
            return
        if not create:
            raise StoreProblem(f"there is no Palabra store in {where(store)}: create it "
                               "first (`palabra db init`, `palabra import FILE` or "
                               "`palabra demo`), or name another with --database")
        may = conn.execute(
            "SELECT CASE WHEN n.oid IS NULL THEN has_database_privilege(current_database(), "
            "'CREATE') ELSE has_schema_privilege(n.oid, 'CREATE') END FROM (SELECT 1) one "
            "LEFT JOIN pg_namespace n ON n.nspname = %s", (schema,)).fetchone()
        if may is not None and not may[0]:
            raise StoreProblem(
                f"{store.user} may not create tables in schema {schema} of {where(store)}: "
                "create them once as the owner with `palabra db init`, then run this role "
                "with PALABRA_CREATE_TABLES=false")


def _unreachable(store: Database, reason: str) -> str:
    """Why PostgreSQL could not be reached or refused the connection, in one sentence."""
    at = f"PostgreSQL at {store.host}:{store.port}"
    if "does not exist" in reason and "database" in reason:
        return (f"{at} has no database {store.dbname}: create it (`createdb {store.dbname}`) "
                "or name another in the store URL")
    if "role" in reason and "does not exist" in reason:
        return (f"{at} has no user {store.user}: create the role (`palabra db init "
                "--app-role NAME`) or fix the user in the store URL")
    if "password" in reason or "authentication" in reason:
        return (f"{at} refused user {store.user}: the password is wrong or missing in the "
                "store URL")
    if "timeout" in reason:
        return f"{at} did not answer in time: is it up, and is {store.host} the right host?"
    if "refused" in reason or "could not" in reason or "translate host" in reason:
        return (f"cannot reach {at}: is PostgreSQL running there, and are the host and port "
                "in the store URL right?")
    detail = reason.strip().splitlines()[0].removeprefix("connection failed: ")
    return f"{Unavailable().reason} ({at}: {detail})"
