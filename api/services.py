"""The composition root: everything Palabra runs on, built from `Settings`.

The command line and the HTTP app both open their services here, so that both
work on the same store the same way: the ledger (writes), the read models with
their projector and read side (figures), and — in long-running processes — the
runner that keeps the read models current.

`StoreWatch` reads the event store's head and the read models' position in the
background (for /metrics, which never waits on the database) and on demand
(for /readyz, within a hard time limit).  `Services.export()` writes the
export format of `palabra export` and /events.ndjson, ending with the line that
says the export is complete.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date

from api.metrics import Metrics
from api.settings import Settings
from domain.errors import Unavailable
from domain.history import Recorded
from domain.jsonlines import dumps, export_line, trailer
from domain.ledger import Clock, Ledger, utc_now
from projections.projector import Health, Projector
from projections.read_model import ReadModel
from projections.runner import Runner
from projections.store import (
    DISK_FULL,
    STATE_FORMAT,
    ClientsView,
    Database,
    open_ledger,
    open_view,
    time_limit,
)

log = logging.getLogger("palabra")
EXPORT_PAGE = 1000  # events read at a time by an export
WATCH_SECONDS = 1.0  # between background readings of the store's position


@dataclass(frozen=True)
class Reading:
    """The read models' health (position, head, skipped clients), as read at `at`
    (monotonic)."""

    health: Health
    at: float


class StoreWatch:
    """The store's position, read every `WATCH_SECONDS` in a thread of its own."""

    def __init__(self, projector: Projector, ledger: Ledger, limit: float) -> None:
        self.projector = projector
        self.ledger = ledger
        self.limit = limit
        self.latest: Reading | None = None
        self.up = False  # whether the last reading succeeded
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def read(self, limit: float | None = None) -> Reading:
        """Read now, each query cut off after `limit` seconds (default: the database
        timeout); Unavailable when the database does not answer or the disk is full."""
        try:
            with time_limit(self.limit if limit is None else limit):
                health = self.projector.health()
        except Exception:
            self.up = False
            raise
        self.latest, self.up = Reading(health, time.monotonic()), True
        if getattr(self.ledger.recorder, "out_of_room", lambda: False)():
            raise Unavailable(DISK_FULL)
        return self.latest

    def fresh(self) -> Reading | None:
        """The latest reading if the database answered it lately (None: it did not)."""
        latest = self.latest
        if not self.up or latest is None:
            return None
        return latest if time.monotonic() - latest.at < 3 * WATCH_SECONDS + self.limit else None

    def start(self) -> StoreWatch:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="palabra-store-watch",
                                            daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self.limit + 1)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.read()
            except Exception as error:  # reported by /readyz and palabra_database_up
                log.debug("reading the store's position failed: %s", error)
            self._stop.wait(WATCH_SECONDS)


@dataclass
class Services:
    settings: Settings
    database: Database
    ledger: Ledger
    view: ClientsView
    projector: Projector
    read_model: ReadModel
    clock: Clock
    runner: Runner | None = field(default=None)
    metrics: Metrics = field(default_factory=Metrics)
    watch: StoreWatch = field(init=False)

    def __post_init__(self) -> None:
        self.watch = StoreWatch(self.projector, self.ledger, self.settings.db_timeout)
        self.metrics.watch(self)

    def today(self) -> date:
        return self.clock().astimezone(UTC).date()

    def start_runner(self) -> Runner:
        if self.runner is None:
            self.runner = Runner(self.read_model, self.database, self.today,
                                 poll_interval=self.settings.poll_interval).start()
        return self.runner

    def export(self, client: str | None = None, after: int = 0) -> Iterator[str]:
        """The events (of one client, after a position) as export lines, then the line
        saying the export is complete.  The first events are read before this returns
        (an unknown client, an unavailable database raise here); if the database fails
        later the lines stop, without that last line."""
        if client is not None:
            pages: Iterator[list[Recorded]] = iter(
                [[r for r in self.ledger.stream(client) if r.position > after], []])
        else:
            pages = self._pages(after)
        first = next(pages)
        return self._lines(first, pages, after)

    def _pages(self, after: int) -> Iterator[list[Recorded]]:
        while page := self.ledger.feed(after=after, limit=EXPORT_PAGE):
            yield page
            after = page[-1].position
        yield []

    @staticmethod
    def _lines(page: list[Recorded], pages: Iterator[list[Recorded]], after: int,
               ) -> Iterator[str]:
        count, last = 0, after
        try:
            while page:
                for recorded in page:
                    yield dumps(export_line(recorded)) + "\n"
                count, last = count + len(page), page[-1].position
                page = next(pages)
        except Exception as error:
            log.warning("export cut short after %d events (position %d): %s", count, last,
                        error, exc_info=not isinstance(error, Unavailable))
            raise
        yield dumps(trailer(count, last)) + "\n"

    def close(self) -> None:
        self.watch.stop()
        if self.runner is not None:
            self.runner.stop()
        self.ledger.close()
        self.view.close()


def open_services(settings: Settings, clock: Clock = utc_now) -> Services:
    """Open the store named by the settings; read models built by an older version of
    Palabra are rebuilt first."""
    database = Database.parse(settings.database_url, settings.db_timeout)
    create = {"CREATE_TABLE": "y" if settings.create_tables else "n"}
    ledger = open_ledger(settings.database_url, clock, create, settings.db_timeout)
    try:
        view = open_view(settings.database_url, create, settings.db_timeout)
    except BaseException:
        ledger.close()  # its pool's threads would outlive it
        raise
    projector = Projector(ledger, view, chunk_size=settings.projection_batch,
                          url=settings.database_url)
    if view.state_format() != STATE_FORMAT:
        if settings.create_tables:
            log.warning("the read models were built by another version of Palabra: "
                        "rebuilding them")
            view.recreate()
            projector.rebuild()
        else:
            log.warning("the read models were built by another version of Palabra; the "
                        "worker (which may create tables) rebuilds them")
    read_model = ReadModel(projector, settings.trust_weights)
    return Services(settings, database, ledger, view, projector, read_model, clock)
