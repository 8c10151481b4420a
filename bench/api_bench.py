"""The GraphQL API under load, on loopback, against `palabra serve` on PostgreSQL.

    .venv/bin/python bench/api_bench.py [--clients 10000] [--seconds 20] [--connections 16]

Loads a scratch PostgreSQL database with `--clients` clients (about ten events each),
starts `palabra serve` (API keys, the projection worker in a process of its own) and
measures, one run each on this machine (the load generator shares its two cores with
the server and PostgreSQL, so the figures are a floor):

- `client` queries — a frontend's client card (score, band, outstanding, signals) for
  random clients — with `wrk` (throughput and p50/p99 latency);
- `append` throughput with batches of 1 and of 500 events, from 4 concurrent writers;
- then, in this process on the same data, the client card through bare graphql-core,
  strawberry and the whole app (`bench/execution_bench.py`): the served query's cost
  beside a bare graphql-core execution of the same document, measured in one run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import httpx2 as httpx
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.execution_bench import compare
from bench.generate import feed
from domain.entries import Entry
from projections.store import INDEX_DAYS, Database, open_ledger, open_view

ADMIN_URL = os.environ.get("PALABRA_TEST_POSTGRES_URL",
                           "postgresql://postgres@127.0.0.1:5432/postgres")
KEY = "bench-admin-" + uuid.uuid4().hex
PORT = 8765
CLIENT_QUERY = """query Card($ref: ID!) { client(ref: $ref, asOf: "2026-11-22") {
  ref name version trust { score band } payments { outstanding overdue }
  signals { kind } } }"""
WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(key)s"
local query = %(query)s
request = function()
  local ref = string.format("bench-%%05d", math.random(0, %(last)d))
  return wrk.format(nil, "/graphql", nil,
    '{"query": ' .. query .. ', "variables": {"ref": "' .. ref .. '"}}')
end
"""


def load(url: str, clients: int) -> int:
    ledger = open_ledger(url, extra_env={"STREAM_CACHE_SIZE": str(clients + 10)})
    try:
        batch: list[Entry] = []
        count = 0
        for line in feed(clients, clients * 10):
            batch.append(Entry(line["type"], line["clientRef"], line["data"], line["occurredOn"]))
            if len(batch) == 5000:
                ledger.append(batch)
                count, batch = count + len(batch), []
        if batch:
            ledger.append(batch)
            count += len(batch)
        return count
    finally:
        ledger.close()


def wait_for_the_index(url: str) -> float:
    """Until the worker has indexed today and the past days of its horizon (it does so on
    start, when the read models are new): the reads are then measured without it."""
    view = open_view(url)
    started = time.monotonic()
    try:
        days = [date.today() - timedelta(days=back) for back in range(INDEX_DAYS + 1)]
        while any(view.day_marker(day)[1] is None for day in days):
            if time.monotonic() - started > 900:
                raise RuntimeError("the worker did not index its days")
            time.sleep(0.5)
    finally:
        view.close()
    return time.monotonic() - started


def wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            ready = httpx.get(f"{base}/readyz", timeout=2,  # the details need a key
                              headers={"Authorization": f"Bearer {KEY}"}).json()
            if ready.get("projection", {}).get("lag", 1) == 0:
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.5)
    raise RuntimeError("the server did not come up")


def read_load(base: str, clients: int, seconds: int, connections: int) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"key": KEY, "query": json.dumps(json.dumps(CLIENT_QUERY)),
                                   "last": clients - 1})
    done = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency",
                           "-s", script.name, base], capture_output=True, text=True,
                          check=True)
    os.unlink(script.name)
    lines = done.stdout.splitlines()
    rate = next(line for line in lines if line.startswith("Requests/sec"))
    p50 = next(line for line in lines if line.strip().startswith("50%"))
    p99 = next(line for line in lines if line.strip().startswith("99%"))
    errors = [line.strip() for line in lines if "Non-2xx" in line or "errors" in line]
    return (f"{rate.split()[-1]} client queries/s, p50 {p50.split()[-1]}, "
            f"p99 {p99.split()[-1]}" + (f" ({'; '.join(errors)})" if errors else ""))


async def write_load(base: str, batch: int, batches: int, writers: int) -> str:
    headers = {"Authorization": f"Bearer {KEY}"}
    mutation = ("mutation Append($items: [AppendItem!]!) { append(items: $items) "
                "{ events { position } } }")
    latencies: list[float] = []

    async def writer(number: int, client: httpx.AsyncClient) -> None:
        for n in range(batches):
            items = [{"event": {"logContact": {
                "ref": f"bench-{random.randrange(100):05d}",
                "contactId": f"W{batch}-{number}-{n}-{k}", "channel": "EMAIL",
                "direction": "INBOUND", "purpose": "CHECK_IN", "summary": "load test"}},
                "meta": {"occurredOn": "2026-11-21"}} for k in range(batch)]
            started = time.perf_counter()
            answer = await client.post(f"{base}/graphql", headers=headers, timeout=120,
                                       json={"query": mutation, "variables": {"items": items}})
            latencies.append(time.perf_counter() - started)
            if answer.status_code != 200 or "errors" in answer.json():
                raise RuntimeError(answer.text)

    async with httpx.AsyncClient() as client:
        started = time.perf_counter()
        await asyncio.gather(*(writer(w, client) for w in range(writers)))
        elapsed = time.perf_counter() - started
    events = batch * batches * writers
    return (f"batches of {batch}: {events / elapsed:,.0f} events/s "
            f"({len(latencies) / elapsed:,.1f} appends/s, p50 "
            f"{statistics.median(latencies) * 1000:.1f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="API processes")
    args = parser.parse_args()
    admin = Database.parse(ADMIN_URL)
    name = f"palabra_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect(autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    palabra = str(Path(sys.executable).with_name("palabra"))
    env = {**os.environ, "PALABRA_DATABASE_URL": url, "PALABRA_RUN_PROJECTIONS": "false",
           "PALABRA_API_KEYS": f"bench:admin:{KEY}", "PALABRA_LOG_LEVEL": "WARNING"}
    processes: list[subprocess.Popen[bytes]] = []
    try:
        started = time.perf_counter()
        events = load(url, args.clients)
        print(f"loaded {events:,} events for {args.clients:,} clients in "
              f"{time.perf_counter() - started:.0f} s")
        processes.append(subprocess.Popen([palabra, "project"], env=env,
                                          stderr=subprocess.DEVNULL))
        processes.append(subprocess.Popen([palabra, "serve", "--port", str(PORT),
                                           "--workers", str(args.workers)], env=env,
                                          stderr=subprocess.DEVNULL))
        base = f"http://127.0.0.1:{PORT}"
        wait_until_up(base)
        print(f"the worker's days indexed after {wait_for_the_index(url):.0f} s more")
        print("read :", read_load(base, args.clients, 5, args.connections), "(warm-up)")
        print("read :", read_load(base, args.clients, args.seconds, args.connections))
        for batch, batches in ((1, 250), (500, 10)):
            print("write:", asyncio.run(write_load(base, batch, batches, 4)))
        wait_until_up(base)  # the worker has applied the writes: the figures are current
        print(compare(url, args.clients))
    finally:
        for process in processes:
            process.terminate()
            process.wait()
        with admin.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


if __name__ == "__main__":
    main()
