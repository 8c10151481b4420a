"""Setting up and checking a PostgreSQL store for production.

`init()` creates the tables (events, read models, tracking), the triggers that
make the events table refuse UPDATE, DELETE and TRUNCATE and keep recordedAt
monotonic, and — when asked — an application role with exactly the privileges
of `APP_PRIVILEGES`: INSERT and SELECT events (it appends through the SECURITY
DEFINER lock function), maintain the read models, read the tracked position
and move it only through the functions that keep it within the event store.
Everything is idempotent, and a second run takes back any privilege granted
since.  `check()` says what is missing, disabled or granted beyond that.  Run
both as the owner of the database; run the API and the worker as the
application role.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from projections.store import (
    LOCK_FUNCTION,
    MOVE_FUNCTION,
    READ_MODEL_TABLES,
    TREE_TABLES,
    Database,
    open_ledger,
    open_view,
)
from projections.store.key_stores import TABLE as KEYS_TABLE

EVENTS = "palabra_events"
TRACKING = "palabra_clients_tracking"
SEQUENCE = f"{EVENTS}_notification_id_seq"
READ_WRITE_TABLES = (*READ_MODEL_TABLES, "palabra_view_meta")
TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES",
                    "TRIGGER")
#: what the application role may do, and nothing else (docs/operations.md says the same)
APP_PRIVILEGES: dict[str, tuple[str, ...]] = {
    EVENTS: ("SELECT", "INSERT"),
    TRACKING: ("SELECT",),
    **dict.fromkeys(READ_WRITE_TABLES, ("SELECT", "INSERT", "UPDATE", "DELETE")),
    KEYS_TABLE: ("SELECT", "INSERT", "UPDATE"),  # a destroyed key is overwritten, not deleted
    **dict.fromkeys(TREE_TABLES, ("SELECT", "INSERT")),  # only ever added to
}
APP_SEQUENCE_PRIVILEGES = ("USAGE", "SELECT")
APP_FUNCTIONS = (f"{EVENTS}_lock()", f"{LOCK_FUNCTION}()", f"{MOVE_FUNCTION}(bigint)")
TRIGGERS = {f"{EVENTS}_immutable": "events immutable",
            f"{EVENTS}_untruncatable": "events cannot be truncated",
            f"{EVENTS}_stamped": "recordedAt monotonic"}
ROLE_ATTRIBUTES = ("rolsuper", "rolcreaterole", "rolcreatedb", "rolreplication",
                   "rolbypassrls")


class SetUpRefused(ValueError):
    """The database refused part of the set-up (said plainly, no traceback)."""


@dataclass(frozen=True)
class Finding:
    ok: bool
    what: str


def _present(ok: bool, what: str) -> Finding:
    return Finding(ok, what if ok else f"missing: {what}")


def init(database: Database, app_role: str | None = None,
         app_password: str | None = None, login_without_password: bool = True) -> list[str]:
    """Create what is missing; returns what was done, in words.  A new role without a
    password is created NOLOGIN when `login_without_password` is false (the command
    line's choice: it never creates a login role that anyone may log in as)."""
    if database.backend != "postgres":
        raise ValueError("palabra db init is for PostgreSQL; SQLite needs no set-up")
    ledger, view = open_ledger(database.url), open_view(database.url)  # tables, triggers
    ledger.close()
    view.close()
    done = ["tables, immutability and recordedAt triggers, the append lock and tracking "
            "functions are in place"]
    if app_role:
        with database.connect(autocommit=True) as conn:
            login = bool(app_password) or login_without_password
            if _role(conn, database, app_role, app_password, login) and not login:
                done.append(f"role {app_role} was created NOLOGIN, as no password was "
                            f"given: run palabra db init --app-role {app_role} "
                            "--app-password-env VAR to give it one and let it log in")
        done.append(f"role {app_role} may INSERT and SELECT events, maintain the read "
                    "models and move the tracked position within the log, nothing more")
    return done


def _role(conn: Any, database: Database, role: str, password: str | None,
          login: bool = True) -> bool:
    """Create or update the role; True if it was created."""
    name, schema = sql.Identifier(role), sql.Identifier(database.schema or "public")
    exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
    row = conn.execute("SELECT rolcreaterole OR rolsuper FROM pg_roles "
                       "WHERE rolname = current_user").fetchone()
    if (not exists or password) and not (row and row[0]):
        raise SetUpRefused(
            f"{database.user} may not create roles or set their passwords (it has no "
            f"CREATEROLE): create the role {role} as an administrator (CREATE ROLE {role} "
            "LOGIN PASSWORD …), then run palabra db init --app-role again without a "
            "password, or run it as a user with CREATEROLE")
    if not exists:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN" if login else "CREATE ROLE {} NOLOGIN")
                     .format(name))
    if password:
        conn.execute(sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(
            name, sql.Literal(password)))
    statements = [
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
            sql.Identifier(database.dbname), name),
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, name),
        sql.SQL("REVOKE ALL ON SEQUENCE {}.{} FROM {}").format(
            schema, sql.Identifier(SEQUENCE), name),
        sql.SQL("GRANT {} ON SEQUENCE {}.{} TO {}").format(
            sql.SQL(", ").join(map(sql.SQL, APP_SEQUENCE_PRIVILEGES)), schema,
            sql.Identifier(SEQUENCE), name),
        *[statement for table, privileges in APP_PRIVILEGES.items() for statement in (
            sql.SQL("REVOKE ALL ON {}.{} FROM {}").format(schema, sql.Identifier(table), name),
            sql.SQL("GRANT {} ON {}.{} TO {}").format(
                sql.SQL(", ").join(map(sql.SQL, privileges)), schema, sql.Identifier(table),
                name))],
        *[sql.SQL("GRANT EXECUTE ON FUNCTION {}.{} TO {}").format(
            schema, sql.SQL(function), name) for function in APP_FUNCTIONS],
    ]
    try:
        for statement in statements:
            conn.execute(statement)
    except psycopg.errors.InsufficientPrivilege as error:
        raise SetUpRefused(f"{database.user} may not grant what the role needs "
                           f"({error.diag.message_primary}): run palabra db init as the "
                           "owner of the tables") from None
    return not exists


def check(database: Database, app_role: str | None = None) -> list[Finding]:
    """What is in place and what is missing, disabled or granted beyond the documented."""
    if database.backend != "postgres":
        return [Finding(True, "SQLite store: nothing to set up")]
    schema = database.schema or "public"
    found: list[Finding] = []
    with database.connect(autocommit=True) as conn:
        for table in (EVENTS, TRACKING, *READ_WRITE_TABLES):
            exists = conn.execute("SELECT to_regclass(%s)", (f"{schema}.{table}",)).fetchone()
            found.append(_present(bool(exists and exists[0]), f"table {table}"))
        triggers = dict(conn.execute(
            "SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = to_regclass(%s)",
            (f"{schema}.{EVENTS}",)).fetchall())
        for trigger, purpose in TRIGGERS.items():
            state = triggers.get(trigger)
            found.append(_present(state is not None, f"trigger {trigger} ({purpose})")
                         if state in ("O", "A", None) else
                         Finding(False, f"trigger {trigger} ({purpose}) is DISABLED: "
                                 f"ALTER TABLE {EVENTS} ENABLE TRIGGER {trigger}"))
        for function in APP_FUNCTIONS:
            exists = conn.execute("SELECT to_regprocedure(%s)",
                                  (f"{schema}.{function}",)).fetchone()
            found.append(_present(bool(exists and exists[0]), f"function {function}"))
        if app_role:
            found += _role_findings(conn, schema, app_role)
    return found


def _role_findings(conn: Any, schema: str, role: str) -> list[Finding]:
    attributes = conn.execute(
        f"SELECT {', '.join(ROLE_ATTRIBUTES)} FROM pg_roles WHERE rolname = %s",
        (role,)).fetchone()
    if not attributes:
        return [_present(False, f"role {role}")]
    found = [Finding(True, f"role {role}")]
    found += [Finding(not held, f"role {role} is not {attribute[3:].upper()}")
              for attribute, held in zip(ROLE_ATTRIBUTES, attributes, strict=True)]

    def held(kind: str, target: str, privilege: str) -> bool:
        row = conn.execute(f"SELECT has_{kind}_privilege(%s, %s, %s)",
                           (role, target, privilege)).fetchone()
        return bool(row and row[0])

    for table, allowed in APP_PRIVILEGES.items():
        target = f"{schema}.{table}"
        if not conn.execute("SELECT to_regclass(%s)", (target,)).fetchone()[0]:
            continue
        missing = [p for p in allowed if not held("table", target, p)]
        extra = [p for p in TABLE_PRIVILEGES if p not in allowed and held("table", target, p)]
        found.append(Finding(not missing, f"role {role} may {', '.join(allowed)} on {table}"
                             + (f" (lacks {', '.join(missing)})" if missing else "")))
        found += [Finding(False, f"role {role} holds {p} on {table}, beyond the documented "
                          "privileges: revoke it (palabra db init --app-role does)")
                  for p in extra]
        if table == EVENTS:
            found += [Finding(True, f"role {role} may not {p} events")
                      for p in ("UPDATE", "DELETE", "TRUNCATE") if p not in extra]
    sequence = f"{schema}.{SEQUENCE}"
    found.append(Finding(all(held("sequence", sequence, p) for p in APP_SEQUENCE_PRIVILEGES),
                         f"role {role} may use {SEQUENCE}"))
    if held("sequence", sequence, "UPDATE"):
        found.append(Finding(False, f"role {role} holds UPDATE on {SEQUENCE}, beyond the "
                             "documented privileges"))
    for function in APP_FUNCTIONS:
        target = f"{schema}.{function}"
        if conn.execute("SELECT to_regprocedure(%s)", (target,)).fetchone()[0]:
            found.append(Finding(held("function", target, "EXECUTE"),
                                 f"role {role} may call {function}"))
    return found
