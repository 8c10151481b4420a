"""Bulk appends in process, beside their peers in the same run: the ledger, the raw
eventsourcing library saving the same payloads, and a psycopg COPY of the same rows.

    .venv/bin/python bench/bulk_append_bench.py [--events 100000] [--clients 1000]
        [--batch 500] [--rounds 3] [--store postgres|sqlite]

The generated feed (`bench.generate`) is appended in batches, three ways, each on a fresh
store, every round (a different one first each round; medians of the rounds):

- palabra: `Ledger.append(batch)`, as `palabra import` and GraphQL `append` call it: each
  entry parsed and checked against the client's standing, personal fields sealed with
  the client's key, one transaction a batch;
- the library (the peer): plain eventsourcing aggregates, one per client, one event per
  line carrying its `data` as it is; the batch's aggregates saved with one
  `save(*aggregates)`: no rules, no sealing;
- COPY (PostgreSQL only): the rows palabra stored, written again with a binary `COPY` into
  a table like the events table with no trigger, one transaction a batch: the physical
  limit of getting those bytes into the database.

It prints events/s, and each one's ratio to the library.  A few minutes here.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.generate import feed
from bench.projections_bench import store
from domain.entries import Entry
from domain.ledger import utc_now
from projections.store import Database, open_ledger

Lines = list[dict[str, Any]]


class Plain(Aggregate):
    """A client as the library's peer keeps it: what happened, without rules."""

    @event("Onboarded")
    def __init__(self, ref: str, data: dict[str, Any]) -> None:
        self.ref = ref

    @event("Happened")
    def happened(self, type_: str, occurred_on: str, data: dict[str, Any]) -> None:
        pass


def batches(lines: Lines, size: int) -> list[Lines]:
    return [lines[i:i + size] for i in range(0, len(lines), size)]


def with_palabra(url: str, lines: Lines, size: int) -> float:
    ledger = open_ledger(url, utc_now)
    try:
        entries = [[Entry(line["type"], line["clientRef"], line["data"], line["occurredOn"])
                    for line in batch] for batch in batches(lines, size)]
        started = time.perf_counter()
        for batch in entries:
            ledger.append(batch)
        return time.perf_counter() - started
    finally:
        ledger.close()


def with_the_library(url: str, lines: Lines, size: int) -> float:
    database = Database.parse(url)
    env = {key: value for key, value in database.persistence_env().items()
           if key.startswith(("POSTGRES_", "SQLITE_"))}
    env["PERSISTENCE_MODULE"] = ("eventsourcing.sqlite" if database.backend == "sqlite"
                                 else "eventsourcing.postgres")
    app: Application[Any] = Application(env=env)
    try:
        clients: dict[str, Plain] = {}
        started = time.perf_counter()
        for batch in batches(lines, size):
            touched: dict[str, Plain] = {}
            for line in batch:
                ref = line["clientRef"]
                if ref not in clients:
                    clients[ref] = Plain(ref, line["data"])
                else:
                    clients[ref].happened(line["type"], line["occurredOn"], line["data"])
                touched[ref] = clients[ref]
            app.save(*touched.values())
        return time.perf_counter() - started
    finally:
        app.close()


def with_copy(url: str, rows: Sequence[tuple[Any, ...]], size: int) -> float:
    database = Database.parse(url)
    with database.connect() as conn:
        conn.execute("CREATE TABLE copied (notification_id bigserial PRIMARY KEY, "
                     "originator_id uuid NOT NULL, originator_version bigint NOT NULL, "
                     "topic text, state bytea, "
                     "UNIQUE (originator_id, originator_version))")
        conn.commit()
        started = time.perf_counter()
        for i in range(0, len(rows), size):
            with conn.cursor() as cur, cur.copy(
                    "COPY copied (originator_id, originator_version, topic, state) "
                    "FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(["uuid", "int8", "text", "bytea"])
                for row in rows[i:i + size]:
                    copy.write_row(row)
            conn.commit()
        return time.perf_counter() - started


def stored_rows(url: str) -> list[tuple[Any, ...]]:
    with Database.parse(url).connect() as conn:
        return conn.execute("SELECT originator_id, originator_version, topic, state "
                            "FROM palabra_events ORDER BY notification_id").fetchall()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--store", choices=("postgres", "sqlite"), default="postgres")
    args = parser.parse_args()
    lines = list(feed(args.clients, args.events))
    print(f"{len(lines):,} events over {args.clients:,} clients, batches of {args.batch}, "
          f"{args.store}, {args.rounds} rounds")
    rows: list[tuple[Any, ...]] = []
    with tempfile.TemporaryDirectory() as tmp, store(args.store, tmp) as url:
        with_palabra(url, lines, args.batch)
        if args.store == "postgres":
            rows = stored_rows(url)
    ways: dict[str, Callable[[str], float]] = {
        "palabra": lambda url: with_palabra(url, lines, args.batch),
        "the library (peer)": lambda url: with_the_library(url, lines, args.batch)}
    if rows:
        ways["COPY (the physical limit)"] = lambda url: with_copy(url, rows, args.batch)
    seconds: dict[str, list[float]] = {way: [] for way in ways}
    names = list(ways)
    for round_ in range(args.rounds):
        for way in names[round_ % len(names):] + names[:round_ % len(names)]:
            with tempfile.TemporaryDirectory() as tmp, store(args.store, tmp) as url:
                seconds[way].append(ways[way](url))
    peer = len(lines) / statistics.median(seconds["the library (peer)"])
    print("| way | events/s (median) | ÷ the library |")
    print("|---|---|---|")
    for way in names:
        rate = len(lines) / statistics.median(seconds[way])
        print(f"| {way} | {rate:,.0f} | {rate / peer:.2f} |")


if __name__ == "__main__":
    main()
