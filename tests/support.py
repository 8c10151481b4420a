"""Helpers for tests: a settable clock, entries in a few keystrokes, scenario files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from domain.ledger import Entry, Ledger

REPOSITORY = Path(__file__).resolve().parents[1]
SCENARIOS = REPOSITORY / "examples" / "scenarios"  # the public scenarios, with their figures
CONTRACT = REPOSITORY / "contract" / "schema.graphql"  # the GraphQL contract
# the contract folder the repository's copies come from, when it is beside the repository
SHARED = REPOSITORY.parent / "shared"


@dataclass
class FixedClock:
    """A clock that stands still until a test moves it."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def entry(type_: str, ref: str, on: str | None = None, **data: Any) -> Entry:
    return Entry(type_, ref, data, on)


def onboard(ledger: Ledger, ref: str = "acme", on: str = "2026-01-05", **data: Any) -> None:
    ledger.append([entry("ClientOnboarded", ref, on, **{"name": "Acme Tiles",
                                                        "currency": "EUR", **data})])


def scenario_lines(name: str) -> list[dict[str, Any]]:
    path = SCENARIOS / name
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
