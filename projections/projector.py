"""Applying the event log to the read models, many events per transaction.

`catch_up()` reads the events after the view's tracked position — up to a chunk
of them when far behind — and folds each into the state of its client
(`evolve`).  The states are kept in memory between chunks, so a client is
loaded from the view once rather than at every chunk; folding happens outside
any transaction.  The touched states are then written with the new position
in one short transaction, which first checks that nobody moved the position
since the chunk began.  If somebody did (the runner of another process, a
reader catching up), the chunk and the in-memory states are dropped and the
work starts again from the view: nothing is applied twice, and a crash leaves
a chunk either wholly applied or not at all.

A client whose event cannot be read or folded, or whose state the database
refuses, is logged, recorded in the view's `palabra_skipped` table (shown by
`palabra status`, counted in the metrics) and skipped until a rebuild, while
the other clients go on.  A tracked position beyond the event store's head
(someone moved it) is reported by `health()`; the runner then rebuilds.

The workers of a parallel rebuild send back encoded states (bytes, the very
rows to store), not pickled objects, and die with their parent.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from time import perf_counter
from uuid import UUID

from eventsourcing.persistence import Notification

from domain.ledger import Ledger
from domain.relationship import Relationship
from projections.collector import collector_paused
from projections.state import ClientState, encode_state, evolve
from projections.store import STATE_CACHE, ClientsView, Skip, StaleView

log = logging.getLogger("palabra.projector")

Progress = Callable[[int, int], None]  # (position reached, last position)


@dataclass(frozen=True)
class Rebuilt:
    events: int
    clients: int
    seconds: float

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class Health:
    """What `palabra status` and /readyz say of the read models."""

    position: int  # the tracked position
    head: int  # the event store's latest position
    skipped: int  # clients skipped (see ClientsView.skipped)
    problem: str | None  # None: healthy

    @property
    def lag(self) -> int:
        return max(0, self.head - self.position)


@dataclass(frozen=True)
class Unreadable:
    """A stored event that does not decode."""

    originator_id: UUID
    error: Exception


Read = tuple[int, Relationship.Event | Unreadable]  # (position, event)


class Projector:
    def __init__(self, ledger: Ledger, view: ClientsView, batch_size: int = 2000,
                 chunk_size: int = 50_000, cache_size: int = STATE_CACHE,
                 url: str | None = None) -> None:
        """`url` names the store, for worker processes of a parallel rebuild."""
        self.ledger = ledger
        self.url = url
        self.view = view
        self.batch_size = batch_size  # events read per query
        self.chunk_size = chunk_size  # events applied per transaction, at most
        self.cache_size = cache_size  # client states kept in memory between chunks
        self._states: OrderedDict[str, ClientState] = OrderedDict()
        self._states_at = -1  # the view position the states in memory agree with
        self._skipped: set[str] | None = None  # streams skipped (hex), as the view says
        self._lock = threading.Lock()  # one catch-up at a time in this process
        view.repair = self.refold

    @property
    def skips_recorded(self) -> int:
        """How many times this process skipped a client (for the metrics)."""
        return self.view.skips_recorded

    def health(self) -> Health:
        """The tracked position against the event store's head, and the skipped clients."""
        head, position, _ = self.view.freshness()
        skipped = len(self.view.skipped())
        problem = None
        if position > head:
            problem = (f"the read models say they are at position {position:,}, beyond the "
                       f"event store's last event ({head:,}): rebuild them")
        elif skipped:
            problem = f"{skipped} client(s) skipped by the projection (palabra status)"
        return Health(position, head, skipped, problem)

    def refold(self, ref: str, position: int) -> ClientState | None:
        """A client's state folded again from its events up to `position` (None: no such
        client, or its events do not fold)."""
        try:
            events = [r.event for r in self.ledger.stream(ref) if r.position <= position]
            state: ClientState | None = None
            for event in events:
                state = evolve(state, event)
        except Exception as error:
            log.error("client %r could not be folded again from its events: %s", ref, error)
            return None
        return state

    def repair(self, broken: Mapping[str, int]) -> int:
        """Fold again and store the clients whose stored rows do not decode (client ->
        the row's position), as the read side found them; returns how many."""
        return len(self.view.repaired(broken)) if broken else 0

    def events_after(self, start: int, target: int) -> list[Read]:
        """Every event after position `start` up to `target`, read a page at a time."""
        found: list[Read] = []
        while start < target:
            events, end = self._read(start, target)
            if not events:
                break
            found += events
            start = end
        return found

    def head(self) -> int:
        """The position of the latest event in the store (0: none)."""
        return self.ledger.recorder.max_notification_id() or 0

    def catch_up(self, until: int | None = None, progress: Progress | None = None) -> int:
        """Apply every event after the view's position, or up to `until`; returns how
        many events this call applied."""
        with self._lock:
            applied = 0
            while True:
                start = self.view.position()
                target = self.head() if until is None else until
                if start >= target:
                    return applied
                events, end = self._read(start, target)
                if not events:
                    return applied
                try:
                    self._apply(start, events, end)
                except StaleView:
                    self._forget()
                    continue
                except BaseException:
                    self._forget()
                    raise
                applied += len(events)
                if progress is not None:
                    progress(end, target)

    def _read(self, start: int, target: int) -> tuple[list[Read], int]:
        events: list[Read] = []
        end = start
        while end < target and len(events) < self.chunk_size:
            page = self.ledger.recorder.select_notifications(
                start=end, limit=min(self.batch_size, self.chunk_size - len(events)),
                stop=target, inclusive_of_start=False)
            if not page:
                break
            events += [(n.id, decode_event(self.ledger, n)) for n in page]
            end = page[-1].id
        return events, end

    def _apply(self, start: int, events: list[Read], end: int) -> None:
        if self._states_at != start:
            self._forget()  # someone else moved the view: what we hold may be stale
        if self._skipped is None:
            self._skipped = {s.stream for s in self.view.skipped()}
        refs = list(dict.fromkeys(e.client_ref for _, e in events
                                  if isinstance(e, Relationship.Event)))
        states = self._states
        stored: dict[str, tuple[int, bytes]] = {}
        skipped: list[Skip] = []
        for group, part in _by_client_groups(events, refs, self.cache_size):
            # a group of clients at a time: memory holds at most `cache_size` states (this
            # group's and the most recently changed before it), not those of every client
            # a chunk touches
            missing = [ref for ref in group if ref not in states]
            for ref in group:
                if ref in states:
                    states.move_to_end(ref)
            while states and len(states) + len(missing) > self.cache_size:
                states.popitem(last=False)  # the least recently changed, not of this group
            states.update(self.view.states(missing))
            skips = _fold(states, part, self._skipped)
            for skip in skips:
                states.pop(skip.ref, None)  # its state may be half-folded
            skipped += skips
            stored.update({ref: (states[ref].version, encode_state(states[ref]))
                           for ref in group if ref in states})
        refused = self.view.apply(start, end, stored, skipped)
        self._skipped |= {s.stream for s in skipped}
        for ref in refused:
            states.pop(ref, None)
            self._skipped = None  # read again: the view recorded them
        self._states_at = end

    def _forget(self) -> None:
        self._states.clear()
        self._states_at = -1
        self._skipped = None

    def rebuild(self, workers: int = 1, progress: Progress | None = None) -> Rebuilt:
        """Build the read models again from the first event.

        The clients are folded in memory — by `workers` processes, one shard of clients
        each, or in this process — and the result replaces the read models in one
        transaction: readers see the old ones until then, and events stored meanwhile
        are applied by the next catch-up.
        """
        started = perf_counter()
        with self._lock:
            self._forget()
            head = self.head()
            if workers > 1 and self.url is not None:
                events, states, skipped = fold_in_parallel(self.url, head, workers,
                                                           self.batch_size)
            else:
                events, states, skipped = fold(self.ledger, head, 0, 1, self.batch_size)
            self.view.replace(head, states, skipped)
        if progress is not None:
            progress(head, head)
        return Rebuilt(events, len(states), perf_counter() - started)


Folded = dict[str, tuple[int, bytes]]  # client -> (version, encoded state)
Shard = tuple[int, Folded, list[Skip]]  # events folded, states, clients skipped


def decode_event(ledger: Ledger, notification: Notification,
                 ) -> Relationship.Event | Unreadable:
    """A stored event as the client's event, or what says why it does not read."""
    try:
        return ledger.history.decode(notification)
    except Exception as error:
        return Unreadable(UUID(str(notification.originator_id)), error)


def _by_client_groups(events: list[Read], refs: list[str], size: int,
                      ) -> list[tuple[list[str], list[Read]]]:
    """The events split by groups of at most `size` of their clients (`refs`, in order of
    first appearance), each group's events in their order; an event that does not read
    goes with its stream's client, or with the last group if its stream has no other."""
    groups = [refs[n:n + size] for n in range(0, len(refs), size)] or [[]]
    index = {ref: n // size for n, ref in enumerate(refs)}
    streams: dict[str, int] = {}
    for _, event in events:
        if isinstance(event, Relationship.Event):
            streams[event.originator_id.hex] = index[event.client_ref]
    parts: list[list[Read]] = [[] for _ in groups]
    for item in events:
        parts[streams.get(item[1].originator_id.hex, len(groups) - 1)].append(item)
    return list(zip(groups, parts, strict=True))


def _fold(states: dict[str, ClientState], events: list[Read], skip: set[str]) -> list[Skip]:
    """Fold events into the states of their clients, in place, leaving out the streams in
    `skip`; a stream whose event does not read or fold is added to it: the new Skips."""
    skipped: list[Skip] = []
    for position, event in events:
        stream = event.originator_id.hex
        if stream in skip:
            continue
        try:
            if isinstance(event, Unreadable):
                raise event.error
            states[event.client_ref] = evolve(states.get(event.client_ref), event)
        except Exception as error:
            ref = "" if isinstance(event, Unreadable) else event.client_ref
            skip.add(stream)
            skipped.append(Skip.of(stream, ref, position, "fold", error))
            log.error("client %r (stream %s) is skipped from position %d: its event does "
                      "not fold (%s); the others go on", ref, stream, position, error)
    return skipped


def fold_in_parallel(url: str, head: int, workers: int, page: int) -> Shard:
    """Fold every client's events up to `head`, one shard of clients per process;
    returns how many events were folded, the states and the clients skipped."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=die_with_parent,
                             initargs=(os.getpid(),)) as pool:
        parts = list(pool.map(fold_shard, [url] * workers, [head] * workers, range(workers),
                              [workers] * workers, [page] * workers))
    return (sum(count for count, _, _ in parts),
            {ref: stored for _, part, _ in parts for ref, stored in part.items()},
            [skip for _, _, skips in parts for skip in skips])


PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """In a worker process: be killed when the parent dies, even by SIGKILL (Linux's
    PR_SET_PDEATHSIG; elsewhere a thread watches the parent)."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # it died before the call
            os._exit(1)
        return
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:  # pragma: no cover - not Linux
    while os.getppid() == parent:
        threading.Event().wait(0.5)
    os._exit(1)


def fold_shard(url: str, head: int, shard: int, shards: int, page: int) -> Shard:
    """In a worker process: the folded states of one shard of clients, encoded."""
    from domain.keyring import Keyring
    from projections.store import open_ledger

    # the parent made the tables; a fold opens no envelope, so it needs no key
    ledger = open_ledger(url, extra_env={"CREATE_TABLE": "n"}, keyring=Keyring.in_memory())
    try:
        return fold(ledger, head, shard, shards, page)
    finally:
        ledger.close()


def fold(ledger: Ledger, head: int, shard: int, shards: int, page: int) -> Shard:
    """The events up to `head` of one shard of clients, folded: how many, the states, and
    the clients skipped."""
    states: dict[str, ClientState] = {}
    skip: set[str] = set()
    skipped: list[Skip] = []
    after = count = 0
    with collector_paused():
        while rows := ledger.recorder.select_shard(  # type: ignore[attr-defined]
                after, head, page, shard, shards):
            count += len(rows)
            skipped += _fold(states, [(row.id, decode_event(ledger, row)) for row in rows],
                             skip)
            after = rows[-1].id
        for item in skipped:
            states.pop(item.ref, None)
        return count, {ref: (state.version, encode_state(state))
                       for ref, state in states.items()}, skipped
