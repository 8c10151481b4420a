"""Test fixtures shared by every suite: a clock, and a database on each backend.

Every test that takes `database_url` (or `ledger`) runs twice: on a fresh SQLite
file and on a fresh schema of a PostgreSQL database created for the session and
dropped at its end.  PostgreSQL is found at $PALABRA_TEST_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/postgres).  When it is unreachable those
tests are skipped with a notice — except when CI=true, where that fails the run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest
from psycopg import sql

from domain.ledger import Ledger
from projections.store import Database, open_ledger
from tests.support import FixedClock

ADMIN_URL = os.environ.get("PALABRA_TEST_POSTGRES_URL",
                           "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() == "true"
HOW_TO = ("start PostgreSQL (on Debian: pg_ctlcluster --skip-systemctl-redirect "
          "$(ls /etc/postgresql) main start) or point PALABRA_TEST_POSTGRES_URL at a server "
          "where the user may create databases")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Database]:
    """A database created for this test session (dropped at the end)."""
    admin = Database.parse(ADMIN_URL)
    name = f"palabra_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        with admin.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as error:
        message = f"PostgreSQL is not reachable at {ADMIN_URL} ({error}); {HOW_TO}"
        if IN_CI:
            pytest.fail("CI=true and " + message)
        pytest.skip(message)
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        yield Database.parse(url)
    finally:
        with admin.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    """A fresh, empty store: a SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/palabra.db"
        return
    server: Database = request.getfixturevalue("postgres_server")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    yield f"{server.url}?schema={schema}"
    with server.connect(autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 22, 9, 30, tzinfo=UTC))


@pytest.fixture
def ledger(database_url: str, clock: FixedClock) -> Iterator[Ledger]:
    ledger = open_ledger(database_url, clock=clock)
    try:
        yield ledger
    finally:
        ledger.close()
