"""At 80 columns, in a pipe, the tables choose their columns: no amount and no reference
is cut, and every line fits (the figures compared with the same command's JSON)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from api.cli.tables import Column, FittedTable


def run(*args: str, columns: int = 80) -> str:
    done = subprocess.run([sys.executable, "-m", "api.cli", *args], capture_output=True,
                          text=True, timeout=300, env={**os.environ, "COLUMNS": str(columns)})
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('width') / 'demo.db'}"
    return url, run("demo", "--database", url)


def money(amount: str) -> str:
    return f"{Decimal(amount):,.2f}"


def fits(text: str, width: int = 80) -> None:
    assert "…" not in text
    too_wide = [line for line in text.splitlines() if len(line.rstrip()) > width]
    assert not too_wide, too_wide


def test_demo_fits_80_columns(demo: tuple[str, str]) -> None:
    _, shown = demo
    fits(shown)
    for ref in ("demo-nordlicht", "demo-brightwave", "demo-greyfield", "demo-kestrel"):
        assert ref in shown


def test_portfolio_at_80_columns_shows_every_amount_and_ref_whole(
    demo: tuple[str, str]
) -> None:
    url, _ = demo
    shown = run("portfolio", "--database", url)
    fits(shown)
    figures: dict[str, Any] = json.loads(run("portfolio", "--json", "--database", url))
    for total in figures["portfolio"]["totals"]:
        assert f"{money(total['outstanding'])}" in shown
        assert f"{money(total['overdue'])}" in shown
    for entry in figures["clients"]:
        line = next(line for line in shown.splitlines() if f" {entry['ref']} " in line)
        assert f"{money(entry['outstanding'])} {entry['currency']}" in line


def test_client_at_80_columns_shows_every_amount_whole(demo: tuple[str, str]) -> None:
    url, _ = demo
    for ref in ("demo-tallis", "demo-greyfield", "demo-corvid"):
        shown = run("client", ref, "--database", url)
        fits(shown)
        payments = json.loads(run("client", ref, "--json", "--database", url))["payments"]
        for field in ("invoiced", "received", "outstanding", "overdue"):
            assert money(payments[field]) in shown, field


def test_history_at_80_columns_shows_ids_and_amounts_whole(demo: tuple[str, str]) -> None:
    url, _ = demo
    shown = run("history", "demo-tallis", "--database", url)
    fits(shown)
    events = json.loads(run("history", "demo-tallis", "--json", "--database", url))
    wide = run("history", "demo-tallis", "--database", url, columns=200)
    for event in events:
        assert event["type"] in shown
        for key, value in event["data"].items():
            if key.endswith("Id") or key == "amount":
                assert f"{key}: {value}" in shown
        assert event["recordedAt"][:19].replace("T", " ") in wide
    assert "['" not in shown
    assert "=True" not in shown
    assert "answered: yes" in shown


def test_a_wider_terminal_shows_more_columns(demo: tuple[str, str]) -> None:
    url, _ = demo
    narrow, wide = run("portfolio", "--database", url), run("portfolio", "--database", url,
                                                             columns=200)
    for header in (" state ", " signals "):
        assert header in wide
        assert header not in narrow


def test_a_caption_is_not_held_to_the_tables_width(tmp_path: Path) -> None:
    from rich.console import Console

    table = FittedTable([Column("a")], caption="a caption much wider than the table is")
    table.add_row("x")
    console = Console(width=200, record=True)
    console.print(table)
    assert "a caption much wider than the table is" in console.export_text()
