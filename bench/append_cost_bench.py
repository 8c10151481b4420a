"""What audit-grade history costs appends: throughput with the personal fields sealed and
the Merkle tree kept, against the same feed appended with both off, in the same run; and
the bytes encryption adds per event.

    .venv/bin/python bench/append_cost_bench.py [--events 8000] [--clients 100] [--rounds 4]

For each store (a fresh SQLite file, a fresh PostgreSQL schema in a scratch database,
created and dropped) it appends the same generated feed in batches of 100 through the
ledger, four ways, on fresh stores, after a warm-up round of each; in each round every way
goes once, a different one first each round (medians of the rounds):

- off: the personal fields written in plaintext, as before encryption, and no tree;
- sealed: the personal fields in envelopes, no tree;
- sealed + tree, worker process: and the tree kept by a worker in its own process (as
  `palabra project` keeps it beside the API processes: the deployment of
  docker-compose.yml), the notary's round every 50 ms;
- sealed + tree, worker thread: the same worker as a thread of the appending process (as
  `palabra serve` runs it when it is the only process, the embedded default).

It prints each rate, its ratio to off, the worker's CPU time per event and how long the
tree took to catch up after the last append; then the stored event size with and without
envelopes and the key store's size, per event.  About two minutes here.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.generate import feed
from bench.projections_bench import store
from domain.entries import Entry
from domain.ledger import Ledger, utc_now
from projections.audit.checkpoints import Signer
from projections.audit.notary import Notary
from projections.store import Database, open_ledger, open_view

BATCH = 100
ROUND_SECONDS = 0.05  # the notary's round, as the projection worker waits between rounds
WAYS = ("off", "sealed", "sealed + tree, worker process", "sealed + tree, worker thread")


def entries(clients: int, events: int) -> list[Entry]:
    return [Entry(line["type"], line["clientRef"], line["data"], line["occurredOn"])
            for line in feed(clients, events)]


def plaintext(ledger: Ledger) -> Ledger:
    """The ledger writing personal fields as it did before encryption (the baseline)."""
    ledger._seal = lambda *args, **kwargs: None  # type: ignore[method-assign]
    return ledger


def keep_tree(url: str, ready: Any, stop: Any, head: Any, cpu: Any) -> None:
    """The projection worker's tree work: extend the tree and issue checkpoints, every
    round, until `stop` is set and the tree holds `head` events; `cpu`: the seconds of
    CPU the rounds took (this thread's)."""
    ledger, view = open_ledger(url, utc_now), open_view(url)
    signer = Signer(Ed25519PrivateKey.generate())
    notary = Notary(ledger, view, lambda: signer, utc_now, interval=1.0)
    notary.keep_up(ledger.recorder.max_notification_id())
    ready.set()
    started = time.thread_time()
    try:
        while not (stop.is_set() and view.tree_size() >= head.value > 0):
            notary.keep_up(ledger.recorder.max_notification_id())
            stop.wait(ROUND_SECONDS)
        cpu.value = time.thread_time() - started
    finally:
        ledger.close()
        view.close()


@contextmanager
def tree_worker(url: str, way: str) -> Iterator[Callable[[int], tuple[float, float]]]:
    """The tree kept alongside, as `way` says; yields `caught_up(head)`: the seconds the
    tree then took to hold `head` events, and the CPU seconds the worker took."""
    if "tree" not in way:
        yield lambda head: (0.0, 0.0)
        return
    if way.endswith("process"):
        context = multiprocessing.get_context("spawn")
        ready, stop = context.Event(), context.Event()
        head, cpu = context.Value("q", 0), context.Value("d", 0.0)
        worker: Any = context.Process(target=keep_tree, args=(url, ready, stop, head, cpu))
    else:
        ready, stop = threading.Event(), threading.Event()  # type: ignore[assignment]
        head, cpu = multiprocessing.Value("q", 0), multiprocessing.Value("d", 0.0)
        worker = threading.Thread(target=keep_tree, args=(url, ready, stop, head, cpu))
    worker.start()
    ready.wait()  # started (a process imports Palabra first), off the clock

    def caught_up(events: int) -> tuple[float, float]:
        started = time.perf_counter()
        head.value = events
        stop.set()
        worker.join()
        return time.perf_counter() - started, cpu.value

    try:
        yield caught_up
    finally:
        stop.set()
        worker.join()


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


def one_round(url: str, batch: list[Entry], way: str
              ) -> tuple[float, tuple[float, float], tuple[int, ...]]:
    ledger = open_ledger(url)  # makes the tables before a worker opens the store
    if way == "off":
        plaintext(ledger)
    try:
        with tree_worker(url, way) as caught_up:
            started = time.perf_counter()
            for start in range(0, len(batch), BATCH):
                ledger.append(batch[start:start + BATCH])
            seconds = time.perf_counter() - started
            lag = caught_up(ledger.recorder.max_notification_id() or 0)
    finally:
        ledger.close()
    return seconds, lag, stored_sizes(Database.parse(url))


@contextmanager
def stores(tmp: str) -> Iterator[Iterator[tuple[str, str]]]:
    """Fresh store URLs, one a call: ("SQLite", url) or ("PostgreSQL", url), the latter
    schemas of one scratch database (`bench.projections_bench.store`)."""
    with store("postgres", tmp) as server:

        def fresh() -> Iterator[tuple[str, str]]:
            n = 0
            while True:
                n += 1
                yield "SQLite", f"sqlite:///{tmp}/bench-{n}.db"
                yield "PostgreSQL", f"{server}?schema=s{n}"

        yield fresh()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=8000)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    batch = entries(args.clients, args.events)
    rates: dict[tuple[str, str], list[float]] = {}
    lags: dict[tuple[str, str], list[float]] = {}
    cpus: dict[tuple[str, str], list[float]] = {}
    sizes: dict[tuple[str, str], tuple[int, ...]] = {}
    with tempfile.TemporaryDirectory() as tmp, stores(tmp) as fresh:
        os.chdir(tmp)  # PostgreSQL's default master key file goes here
        for way in WAYS:  # warm-up, not counted: imports, caches, the first connections
            for _store in range(2):
                one_round(next(fresh)[1], batch[:len(batch) // 10], way)
        for n in range(args.rounds):
            for way in WAYS[n % len(WAYS):] + WAYS[:n % len(WAYS)]:  # each goes first in turn
                for _store in range(2):
                    store, url = next(fresh)
                    seconds, (lag, cpu), sizes[(store, way)] = one_round(url, batch, way)
                    rates.setdefault((store, way), []).append(len(batch) / seconds)
                    lags.setdefault((store, way), []).append(lag)
                    cpus.setdefault((store, way), []).append(cpu / len(batch))
    print(f"{len(batch)} events over {args.clients} clients, batches of {BATCH}, "
          f"median of {args.rounds} rounds, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.2f}")
    print(f"| store | {' | '.join(WAYS)} |")
    print(f"|---|{'---|' * len(WAYS)}")
    for store in ("SQLite", "PostgreSQL"):
        off = statistics.median(rates[(store, "off")])
        cells = [f"{off:,.0f} events/s"]
        for way in WAYS[1:]:
            rate = statistics.median(rates[(store, way)])
            lag = statistics.median(lags[(store, way)])
            cpu = statistics.median(cpus[(store, way)]) * 1e6
            cells.append(f"{rate:,.0f} events/s (**{rate / off:.2f}**)"
                         + (f"; tree {cpu:.0f} µs of CPU an event, caught up {lag:.2f} s "
                            "after the last append" if "tree" in way else ""))
        print(f"| {store} | {' | '.join(cells)} |")
    print("\n| store | stored event, off | sealed | added per event | key store per event |")
    print("|---|---|---|---|---|")
    for store in ("SQLite", "PostgreSQL"):
        count, plain_bytes, _ = sizes[(store, "off")]
        _, sealed_bytes, key_bytes = sizes[(store, "sealed")]
        print(f"| {store} | {plain_bytes / count:.0f} B | {sealed_bytes / count:.0f} B | "
              f"{(sealed_bytes - plain_bytes) / count:.0f} B | {key_bytes / count:.1f} B |")


if __name__ == "__main__":
    main()
