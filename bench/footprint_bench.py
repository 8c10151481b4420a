"""Memory and growth: what the processes hold at a million events, and how a client read
and a rebuild grow with the ledger.

    .venv/bin/python bench/footprint_bench.py memory [--store postgres] [--events 1000000]
                                                     [--clients 10000] [--caches 50000,5000]
    .venv/bin/python bench/footprint_bench.py growth [--store sqlite] [--steps 1000,10000,100000]

memory: a fresh store loaded with `--events` generated events over `--clients` clients
(plus one client of 5,000 events, as `bench/projections_bench.py` loads it), then

- `palabra project` started on it with no read models: it folds every client, builds the
  Merkle tree (the first run) and the portfolio index of today and of the past days of its
  horizon, which reaches back to the bench's day (`PALABRA_INDEX_DAYS`); its peak resident memory
  (VmHWM) and its resident memory once it has caught up (VmRSS); once for each
  `--caches` (PALABRA_PROJECTION_CACHE: the client states it keeps in memory), the read
  models emptied in between;
- `palabra serve` (the worker beside it, as above) answering 5,000 client cards of random
  clients, then 20 portfolio pages of 50 and summaries: the same two figures.

growth: for each number of clients in `--steps`, a fresh store of ten events a client,
rebuilt in one process (events/s: is the rebuild linear in events?), then 300 random
clients read (`ReadModel.client`, every figure as of the day): the first read of each
(cold: the state read and the figures computed) and the second (served from the cache),
p50 and p99.  Both about 10 minutes here.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

import httpx2 as httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.generate import feed
from bench.projections_bench import TODAY, clock, load, percentiles, store
from domain.entries import Entry
from projections.projector import Projector
from projections.read_model import ReadModel
from projections.store import open_ledger, open_view

KEY = "bench-admin-" + uuid.uuid4().hex
PORT = 8766
CARD = """query Card($ref: ID!) { client(ref: $ref, asOf: "2026-11-22") {
  ref name version trust { score band } payments { outstanding overdue }
  signals { kind since } } }"""
PAGE = """{ clients(first: 50, asOf: "2026-11-22") { edges { node { ref trust { score } } } }
  portfolio(asOf: "2026-11-22") { clients } }"""


def memory_of(pid: int) -> tuple[float, float]:
    """Peak and current resident memory of a process, in MB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text()
                  .splitlines() if ":" in line)
    return (int(fields["VmHWM"].split()[0]) / 1024, int(fields["VmRSS"].split()[0]) / 1024)


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 3600) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            raise RuntimeError(f"{what}: not within {seconds:.0f} s")
        time.sleep(0.5)
    return time.monotonic() - started


def memory(kind: str, events: int, clients: int, caches: list[int]) -> None:
    palabra = str(Path(sys.executable).with_name("palabra"))
    with tempfile.TemporaryDirectory() as folder, store(kind, folder) as url:
        os.chdir(folder)  # PostgreSQL's default master key file: one for every process here
        started = time.perf_counter()
        loaded = load(url, events, clients)
        print(f"{kind}: {loaded:,} events over {clients + 1:,} clients, loaded in "
              f"{time.perf_counter() - started:.0f} s")
        horizon = max(7, (date.today() - TODAY).days)  # the worker's days reach the bench's
        env = {**os.environ, "PALABRA_DATABASE_URL": url, "PALABRA_RUN_PROJECTIONS": "false",
               "PALABRA_INDEX_DAYS": str(horizon),
               "PALABRA_API_KEYS": f"bench:admin:{KEY}", "PALABRA_LOG_LEVEL": "WARNING"}
        ledger, view = open_ledger(url, clock), open_view(url)
        head = ledger.recorder.max_notification_id() or 0
        processes: list[subprocess.Popen[bytes]] = []
        try:
            for cache in caches:
                if processes:  # the read models from the start again (the tree stays)
                    last = processes.pop()
                    last.terminate()
                    last.wait()
                    view.reset()
                processes.append(subprocess.Popen(
                    [palabra, "project"], env={**env, "PALABRA_PROJECTION_CACHE": str(cache)},
                    stderr=subprocess.DEVNULL))
                folded = wait_for(lambda: view.position() >= head, "the worker's fold")
                built = wait_for(lambda: view.tree_size() >= head, "the worker's tree")
                indexed = wait_for(lambda: (view.day_marker(TODAY)[1] or 0) >= head,
                                   f"the worker's index of {TODAY}")
                peak, now = memory_of(processes[-1].pid)
                print(f"| projection worker, PALABRA_PROJECTION_CACHE={cache:,}: folded "
                      f"{head:,} events in {folded:.0f} s"
                      + (f", then the tree in {built:.0f} s" if built > 1 else "")
                      + f", then the index of {horizon + 1} days in {indexed:.0f} s"
                      + f" | peak {peak:,.0f} MB | then {now:,.0f} MB |", flush=True)
            processes.append(subprocess.Popen(  # a page the index lacks is computed: time
                [palabra, "serve", "--port", str(PORT)], env={**env, "PALABRA_DB_TIMEOUT": "120"},
                cwd=folder, stderr=subprocess.DEVNULL))
            base = f"http://127.0.0.1:{PORT}/graphql"
            headers = {"Authorization": f"Bearer {KEY}"}

            def up() -> bool:
                try:
                    return httpx.post(base, json={"query": "{ __typename }"}, headers=headers,
                                      timeout=2).status_code == 200
                except httpx.HTTPError:
                    return False

            wait_for(up, "the server's start", 120)
            rng = random.Random(3)  # the API process, beside the last worker
            with httpx.Client(headers=headers, timeout=300) as client:
                for _ in range(5000):
                    ref = f"bench-{rng.randrange(clients):05d}"
                    answer = client.post(base, json={"query": CARD,
                                                     "variables": {"ref": ref}}).json()
                    assert "errors" not in answer, answer
                peak, now = memory_of(processes[-1].pid)
                print(f"| API process, after 5,000 client cards (the default read cache) | "
                      f"peak {peak:,.0f} MB | then {now:,.0f} MB |", flush=True)
                for _ in range(20):  # cold if the worker has not indexed the day yet
                    answer = client.post(base, json={"query": PAGE}).json()
                    assert "errors" not in answer, answer
            peak, now = memory_of(processes[-1].pid)
            print(f"| API process, then 20 pages and summaries | peak {peak:,.0f} MB "
                  f"| then {now:,.0f} MB |")
        finally:
            for process in processes:
                process.terminate()
                process.wait()
            ledger.close()
            view.close()


def growth(kind: str, steps: list[int]) -> None:
    print(f"{kind}: ten events a client")
    print("| clients | events | rebuild, 1 process | first read p50 / p99 | "
          "served p50 / p99 |")
    print("|---|---|---|---|---|")
    for clients in steps:
        with tempfile.TemporaryDirectory() as folder, store(kind, folder) as url:
            os.chdir(folder)
            ledger = open_ledger(url, clock, extra_env={"STREAM_CACHE_SIZE": "20000"})
            batch: list[Entry] = []
            for line in feed(clients, clients * 10):
                batch.append(Entry(line["type"], line["clientRef"], line["data"],
                                   line["occurredOn"]))
                if len(batch) == 5000:
                    ledger.append(batch)
                    batch = []
            if batch:
                ledger.append(batch)
            view = open_view(url)
            projector = Projector(ledger, view, url=url)
            done = projector.rebuild(workers=1)
            read = ReadModel(projector)
            refs = random.Random(4).sample(range(clients), min(300, clients))
            first: list[float] = []
            served: list[float] = []
            for n in refs:
                for samples in (first, served):
                    started = time.perf_counter()
                    read.client(f"bench-{n:05d}", TODAY)
                    samples.append(time.perf_counter() - started)
            print(f"| {clients:,} | {done.events:,} | {done.seconds:.1f} s "
                  f"({done.events_per_second:,.0f} events/s) | "
                  f"{percentiles(first)} | {percentiles(served)} |")
            ledger.close()
            view.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("part", choices=["memory", "growth"])
    parser.add_argument("--store", choices=["sqlite", "postgres"])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--steps", default="1000,10000,100000")
    parser.add_argument("--caches", default="50000,5000",
                        help="memory: PALABRA_PROJECTION_CACHE of each worker run")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
          f"{date.today().isoformat()}, load average {os.getloadavg()[0]:.2f}")
    if args.part == "memory":
        memory(args.store or "postgres", args.events, args.clients,
               [int(cache) for cache in args.caches.split(",")])
    else:
        growth(args.store or "sqlite", [int(step) for step in args.steps.split(",")])
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
