"""The real `palabra` command on inputs a new user meets: one plain sentence on stderr,
a non-zero exit, never a traceback — and commands that only read create nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from psycopg import sql

from projections.store import Database

GOOD = ('{"type": "ClientOnboarded", "clientRef": "n", "occurredOn": "2026-01-05", '
        '"data": {"name": "N", "currency": "EUR"}}\n')


def run(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None,
        cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The command as a user runs it, in a pipe."""
    done = subprocess.run([sys.executable, "-m", "api.cli", *args], input=stdin,
                          capture_output=True, timeout=120, cwd=cwd,
                          env={**os.environ, "COLUMNS": "80", **(env or {})})
    result = subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(),
                                         done.stderr.decode())
    assert "Traceback" not in result.stderr, result.stderr
    return result


def refused(*args: str, says: str, code: int = 1, **kwargs: object) -> str:
    result = run(*args, **kwargs)  # type: ignore[arg-type]
    assert result.returncode == code, result.stderr
    assert says in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr  # one line, unwrapped
    return result.stderr


@pytest.mark.postgres
@pytest.mark.parametrize(("url", "says"), [
    ("postgresql://postgres@127.0.0.1:1/x", "cannot reach PostgreSQL at 127.0.0.1:1"),
    ("{server}/palabra_no_such_db", "has no database palabra_no_such_db"),
    ("postgresql://palabra_nobody@{host}:{port}/postgres", "has no user palabra_nobody"),
], ids=["unreachable", "no-database", "no-user"])
def test_postgres_that_cannot_be_used_says_why_at_once(
    postgres_server: Database, url: str, says: str
) -> None:
    server = postgres_server.url.rsplit("/", 1)[0]
    url = url.format(server=server, host=postgres_server.host, port=postgres_server.port)
    started = time.monotonic()
    refused("status", "--database", url, says=says)
    assert time.monotonic() - started < 8  # not the pool's 10 s of retries


@pytest.mark.postgres
def test_a_bad_schema_name_is_refused_before_anything_is_created(
    postgres_server: Database
) -> None:
    refused("import", "-", "--database", f"{postgres_server.url}?schema=bad-name!",
            stdin=GOOD.encode(), says="?schema=bad-name! is not a schema name", code=2)
    with postgres_server.connect() as conn:
        assert not conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = 'bad-name!'"
                                ).fetchone()


@pytest.mark.parametrize(("query", "says"), [
    ("?pool_size=abc", "?pool_size in the store URL must be a whole number of at least 1, "
                       "not 'abc'"),
    ("?poolsize=5", "unknown parameter in the store URL: ?poolsize"),
])
def test_url_parameters_are_checked_by_name(query: str, says: str) -> None:
    url = f"postgresql://postgres@127.0.0.1:1/x{query}"
    refused("status", "--database", url, says=f"--database: {says}", code=2)
    refused("status", env={"PALABRA_DATABASE_URL": url}, says=f"PALABRA_DATABASE_URL: {says}",
            code=2)


@pytest.mark.postgres
def test_the_app_role_without_create_tables_false_gets_the_hint(
    postgres_server: Database,
) -> None:
    role, schema = f"t_app_{uuid.uuid4().hex[:8]}", f"t_{uuid.uuid4().hex[:12]}"
    with postgres_server.connect(autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        url = (f"postgresql://{role}@{postgres_server.host}:{postgres_server.port}/"
               f"{postgres_server.dbname}?schema={schema}")
        refused("import", "-", "--database", url, stdin=GOOD.encode(),
                says="PALABRA_CREATE_TABLES=false")
    finally:
        with postgres_server.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def test_export_to_a_missing_folder_and_import_of_a_non_utf8_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/p.db"
    assert run("import", "-", "--database", url, stdin=GOOD.encode()).returncode == 0
    refused("export", "-o", "/nonexistent/dir/f.jsonl", "--database", url,
            says="cannot write /nonexistent/dir/f.jsonl: there is no folder /nonexistent/dir")
    utf16 = tmp_path / "utf16.jsonl"
    utf16.write_bytes(GOOD.encode("utf-16"))
    result = run("import", str(utf16), "--database", url)
    assert result.returncode == 1
    assert "line 1: not valid UTF-8" in result.stderr


def test_json_number_amounts_are_refused_with_their_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/p.db"
    for amount, why in (("10.5", "is a JSON number, not a string"),
                        ("1e2", "is written with an exponent")):
        line = ('{"type": "InvoiceIssued", "clientRef": "n", "occurredOn": "2026-01-06", '
                f'"data": {{"invoiceId": "I1", "amount": {amount}, "issuedOn": "2026-01-06"}}}}')
        result = run("import", "-", "--database", url, stdin=(GOOD + line + "\n").encode())
        assert result.returncode == 1
        assert f"import stopped at line 2: the number {amount} {why}" in result.stderr


@pytest.mark.parametrize("args", [
    ("portfolio", "--first", "-1"), ("rebuild", "--workers", "0"),
    ("import", "-", "--batch-size", "0"), ("export", "--after", "-5"),
])
def test_bad_values_are_refused(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = run(*args, "--database", f"sqlite:///{tmp_path}/p.db", stdin=GOOD.encode())
    assert result.returncode == 2, result.stderr
    assert "Invalid value" in result.stderr
    assert not (tmp_path / "p.db").exists()


@pytest.mark.parametrize("command", [("status",), ("client", "n"), ("portfolio",),
                                     ("history", "n"), ("export",), ("rebuild",)])
def test_reading_a_store_that_does_not_exist_creates_nothing(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    path = tmp_path / "sub" / "p.db"
    refused(*command, "--database", f"sqlite:///{path}",
            says=f"there is no store at the SQLite file {path}")
    assert not path.exists()
    assert not path.parent.exists()


@pytest.mark.postgres
@pytest.mark.parametrize("command", [("status",), ("portfolio",), ("export",)])
def test_reading_a_postgres_schema_that_does_not_exist_creates_nothing(
    postgres_server: Database, command: tuple[str, ...]
) -> None:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    refused(*command, "--database", f"{postgres_server.url}?schema={schema}",
            says=f"there is no Palabra store in PostgreSQL {postgres_server.user}@")
    with postgres_server.connect() as conn:
        assert not conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s",
                                (schema,)).fetchone()


def test_an_unexpected_error_is_one_line_and_exit_1(tmp_path: Path) -> None:
    """The last resort in `main()`: an error no command foresaw (here, a command added
    for the test that raises) is one line, without a traceback."""
    script = ("import sys, typer\nfrom api.cli import app, main\n"
              "@app.command('boom')\ndef boom() -> None:\n    raise RuntimeError('kaput')\n"
              "sys.argv = ['palabra', 'boom']\nmain()\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.strip() == ("palabra stopped on an unexpected error: RuntimeError: "
                                   "kaput (PALABRA_LOG_LEVEL=DEBUG logs the details)")


def test_the_license_is_an_spdx_expression() -> None:
    """setuptools deprecates `project.license` as a TOML table."""
    import tomllib

    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    assert isinstance(project["project"]["license"], str)


@pytest.mark.slow
def test_building_the_package_prints_no_deprecation_warning(tmp_path: Path) -> None:
    """The build pip runs on install (isolated, with the setuptools pyproject.toml asks
    for) warns of nothing deprecated in our configuration."""
    root = Path(__file__).parents[2]
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w",
                           str(tmp_path), str(root)], capture_output=True, text=True,
                          timeout=600)
    if done.returncode != 0 and "Could not find a version" in done.stderr + done.stdout:
        pytest.skip("no package index reachable to fetch the build backend")
    assert done.returncode == 0, done.stderr[-2000:]
    output = done.stdout + done.stderr
    assert "Deprecat" not in output, [line for line in output.splitlines() if "eprecat" in line]


@pytest.mark.parametrize("command", [("serve", "--dev", "--port", "0"), ("db", "init"),
                                     ("db", "check"), ("project", "--once"), ("import", "-")])
def test_every_command_on_an_unreachable_postgres_says_so(command: tuple[str, ...]) -> None:
    refused(*command, "--database", "postgresql://postgres@127.0.0.1:1/x", stdin=b"",
            says="cannot reach PostgreSQL at 127.0.0.1:1")
