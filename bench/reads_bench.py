"""Read-side benchmarks: a cold read of a big client (`since` included) and the portfolio of
a past day, each beside a peer measured in the same run.

    .venv/bin/python bench/reads_bench.py [--clients 10000] [--events-per-client 20]
                                          [--store sqlite|postgres|both] [--repeat 30]

For each store (a fresh SQLite file; a scratch PostgreSQL database, created and dropped)
it loads a generated ledger of `--clients` clients plus one client with 5,000 events,
rebuilds the read models and indexes today (as the worker does), then prints two tables
of medians and p99s:

- the 5,000-event client read cold (a read side with empty caches, as after a change):
  its figures and when each of its signals began (`since`), with the personal fields a
  client card shows opened (as the API does), in parts, and with every one opened; the peers are the
  same read served from the read side's caches, and `since` worked out by its
  definition (each rule asked on each of the 365 days, `tests.support.onsets`; once);
- the first page of 50 clients and the portfolio summary of a past day the worker never
  indexed, and of a past day of its horizon (`PALABRA_INDEX_DAYS`, whose index it builds
  when idle: built here as it does, and timed): cold (a new read side) and warm (asked
  again); the peer is the same for today, which the worker indexed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.projections_bench import BIG, clock, load, store
from projections.figures import figures
from projections.figures.signals import signal_onsets
from projections.indexer import refresh_index
from projections.projector import Projector
from projections.read_model import ReadModel
from projections.store import open_ledger, open_view
from tests.support.onsets import day_by_day

TODAY = date(2026, 11, 22)
PAST = date(2026, 6, 30)
RECENT = TODAY - timedelta(days=3)  # within the worker's horizon (PALABRA_INDEX_DAYS=7)


def timed(call: Callable[[], object], times: int) -> list[float]:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


class Table:
    """Rows of medians and p99s, each with its ratio to the row named as the peer."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.rows: list[tuple[str, list[float]]] = []

    def add(self, what: str, samples: list[float]) -> list[float]:
        self.rows.append((what, samples))
        return samples

    def print(self, peer: str) -> None:
        base = statistics.median(dict(self.rows)[peer])
        print(f"\n{self.title}\n")
        print("| | samples | p50 | p99 | p50 ÷ peer |")
        print("|---|---|---|---|---|")
        for what, samples in self.rows:
            ordered = sorted(samples)
            p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
            p50 = statistics.median(ordered)
            mark = " (peer)" if what == peer else ""
            print(f"| {what}{mark} | {len(samples)} | {_ms(p50)} | {_ms(p99)} | "
                  f"×{p50 / base:,.2f} |")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.2f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def big_client(projector: Projector, repeat: int) -> None:
    view = projector.view
    state = view.state(BIG)  # type: ignore[attr-defined]
    assert state is not None

    def card(read: ReadModel) -> None:  # what the API opens for a client card (score,
        sealed = read.sealed_client(BIG, TODAY)  # band, outstanding, overdue, signals)
        assert sealed is not None
        f = sealed.value
        sealed.open((f.name, f.trust, f.payments.outstanding, f.payments.overdue, f.signals))
        read.signal_onsets(BIG, TODAY)

    def cold() -> None:
        card(ReadModel(projector))

    def opened() -> None:
        read = ReadModel(projector)
        read.client(BIG, TODAY)
        read.signal_onsets(BIG, TODAY)

    held = [s.kind for s in figures(state, TODAY).signals]
    served = ReadModel(projector)
    served.signal_onsets(BIG, TODAY)
    table = Table(f"The {state.version:,}-event client ({len(state.money):,} money events), "
                  f"signals held: {', '.join(k.value for k in held) or 'none'}")
    table.add("cold read of a card: figures and `since` (a new read side)", timed(cold, repeat))
    table.add("… every personal field opened (`ReadModel.client`: contacts, invoices, …)",
              timed(opened, repeat))
    table.add("… of which the stored state read and decoded",
              timed(lambda: view.state(BIG), repeat))  # type: ignore[attr-defined]
    table.add("… of which the figures", timed(lambda: figures(state, TODAY), repeat))
    table.add("… of which `since` (the held signals' sweep)",
              timed(lambda: signal_onsets(state, TODAY, held), repeat))
    table.add("a card served (the read side's caches)", timed(lambda: card(served), repeat * 10))
    table.add("`since` by its definition: every rule on each of 365 days",
              timed(lambda: day_by_day(state, TODAY - timedelta(days=365), 365), 1))
    table.print("… of which the stored state read and decoded")


def past_day(projector: Projector, repeat: int) -> None:
    def page_and_summary(read: ReadModel, day: date) -> None:
        read.clients(day, first=50)
        read.portfolio(day)

    clients = len(projector.view.versions())  # type: ignore[attr-defined]
    table = Table(f"First page of 50 and the portfolio summary, {clients:,} clients")
    table.add(f"a past day never indexed ({PAST}), cold (a new read side)",
              timed(lambda: page_and_summary(ReadModel(projector), PAST), max(3, repeat // 10)))
    warm = ReadModel(projector)
    page_and_summary(warm, PAST)
    table.add("the past day, warm (asked again)",
              timed(lambda: page_and_summary(warm, PAST), repeat))
    table.add(f"a past day of the worker's horizon ({RECENT}), cold (a new read side)",
              timed(lambda: page_and_summary(ReadModel(projector), RECENT),
                    max(3, repeat // 10)))
    recent = ReadModel(projector)
    page_and_summary(recent, RECENT)
    table.add("the day of the horizon, warm (asked again)",
              timed(lambda: page_and_summary(recent, RECENT), repeat))
    indexed = ReadModel(projector)
    table.add(f"today ({TODAY}), indexed by the worker, cold (a new read side)",
              timed(lambda: page_and_summary(ReadModel(projector), TODAY), max(3, repeat // 10)))
    page_and_summary(indexed, TODAY)
    table.add("today, warm (asked again)",
              timed(lambda: page_and_summary(indexed, TODAY), repeat))
    table.print("today, warm (asked again)")


def run(kind: str, clients: int, per_client: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as folder, store(kind, folder) as url:
        started = time.perf_counter()
        loaded = load(url, clients * per_client, clients)
        ledger, view = open_ledger(url, clock), open_view(url)
        projector = Projector(ledger, view, url=url)
        projector.rebuild(workers=2)
        built = refresh_index(ReadModel(projector), TODAY)
        print(f"\n## {kind}: {loaded:,} events over {clients + 1:,} clients (loaded, rebuilt "
              f"and today's {built:,} index rows built in {time.perf_counter() - started:.0f} s)")
        started = time.perf_counter()
        built = refresh_index(ReadModel(projector), RECENT)
        print(f"the index of {RECENT}, as the worker builds a day of its horizon: {built:,} "
              f"rows in {time.perf_counter() - started:.1f} s")
        big_client(projector, repeat)
        past_day(projector, repeat)
        ledger.close()
        view.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--events-per-client", type=int, default=20)
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    for kind in (["sqlite", "postgres"] if args.store == "both" else [args.store]):
        run(kind, args.clients, args.events_per_client, args.repeat)


if __name__ == "__main__":
    main()
