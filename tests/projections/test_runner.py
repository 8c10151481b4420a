"""The projection runner follows the log live, survives lost connections, never doubles."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta

import pytest

from projections.indexer import refresh_index
from projections.runner import Runner
from projections.store import Database
from tests.support import FixedClock, entry, onboard
from tests.support.randomized import RandomHistory
from tests.support.sides import Side, open_side, snapshot_of


def eventually(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not hold in time")
        time.sleep(0.02)


@pytest.fixture
def side(database_url: str, clock: FixedClock) -> Iterator[Side]:
    opened = open_side(database_url, clock, batch_size=50)
    yield opened
    opened.close()


def start_runner(side: Side, url: str) -> Runner:
    return Runner(side.read, Database.parse(url), lambda: date(2026, 11, 22),
                  poll_interval=0.02).start()


def caught_up(side: Side) -> bool:
    return side.projector.view.position() == side.projector.head()


def test_the_runner_follows_new_events(side: Side, database_url: str) -> None:
    runner = start_runner(side, database_url)
    try:
        onboard(side.ledger)
        for n in range(1, 4):
            side.ledger.append([entry("InvoiceIssued", "acme", "2026-02-01",
                                      invoiceId=f"I{n}", amount="10.00", description="x")])
            eventually(lambda: caught_up(side))
            state = side.projector.view.state("acme")  # the view itself: no inline catch-up
            assert state is not None
            assert state.version == n + 1
        # and it keeps today's portfolio index current
        eventually(lambda: not side.projector.view.stale_entries(date(2026, 11, 22)))
    finally:
        runner.stop()
    assert runner.errors == 0


def test_two_runners_never_apply_an_event_twice(side: Side, database_url: str,
                                                clock: FixedClock) -> None:
    other = open_side(database_url, clock, batch_size=7)
    runners = [start_runner(side, database_url), start_runner(other, database_url)]
    try:
        for n in range(4):
            RandomHistory(side.ledger, f"c{n}", seed=n).grow(80)
        eventually(lambda: caught_up(side))
    finally:
        for runner in runners:
            runner.stop()
        other.close()
    live = snapshot_of(side)
    side.projector.rebuild()
    assert snapshot_of(side) == live


@pytest.mark.postgres
def test_the_runner_survives_a_lost_database_connection(
    postgres_server: Database, clock: FixedClock
) -> None:
    url = postgres_server.url
    side = open_side(url, clock)
    runner = start_runner(side, url)
    try:
        onboard(side.ledger)
        eventually(lambda: caught_up(side))
        with postgres_server.connect(autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        for n in range(1, 4):  # and it goes on following, notified again
            side.ledger.append([entry("InvoiceIssued", "acme", "2026-02-01",
                                      invoiceId=f"I{n}", amount="10.00", description="x")])
            eventually(lambda: caught_up(side))
        state = side.projector.view.state("acme")
        assert state is not None
        assert state.version == 4
    finally:
        runner.stop()
        side.close()


def test_the_runner_forgets_index_rows_of_past_days(side: Side, database_url: str) -> None:
    onboard(side.ledger)
    old, recent = date(2026, 11, 1), date(2026, 11, 20)
    refresh_index(side.read, old)
    refresh_index(side.read, recent)
    assert not side.projector.view.stale_entries(old)
    runner = start_runner(side, database_url)
    try:
        eventually(lambda: bool(side.projector.view.stale_entries(old)))  # forgotten
        assert not side.projector.view.stale_entries(recent)  # within the week: kept
    finally:
        runner.stop()


def test_the_runner_keeps_the_index_of_the_past_days_of_its_horizon(
        side: Side, database_url: str) -> None:
    today = date(2026, 11, 22)
    kept = [today - timedelta(days=back) for back in range(1, 4)]
    for n in range(3):
        RandomHistory(side.ledger, f"c{n}", seed=n).grow(40)
    view = side.projector.view

    def all_current() -> bool:
        head = side.projector.head()
        return all(view.day_marker(day)[1] == head for day in kept)

    runner = Runner(side.read, Database.parse(database_url), lambda: today,
                    poll_interval=0.02, index_days=3).start()
    try:
        eventually(all_current)
        side.ledger.append([entry("ContactLogged", "c1", "2026-11-19", contactId="C-LATE",
                                  channel="EMAIL", direction="INBOUND", purpose="CHECK_IN",
                                  summary="x")])
        eventually(all_current)  # the late event's client computed again on every day
    finally:
        runner.stop()
    assert runner.errors == 0
    assert view.day_marker(today - timedelta(days=4))[1] is None  # beyond the horizon
    for day in kept:
        rows = {e.ref: e.score for e in view.entries(day)}
        assert rows == {ref: figures.trust.score for ref in view.versions()
                        if (figures := side.read.client(ref, day))}
        assert not view.stale_entries(day)
