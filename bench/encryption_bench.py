"""What encrypting the personal fields costs: append throughput with it on and off, and
the bytes it adds per event.

    .venv/bin/python bench/encryption_bench.py [--events 4000] [--clients 100] [--rounds 3]

For each store (a fresh SQLite file, a fresh PostgreSQL schema in a scratch database,
created and dropped) it appends the same generated feed in batches of 100, through the
ledger, with the personal fields sealed in envelopes (on) and with the ledger writing them
in plaintext as it did before encryption (off), alternating rounds on fresh stores, and
prints the median of each and their ratio; then the stored event size with and without
envelopes and the key store's size, per event.  About a minute here.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.generate import feed
from domain.entries import Entry
from domain.ledger import Ledger
from projections.store import Database, open_ledger

ADMIN_URL = os.environ.get("PALABRA_TEST_POSTGRES_URL",
                           "postgresql://postgres@127.0.0.1:5432/postgres")
BATCH = 100


def entries(clients: int, events: int) -> list[Entry]:
    return [Entry(line["type"], line["clientRef"], line["data"], line["occurredOn"])
            for line in feed(clients, events)]


def plaintext(ledger: Ledger) -> Ledger:
    """The ledger writing personal fields as it did before encryption (the baseline)."""
    ledger._seal = lambda *args, **kwargs: None  # type: ignore[method-assign]
    return ledger


def stored_sizes(database: Database) -> tuple[int, int, int]:
    """Events, their stored bytes, the key store's bytes."""
    if database.backend == "sqlite":
        import sqlite3

        with sqlite3.connect(database.path) as conn:
            count, size = conn.execute("SELECT count(*), sum(length(state)) "
                                       "FROM stored_events").fetchone()
        keys = Path(f"{database.path}.keys")
        return count, size, keys.stat().st_size if keys.exists() else 0
    with database.connect() as conn:
        schema = database.schema
        count, size = conn.execute(sql.SQL("SELECT count(*), sum(length(state)) FROM {}.{}")
                                   .format(sql.Identifier(schema),
                                           sql.Identifier("palabra_events"))).fetchone()
        (keys,) = conn.execute("SELECT pg_total_relation_size(%s::regclass)",
                               (f"{schema}.palabra_data_keys",)).fetchone()
    return count, size, keys


def one_round(url: str, batch: list[Entry], sealed: bool) -> tuple[float, tuple[int, ...]]:
    ledger = open_ledger(url)
    if not sealed:
        plaintext(ledger)
    try:
        started = time.perf_counter()
        for start in range(0, len(batch), BATCH):
            ledger.append(batch[start:start + BATCH])
        seconds = time.perf_counter() - started
    finally:
        ledger.close()
    return seconds, stored_sizes(Database.parse(url))


@contextmanager
def stores(tmp: str) -> Iterator[Iterator[tuple[str, str]]]:
    """Fresh store URLs, one a call: ("SQLite", url) or ("PostgreSQL", url)."""
    admin = Database.parse(ADMIN_URL)
    name = f"palabra_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect(autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    server = ADMIN_URL.rsplit("/", 1)[0] + "/" + name

    def fresh() -> Iterator[tuple[str, str]]:
        n = 0
        while True:
            n += 1
            yield "SQLite", f"sqlite:///{tmp}/bench-{n}.db"
            yield "PostgreSQL", f"{server}?schema=s{n}"

    try:
        yield fresh()
    finally:
        with admin.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    batch = entries(args.clients, args.events)
    results: dict[tuple[str, bool], list[float]] = {}
    sizes: dict[tuple[str, bool], tuple[int, ...]] = {}
    with tempfile.TemporaryDirectory() as tmp, stores(tmp) as fresh:
        os.chdir(tmp)  # PostgreSQL's default master key file goes here
        for _ in range(args.rounds):
            for sealed in (True, False):
                for _store in range(2):
                    store, url = next(fresh)
                    seconds, sizes[(store, sealed)] = one_round(url, batch, sealed)
                    results.setdefault((store, sealed), []).append(seconds)
    print(f"{len(batch)} events over {args.clients} clients, batches of {BATCH}, "
          f"median of {args.rounds} rounds")
    print(f"{'store':<12}{'off ev/s':>10}{'on ev/s':>10}{'on/off':>8}"
          f"{'event B off':>13}{'event B on':>12}{'+B/event':>10}{'keys B/event':>14}")
    for store in ("SQLite", "PostgreSQL"):
        off = len(batch) / statistics.median(results[(store, False)])
        on = len(batch) / statistics.median(results[(store, True)])
        count, plain_bytes, _ = sizes[(store, False)]
        _, sealed_bytes, key_bytes = sizes[(store, True)]
        row: list[Any] = [store, off, on, on / off, plain_bytes / count, sealed_bytes / count,
                          (sealed_bytes - plain_bytes) / count, key_bytes / count]
        print(f"{row[0]:<12}{row[1]:>10,.0f}{row[2]:>10,.0f}{row[3]:>8.2f}{row[4]:>13.0f}"
              f"{row[5]:>12.0f}{row[6]:>10.0f}{row[7]:>14.1f}")


if __name__ == "__main__":
    main()
