"""The `palabra` command line against real stores: import, export, history, demo."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import app
from tests.support import SCENARIOS, scenario_lines

runner = CliRunner()


def palabra(database_url: str, *args: str, input: str | None = None) -> Any:
    return runner.invoke(app, [*args, "--database", database_url], input=input)


def exported(database_url: str, *args: str) -> list[dict[str, Any]]:
    result = palabra(database_url, "export", *args)
    assert result.exit_code == 0, result.output
    *lines, last = [json.loads(line) for line in result.stdout.splitlines()]
    assert last == {"complete": True, "count": len(lines),  # the export is complete
                    "lastPosition": lines[-1]["position"] if lines else last["lastPosition"]}
    return lines


def test_import_then_export_reproduces_every_field_of_acme(database_url: str) -> None:
    scenario_lines("acme.jsonl")
    result = palabra(database_url, "import", str(SCENARIOS / "acme.jsonl"))
    assert result.exit_code == 0, result.output
    assert "imported 16 events" in result.stdout
    lines = exported(database_url, "--client", "acme")
    originals = scenario_lines("acme.jsonl")
    assert len(lines) == len(originals)
    for version, (original, line) in enumerate(zip(originals, lines, strict=True), 1):
        for key in ("type", "clientRef", "occurredOn"):
            assert line[key] == original[key]
        for key, value in original["data"].items():
            assert line["data"][key] == value, (version, key)
        assert line["version"] == version
        assert line["retracted"] is False
        assert set(line) >= {"position", "recordedAt", "idempotencyKey"}


def test_import_is_idempotent(database_url: str) -> None:
    scenario_lines("acme.jsonl")
    palabra(database_url, "import", str(SCENARIOS / "acme.jsonl"))
    again = palabra(database_url, "import", str(SCENARIOS / "acme.jsonl"))
    assert again.exit_code == 0
    assert "imported 0 events (16 already there)" in again.stdout
    assert len(exported(database_url)) == 16


def test_a_bad_line_stops_the_import_and_writes_nothing_of_its_batch(
    database_url: str, tmp_path: Path
) -> None:
    lines = [json.dumps(line) for line in scenario_lines("acme.jsonl")[:5]]
    lines.insert(3, '{"type": "PaymentReceived", "clientRef": "acme", "occurredOn": '
                    '"2026-02-02", "data": {"paymentId": "X", "amount": "1.005"}}')
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = palabra(database_url, "import", str(path), "--batch-size", "2")
    assert result.exit_code == 1
    assert "line 4" in result.stderr
    assert "two decimal places" in result.stderr
    assert [line["version"] for line in exported(database_url)] == [1, 2]  # first batch only


def test_malformed_json_names_its_line(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text(json.dumps(scenario_lines("acme.jsonl")[0]) + "\n{not json\n")
    result = palabra(database_url, "import", str(path))
    assert result.exit_code == 1
    assert "line 2: not valid JSON" in result.stderr
    assert exported(database_url) == []


def test_import_reads_stdin(database_url: str) -> None:
    text = (SCENARIOS / "acme.jsonl").read_text() if SCENARIOS.exists() else ""
    scenario_lines("acme.jsonl")
    result = palabra(database_url, "import", "-", input=text)
    assert result.exit_code == 0, result.output
    assert len(exported(database_url)) == 16


def test_an_export_restores_into_an_empty_store_with_every_version_and_figure(
    database_url: str, tmp_path: Path
) -> None:
    for name in ("acme.jsonl", "random-8.jsonl"):
        scenario_lines(name)
        assert palabra(database_url, "import", str(SCENARIOS / name)).exit_code == 0
    backup = tmp_path / "backup.jsonl"
    assert palabra(database_url, "export", "--output", str(backup)).exit_code == 0
    target = f"sqlite:///{tmp_path}/restored.db"
    assert palabra(target, "import", str(backup)).exit_code == 0
    before, after = exported(database_url), exported(target)
    assert len(before) == len(after) == 16 + 276
    keep = ("type", "clientRef", "occurredOn", "data", "idempotencyKey", "version",
            "retracted")
    assert [{k: x[k] for k in keep} for x in before] == [{k: x[k] for k in keep} for x in after]
    assert any(line["retracted"] for line in after)
    for as_of in ("2025-06-30", "2026-06-30", "2026-11-22"):  # every figure comes back
        assert portfolio(target, as_of) == portfolio(database_url, as_of)


def portfolio(database_url: str, as_of: str) -> Any:
    result = palabra(database_url, "portfolio", "--as-of", as_of, "--json", "--first", "500")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["portfolio"]["clients"] == 5
    return shown


def test_export_filters_by_client_and_position(database_url: str) -> None:
    scenario_lines("random-7.jsonl")
    palabra(database_url, "import", str(SCENARIOS / "random-7.jsonl"))
    everything = exported(database_url)
    mine = exported(database_url, "--client", "r7-c2")
    assert {line["clientRef"] for line in mine} == {"r7-c2"}
    assert len(mine) == sum(line["clientRef"] == "r7-c2" for line in everything)
    later = exported(database_url, "--after", str(everything[99]["position"]))
    assert later == everything[100:]


def test_history_shows_both_times_and_retractions(database_url: str) -> None:
    scenario_lines("random-8.jsonl")
    palabra(database_url, "import", str(SCENARIOS / "random-8.jsonl"))
    result = runner.invoke(app, ["history", "r8-c1", "--database", database_url],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "ExpectationMissed (retracted)" in result.stdout
    assert "EntryRetracted" in result.stdout
    assert result.stdout.count("\n") > 54


def test_unknown_client_history_is_a_plain_error(database_url: str) -> None:
    result = palabra(database_url, "history", "nobody")
    assert result.exit_code == 1
    assert "there is no client nobody" in result.stderr


def test_a_bad_database_url_is_a_plain_error() -> None:
    result = runner.invoke(app, ["export", "--database", "mysql://x"])
    assert result.exit_code == 2
    assert "PALABRA_DATABASE_URL must start with" in result.stderr


@pytest.mark.slow
def test_demo_loads_once(database_url: str) -> None:
    first = palabra(database_url, "demo")
    assert first.exit_code == 0, first.output
    assert "loaded the demo ledger" in first.stdout
    second = palabra(database_url, "demo")
    assert "already loaded" in second.stdout
    assert len(exported(database_url)) == len({json.dumps(x) for x in exported(database_url)})
