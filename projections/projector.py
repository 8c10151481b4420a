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
"""

from __future__ import annotations

import multiprocessing
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from time import perf_counter

from domain.ledger import Ledger
from domain.relationship import Relationship
from projections.state import ClientState, evolve
from projections.view import ClientsView, StaleView

Progress = Callable[[int, int], None]  # (position reached, last position)


@dataclass(frozen=True)
class Rebuilt:
    events: int
    clients: int
    seconds: float

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


class Projector:
    def __init__(self, ledger: Ledger, view: ClientsView, batch_size: int = 2000,
                 chunk_size: int = 50_000, cache_size: int = 50_000,
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
        self._lock = threading.Lock()  # one catch-up at a time in this process

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

    def _read(self, start: int, target: int) -> tuple[list[Relationship.Event], int]:
        events: list[Relationship.Event] = []
        end = start
        while end < target and len(events) < self.chunk_size:
            page = self.ledger.recorder.select_notifications(
                start=end, limit=min(self.batch_size, self.chunk_size - len(events)),
                stop=target, inclusive_of_start=False)
            if not page:
                break
            for notification in page:
                event = self.ledger.mapper.to_domain_event(notification)
                assert isinstance(event, Relationship.Event)
                events.append(event)
            end = page[-1].id
        return events, end

    def _apply(self, start: int, events: list[Relationship.Event], end: int) -> None:
        if self._states_at != start:
            self._forget()  # someone else moved the view: what we hold may be stale
        refs = list(dict.fromkeys(e.client_ref for e in events))
        missing = [ref for ref in refs if ref not in self._states]
        states = self._states
        states.update(self.view.states(missing))
        for event in events:
            state = evolve(states.get(event.client_ref), event)
            states[event.client_ref] = state
        stored = {ref: (states[ref].version,
                        pickle.dumps(states[ref], protocol=pickle.HIGHEST_PROTOCOL))
                  for ref in refs}
        self.view.apply(start, end, stored)
        self._states_at = end
        for ref in refs:
            states.move_to_end(ref)
        while len(states) > self.cache_size:
            states.popitem(last=False)

    def _forget(self) -> None:
        self._states.clear()
        self._states_at = -1

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
                events, states = fold_in_parallel(self.url, head, workers, self.batch_size)
            else:
                events, states = fold(self.ledger, head, 0, 1, self.batch_size)
            self.view.replace(head, states)
        if progress is not None:
            progress(head, head)
        return Rebuilt(events, len(states), perf_counter() - started)


Folded = dict[str, tuple[int, bytes]]  # client -> (version, pickled state)


def fold_in_parallel(url: str, head: int, workers: int, page: int) -> tuple[int, Folded]:
    """Fold every client's events up to `head`, one shard of clients per process;
    returns how many events were folded, and the states."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        parts = list(pool.map(fold_shard, [url] * workers, [head] * workers, range(workers),
                              [workers] * workers, [page] * workers))
    return (sum(count for count, _ in parts),
            {ref: stored for _, part in parts for ref, stored in part.items()})


def fold_shard(url: str, head: int, shard: int, shards: int, page: int,
               ) -> tuple[int, Folded]:
    """In a worker process: the folded states of one shard of clients, pickled."""
    from projections.storage import open_ledger

    ledger = open_ledger(url, extra_env={"CREATE_TABLE": "n"})  # the parent made them
    try:
        return fold(ledger, head, shard, shards, page)
    finally:
        ledger.close()


def fold(ledger: Ledger, head: int, shard: int, shards: int, page: int) -> tuple[int, Folded]:
    """The events up to `head` of one shard of clients, folded: how many, and the states."""
    states: dict[str, ClientState] = {}
    after = count = 0
    while rows := ledger.recorder.select_shard(  # type: ignore[attr-defined]
            after, head, page, shard, shards):
        count += len(rows)
        for row in rows:
            event = ledger.mapper.to_domain_event(row)
            assert isinstance(event, Relationship.Event)
            states[event.client_ref] = evolve(states.get(event.client_ref), event)
        after = rows[-1].id
    return count, {ref: (state.version, pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
                   for ref, state in states.items()}
