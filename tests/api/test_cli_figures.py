"""`palabra client`, `portfolio`, `rebuild` and `project` against real stores."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
)
from typer.testing import CliRunner

from api.cli import app
from projections.store import open_view
from tests.support import REPOSITORY, SCENARIOS, scenario_lines

runner = CliRunner()
SERVED = REPOSITORY / "schema.graphql"  # what `python -m api.graphql.export` writes


def palabra(database_url: str, *args: str) -> Any:
    return runner.invoke(app, [*args, "--database", database_url], env={"COLUMNS": "160"})


@pytest.fixture
def acme(database_url: str) -> str:
    scenario_lines("acme.jsonl")
    assert palabra(database_url, "import", str(SCENARIOS / "acme.jsonl")).exit_code == 0
    return database_url


def contract() -> GraphQLSchema:
    """The served schema as checked in (the contract and the additions served so far, such
    as `PaymentHistory.writtenOff`)."""
    return build_schema(SERVED.read_text())


def shape_errors(kind: Any, value: Any, path: str = "Client") -> list[str]:
    """Where a JSON value does not have the fields of a GraphQL output type."""
    nullable = not isinstance(kind, GraphQLNonNull)
    if isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    if value is None:
        return [] if nullable else [f"{path}: null for a non-null field"]
    if isinstance(kind, GraphQLList):
        if not isinstance(value, list):
            return [f"{path}: not a list"]
        return [e for n, item in enumerate(value)
                for e in shape_errors(kind.of_type, item, f"{path}[{n}]")]
    if isinstance(kind, GraphQLObjectType):
        if not isinstance(value, dict):
            return [f"{path}: not an object"]
        errors = [f"{path}.{name}: missing" for name in kind.fields if name not in value]
        errors += [f"{path}.{name}: not in the schema" for name in value
                   if name not in kind.fields]
        return errors + [e for name, f in kind.fields.items() if name in value
                         for e in shape_errors(f.type, value[name], f"{path}.{name}")]
    return []


def test_client_json_has_the_shape_of_the_graphql_client_type(acme: str) -> None:
    result = palabra(acme, "client", "acme", "--as-of", "2026-06-30", "--json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shape_errors(contract().type_map["Client"], shown) == []
    assert shown["trust"]["score"] == pytest.approx(53.861111, abs=1e-4)
    assert shown["payments"]["outstanding"] == "1500.00"
    assert [s["kind"] for s in shown["signals"]] == ["ILLUSORY_PIPELINE", "TOUCH_GROUND"]


def test_client_table_shows_trust_gap_payments_and_signals(acme: str) -> None:
    result = palabra(acme, "client", "acme", "--as-of", "2026-06-30")
    assert result.exit_code == 0, result.output
    for text in ("Acme Tiles", "53.9", "STRAINED", "paymentPunctuality", "VENDOR",
                 "ILLUSORY_PIPELINE", "TOUCH_GROUND", "1,500.00", "Collection contact"):
        assert text in result.stdout, text


def test_client_known_at_before_the_first_event_is_unknown(acme: str) -> None:
    result = palabra(acme, "client", "acme", "--known-at", "2020-01-01T00:00:00")
    assert result.exit_code == 1
    assert "there is no client acme known at 2020-01-01" in result.stderr


def test_portfolio_lists_clients_by_score(database_url: str) -> None:
    for name in ("acme.jsonl", "random-7.jsonl"):
        scenario_lines(name)
        palabra(database_url, "import", str(SCENARIOS / name))
    result = palabra(database_url, "portfolio", "--as-of", "2026-06-30", "--json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["portfolio"]["clients"] == 5
    # r7-c1 wrote off 1,337.28 on 2026-06-15, the only write-off by then
    assert {t["currency"]: t["writtenOff"] for t in shown["portfolio"]["totals"]} == {
        "EUR": "1337.28", "MXN": "0.00", "USD": "0.00"}
    scores = [c["score"] for c in shown["clients"] if c["score"] is not None]
    assert scores == sorted(scores)
    table = palabra(database_url, "portfolio", "--as-of", "2026-06-30")
    assert "Portfolio as of 2026-06-30: 5 clients" in table.stdout
    assert "written off" in table.stdout
    assert "1,337.28" in table.stdout


def test_rebuild_reports_its_speed(acme: str) -> None:
    result = palabra(acme, "rebuild")
    assert result.exit_code == 0, result.output
    assert "rebuilt 1 clients from 16 events" in result.stdout
    assert "events/s" in result.stdout


def test_status_shows_the_position_and_the_lag(acme: str) -> None:
    result = palabra(acme, "status")
    assert result.exit_code == 0, result.output
    assert "latest event position" in result.stdout
    assert "projection lag" in result.stdout


def test_project_once_catches_up(acme: str) -> None:
    result = palabra(acme, "project", "--once")
    assert result.exit_code == 0, result.output
    assert "the read models are at position 16" in result.stdout


@pytest.mark.slow
def test_a_killed_worker_restarts_where_it_stopped(database_url: str, tmp_path: Path) -> None:
    """kill -9 in the middle of a catch-up: the restart equals a clean rebuild."""
    from bench.generate import feed

    path = tmp_path / "feed.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in feed(20, 3000)))
    assert palabra(database_url, "import", str(path)).exit_code == 0
    env = {**os.environ, "PALABRA_PROJECTION_BATCH": "20"}
    view = open_view(database_url)
    worker = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "project", "--database", database_url],
        env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while view.position() == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    killed_at = view.position()
    view.close()
    assert 0 < killed_at < 3000  # it died midway
    restart = palabra(database_url, "project", "--once")
    assert restart.exit_code == 0
    assert f"applied {3000 - killed_at} events" in restart.stdout
    live = portfolio_json(database_url)
    assert palabra(database_url, "rebuild").exit_code == 0
    assert portfolio_json(database_url) == live


def portfolio_json(database_url: str) -> Any:
    result = palabra(database_url, "portfolio", "--as-of", "2026-06-01", "--json",
                     "--first", "100")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.slow
def test_two_workers_one_leads_and_the_view_equals_a_rebuild(database_url: str,
                                                             tmp_path: Path) -> None:
    from bench.generate import feed

    first, second = (tmp_path / "first.jsonl", tmp_path / "second.jsonl")
    lines = [json.dumps(line) + "\n" for line in feed(12, 1200)]
    first.write_text("".join(lines[:600]))
    second.write_text("".join(lines[600:]))
    assert palabra(database_url, "import", str(first)).exit_code == 0
    env = {**os.environ, "PALABRA_PROJECTION_BATCH": "50"}
    logs = [tmp_path / f"worker-{number}.log" for number in (1, 2)]
    workers = []
    for log in logs:
        with log.open("w") as stderr:
            workers.append(subprocess.Popen(
                [sys.executable, "-m", "api.cli", "project", "--database", database_url],
                env=env, stderr=stderr, stdout=subprocess.DEVNULL))
    view = open_view(database_url)
    try:
        assert palabra(database_url, "import", str(second)).exit_code == 0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (
                view.position() < 1200
                or not all("projection worker" in log.read_text() for log in logs)):
            time.sleep(0.05)
        assert view.position() == 1200
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=30)
        view.close()
    said = [log.read_text() for log in logs]
    assert sum('"projection worker leads"' in text for text in said) == 1, said
    assert sum("stands by" in text for text in said) == 1, said
    live = portfolio_json(database_url)
    assert palabra(database_url, "rebuild", "--workers", "1").exit_code == 0
    assert portfolio_json(database_url) == live
