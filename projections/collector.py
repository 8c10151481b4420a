"""Python's cyclic garbage collector, paused while a burst of long-lived objects is built.

A rebuild's fold and a day of every client's figures decode thousands of states that
live on (or live until the day is summed) and make no reference cycles.  The collector
is triggered by allocations, and its passes over those new objects cost a third of a
rebuild and nearly half of a day of every client's figures (docs/benchmarks.md).
`collector_paused()` turns it off for the burst; pauses nest, from any thread: it comes
back on when the last one ends, and only if it was on when the first began.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _Pauses:
    """The pauses under way in this process, and whether the collector was on before."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count = 0
        self.resume = False


_PAUSES = _Pauses()


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector off until the block, and every other pause begun meanwhile,
    ends; the garbage made meanwhile is collected once it is back on."""
    with _PAUSES.lock:
        if _PAUSES.count == 0:
            _PAUSES.resume = gc.isenabled()
            gc.disable()
        _PAUSES.count += 1
    try:
        yield
    finally:
        with _PAUSES.lock:
            _PAUSES.count -= 1
            if _PAUSES.count == 0 and _PAUSES.resume:
                gc.enable()
