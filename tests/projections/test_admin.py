"""PostgreSQL in production: events that cannot be changed, and a role that can only append."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import psycopg
import pytest
from psycopg import sql
from typer.testing import CliRunner

from api.cli import app
from projections.projector import Projector
from projections.read_model import ReadModel
from projections.store import Database, admin, open_ledger, open_view
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


def as_role(store: Database, role: str) -> str:
    return store.url.replace("postgresql://postgres@", f"postgresql://{role}@")


def checked(store: Database, role: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["db", "check", "--app-role", role,
                                      "--database", store.url])
    return result.exit_code, " ".join(result.output.split())


@pytest.mark.parametrize("trigger", ["immutable", "untruncatable", "stamped"])
def test_check_fails_when_a_trigger_is_disabled(store: Database, role: str,
                                                trigger: str) -> None:
    admin.init(store, role)
    assert checked(store, role)[0] == 0
    with store.connect(autocommit=True) as conn:
        conn.execute(sql.SQL("ALTER TABLE {}.palabra_events DISABLE TRIGGER {}").format(
            sql.Identifier(store.schema), sql.Identifier(f"palabra_events_{trigger}")))
    code, output = checked(store, role)
    assert code == 1
    assert f"trigger palabra_events_{trigger}" in output
    assert "is DISABLED" in output


@pytest.mark.parametrize(("grant", "said"), [
    ("GRANT UPDATE ON {}.palabra_events TO {}", "holds UPDATE on palabra_events"),
    ("GRANT UPDATE ON {}.palabra_clients_tracking TO {}",
     "holds UPDATE on palabra_clients_tracking"),
    ("GRANT TRUNCATE ON {}.palabra_client_states TO {}",
     "holds TRUNCATE on palabra_client_states"),
])
def test_check_fails_when_the_role_holds_more_than_documented(
    store: Database, role: str, grant: str, said: str
) -> None:
    admin.init(store, role)
    with store.connect(autocommit=True) as conn:
        conn.execute(sql.SQL(grant).format(sql.Identifier(store.schema), sql.Identifier(role)))
    code, output = checked(store, role)
    assert code == 1
    assert f"role {role} {said}, beyond the documented privileges" in output
    admin.init(store, role)  # init takes it back
    assert checked(store, role)[0] == 0


def test_the_role_cannot_freeze_the_read_models(store: Database, role: str,
                                                clock: FixedClock) -> None:
    admin.init(store, role)
    ledger = open_ledger(as_role(store, role), clock, {"CREATE_TABLE": "n"})
    onboard(ledger)
    ledger.close()
    with psycopg.connect(dbname=store.dbname, host=store.host, port=store.port, user=role,
                         autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(sql.SQL("UPDATE {}.palabra_clients_tracking SET notification_id = "
                                 "1000000").format(sql.Identifier(store.schema)))
        with pytest.raises(psycopg.errors.CheckViolation, match="cannot be at position"):
            conn.execute(sql.SQL("SELECT {}.palabra_clients_move(1000000)").format(
                sql.Identifier(store.schema)))


def test_a_forged_back_dated_insert_by_the_role_is_stamped_with_the_latest_time(
    store: Database, role: str, clock: FixedClock
) -> None:
    admin.init(store, role)
    ledger = open_ledger(as_role(store, role), clock, {"CREATE_TABLE": "n"})
    onboard(ledger)
    ledger.close()
    schema = sql.Identifier(store.schema)
    with psycopg.connect(dbname=store.dbname, host=store.host, port=store.port, user=role,
                         autocommit=True) as conn:
        (state,) = conn.execute(sql.SQL("SELECT state FROM {}.palabra_events").format(
            schema)).fetchone() or (b"",)
        earlier = (clock.now - timedelta(seconds=40)).isoformat()
        forged = bytes(state).replace(clock.now.isoformat().encode(), earlier.encode())
        conn.execute(sql.SQL("INSERT INTO {}.palabra_events (originator_id, "
                             "originator_version, topic, state) SELECT originator_id, 2, "
                             "topic, %s FROM {}.palabra_events").format(schema, schema),
                     (forged,))
        rows = conn.execute(sql.SQL("SELECT convert_from(state, 'UTF8')::json ->> 'timestamp' "
                                    "FROM {}.palabra_events ORDER BY notification_id").format(
                                        schema)).fetchall()
    assert [datetime.fromisoformat(at) for (at,) in rows] == [clock.now, clock.now]


def test_init_without_createrole_says_so_plainly(postgres_server: Database) -> None:
    owner, app_role = f"owner_{uuid.uuid4().hex[:8]}", f"app_{uuid.uuid4().hex[:8]}"
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with postgres_server.connect(autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN NOCREATEROLE").format(sql.Identifier(owner)))
        conn.execute(sql.SQL("CREATE SCHEMA {} AUTHORIZATION {}").format(
            sql.Identifier(schema), sql.Identifier(owner)))
    url = (postgres_server.url.replace("postgresql://postgres@", f"postgresql://{owner}@")
           + f"?schema={schema}")
    try:
        result = CliRunner().invoke(app, ["db", "init", "--app-role", app_role,
                                          "--database", url])
        output = " ".join(result.output.split())
        assert result.exit_code != 0
        assert isinstance(result.exception, SystemExit)
        assert f"{owner} may not create roles" in output
        assert "CREATEROLE" in output
        assert "Traceback" not in output
    finally:
        with postgres_server.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                sql.Identifier(schema)))
            conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(owner)))
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(owner)))
