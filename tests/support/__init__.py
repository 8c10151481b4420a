"""Helpers for tests: a settable clock, entries in a few keystrokes, scenario files."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from domain.entries import Entry
from domain.ledger import Ledger
from projections.store import Database

REPOSITORY = Path(__file__).resolve().parents[2]
SCENARIOS = REPOSITORY / "examples" / "scenarios"  # the public scenarios, with their figures
CONTRACT = REPOSITORY / "contract" / "schema.graphql"  # the GraphQL contract
CONTRACT_NEXT = REPOSITORY / "contract" / "schema.next.graphql"  # and its next version
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


def owner_sql(url: str, statement: str, params: tuple[Any, ...] = ()) -> list[Any]:
    """Run `statement` as the store's owner; {events}, {tracking} and {states} name the
    tables, %s the parameters."""
    db = Database.parse(url)
    if db.backend == "sqlite":
        statement = statement.format(events="stored_events", tracking="tracking",
                                     states="palabra_client_states").replace("%s", "?")
        with closing(sqlite3.connect(db.path)) as conn, conn:
            return conn.execute(statement, params).fetchall()
    schema = f'"{db.schema}".'
    statement = statement.format(events=schema + "palabra_events",
                                 tracking=schema + "palabra_clients_tracking",
                                 states=schema + "palabra_client_states")
    with db.connect(autocommit=True) as conn:
        cursor = conn.execute(statement, params)
        return cursor.fetchall() if cursor.description else []
