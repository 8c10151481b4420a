"""The command line for people who type: paging, --version, --order in any case, JSON
of status and history, help texts without `<bool>` or strftime patterns."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import app
from tests.support import SCENARIOS, scenario_lines

runner = CliRunner()


def palabra(url: str, *args: str) -> Any:
    result = runner.invoke(app, [*args, "--database", url], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def seven(database_url: str) -> str:
    for name in ("acme.jsonl", "random-7.jsonl"):
        scenario_lines(name)
        palabra(database_url, "import", str(SCENARIOS / name))
    return database_url


def test_portfolio_pages_with_its_cursor(seven: str) -> None:
    shown = palabra(seven, "portfolio", "--as-of", "2026-06-30", "--first", "2")
    match = re.search(r"2 of 5 clients; the next page: the same command with --after (\S+)",
                      shown)
    assert match, shown
    first = json.loads(palabra(seven, "portfolio", "--as-of", "2026-06-30", "--first", "2",
                               "--json"))
    assert first["totalCount"] == 5
    assert first["pageInfo"] == {"hasNextPage": True, "endCursor": match.group(1)}
    refs = [c["ref"] for c in first["clients"]]
    while first["pageInfo"]["hasNextPage"]:
        first = json.loads(palabra(seven, "portfolio", "--as-of", "2026-06-30", "--first",
                                   "2", "--after", first["pageInfo"]["endCursor"], "--json"))
        refs += [c["ref"] for c in first["clients"]]
    everyone = json.loads(palabra(seven, "portfolio", "--as-of", "2026-06-30", "--json"))
    assert refs == [c["ref"] for c in everyone["clients"]]
    assert len(refs) == 5


def test_a_bad_cursor_is_refused_plainly(seven: str) -> None:
    result = runner.invoke(app, ["portfolio", "--after", "nonsense", "--database", seven])
    assert result.exit_code == 2
    assert "--after: not a cursor of this list" in result.stderr


def test_order_is_case_insensitive(seven: str) -> None:
    lower = json.loads(palabra(seven, "portfolio", "--order", "name_asc", "--json"))
    upper = json.loads(palabra(seven, "portfolio", "--order", "NAME_ASC", "--json"))
    assert lower == upper
    names = [c["name"] for c in lower["clients"]]
    assert names == sorted(names)


def test_status_and_history_as_json(seven: str) -> None:
    status = json.loads(palabra(seven, "status", "--json"))
    assert status["head"] == status["position"] + status["lag"]
    assert status["store"]["backend"] in ("sqlite", "postgres")
    assert status["skipped"] == []
    events = json.loads(palabra(seven, "history", "acme", "--json"))
    exported = [json.loads(line) for line in palabra(seven, "export", "--client", "acme")
                .splitlines()][:-1]
    assert events == exported


def test_version() -> None:
    from importlib.metadata import version

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"palabra {version('palabra')}"


@pytest.mark.parametrize("command", [[], ["client"], ["portfolio"], ["history"], ["serve"],
                                     ["export"], ["import"], ["status"], ["db", "init"]])
def test_help_shows_no_bool_metavar_nor_strftime_pattern(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.stdout
    assert "%Y" not in result.stdout


def test_append_one_event_typed_or_on_stdin(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path}/p.db"
    assert "appended ClientOnboarded to zed as version 1" in palabra(
        url, "append", "ClientOnboarded", "zed", "name=Zed Ltd", "currency=EUR",
        "paymentTermsDays:=45", "--on", "2026-01-05")
    palabra(url, "append", "InvoiceIssued", "zed", "invoiceId=I-1", "amount=120.50",
            "description=Set-up", "--on", "2026-01-06", "--key", "inv-1")
    again = palabra(url, "append", "InvoiceIssued", "zed", "invoiceId=I-1", "amount=120.50",
                    "description=Set-up", "--on", "2026-01-06", "--key", "inv-1")
    assert "already there: InvoiceIssued to zed as version 2" in again
    line = {"type": "PaymentReceived", "clientRef": "zed", "occurredOn": "2026-01-10",
            "data": {"paymentId": "P-1", "amount": "20.50", "invoiceId": "I-1"}}
    result = runner.invoke(app, ["append", "-", "--database", url], input=json.dumps(line))
    assert result.exit_code == 0, result.output
    events = json.loads(palabra(url, "history", "zed", "--json"))
    assert [e["type"] for e in events] == ["ClientOnboarded", "InvoiceIssued",
                                           "PaymentReceived"]
    assert events[0]["data"]["paymentTermsDays"] == 45
    assert events[1]["data"]["amount"] == "120.50"
    refused = runner.invoke(app, ["append", "InvoiceIssued", "zed", "invoiceId=I-2",
                                  "amount:=10.5", "--database", url])
    assert refused.exit_code == 2
    assert "amount:= the number 10.5 is a JSON number, not a string" in refused.stderr


def test_export_to_a_file_says_what_it_wrote(seven: str, tmp_path: Any) -> None:
    target = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["export", "-o", str(target), "--database", seven])
    assert result.exit_code == 0, result.output
    count = len(target.read_text().splitlines()) - 1
    assert result.stderr.startswith(f"wrote {count:,} events to {target} (up to position ")
    assert result.stderr.strip().endswith("complete")


def test_import_of_a_large_file_shows_its_progress_on_a_terminal(tmp_path: Any) -> None:
    import os
    import subprocess
    import sys

    big = tmp_path / "big.jsonl"
    good = ('{"type": "ClientOnboarded", "clientRef": "n", "occurredOn": "2026-01-05", '
            '"data": {"name": "N", "currency": "EUR"}}\n')
    big.write_text(good + "\n" * (1 << 20))  # blank lines are skipped, but read
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "import", str(big), "--database",
         f"sqlite:///{tmp_path}/p.db"], capture_output=True, text=True, timeout=120,
        env={**os.environ, "TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1"})
    assert done.returncode == 0, done.stderr
    assert "importing" in done.stderr
    assert "1.0/1.0 MB" in done.stderr
    assert "imported" in done.stdout
