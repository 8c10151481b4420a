"""The demo's simulated clock: the ledger records each day of the demo at that day's close,
so `recordedAt` spreads over the months as in a ledger kept by people."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time
from itertools import groupby

from api.demo.builder import Recording
from domain.ledger import Ledger

CLOSE_OF_DAY = time(17, 0)  # UTC: when the demo's office records the day's entries


def close_of(day: date) -> datetime:
    """The moment the demo records the entries of `day`."""
    return datetime.combine(day, CLOSE_OF_DAY, tzinfo=UTC)


class SimulatedClock:
    """A clock that tells a set moment while the demo loads, and the real time otherwise;
    it never tells a moment after the real one."""

    def __init__(self, real: Callable[[], datetime]) -> None:
        self.real = real
        self.moment: datetime | None = None

    def __call__(self) -> datetime:
        now = self.real()
        return now if self.moment is None else min(self.moment, now)


def load(ledger: Ledger, clock: SimulatedClock, recordings: Iterable[Recording]) -> int:
    """Append the recordings one day at a time, each day at its close on the simulated
    clock; returns how many entries were appended."""
    appended = 0
    try:
        for day, batch in groupby(recordings, key=lambda r: r.recorded_on):
            entries = [recording.entry for recording in batch]
            clock.moment = close_of(day)
            appended += len(ledger.append(entries))
    finally:
        clock.moment = None
    return appended
