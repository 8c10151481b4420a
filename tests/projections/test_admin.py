"""PostgreSQL in production: events that cannot be changed, and a role that can only append."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date

import psycopg
import pytest
from psycopg import sql
from typer.testing import CliRunner

from api.cli import app
from projections import admin
from projections.projector import Projector
from projections.queries import ReadModel
from projections.storage import Database, open_ledger, open_view
from tests.support import FixedClock, entry, onboard

pytestmark = pytest.mark.postgres


@pytest.fixture
def store(postgres_server: Database) -> Iterator[Database]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    yield Database.parse(f"{postgres_server.url}?schema={schema}")
    with postgres_server.connect(autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture
def role(postgres_server: Database) -> Iterator[str]:
    name = f"palabra_app_{uuid.uuid4().hex[:8]}"
    yield name
    with postgres_server.connect(autocommit=True) as conn:
        conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


@pytest.mark.parametrize("statement", [
    "UPDATE {}.palabra_events SET topic = 'palabra:Tampered'",
    "DELETE FROM {}.palabra_events",
    "TRUNCATE {}.palabra_events",
])
def test_the_events_table_refuses_changes_even_from_its_owner(
    store: Database, clock: FixedClock, statement: str
) -> None:
    ledger = open_ledger(store.url, clock)
    onboard(ledger)
    ledger.close()
    with store.connect(autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="never changed"):
            conn.execute(sql.SQL(statement).format(sql.Identifier(store.schema)))
        (count,) = conn.execute(sql.SQL("SELECT count(*) FROM {}.palabra_events").format(
            sql.Identifier(store.schema))).fetchone() or (0,)
    assert count == 1


def test_the_application_role_appends_and_reads_but_cannot_change_events(
    store: Database, role: str, clock: FixedClock
) -> None:
    assert "role" in " ".join(admin.init(store, role, "s3cret-app-password"))
    assert all(f.ok for f in admin.check(store, role)), admin.check(store, role)
    as_app = store.url.replace("postgresql://postgres@", f"postgresql://{role}@")
    no_ddl = {"CREATE_TABLE": "n"}
    ledger, view = open_ledger(as_app, clock, no_ddl), open_view(as_app, no_ddl)
    try:
        onboard(ledger)
        ledger.append([entry("InvoiceIssued", "acme", "2026-02-01", invoiceId="I1",
                             amount="100.00", description="x")])
        figures = ReadModel(Projector(ledger, view)).client("acme", date(2026, 3, 1))
        assert figures is not None
        assert figures.payments.outstanding == 100
    finally:
        ledger.close()
        view.close()
    with psycopg.connect(dbname=store.dbname, host=store.host, port=store.port, user=role,
                         autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(sql.SQL("UPDATE {}.palabra_events SET topic = 'x'").format(
                sql.Identifier(store.schema)))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(sql.SQL("TRUNCATE {}.palabra_events").format(
                sql.Identifier(store.schema)))


def test_init_is_idempotent_and_check_finds_what_is_missing(store: Database, role: str) -> None:
    assert not all(f.ok for f in admin.check(store, role))
    runner = CliRunner()
    for _ in range(2):
        done = runner.invoke(app, ["db", "init", "--app-role", role, "--database", store.url])
        assert done.exit_code == 0, done.output
    checked = runner.invoke(app, ["db", "check", "--app-role", role, "--database", store.url])
    assert checked.exit_code == 0, checked.output
    assert "missing" not in checked.stdout
    assert f"role {role} may not UPDATE events" in checked.stdout
