"""Tamper-evidence benchmarks: what the Merkle tree costs appends, how fast `verify` and the
proofs are, and what the tree adds to the database.

    .venv/bin/python bench/audit_bench.py [--events 1000000] [--appends 20000]
                                          [--store sqlite|postgres|both]

For each store (a fresh SQLite file; a scratch PostgreSQL database created and dropped):

- append throughput, batches of 100 generated events through `Ledger.append`, with the
  tree maintained (a worker thread running the notary's round, as `palabra project` does,
  every 50 ms) and without, alternating three rounds of each in the same run: medians;
- then the log is filled up to `--events` by bulk-loading stored rows as the database's
  owner (COPY on PostgreSQL, the triggers off; appending a million events one batch at a
  time would take longer than the measurement), the tree is built (`Notary.extend`) and a
  checkpoint issued;
- `verify` of the whole store (`verify_store`: every leaf, every node, every checkpoint);
- 1,000 inclusion proofs of random positions and 1,000 consistency proofs from random
  sizes, at the full size: p50 and p99;
- bytes the tree adds per event (PostgreSQL: the tree tables' total relation size;
  SQLite: the file's pages used by them, from `dbstat` when compiled in, else the growth
  of the file while the tree is built).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.generate import feed
from bench.projections_bench import store
from domain.entries import Entry
from domain.ledger import Ledger, utc_now
from domain.values import stream_id
from projections.audit.checkpoints import Signer
from projections.audit.notary import Notary
from projections.audit.verification import verify_store
from projections.store import ClientsView, Database, open_ledger, open_view

BATCH = 100
ROUNDS = 3
PROOFS = 1000
TREE_TABLES = ("palabra_tree_leaves", "palabra_tree_nodes", "palabra_checkpoints")


def append_rate(ledger: Ledger, entries: list[Entry]) -> float:
    started = time.perf_counter()
    for start in range(0, len(entries), BATCH):
        ledger.append(entries[start:start + BATCH])
    return len(entries) / (time.perf_counter() - started)


def appends(ledger: Ledger, notary: Notary, total: int) -> tuple[float, float]:
    """Median events/s without and with the tree maintained alongside (`total` events a
    round)."""
    lines = list(feed(max(10, total * 2 * ROUNDS // 20), total * 2 * ROUNDS, seed=3))
    entries = [Entry(x["type"], x["clientRef"], x["data"], x["occurredOn"]) for x in lines]
    per_round = len(entries) // (2 * ROUNDS)
    without, with_tree = [], []
    for n in range(2 * ROUNDS):
        chunk = entries[n * per_round:(n + 1) * per_round]
        if n % 2 == 0:
            without.append(append_rate(ledger, chunk))
            notary.extend()  # the tree catches up between rounds, off the clock
            continue
        stop = threading.Event()

        def keep_up(stop: threading.Event = stop) -> None:
            while not stop.is_set():
                notary.keep_up(ledger.recorder.max_notification_id())
                stop.wait(0.05)

        worker = threading.Thread(target=keep_up)
        worker.start()
        with_tree.append(append_rate(ledger, chunk))
        stop.set()
        worker.join()
    return statistics.median(without), statistics.median(with_tree)


def bulk_fill(url: str, head: int, events: int) -> None:
    """Stored rows up to `events`, written as the owner (a ContactLogged per row)."""
    rng = random.Random(5)
    clients = max(1, events // 100)
    versions: dict[int, int] = {}
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = []
    for n in range(head + 1, events + 1):
        c = rng.randrange(clients)
        versions[c] = versions.get(c, 1000) + 1
        ref = f"bulk-{c:06d}"
        moment = start + timedelta(seconds=n)
        state = {"timestamp": moment.isoformat(), "client_ref": ref,
                 "occurred_on": moment.date().isoformat(), "actor": "bench",
                 "idempotency_key": None, "request_digest": f"{n:064x}",
                 "contact_id": f"K-{n}", "channel": "EMAIL", "direction": "OUTBOUND",
                 "purpose": "COLLECTION", "summary": "a conversation about invoice "
                 f"INV-{n}", "answered": n % 2 == 0}
        rows.append((stream_id(ref), versions[c], "palabra:ContactLogged",
                     json.dumps(state, separators=(",", ":")).encode()))
    database = Database.parse(url)
    if database.backend == "sqlite":
        with sqlite3.connect(database.path) as conn:
            conn.execute("DROP TRIGGER IF EXISTS stored_events_stamped")
            conn.executemany("INSERT INTO stored_events (originator_id, originator_version, "
                             "topic, state) VALUES (?, ?, ?, ?)",
                             [(i.hex, v, t, s) for i, v, t, s in rows])
        return
    with database.connect(autocommit=True) as conn:
        conn.execute("ALTER TABLE palabra_events DISABLE TRIGGER ALL")
        with conn.cursor() as curs, curs.copy(
                "COPY palabra_events (originator_id, originator_version, topic, state) "
                "FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        conn.execute("ALTER TABLE palabra_events ENABLE TRIGGER ALL")
        conn.execute("ANALYZE")


def tree_bytes(url: str, view: ClientsView, before_file: int) -> int:
    database = Database.parse(url)
    if database.backend == "postgres":
        with database.connect() as conn:
            return sum(int(conn.execute("SELECT pg_total_relation_size(%s)", (t,))
                           .fetchone()[0]) for t in TREE_TABLES)  # type: ignore[index]
    with sqlite3.connect(database.path) as conn:
        try:
            found = conn.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE "
                                 "'palabra_tree%' OR name LIKE 'palabra_checkpoints%' OR "
                                 "name LIKE 'sqlite_autoindex_palabra_tree%'").fetchone()
            return int(found[0] or 0)
        except sqlite3.OperationalError:  # no dbstat in this build
            return os.path.getsize(database.path) - before_file


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered) * 1000:6.2f} ms, p99 {p99 * 1000:6.2f} ms"


def run(kind: str, events: int, appended: int) -> None:
    with tempfile.TemporaryDirectory() as folder, store(kind, folder) as url:
        ledger, view = open_ledger(url, utc_now), open_view(url)
        signer = Signer(Ed25519PrivateKey.generate())
        notary = Notary(ledger, view, lambda: signer, utc_now, interval=1.0)
        try:
            without, with_tree = appends(ledger, notary, appended)
            head = ledger.recorder.max_notification_id() or 0
            bulk_fill(url, head, max(events, head))
            before_file = (os.path.getsize(Database.parse(url).path) if kind == "sqlite"
                           else 0)
            before = view.tree_size()
            started = time.perf_counter()
            size = notary.extend()
            built = time.perf_counter() - started
            added = size - before
            notary.issue()
            started = time.perf_counter()
            verdict = verify_store(ledger, view, signer.public)
            verified = time.perf_counter() - started
            assert verdict.first is None, verdict.first
            rng = random.Random(1)
            inclusion, consistency = [], []
            for _ in range(PROOFS):
                position = rng.randint(1, size)
                started = time.perf_counter()
                notary.inclusion(position)
                inclusion.append(time.perf_counter() - started)
                old = rng.randint(1, size)
                started = time.perf_counter()
                notary.consistency(old)
                consistency.append(time.perf_counter() - started)
            per_event = tree_bytes(url, view, before_file) / size
        finally:
            ledger.close()
            view.close()
    cost = 1 - with_tree / without
    print(f"\n{kind}: {size:,} events")
    print(f"| append, batches of {BATCH}, tree not maintained | {without:,.0f} events/s |")
    print(f"| the same, tree maintained by the worker alongside | {with_tree:,.0f} events/s "
          f"(cost {cost:.1%}) |")
    print(f"| adding {added:,} bulk-loaded events to the tree (`Notary.extend`) | "
          f"{built:.1f} s ({added / built:,.0f} events/s) |")
    print(f"| `verify` of {size:,} events | {verified:.1f} s ({size / verified:,.0f} events/s) |")
    print(f"| inclusion proof at {size:,} | {percentiles(inclusion)} |")
    print(f"| consistency proof at {size:,} | {percentiles(consistency)} |")
    print(f"| bytes the tree adds per event | {per_event:,.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--appends", type=int, default=5_000,
                        help="events appended in each of the 2 × 3 rounds")
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
          f"{date.today().isoformat()}")
    for kind in (["sqlite", "postgres"] if args.store == "both" else [args.store]):
        run(kind, args.events, args.appends)


if __name__ == "__main__":
    main()
