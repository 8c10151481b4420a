"""The projection worker: catch up, then follow new events as they are stored.

On PostgreSQL it sleeps on LISTEN (the event store NOTIFYs its channel on every append);
SQLite has no notifications, so it polls the log's head. Between waits it also keeps
today's portfolio index current, then, when nothing new is left to apply, the index of
the past days of its horizon (`index_days`, newest first; it applies new events between
chunks of 25 clients, as while it builds a new day's index, so that these never wait
long; a read computes in memory what a day's index lacks, and an older day whole), keeps
the Merkle tree current and issues its checkpoints (`projections.audit.notary`), and
stores again the client states that reads found not to decode. A lost connection is
logged and retried with back-off: the worker outlives database restarts. It runs in a
thread of the API process, or alone as `palabra project`.

Only one worker leads at a time: it holds a PostgreSQL advisory lock on its LISTEN
connection (or, on SQLite, an exclusive lock on a file beside the database). The others
stand by and take over when the leader goes away. Readers never write: one that finds
the view behind folds the missing events in memory. The view's tracking check keeps any
event from being applied twice.

A tracked position beyond the event store's head (moved by hand) is logged and repaired
by a rebuild. A client whose events do not fold, or whose rows the database refuses, is
skipped by the projector (see `projections.projector`): it never stops the others.
"""

from __future__ import annotations

import fcntl
import logging
import threading
from collections.abc import Callable
from datetime import date, timedelta
from typing import IO, Any

import psycopg

from projections.audit.notary import Notary
from projections.indexer import refresh_index
from projections.read_model import ReadModel
from projections.store import INDEX_DAYS, Database

log = logging.getLogger("palabra.runner")
LEADER_LOCK = 0x70616C62  # the advisory lock of the leading worker
STANDBY_SECONDS = 2.0
DAY_CHUNK = 25  # index rows of a day built whole between two looks for new events


class Runner:
    def __init__(self, read_model: ReadModel, database: Database, today: Callable[[], date],
                 poll_interval: float = 0.05, notary: Notary | None = None,
                 index_days: int = INDEX_DAYS) -> None:
        self.read_model = read_model
        self.projector = read_model.projector
        self.database = database
        self.today = today
        self.poll_interval = poll_interval
        self.notary = notary
        self.index_days = index_days
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._listener: psycopg.Connection[Any] | None = None
        self._lock_file: IO[bytes] | None = None
        self.leading = False
        self._announced_standby = False
        self._pruned_on: date | None = None
        self.errors = 0
        self.rebuilds = 0  # of read models found ahead of the event store

    # ---- lifecycle ------------------------------------------------------------------

    def start(self) -> Runner:
        self._thread = threading.Thread(target=self.run, name="palabra-runner", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._close_listener()
        if self._lock_file is not None:
            self._lock_file.close()  # releases the lock
            self._lock_file = None

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def run(self) -> None:
        """Follow the log until stopped, surviving database errors."""
        backoff = 0.1
        while not self._stop.is_set():
            try:
                self.step()
                backoff = 0.1
            except Exception:
                self.errors += 1
                log.exception("projection runner failed; retrying in %.1fs", backoff)
                self._close_listener()
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)

    def step(self) -> None:
        """One round: apply what is new, keep today's index current, then wait for news."""
        if not self._lead():
            self._stop.wait(STANDBY_SECONDS)
            return
        position, head = self.projector.view.position(), self.projector.head()
        if position > head:
            log.error("the read models say they are at position %d, beyond the event store's "
                      "last event (%d): someone moved the tracked position; rebuilding them",
                      position, head)
            self.rebuilds += 1
            self.projector.rebuild()
        today = self.today()
        self._keep_up(today, head)
        if self._pruned_on != today:  # a read computes in memory what a day's index lacks
            self.projector.view.forget_entries_before(today - timedelta(days=self.index_days))
            self._pruned_on = today
        if self.projector.view.position() >= self.projector.head() and not self._past_days(
                today):
            self._wait()

    def _keep_up(self, today: date, head: int) -> None:
        """Apply what is new (up to `head` at least); keep the tree, today's index and the
        repairs current.  A day whose index is built whole (a new day) applies new events
        between its chunks."""
        self.projector.catch_up()
        if self.notary is not None:
            self.notary.keep_up(head)
        refresh_index(self.read_model, today, chunk=DAY_CHUNK, stop=self._caught_up_between)
        self.projector.repair(self.read_model.undecodable())

    def _caught_up_between(self) -> bool:
        """Between two chunks of a day's index: apply new events; True: stop there."""
        if self._stop.is_set():
            return True
        self.projector.catch_up()
        return False

    def _past_days(self, today: date) -> bool:
        """Index the newest past day of the horizon whose index is not current, keeping
        up with new events (and today's index) between its chunks; False when every day
        is current."""
        seen = self.projector.head()

        def between_chunks() -> bool:
            nonlocal seen
            if self._stop.is_set():
                return True
            head = self.projector.head()
            if head != seen:
                self._keep_up(today, head)
                seen = head
            return False

        for back in range(1, self.index_days + 1):
            if self.projector.head() != seen:  # new events first: back to the step
                return True
            if refresh_index(self.read_model, today - timedelta(days=back),
                             chunk=DAY_CHUNK, stop=between_chunks):
                return True
        return False

    # ---- one leader ---------------------------------------------------------------------

    def _lead(self) -> bool:
        """Whether this worker leads, taking the lead when it is free."""
        was = self.leading
        if self.database.backend == "postgres":
            connection = self._listen()
            if self.leading:
                connection.execute("SELECT 1")  # still connected, so still holding the lock
            else:
                row = connection.execute("SELECT pg_try_advisory_lock(%s)",
                                         (LEADER_LOCK,)).fetchone()
                self.leading = bool(row and row[0])
        elif not self.leading:
            self.leading = self._lock_beside_the_database()
        if self.leading != was:
            log.info("projection worker %s", "leads" if self.leading else
                     "stands by: another worker leads")
        elif not self.leading and not self._announced_standby:
            log.info("projection worker stands by: another worker leads")
        self._announced_standby = not self.leading
        return self.leading

    def _lock_beside_the_database(self) -> bool:
        if self._lock_file is None:
            self._lock_file = open(f"{self.database.path}.projector.lock", "ab")  # noqa: SIM115
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    # ---- waiting for news -----------------------------------------------------------

    def _wait(self) -> None:
        if self.database.backend != "postgres":
            self._stop.wait(self.poll_interval)
            return
        listener = self._listen()
        for _ in listener.notifies(timeout=1.0, stop_after=1):
            pass

    def _listen(self) -> psycopg.Connection[Any]:
        if self._listener is None or self._listener.closed:
            channel = self.projector.ledger.recorder.channel_name  # type: ignore[attr-defined]
            self._listener = self.database.connect(autocommit=True)
            self._listener.execute(psycopg.sql.SQL("LISTEN {}").format(
                psycopg.sql.Identifier(channel)))
        return self._listener

    def _close_listener(self) -> None:
        self.leading = self.leading and self.database.backend != "postgres"
        if self._listener is not None:
            try:
                self._listener.close()
            except Exception:  # pragma: no cover - closing a broken connection
                log.debug("closing the listener failed", exc_info=True)
            self._listener = None
