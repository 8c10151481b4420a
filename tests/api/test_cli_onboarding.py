"""The command line on the revised figures: a client that is not a client yet on the day
asked, `writtenOff` shown and in the JSON, scores shown rounded."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import app
from tests.support import SCENARIOS

runner = CliRunner()


def palabra(database_url: str, *args: str) -> Any:
    return runner.invoke(app, [*args, "--database", database_url], env={"COLUMNS": "160"})


@pytest.fixture
def acme(database_url: str) -> str:
    """The acme scenario: onboarded on 2026-01-05."""
    assert palabra(database_url, "import", str(SCENARIOS / "acme.jsonl")).exit_code == 0
    return database_url


def test_a_client_before_its_onboarding_date_is_not_a_client_yet(acme: str) -> None:
    result = palabra(acme, "client", "acme", "--as-of", "2025-12-31")
    assert result.exit_code == 1
    assert "acme is not a client yet on 2025-12-31 (onboarded on 2026-01-05)" in \
        result.stderr
    portfolio = json.loads(palabra(acme, "portfolio", "--as-of", "2020-01-01", "--json").stdout)
    assert portfolio["portfolio"]["clients"] == 0
    assert portfolio["clients"] == []
    assert palabra(acme, "client", "acme", "--as-of", "2026-01-05").exit_code == 0


def test_written_off_is_shown_and_scores_are_rounded(acme: str) -> None:
    shown = json.loads(palabra(acme, "client", "acme", "--as-of", "2026-06-30",
                               "--json").stdout)
    assert shown["payments"]["writtenOff"] == "0.00"
    assert shown["trust"]["score"] == pytest.approx(53.861111, abs=1e-4)  # unrounded
    table = palabra(acme, "client", "acme", "--as-of", "2026-06-30").stdout
    assert "written off" in table
    assert "53.9" in table
    assert not re.search(r"\d\.\d{3,}", table)  # no long decimals
