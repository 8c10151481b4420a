"""The store's position, watched: the event store's head and the read models' position.

`StoreWatch` reads them in a thread of its own every `WATCH_SECONDS` (for /metrics,
which never waits on the database) and on demand (for /readyz, within a hard time
limit).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from domain.errors import Unavailable
from domain.ledger import Ledger
from projections.projector import Health, Projector
from projections.store import DISK_FULL, time_limit

log = logging.getLogger("palabra")
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
        if any(getattr(store, "out_of_room", lambda: False)()
               for store in (self.ledger.recorder, self.ledger.keyring.store)):
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
