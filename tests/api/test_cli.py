"""The `palabra` command line against real stores: import, export, history, demo."""

from __future__ import annotations

import json
import subprocess
import sys
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


GOOD_LINE = (b'{"type": "ClientOnboarded", "clientRef": "good", "occurredOn": "2026-01-05", '
             b'"data": {"name": "Good", "currency": "EUR"}}')


def onboarding_line(data: bytes = b'"name": "X", "currency": "EUR"', ref: bytes = b'"x"',
                    type_: bytes = b'"ClientOnboarded"') -> bytes:
    return (b'{"type": ' + type_ + b', "clientRef": ' + ref
            + b', "occurredOn": "2026-01-05", "data": {' + data + b'}}')


HOSTILE_LINES = [
    pytest.param(onboarding_line(b'"name": "Caf\xe9", "currency": "EUR"'),
                 "not valid UTF-8 (byte 96 of the line is 0xE9)", id="invalid-utf-8"),
    pytest.param(onboarding_line(b'"name": "X", "currency": "EUR", "paymentTermsDays": '
                                 + b"7" * 5000),
                 "the number 777777777777777777777777\u2026 is too long", id="5000-digits"),
    pytest.param(onboarding_line(type_=b'["ClientOnboarded"]'), "unknown event type",
                 id="type-as-a-list"),
    pytest.param(onboarding_line(type_=b'{"ClientOnboarded": 1}'), "unknown event type",
                 id="type-as-an-object"),
    pytest.param(onboarding_line(b'"name": ' + b"[" * 100_000 + b"]" * 100_000),
                 "nested deeper than 8 levels", id="100k-deep"),
    pytest.param(onboarding_line(b'"name": ' + b"[" * 500 + b"]" * 500),
                 "nested deeper than 8 levels", id="500-deep"),
    pytest.param(onboarding_line(b'"name": "\\ud800", "currency": "EUR"'),
                 "name contains a lone surrogate (U+D800)", id="lone-surrogate"),
    pytest.param(onboarding_line(ref=b'"\\udc00"'),
                 "clientRef contains a lone surrogate (U+DC00)", id="surrogate-ref"),
    pytest.param(onboarding_line(b'"name": "Evil\\u0000Name", "currency": "EUR"'),
                 "name contains a control character (U+0000)", id="nul"),
    pytest.param(onboarding_line(b'"\\ud800": 1'), "has no field '\\ud800'",
                 id="surrogate-key"),
    pytest.param(onboarding_line() [:-1] + b', "\\ud800": 1}', "unknown key(s) '\\ud800'",
                 id="surrogate-line-key"),
    pytest.param(onboarding_line(type_=b'"[/red]"'), "unknown event type '[/red]'",
                 id="rich-markup"),
    pytest.param(onboarding_line(b'"name": "X", "currency": "EUR", "contactCap": NaN'),
                 "NaN is not a number JSON knows", id="nan"),
    pytest.param(b'{"type": "PaymentReceived", "clientRef": "good", "occurredOn": "2026-01-06", '
                 b'"data": {"paymentId": "P1", "amount": 1e-2}}',
                 "the number 1e-2 is written with an exponent", id="exponent"),
]


@pytest.mark.parametrize(("line", "reason"), HOSTILE_LINES)
def test_a_hostile_line_is_named_with_a_plain_reason_and_nothing_is_written(
    database_url: str, tmp_path: Path, line: bytes, reason: str
) -> None:
    path = tmp_path / "hostile.jsonl"
    path.write_bytes(GOOD_LINE + b"\n" + line + b"\n")
    result = palabra(database_url, "import", str(path))
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.stderr
    assert "import stopped at line 2: " in result.stderr
    assert reason in result.stderr.replace("\n", "")
    assert exported(database_url) == []


@pytest.mark.parametrize("line", [HOSTILE_LINES[0].values[0], HOSTILE_LINES[4].values[0],
                                  HOSTILE_LINES[6].values[0]], ids=["utf-8", "deep", "surrogate"])
def test_the_real_command_reads_hostile_bytes_from_stdin_without_a_traceback(
    tmp_path: Path, line: bytes
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "import", "-", "--database",
         f"sqlite:///{tmp_path}/palabra.db"],
        input=GOOD_LINE + b"\n" + line + b"\n", capture_output=True, timeout=120)
    stderr = done.stderr.decode()
    assert done.returncode == 1, stderr
    assert "Traceback" not in stderr
    assert "import stopped at line 2: " in stderr


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
    # every figure comes back; a client counts from its onboarding date: on 2025-06-30,
    # r8-c1 (2024-07-16), r8-c3 (2024-10-27) and r8-c4 (2025-06-27), not r8-c2 (2025-08-05)
    # nor acme (2026-01-05)
    for as_of, clients in (("2025-06-30", 3), ("2026-06-30", 5), ("2026-11-22", 5)):
        assert portfolio(target, as_of, clients) == portfolio(database_url, as_of, clients)


def portfolio(database_url: str, as_of: str, clients: int) -> Any:
    result = palabra(database_url, "portfolio", "--as-of", as_of, "--json", "--first", "500")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["portfolio"]["clients"] == clients
    assert len(shown["clients"]) == clients
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
    assert palabra(database_url, "import", "-", input=GOOD_LINE.decode()).exit_code == 0
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


def test_an_import_refusal_shows_the_operator_the_figures_behind_it(
        database_url: str, tmp_path: Path) -> None:
    lines = [
        {"type": "ClientOnboarded", "clientRef": "acme", "occurredOn": "2026-01-05",
         "data": {"name": "Acme", "currency": "EUR"}},
        {"type": "InvoiceIssued", "clientRef": "acme", "occurredOn": "2026-01-06",
         "data": {"invoiceId": "INV1", "amount": "100.00", "description": "Setup"}},
        {"type": "InvoiceWrittenOff", "clientRef": "acme", "occurredOn": "2026-01-07",
         "data": {"invoiceId": "INV1", "amount": "250.00", "reason": "bad debt"}},
    ]
    path = tmp_path / "over.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    result = palabra(database_url, "import", str(path))
    assert result.exit_code == 1
    assert "line 3: the write-off exceeds the open balance of invoice INV1 (write-off 250.00, " \
           "open balance 100.00)" in " ".join(result.output.split())
