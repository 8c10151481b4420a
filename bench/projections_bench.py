"""Read-model benchmarks: rebuild speed, figure and portfolio latency, live lag.

    .venv/bin/python bench/projections_bench.py [--events 1000000] [--clients 10000]
                                                [--store sqlite|postgres|both] [--rounds 3]

For each store (a fresh SQLite file; a scratch PostgreSQL database created and
dropped) it loads a generated ledger plus one client with 5,000 events, then
measures, one run each (timings on a shared 2-core machine are noisy):

- rebuild from the first event, in one process and with two worker processes, beside
  merely reading the log with the library (`select_notifications`, pages of 500): each
  of the three in every round (`--rounds`, default 3), medians;
- figures of the 5,000-event client: cold (state read from the view and figures
  computed) and as served (the read side's version-keyed cache);
- a page of 50 clients sorted by score, after the index of the day is built;
- live lag: a `palabra project` worker in its own process, appends one at a time,
  time until the read model's position covers each append.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.generate import client_events, feed
from domain.entries import Entry
from domain.ledger import Ledger
from projections.figures import figures
from projections.indexer import refresh_index
from projections.projector import Projector
from projections.read_model import ReadModel
from projections.store import INDEX_DAYS, ClientsView, Database, open_ledger, open_view

ADMIN_URL = os.environ.get("PALABRA_TEST_POSTGRES_URL",
                           "postgresql://postgres@127.0.0.1:5432/postgres")
TODAY = date(2026, 11, 22)
BIG = "bench-big"  # the client of 5,000 events every load adds


def clock() -> datetime:
    return datetime(2026, 11, 22, 12, tzinfo=UTC)


@contextmanager
def store(kind: str, folder: str) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder}/bench.db"
        return
    admin = Database.parse(ADMIN_URL)
    name = f"palabra_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect(autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered) * 1000:7.2f} ms   p99 {p99 * 1000:7.2f} ms"


def timed(call: Callable[[], object], times: int) -> list[float]:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def load(url: str, events: int, clients: int) -> int:
    ledger = open_ledger(url, clock, extra_env={"STREAM_CACHE_SIZE": str(clients + 10)})
    try:
        batch: list[Entry] = []
        count = 0
        big = (line for _, line in client_events(BIG, 5000, random.Random(5),
                                                 start=date(2024, 1, 1), steps=(0, 0, 0, 0, 1)))
        for line in (*feed(clients, events), *big):
            batch.append(Entry(line["type"], line["clientRef"], line["data"], line["occurredOn"]))
            if len(batch) == 5000:
                ledger.append(batch)
                count += len(batch)
                batch = []
        if batch:
            ledger.append(batch)
            count += len(batch)
        return count
    finally:
        ledger.close()


def read_the_log(ledger: Ledger, page: int = 500) -> float:
    """Events/s of merely reading every stored event in order, as the library reads them
    (no decoding): the rebuild's peer."""
    started, after, count = time.perf_counter(), 0, 0
    while found := ledger.recorder.select_notifications(after + 1, page):
        count += len(found)
        after = found[-1].id
    return count / (time.perf_counter() - started)


def run(kind: str, events: int, clients: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder, store(kind, folder) as url:
        started = time.perf_counter()
        loaded = load(url, events, clients)
        print(f"\n== {kind}: {loaded:,} events over {clients + 1:,} clients "
              f"(loaded in {time.perf_counter() - started:.0f} s)")
        ledger, view = open_ledger(url, clock), open_view(url)
        projector = Projector(ledger, view, url=url)
        rates: dict[str, list[float]] = {"read": [], "1": [], "2": []}
        for _ in range(rounds):  # the peer, then each rebuild, in every round
            rates["read"].append(read_the_log(ledger))
            for workers in (1, 2):
                rates[str(workers)].append(
                    projector.rebuild(workers=workers).events_per_second)
        reading = statistics.median(rates["read"])
        print(f"reading the log with the library (select_notifications, pages of 500), the "
              f"peer: {reading:,.0f} events/s (median of {rounds})")
        for workers in (1, 2):
            rate = statistics.median(rates[str(workers)])
            print(f"rebuild, {workers} process{'es' if workers > 1 else ''}: "
                  f"{rate:,.0f} events/s (×{rate / reading:.2f} the peer; rounds: "
                  f"{', '.join(f'{r:,.0f}' for r in rates[str(workers)])})")
        read = ReadModel(projector)
        state = view.state("bench-big")
        assert state is not None
        print(f"5,000-event client, state read from the view: "
              f"{percentiles(timed(lambda: view.state('bench-big'), 20))}")
        print(f"5,000-event client, figures computed (cold): "
              f"{percentiles(timed(lambda: figures(state, TODAY), 20))}")
        read.client("bench-big", TODAY)
        print(f"5,000-event client, figures as served: "
              f"{percentiles(timed(lambda: read.client('bench-big', TODAY), 300))}")
        started = time.perf_counter()
        built = refresh_index(read, TODAY)
        print(f"portfolio index of the day for {built:,} clients built in "
              f"{time.perf_counter() - started:.1f} s (once a day, by the runner)")
        print(f"page of 50 clients by score: "
              f"{percentiles(timed(lambda: read.clients(TODAY, first=50), 200))}")
        page = read.clients(TODAY, first=50)
        print(f"next page by cursor: "
              f"{percentiles(timed(lambda: read.clients(TODAY, 50, page.end_cursor), 200))}")
        print(f"portfolio summary: {percentiles(timed(lambda: read.portfolio(TODAY), 20))}")
        print(f"live lag, worker in its own process: {live_lag(url, ledger, view)}")
        ledger.close()
        view.close()


def live_lag(url: str, ledger: Ledger, view: ClientsView) -> str:
    worker = subprocess.Popen([str(Path(sys.executable).with_name("palabra")), "project",
                               "--database", url], stderr=subprocess.DEVNULL)
    try:
        head = view.position
        days = [date.today() - timedelta(days=back) for back in range(INDEX_DAYS + 1)]
        deadline = time.monotonic() + 900  # caught up, and the index of its days built
        while head() < (ledger.recorder.max_notification_id() or 0) or any(
                (view.day_marker(day)[1] or 0) < head() for day in days):
            if time.monotonic() > deadline:
                return "the worker did not catch up"
            time.sleep(0.05)
        samples = []
        for n in range(200):
            (done,) = ledger.append([Entry(
                "ContactLogged", f"bench-{n % 100:05d}",
                {"contactId": f"LAG-{n}", "channel": "EMAIL", "direction": "INBOUND",
                 "purpose": "CHECK_IN", "summary": "lag probe"}, "2026-11-21")])
            started = time.perf_counter()
            while head() < done.position:
                time.sleep(0.0005)
            samples.append(time.perf_counter() - started)
            time.sleep(0.01)
        return percentiles(samples)
    finally:
        worker.terminate()
        worker.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of reading the log and rebuilding (medians)")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    for kind in (["sqlite", "postgres"] if args.store == "both" else [args.store]):
        run(kind, args.events, args.clients, args.rounds)


if __name__ == "__main__":
    main()
