"""The demo tells the auditor's story: `palabra demo --today D` records its entries day by
day on a simulated clock, so `recordedAt` spreads over the months, a late-recorded payment
and a retracted entry make `--known-at` answer differently from now, and two loads with the
same `--today` give the same figures. Everything runs through the real command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from api.demo import demo_clients
from api.demo.clock import close_of
from projections.store import open_ledger

TODAY = date(2026, 11, 22)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """`palabra ARGS` in a subprocess, at 200 columns."""
    env = {**os.environ, "COLUMNS": "200", "TERM": "dumb"}
    return subprocess.run([sys.executable, "-m", "api.cli", *args], capture_output=True,
                          text=True, env=env, timeout=120, check=False)


def loaded(folder: Path) -> str:
    url = f"sqlite:///{folder}/demo.db"
    done = run("demo", "--today", TODAY.isoformat(), "--database", url)
    assert done.returncode == 0, done.stderr
    return url


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return loaded(tmp_path_factory.mktemp("demo"))


def test_recorded_at_spreads_over_the_months_with_late_and_retracted_entries(
        demo_url: str) -> None:
    ledger = open_ledger(demo_url)
    try:
        events = [recorded.event for client in demo_clients()
                  for recorded in ledger.stream(client.ref)]
    finally:
        ledger.close()
    recorded = [event.recorded_at for event in events]
    days = {moment.date() for moment in recorded}
    assert len(days) >= 100  # recorded on many days, not in one batch
    assert max(recorded) <= close_of(TODAY)
    assert min(days) <= TODAY - timedelta(days=365)
    lags = [(e.recorded_at.date() - e.occurred_on).days for e in events]
    assert min(lags) == 0
    assert max(lags) >= 7  # the payment found a week late
    assert sum(lag > 0 for lag in lags) >= 50  # meetings and bank statements the next day
    retractions = [e for e in events if type(e).__name__ == "EntryRetracted"]
    assert len(retractions) == 1


def client_json(url: str, *extra: str) -> dict[str, object]:
    done = run("client", "demo-tallis", "--as-of", TODAY.isoformat(), "--json",
               "--database", url, *extra)
    assert done.returncode == 0, done.stderr
    answer: dict[str, object] = json.loads(done.stdout)
    return answer


def test_known_at_answers_what_the_ledger_knew_then(demo_url: str) -> None:
    now = client_json(demo_url)
    # PAY-6, 2,500.00 of 2026-11-12, was recorded on 2026-11-19: a week before, the ledger
    # knew 20,500.00 - 2,500.00 = 18,000.00 received, and one event less
    then = client_json(demo_url, "--known-at", "2026-11-14T12:00:00")
    assert now["payments"]["received"] == "20500.00"  # type: ignore[index]
    assert then["payments"]["received"] == "18000.00"  # type: ignore[index]
    assert then["version"] == now["version"] - 1  # type: ignore[operator]
    # on 2026-10-09 the wrong 5,400.00 (recorded 10-08, retracted 10-10) still counted and
    # the right 4,500.00 was not known yet: 5,000 + 4,000 + 4,500 + 5,400 = 18,900.00
    wrong = client_json(demo_url, "--known-at", "2026-10-09T12:00:00")
    assert wrong["payments"]["received"] == "18900.00"  # type: ignore[index]


def test_two_loads_with_the_same_today_give_identical_figures(
        demo_url: str, tmp_path: Path) -> None:
    other = loaded(tmp_path)
    assert client_json(other) == client_json(demo_url)
    for command in (["portfolio", "--json", "--as-of", TODAY.isoformat()],
                    ["history", "demo-tallis"]):
        first, second = (run(*command, "--database", url) for url in (demo_url, other))
        assert first.returncode == second.returncode == 0, first.stderr + second.stderr
        assert first.stdout == second.stdout


def test_a_today_in_the_future_is_refused(tmp_path: Path) -> None:
    later = datetime.now(UTC).date() + timedelta(days=2)
    done = run("demo", "--today", later.isoformat(), "--database",
               f"sqlite:///{tmp_path}/demo.db")
    assert done.returncode == 2
    assert "after today" in done.stderr
    assert not (tmp_path / "demo.db").exists()
