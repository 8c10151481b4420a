"""Settings and set-up from the command line: a bad setting names its variable and what
was expected, `serve` refuses a port in use before its banner, `db init` creates no login
role without a password, and `rebuild` takes one process for a small store."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from psycopg import sql
from typer.testing import CliRunner

from api.cli import app
from api.cli.operations import PARALLEL_FROM, workers_for
from projections.store import Database
from tests.support import SCENARIOS, scenario_lines


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "api.cli", *args], capture_output=True,
                          text=True, timeout=120, env={**os.environ, **(env or {})})
    assert "Traceback" not in done.stderr, done.stderr
    return done


@pytest.mark.parametrize(("value", "says"), [
    ("x", "PALABRA_TRUST_WEIGHTS: not JSON; expected a JSON object of trust components"),
    ("[1]", "PALABRA_TRUST_WEIGHTS: not a JSON object; expected a JSON object"),
    ('{"paymentPunctuality": "a"}', "PALABRA_TRUST_WEIGHTS: a weight is not a number; "
                                    "expected"),
])
def test_a_bad_trust_weights_setting_names_the_variable_and_what_was_expected(
    tmp_path: Path, value: str, says: str
) -> None:
    done = run("status", "--database", f"sqlite:///{tmp_path}/p.db",
               env={"PALABRA_TRUST_WEIGHTS": value})
    assert done.returncode == 2
    assert says in done.stderr
    assert '{"paymentPunctuality": 0.4}' in done.stderr


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def test_serve_on_a_port_in_use_says_so_before_its_banner(tmp_path: Path,
                                                          busy_port: int) -> None:
    done = run("serve", "--dev", "--port", str(busy_port), "--database",
               f"sqlite:///{tmp_path}/p.db")
    assert done.returncode == 2
    assert done.stderr.strip() == (f"port {busy_port} on 127.0.0.1 is in use: stop what "
                                   "listens there, or choose another with --port")
    assert "DEV MODE" not in done.stderr


@pytest.mark.postgres
def test_db_init_creates_no_login_role_without_a_password(postgres_server: Database) -> None:
    role, schema = f"t_app_{uuid.uuid4().hex[:8]}", f"t_{uuid.uuid4().hex[:12]}"
    url = f"{postgres_server.url}?schema={schema}"
    try:
        done = CliRunner().invoke(app, ["db", "init", "--app-role", role, "--database", url])
        assert done.exit_code == 0, done.output
        assert f"role {role} was created NOLOGIN, as no password was given" in " ".join(
            done.stdout.split())
        with postgres_server.connect() as conn:
            assert conn.execute("SELECT rolcanlogin FROM pg_roles WHERE rolname = %s",
                                (role,)).fetchone() == (False,)
        given = CliRunner().invoke(app, ["db", "init", "--app-role", role,
                                         "--app-password-env", "T_APP_PASSWORD",
                                         "--database", url],
                                   env={"T_APP_PASSWORD": "s3cret-app-password"})
        assert given.exit_code == 0, given.output
        with postgres_server.connect() as conn:
            assert conn.execute("SELECT rolcanlogin FROM pg_roles WHERE rolname = %s",
                                (role,)).fetchone() == (True,)
    finally:
        with postgres_server.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                sql.Identifier(schema)))
            conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def test_rebuild_takes_one_process_for_a_small_store(tmp_path: Path) -> None:
    assert workers_for(322) == 1
    assert workers_for(PARALLEL_FROM - 1) == 1
    assert workers_for(PARALLEL_FROM) == (os.cpu_count() or 1)
    url = f"sqlite:///{tmp_path}/p.db"
    scenario_lines("acme.jsonl")
    assert run("import", str(SCENARIOS / "acme.jsonl"), "--database", url).returncode == 0
    done = run("rebuild", "--database", url)
    assert done.returncode == 0, done.stderr
    match = re.search(r"rebuilt 1 clients from 16 events in ([\d.]+) s", done.stdout)
    assert match, done.stdout
    assert float(match.group(1)) < 1.0  # starting processes alone takes longer
