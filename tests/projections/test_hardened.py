"""Hardened read side, on both stores: rows that are never code, history that cannot be
back-dated through the database, a read model that cannot be frozen, clients that cannot
stop the others, and rebuild workers that die with their parent."""

from __future__ import annotations

import json
import logging
import os
import pickle
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import app
from domain.values import stream_id
from domain.values import to_json as plain
from projections.indexer import refresh_index
from projections.runner import Runner
from projections.state import decode_state
from projections.store import Database, open_ledger
from tests.support import FixedClock, entry, onboard
from tests.support import owner_sql as sql
from tests.support.sides import Side, open_side

AS_OF = date(2026, 11, 22)


@pytest.fixture
def side(database_url: str, clock: FixedClock) -> Iterator[Side]:
    opened = open_side(database_url, clock, batch_size=50)
    yield opened
    opened.close()


def stream_key(url: str, ref: str) -> Any:
    return stream_id(ref).hex if url.startswith("sqlite") else stream_id(ref)


def stored_event(url: str, ref: str, version: int) -> dict[str, Any]:
    ((state,),) = sql(url, "SELECT state FROM {events} WHERE originator_id = %s AND "
                      "originator_version = %s", (stream_key(url, ref), version))
    loaded: dict[str, Any] = json.loads(bytes(state))
    return loaded


def forge(url: str, ref: str, version: int, topic_of: tuple[str, int],
          **changes: Any) -> None:
    """Insert an event straight into the store (as the mapper writes them), bypassing the
    ledger: a copy of another stored event, changed."""
    source_ref, source_version = topic_of
    ((topic,),) = sql(url, "SELECT topic FROM {events} WHERE originator_id = %s AND "
                      "originator_version = %s", (stream_key(url, source_ref), source_version))
    state = {**stored_event(url, source_ref, source_version), "client_ref": ref, **changes}
    payload = json.dumps(state, separators=(",", ":"), ensure_ascii=False).encode()
    sql(url, "INSERT INTO {events} (originator_id, originator_version, topic, state) "
        "VALUES (%s, %s, %s, %s)", (stream_key(url, ref), version, topic, payload))


def recorded_ats(url: str) -> list[datetime]:
    rows = sql(url, "SELECT state FROM {events} ORDER BY "
               + ("rowid" if url.startswith("sqlite") else "notification_id"))
    return [datetime.fromisoformat(json.loads(bytes(state))["timestamp"]) for (state,) in rows]


# ---- 3. a read-model row is data, never code ------------------------------------------


class Payload:
    """What an attacker writes into palabra_client_states: unpickling it creates a file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return open, (str(self.path), "w")


def test_a_tampered_state_row_is_never_executed_but_logged_and_folded_again(
    side: Side, database_url: str, clock: FixedClock, tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    onboard(side.ledger)
    side.ledger.append([entry("InvoiceIssued", "acme", "2026-02-01", invoiceId="I1",
                              amount="100.00", description="x")])
    side.projector.catch_up()  # the worker stores the state
    expected = plain(side.read.client("acme", AS_OF))
    marker = tmp_path / "executed"
    sql(database_url, "UPDATE {states} SET state = %s WHERE client_ref = 'acme'",
        (pickle.dumps(Payload(marker)),))
    fresh = open_side(database_url, clock)  # nothing in memory: it reads the row
    try:
        with caplog.at_level(logging.WARNING, logger="palabra.view"):
            assert plain(fresh.read.client("acme", AS_OF)) == expected
        # the read wrote nothing; the worker stores the row again, as the read found it
        assert fresh.projector.repair(fresh.read.undecodable()) == 1
    finally:
        fresh.close()
    assert not marker.exists()
    assert "the stored state of client 'acme' does not decode" in caplog.text
    ((row,),) = sql(database_url, "SELECT state FROM {states} WHERE client_ref = 'acme'")
    assert decode_state(bytes(row)).version == 2  # stored again, in our own format


# ---- 5. recordedAt is monotonic in the log ---------------------------------------------


def test_a_back_dated_insert_does_not_change_what_an_earlier_moment_knew(
    side: Side, database_url: str, clock: FixedClock
) -> None:
    onboard(side.ledger)
    side.ledger.append([entry("InvoiceIssued", "acme", "2026-02-01", invoiceId="I1",
                              amount="100.00", description="x")])
    onboard(side.ledger, "other")
    side.ledger.append([entry("PaymentReceived", "other", "2026-02-02", paymentId="PAY9",
                              amount="100.00")])
    known_at = clock.now
    clock.advance(seconds=60)
    side.ledger.append([entry("ContactLogged", "other", "2026-02-03", contactId="K1",
                              channel="EMAIL", direction="OUTBOUND", purpose="CHECK_IN",
                              summary="hello")])
    before = plain(side.read.client("acme", AS_OF, known_at=known_at))
    forged_at = (clock.now - timedelta(seconds=40)).isoformat()  # after known_at, before now
    forge(database_url, "acme", 3, ("other", 2), timestamp=forged_at)
    assert plain(side.read.client("acme", AS_OF, known_at=known_at)) == before
    at = recorded_ats(database_url)
    assert at == sorted(at)
    assert at[-1] == clock.now
    assert len(side.ledger.stream("acme")) == 3


def test_a_replica_whose_clock_is_behind_does_not_break_known_at(
    database_url: str, clock: FixedClock
) -> None:
    behind = FixedClock(clock.now - timedelta(seconds=30))
    ahead, lagging = open_ledger(database_url, clock), open_ledger(database_url, behind)
    try:
        onboard(ahead)  # at T
        clock.advance(seconds=10)
        ahead.append([entry("InvoiceIssued", "acme", "2026-02-01", invoiceId="I1",
                            amount="100.00", description="x")])  # T+10
        lagging.append([entry("PaymentReceived", "acme", "2026-02-02", paymentId="PAY1",
                              amount="40.00")])  # T-30 by its clock
        start = clock.now - timedelta(seconds=10)
        for moment, versions in ((start - timedelta(seconds=20), []), (start, [1]),
                                 (clock.now, [1, 2, 3])):
            found = [r.event.originator_version for r in ahead.stream("acme")
                     if r.event.recorded_at <= moment]
            assert found == versions
        at = recorded_ats(database_url)
        assert at == sorted(at)
    finally:
        ahead.close()
        lagging.close()
    runner = CliRunner()
    for moment, code in ((start - timedelta(seconds=20), 1), (start, 0), (clock.now, 0)):
        shown = runner.invoke(app, ["client", "acme", "--known-at", moment.isoformat(),
                                    "--database", database_url, "--as-of", "2026-03-01"])
        assert shown.exit_code == code, shown.output
        assert shown.exception is None or isinstance(shown.exception, SystemExit)


def test_known_at_takes_a_prefix_of_the_stream_whatever_is_stored(
    side: Side, database_url: str, clock: FixedClock
) -> None:
    """A store written before recordedAt was kept monotonic may hold an event stamped
    before its predecessor: knownAt still answers with a prefix of the stream."""
    onboard(side.ledger)
    clock.advance(seconds=30)
    side.ledger.append([entry("PaymentReceived", "acme", "2026-02-02", paymentId="PAY1",
                              amount="40.00")])
    postgres = not database_url.startswith("sqlite")
    if postgres:  # its triggers stamp and guard the events: such a store predates them
        sql(database_url, "ALTER TABLE {events} DISABLE TRIGGER USER")
    sql(database_url, "UPDATE {events} SET state = %s WHERE originator_version = 2", (
        json.dumps({**stored_event(database_url, "acme", 2), "timestamp": (
            clock.now - timedelta(seconds=60)).isoformat()}, separators=(",", ":")).encode(),))
    if postgres:
        sql(database_url, "ALTER TABLE {events} ENABLE TRIGGER USER")
    moment = clock.now - timedelta(seconds=45)
    assert side.read.client("acme", AS_OF, known_at=moment) is None  # not "version 2 only"
    assert [r.event.originator_version for r in side.ledger.stream("acme", known_at=clock.now)
            ] == [1, 2]


@pytest.mark.postgres
def test_an_event_stamped_more_than_a_day_ahead_of_the_database_is_refused(
    postgres_server: Database,
) -> None:
    url = f"{postgres_server.url}?schema=t_ahead_{os.getpid()}"
    ahead = open_ledger(url, FixedClock(datetime.now(UTC) + timedelta(days=2)))
    try:
        with pytest.raises(Exception, match="more than a day ahead of the database's clock"):
            onboard(ahead, on=date.today().isoformat())
        assert ahead.recorder.max_notification_id() is None
    finally:
        ahead.close()
        with postgres_server.connect(autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS t_ahead_{os.getpid()} CASCADE")


# ---- 5. a tracked position beyond the log is detected and repaired ---------------------


def test_a_position_beyond_the_log_is_reported_and_repaired_by_the_runner(
    side: Side, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    onboard(side.ledger)
    side.projector.catch_up()
    assert side.projector.health().problem is None
    sql(database_url, "UPDATE {tracking} SET notification_id = 1000000")
    health = side.projector.health()
    assert (health.position, health.head) == (1_000_000, 1)
    assert health.problem is not None
    assert "beyond" in health.problem
    status = CliRunner().invoke(app, ["status", "--database", database_url])
    assert status.exit_code == 1
    assert "beyond the event store's last event" in " ".join(status.output.split())
    side.ledger.append([entry("InvoiceIssued", "acme", "2026-02-01", invoiceId="I1",
                              amount="100.00", description="x")])
    with caplog.at_level(logging.ERROR, logger="palabra.runner"):
        runner = Runner(side.read, Database.parse(database_url), lambda: AS_OF,
                        poll_interval=0.02).start()
        try:
            eventually(lambda: side.projector.view.position() == 2)
        finally:
            runner.stop()
    assert runner.rebuilds == 1
    assert "rebuilding them" in caplog.text
    state = side.projector.view.state("acme")
    assert state is not None
    assert state.version == 2
    assert side.projector.health().problem is None


# ---- 4. one client the projection cannot handle never stops the others -----------------


def test_a_client_whose_events_do_not_fold_is_skipped_and_the_others_go_on(
    side: Side, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    onboard(side.ledger)
    side.ledger.append([entry("InvoiceIssued", "acme", "2026-02-01", invoiceId="I1",
                              amount="100.00", description="x")])
    # a stream that starts with an invoice, not an onboarding: it cannot be folded
    forge(database_url, "ghost", 1, ("acme", 2))
    # and an event of a type no code knows: it cannot even be read
    sql(database_url, "INSERT INTO {events} (originator_id, originator_version, topic, state) "
        "VALUES (%s, 1, 'domain.relationship:Relationship.Nonsense', %s)",
        (stream_key(database_url, "nonsense"), json.dumps(
            stored_event(database_url, "acme", 2), separators=(",", ":")).encode()))
    runner = Runner(side.read, Database.parse(database_url), lambda: AS_OF,
                    poll_interval=0.02).start()
    try:
        onboard(side.ledger, "beta")
        eventually(lambda: side.projector.view.position() == side.projector.head())
        eventually(lambda: not side.projector.view.stale_entries(AS_OF))
    finally:
        runner.stop()
    assert runner.errors == 0
    assert set(side.projector.view.versions()) == {"acme", "beta"}
    assert [(s.ref, s.stream, s.what) for s in side.projector.view.skipped()] == [
        ("ghost", stream_id("ghost").hex, "fold"), ("", stream_id("nonsense").hex, "fold")]
    assert side.projector.skips_recorded == 2
    assert side.projector.health().skipped == 2
    status = CliRunner().invoke(app, ["status", "--database", database_url])
    assert status.exit_code == 0, status.output
    assert "ghost" in status.output
    assert "ClientOnboarded" in " ".join(status.output.split())
    assert "is skipped from position 3" in caplog.text
    side.projector.rebuild()  # a rebuild skips it too, and still builds the others
    assert set(side.projector.view.versions()) == {"acme", "beta"}
    assert [s.ref for s in side.projector.view.skipped()] == ["ghost", ""]


@pytest.mark.postgres
def test_a_name_postgresql_cannot_index_skips_that_client_not_the_portfolio(
    postgres_server: Database, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"{postgres_server.url}?schema=t_nul_{os.getpid()}"
    side = open_side(url, clock)
    try:
        onboard(side.ledger)
        forge(url, "evil", 1, ("acme", 1), name="Evil\u0000Name")  # as the owner, by SQL
        onboard(side.ledger, "beta")
        with caplog.at_level(logging.ERROR, logger="palabra.view"):
            refresh_index(side.read, AS_OF)  # the worker indexes the day
            summary = side.read.portfolio(AS_OF)
            page = side.read.clients(AS_OF)
        assert summary.clients == 2
        assert {e.ref for _, e in page.entries} == {"acme", "beta"}
        assert [(s.ref, s.what) for s in side.projector.view.skipped()] == [("evil", "index")]
        assert "leaves out client 'evil'" in caplog.text
        refresh_index(side.read, AS_OF)  # again: skipped until it changes, not retried
        side.read.portfolio(AS_OF)
        assert side.projector.skips_recorded == 1
    finally:
        side.close()
        with postgres_server.connect(autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS t_nul_{os.getpid()} CASCADE")


# ---- 13. rebuild workers die with their parent ----------------------------------------


def children(pid: int) -> set[int]:
    found = set()
    for entry_ in os.listdir("/proc"):
        if entry_.isdigit():
            try:
                stat = Path(f"/proc/{entry_}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry_))
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_killing_a_parallel_rebuild_leaves_no_worker_behind(
    tmp_path: Path, clock: FixedClock
) -> None:
    url = f"sqlite:///{tmp_path}/big.db"
    ledger = open_ledger(url, clock)
    for n in range(40):
        onboard(ledger, f"c{n}")
        ledger.append([entry("ContactLogged", f"c{n}", "2026-02-01", contactId=f"K{k}",
                             channel="EMAIL", direction="OUTBOUND", purpose="CHECK_IN",
                             summary="hello") for k in range(49)])
    ledger.close()
    with closing(sqlite3.connect(f"{tmp_path}/big.db")) as conn, conn:
        for copy in range(1, 150):  # copies of every client under other names: ~300,000 events
            conn.execute(
                "INSERT INTO stored_events (originator_id, originator_version, topic, state) "
                "SELECT substr(originator_id, 1, 28) || printf('%04x', ?), "
                "originator_version, topic, CAST(replace(CAST(state AS TEXT), "
                "'\"client_ref\":\"', '\"client_ref\":\"' || ? || '-') AS BLOB) "
                "FROM stored_events WHERE rowid <= 2000", (copy, f"copy{copy}"))
    rebuild = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "rebuild", "--workers", "2", "--database", url],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 30
        while len(children(rebuild.pid)) < 2:
            assert rebuild.poll() is None, "the rebuild ended before its workers were seen"
            assert time.monotonic() < deadline, "no workers started"
            time.sleep(0.02)
        time.sleep(1.0)  # the workers have started, and are folding
        workers = {pid for pid in children(rebuild.pid) if alive(pid)}
        assert len(workers) >= 2
        os.kill(rebuild.pid, signal.SIGKILL)
        rebuild.wait(5)
        eventually(lambda: not any(alive(pid) for pid in workers), timeout=5)
    finally:
        if rebuild.poll() is None:
            rebuild.kill()
        for pid in workers:  # only if the test fails: no orphans of ours either way
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def eventually(condition: Any, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not hold in time")
        time.sleep(0.02)


