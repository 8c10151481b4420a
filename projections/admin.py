"""Setting up and checking a PostgreSQL store for production.

`init()` creates the tables (events, read models, tracking), the triggers that
make the events table refuse UPDATE, DELETE and TRUNCATE, and — when asked —
an application role that may only INSERT and SELECT events (it appends through
the SECURITY DEFINER lock function) and maintain the read models.  Everything
is idempotent.  `check()` says what is missing.  Run both as the owner of the
database; run the API and the worker as the application role.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg import sql

from projections.storage import Database, open_ledger, open_view
from projections.view import READ_MODEL_TABLES

EVENTS = "palabra_events"
TRACKING = "palabra_clients_tracking"
READ_WRITE_TABLES = (*READ_MODEL_TABLES, "palabra_view_meta", TRACKING)


@dataclass(frozen=True)
class Finding:
    ok: bool
    what: str


def init(database: Database, app_role: str | None = None,
         app_password: str | None = None) -> list[str]:
    """Create what is missing; returns what was done, in words."""
    if database.backend != "postgres":
        raise ValueError("palabra db init is for PostgreSQL; SQLite needs no set-up")
    ledger, view = open_ledger(database.url), open_view(database.url)  # tables, triggers
    ledger.close()
    view.close()
    done = ["tables, immutability triggers and the append lock function are in place"]
    if app_role:
        with database.connect(autocommit=True) as conn:
            _role(conn, database, app_role, app_password)
        done.append(f"role {app_role} may INSERT and SELECT events and maintain the read "
                    "models, nothing more")
    return done


def _role(conn: Any, database: Database, role: str, password: str | None) -> None:
    name, schema = sql.Identifier(role), sql.Identifier(database.schema or "public")
    exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
    if not exists:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(name))
    if password:
        conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(name, sql.Literal(password)))
    statements = [
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
            sql.Identifier(database.dbname), name),
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, name),
        sql.SQL("REVOKE ALL ON {}.{} FROM {}").format(schema, sql.Identifier(EVENTS), name),
        sql.SQL("GRANT SELECT, INSERT ON {}.{} TO {}").format(
            schema, sql.Identifier(EVENTS), name),
        sql.SQL("GRANT USAGE, SELECT ON SEQUENCE {}.{} TO {}").format(
            schema, sql.Identifier(f"{EVENTS}_notification_id_seq"), name),
        sql.SQL("GRANT EXECUTE ON FUNCTION {}.{}() TO {}").format(
            schema, sql.Identifier(f"{EVENTS}_lock"), name),
        *[sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON {}.{} TO {}").format(
            schema, sql.Identifier(table), name) for table in READ_WRITE_TABLES],
    ]
    for statement in statements:
        conn.execute(statement)


def check(database: Database, app_role: str | None = None) -> list[Finding]:
    """What is in place and what is missing."""
    if database.backend != "postgres":
        return [Finding(True, "SQLite store: nothing to set up")]
    schema = database.schema or "public"
    found: list[Finding] = []
    with database.connect(autocommit=True) as conn:
        for table in (EVENTS, *READ_WRITE_TABLES):
            exists = conn.execute("SELECT to_regclass(%s)", (f"{schema}.{table}",)).fetchone()
            found.append(Finding(bool(exists and exists[0]), f"table {table}"))
        triggers = {row[0] for row in conn.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass(%s)",
            (f"{schema}.{EVENTS}",))}
        for trigger in (f"{EVENTS}_immutable", f"{EVENTS}_untruncatable"):
            found.append(Finding(trigger in triggers, f"trigger {trigger} (events immutable)"))
        lock = conn.execute("SELECT to_regprocedure(%s)",
                            (f"{schema}.{EVENTS}_lock()",)).fetchone()
        found.append(Finding(bool(lock and lock[0]), f"function {EVENTS}_lock()"))
        if app_role:
            found += _role_findings(conn, schema, app_role)
    return found


def _role_findings(conn: Any, schema: str, role: str) -> list[Finding]:
    if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
        return [Finding(False, f"role {role}")]

    def has(table: str, privilege: str) -> bool:
        row = conn.execute("SELECT has_table_privilege(%s, %s, %s)",
                           (role, f"{schema}.{table}", privilege)).fetchone()
        return bool(row and row[0])

    found = [Finding(True, f"role {role}"),
             Finding(has(EVENTS, "INSERT") and has(EVENTS, "SELECT"),
                     f"role {role} may append and read events")]
    for privilege in ("UPDATE", "DELETE", "TRUNCATE"):
        found.append(Finding(not has(EVENTS, privilege),
                             f"role {role} may not {privilege} events"))
    found += [Finding(has(table, "UPDATE"), f"role {role} may maintain {table}")
              for table in READ_WRITE_TABLES]
    return found
