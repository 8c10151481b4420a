"""Recently used clients, kept in memory and brought up to date before each use.

Loading a client replays its whole stream; an import or a busy integration
touches the same clients batch after batch.  The cache keeps each `Client`
(stream and standing) as last saved, reads only the events stored since (another process
may have written them), and lends it to one writer at a time: a per-client lock
serialises writers in this process, optimistic concurrency still guards
against other processes.  When a batch fails (a refusal, or another process
saved first) its streams are rewound in memory to what was saved: cheaper by
far than reading them again, which matters most under contention.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from threading import Lock

from domain.client import Client

STRIPES = 64


class StreamCache:
    def __init__(
        self,
        refresh: Callable[[dict[str, Client | None]], dict[str, Client | None]],
        size: int = 1000,
    ) -> None:
        """`refresh` brings streams up to date in one go: given the cached stream of each
        client (None when not cached), it returns the current ones (None: no such client)."""
        self._refresh = refresh
        self._size = size
        self._streams: OrderedDict[str, Client] = OrderedDict()
        self._guard = Lock()
        self._stripes = [Lock() for _ in range(STRIPES)]

    @contextmanager
    def checkout(self, refs: Iterable[str]) -> Iterator[dict[str, Client | None]]:
        """Lend the current streams of these clients (None: not onboarded yet)."""
        wanted = list(dict.fromkeys(refs))
        with ExitStack() as stack:
            for stripe in sorted({hash(ref) % STRIPES for ref in wanted}):
                stack.enter_context(self._stripes[stripe])
            with self._guard:
                cached = {ref: self._streams.pop(ref, None) for ref in wanted}
            streams = self._refresh(cached)
            saved = {ref: s.version for ref, s in streams.items() if s is not None}
            try:
                yield streams
            except BaseException:
                self._rewind(streams, saved)
                raise
            self._keep(streams)

    def _keep(self, streams: dict[str, Client | None]) -> None:
        with self._guard:
            for ref, stream in streams.items():
                if stream is not None and self._size > 0:
                    self._streams[ref] = stream
            while len(self._streams) > self._size:
                self._streams.popitem(last=False)

    def _rewind(self, streams: dict[str, Client | None], saved: dict[str, int]) -> None:
        kept: dict[str, Client | None] = {}
        for ref, version in saved.items():
            stream = streams[ref]
            assert stream is not None
            try:
                if stream.version != version or stream.relationship.pending_events:
                    stream.rewind(version)
            except Exception:  # pragma: no cover - then it is simply read again next time
                continue
            kept[ref] = stream
        self._keep(kept)
