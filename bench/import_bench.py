"""How fast `palabra import` appends: 100,000 events on SQLite and on PostgreSQL.

    .venv/bin/python bench/import_bench.py [--events 100000] [--clients 1000]

Runs the real command in a subprocess against a fresh store of each kind and
prints events/s (one run each: timings on a shared 2-core machine are noisy).
PostgreSQL is taken from $PALABRA_TEST_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/postgres); a scratch database is created
and dropped.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.generate import feed
from projections.store import Database

ADMIN_URL = os.environ.get("PALABRA_TEST_POSTGRES_URL",
                           "postgresql://postgres@127.0.0.1:5432/postgres")
PALABRA = str(Path(sys.executable).with_name("palabra"))


def timed_import(url: str, path: Path, batch_size: int) -> float:
    started = time.perf_counter()
    subprocess.run([PALABRA, "import", str(path), "--batch-size", str(batch_size),
                    "--database", url], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "feed.jsonl"
        with path.open("w") as out:
            import json
            for line in feed(args.clients, args.events):
                out.write(json.dumps(line) + "\n")
        lines = sum(1 for _ in path.open())
        print(f"feed: {lines} events over {args.clients} clients, batches of {args.batch_size}")
        rows = [("SQLite", timed_import(f"sqlite:///{tmp}/bench.db", path, args.batch_size))]
        admin = Database.parse(ADMIN_URL)
        name = f"palabra_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
            rows.append(("PostgreSQL", timed_import(url, path, args.batch_size)))
        finally:
            with admin.connect(autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(
                    sql.Identifier(name)))
        print(f"{'store':<12}{'seconds':>10}{'events/s':>12}")
        for store, seconds in rows:
            print(f"{store:<12}{seconds:>10.1f}{lines / seconds:>12,.0f}")


if __name__ == "__main__":
    main()
