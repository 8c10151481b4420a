"""What the API and the command line ask of the read models, answered without writing.

Only the projection worker writes read models.  A question finds the stored state of
each client it needs; when the event store is ahead of them it folds the client's
events after the stored version in memory (the same `evolve`), so a read sees every
write made before it (read-your-writes) without writing.  A list or the portfolio of a
day reads the portfolio index for the clients it is complete for (up to its marker's
position) and computes the clients changed since in memory, merged in the list's
order; a day never indexed is computed in memory whole.  Figures for a `known_at`
moment are an auditor's replay: the client's stream as recorded by then, folded
through the same `evolve` and `figures`.

States, figures and index rows are kept as stored: personal fields sealed in their
envelopes (`domain.envelopes`), in the database and in this module's caches alike.
What a caller is handed is opened on the way out (`domain.revealing`), with the keys
of its clients read for that call only; a forgotten client's fields read "[erased]".
The list by name is the one order the database cannot sort (its names are sealed):
the day's rows are read whole, their names opened in memory and sorted there.

A client exists as of a date from its onboarding's date on: before it, it has no
figures, no contact policy, and no place in a list or the portfolio
(`ClientState.exists_on`).
"""

from __future__ import annotations

import copy
import json
import logging
import threading
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from functools import partial
from typing import Generic, TypeVar
from uuid import UUID

from domain.accounts import Accounts
from domain.errors import LedgerError
from domain.keyring import Opener
from domain.relationship import Relationship
from domain.revealing import reveal
from domain.values import stream_id
from projections.collector import collector_paused
from projections.cursors import (
    ORDER_SQL,
    ClientPage,
    after_condition,
    cursor_key,
    decode,
    encode,
    sort_key,
)
from projections.figures import ClientFigures, figures
from projections.figures.contact_policy import ContactPolicy, contact_allowed
from projections.figures.portfolio import (
    ClientOrder,
    IndexEntry,
    Portfolio,
    Totals,
    from_totals,
    index_entry,
)
from projections.figures.signals import SignalKind, signal_onsets
from projections.figures.trust import DEFAULT_WEIGHTS, TrustWeights
from projections.projector import Projector, Unreadable, decode_event
from projections.state import ClientState, evolve, fold
from projections.store import READ_CACHE

log = logging.getLogger("palabra.read_model")
#: the revision of the rules the stored index rows were computed by (2: clients exist from
#: their onboarding date, write-offs count in paymentPunctuality)
RULES = 2
DAYS_KEPT = 4
REMEMBERED_PER_DAY = 1000  # clients changed since a day's index kept in the caches when computed
K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")
P = TypeVar("P")


@dataclass(frozen=True)
class Sealed(Generic[T]):
    """A client's read-model object as the caches hold it, personal fields sealed, with
    the opener made for this read: `open(part)` is a copy of any part of it with its
    envelopes opened, so that an answer that shows little opens little."""

    value: T
    opener: Opener
    stream: UUID

    def open(self, part: P) -> P:
        return reveal(part, self.opener, self.stream)

    def opened(self) -> T:
        return self.open(self.value)


class ReadModel:
    """Keeps recently read states and figures in memory, keyed by the client's version,
    so asking again costs a version lookup; any new event changes the version."""

    def __init__(self, projector: Projector, weights: TrustWeights = DEFAULT_WEIGHTS,
                 cache_size: int = READ_CACHE) -> None:
        self.projector = projector
        self.ledger = projector.ledger
        self.view = projector.view
        self.weights = weights
        self._states: LRU[str, ClientState] = LRU(cache_size)
        self._figures: LRU[tuple[str, int, date], ClientFigures] = LRU(cache_size)
        self._onsets: LRU[tuple[str, int, date], Mapping[SignalKind, date | None]] = LRU(
            cache_size)
        self._onsets_lock = threading.Lock()  # one client's onsets are worked out once
        # allocations as of earlier dates, by client version (a stream's prefix)
        self._runs: LRU[tuple[str, int], dict[int, Accounts]] = LRU(cache_size)
        self._days: LRU[date, Day] = LRU(DAYS_KEPT)  # the portfolio of recently asked days
        self._undecodable: dict[str, int] = {}  # stored rows found not to decode
        self._undecodable_lock = threading.Lock()
        # the index of a day is valid for these weights under these rules: a change of
        # either makes a day start over (RULES names the revision of the figures' rules)
        self.weights_key = json.dumps({**asdict(weights), "rules": RULES}, sort_keys=True)

    def undecodable(self) -> dict[str, int]:
        """The clients whose stored rows reads found not to decode (client -> the row's
        position), forgotten once taken: the worker folds them again and stores them."""
        with self._undecodable_lock:
            found, self._undecodable = self._undecodable, {}
        return found

    # ---- one client -----------------------------------------------------------------

    def state(self, ref: str, known_at: datetime | None = None) -> ClientState | None:
        """A client's state, personal fields opened (None: no such client)."""
        state = self._sealed_state(ref, known_at)
        if state is None:
            return None
        opened = self._revealed({ref: state})[ref]
        if opened is not state:  # a copy: its allocation is run from the opened money
            opened.allocated = None
        return opened

    def _sealed_state(self, ref: str, known_at: datetime | None) -> ClientState | None:
        if known_at is not None:
            try:
                records = self.ledger.history.stream(ref, known_at=known_at, sealed=True)
            except LedgerError:
                return None
            return fold([r.event for r in records])
        return self._current([ref]).get(ref)

    def states(self, refs: Sequence[str]) -> dict[str, ClientState]:
        """The current states of these clients (those that exist), as stored (personal
        fields sealed): the stored ones, with the events the worker has not applied yet
        folded in memory."""
        return self._current(refs)

    def _revealed(self, found: Mapping[str, T]) -> dict[str, T]:
        """What is handed to a caller: copies with the personal fields opened."""
        return {ref: sealed.opened() for ref, sealed in self._sealed(found).items()}

    def _sealed(self, found: Mapping[str, T]) -> dict[str, Sealed[T]]:
        """What is handed to a caller that opens only the parts it shows, with one opener
        for all (their keys read in one query)."""
        opener = self.ledger.keyring.opener(stream_id(ref) for ref in found)
        return {ref: Sealed(value, opener, stream_id(ref)) for ref, value in found.items()}

    def _current(self, refs: Sequence[str], remember: bool = True) -> dict[str, ClientState]:
        wanted = list(dict.fromkeys(refs))
        head, position, versions = self.view.freshness(wanted)
        behind = position < head
        found: dict[str, ClientState] = {}
        load: list[str] = []
        for ref in wanted:
            stored = versions.get(ref)
            cached = self._states.get(ref)
            if cached is not None and (stored is not None or behind) and (
                    cached.version >= (stored or 0)):
                found[ref] = cached
            elif stored is not None:
                load.append(ref)
        loaded, broken = self.view.stored_states(load)
        if broken:  # logged by the view; folded from the first event below
            with self._undecodable_lock:
                self._undecodable.update(broken)
        found.update(loaded)
        after = {ref: found[ref].version if ref in found else 0
                 for ref in (wanted if behind else broken)}
        found.update(self._caught_up(found, after))
        if remember:
            for ref, state in found.items():
                self._states.put(ref, state)
        return found

    def _caught_up(self, found: Mapping[str, ClientState],
                   after: Mapping[str, int]) -> dict[str, ClientState]:
        """The clients with events after the given versions, those events folded in
        memory on a copy of the state found (from the first event when none was)."""
        if not after:
            return {}
        refs = {stream_id(ref): ref for ref in after}
        events: dict[str, list[Relationship.Event]] = {}
        failed: set[str] = set()
        for notification in self.ledger.store.select_ranges(
                {stream: (after[ref], None) for stream, ref in refs.items()}):
            ref = refs[UUID(str(notification.originator_id))]
            event = decode_event(self.ledger, notification)
            if isinstance(event, Unreadable):
                failed.add(ref)
            else:
                events.setdefault(ref, []).append(event)
        caught: dict[str, ClientState] = {}
        for ref, new in events.items():
            if ref in failed:
                continue  # the projection skips it too: answered as stored
            state = copy.deepcopy(found[ref]) if ref in found else None
            try:
                for event in new:
                    state = evolve(state, event)
            except Exception as error:
                log.debug("client %r does not fold (%s): answered as stored", ref, error)
                continue
            if state is not None:
                caught[ref] = state
        return caught

    def client(self, ref: str, as_of: date,
               known_at: datetime | None = None) -> ClientFigures | None:
        """A client's figures as of a date, as known at a moment (default now)."""
        found = self.sealed_client(ref, as_of, known_at)
        return None if found is None else found.opened()

    def sealed_client(self, ref: str, as_of: date,
                      known_at: datetime | None = None) -> Sealed[ClientFigures] | None:
        """`client`, its personal fields opened only by the caller (`Sealed.open`)."""
        if known_at is not None:
            state = self._sealed_state(ref, known_at)
            return None if state is None or not state.exists_on(as_of) else self._sealed(
                {ref: self._compute(state, as_of)})[ref]
        return self.sealed_figures_of([ref], as_of).get(ref)

    def figures_of(self, refs: Sequence[str], as_of: date) -> dict[str, ClientFigures]:
        """The figures of several clients as of a date (those that exist on that date),
        in one go, personal fields opened."""
        return {ref: found.opened() for ref, found in self.sealed_figures_of(refs, as_of).items()}

    def sealed_figures_of(self, refs: Sequence[str],
                          as_of: date) -> dict[str, Sealed[ClientFigures]]:
        """`figures_of`, their personal fields opened only by the caller."""
        return self._sealed({ref: self.figures_of_state(state, as_of)
                             for ref, state in self.states(refs).items()
                             if state.exists_on(as_of)})

    def signal_onsets(self, ref: str, as_of: date,
                      known_at: datetime | None = None) -> Mapping[SignalKind, date | None]:
        """When each signal that holds on `as_of` began (the year looked back costs more
        than the figures, so it is worked out only when asked); empty for an unknown
        client."""
        state = self._sealed_state(ref, known_at)
        if state is None or not state.exists_on(as_of):
            return {}
        key = (ref, state.version, as_of)
        with self._onsets_lock:
            onsets = self._onsets.get(key) if known_at is None else None
            if onsets is None:
                held = [s.kind for s in self.figures_of_state(state, as_of).signals]
                onsets = signal_onsets(state, as_of, held)
                if known_at is None:
                    self._onsets.put(key, onsets)
        return onsets

    def figures_of_state(self, state: ClientState, as_of: date) -> ClientFigures:
        """The figures of a state (of the current stream or a prefix of it), cached by
        the client's version."""
        key = (state.ref, state.version, as_of)
        computed = self._figures.get(key)
        if computed is None:
            computed = self._compute(state, as_of)
            self._figures.put(key, computed)
        return computed

    def _compute(self, state: ClientState, as_of: date) -> ClientFigures:
        """`figures`, with the earlier allocations of this client version remembered."""
        key = (state.ref, state.version)
        runs = self._runs.get(key)
        if runs is None:
            runs = {}
            self._runs.put(key, runs)
        return figures(state, as_of, self.weights, runs)

    def contact_allowed(self, ref: str, on: date) -> ContactPolicy | None:
        """The contact policy on `on`; None for a client that is not a client then."""
        state = self._sealed_state(ref, None)
        if state is None or not state.exists_on(on):
            return None
        return self._revealed({ref: contact_allowed(state, on)})[ref]

    # ---- the portfolio --------------------------------------------------------------

    def _day(self, as_of: date) -> Day:
        """What the index of `as_of` answers for, and the clients computed in memory;
        remembered while nothing it was worked out from moves (see `Day.key`)."""
        position, marked, weights = self.view.day_marker(as_of)
        head = self.projector.head()
        key = (as_of, head, position, marked, weights)
        remembered = self._days.get(as_of)
        if remembered is not None and remembered.key == key:
            return remembered
        # the days worked out before the last events go now, not when next asked (they may
        # hold what a later event removed, e.g. a forgotten client's name)
        self._days.drop(lambda day: day.key[1] != head)
        day = self._work_out_day(key)
        self._days.put(as_of, day)
        return day

    def _work_out_day(self, key: DayKey) -> Day:
        as_of, head, position, marked, weights = key
        indexed = marked is not None and weights == self.weights_key
        changed = set(self.view.stale_entries(as_of, since=marked) if indexed
                      else self.view.versions())
        if position < head:
            changed |= {event.client_ref for _, event in self.projector.events_after(
                position, head) if isinstance(event, Relationship.Event)}
        changed -= {s.ref for s in self.view.skipped() if s.what == "index"}
        # the few clients changed since the index are kept in the caches, as the page that
        # lists them reads their figures next; a day computed whole is not: it would crowd
        # out the clients read one by one, and the day keeps its index entries
        remember = len(changed) <= REMEMBERED_PER_DAY
        compute = self.figures_of_state if remember else partial(
            figures, weights=self.weights)
        with collector_paused():
            computed = [index_entry(compute(state, as_of))
                        for state in self._current(sorted(changed), remember).values()
                        if state.exists_on(as_of)]
        return Day(key, indexed, frozenset(changed), computed)

    def clients(self, as_of: date, first: int = 50, after: str | None = None,
                order: ClientOrder = ClientOrder.SCORE_ASC, band: str | None = None,
                signal: str | None = None, state: str | None = None) -> ClientPage:
        """A page of the client list, sorted and filtered, with keyset cursors."""
        cursor = None if after is None else decode(after, order)
        by_name = order is ClientOrder.NAME_ASC  # sorted here: the stored names are sealed
        day = self._day(as_of)
        listed = day.computed if by_name else day.in_order(order)  # sealed names: no order
        chosen = [e for e in listed if (band is None or e.band == band)
                  and (state is None or e.state == state)
                  and (signal is None or signal in e.signals)]
        if by_name:
            chosen = sorted(self._revealed({e.ref: e for e in chosen}).values(),
                            key=lambda e: sort_key(order, e))
        total, rows = len(chosen), []
        if cursor is not None:  # in the list's order: those after the cursor's row
            chosen = chosen[bisect_right(chosen, cursor_key(order, cursor),
                                         key=lambda e: sort_key(order, e)):]
        if day.indexed:
            where, params = [], []
            if day.changed:
                condition, values = self.view.excluding("p.client_ref", day.changed)
                where.append(condition)
                params.extend(values)
            if band is not None:
                where.append("p.band = %s")
                params.append(band)
            if state is not None:
                where.append("p.state = %s")
                params.append(state)
            if signal is not None:
                where.append("EXISTS (SELECT 1 FROM palabra_portfolio_signals s WHERE "
                             "s.as_of = p.as_of AND s.client_ref = p.client_ref AND "
                             "s.kind = %s)")
                params.append(signal)
            total += self.view.count_entries(as_of, " AND ".join(where), params)
            if by_name:  # every row of the day, names opened and paged here
                rows = list(self._revealed({e.ref: e for e in self.view.entries(
                    as_of, " AND ".join(where), params)}).values())
                if cursor is not None:
                    rows = [e for e in rows if sort_key(order, e) > cursor_key(order, cursor)]
            else:
                if cursor is not None:
                    condition, values = after_condition(order, cursor)
                    where.append(condition)
                    params.extend(values)
                rows = self.view.entries(as_of, " AND ".join(where), params,
                                         ORDER_SQL[order], limit=first + 1)
        merged = (sorted([*rows, *chosen[:first + 1]], key=lambda e: sort_key(order, e))
                  [:first + 1])
        page = merged[:first] if by_name else list(self._revealed(
            {e.ref: e for e in merged[:first]}).values())
        return ClientPage(tuple((encode(order, e), e) for e in page),
                          len(merged) > first, total)

    def portfolio(self, as_of: date) -> Portfolio:
        day = self._day(as_of)
        totals = day.totals()
        if day.indexed:
            totals = totals.plus(self.view.totals(as_of, leaving_out=day.changed))
        return from_totals(totals, as_of)


#: a day, the event store's head, the read models' position, the day's marker and weights
DayKey = tuple[date, int, int, int | None, str | None]


@dataclass(frozen=True)
class Day:
    """A day's portfolio as the read side sees it: whether its index rows count (complete
    up to a position, with these weights), the clients changed since (left out of the
    rows) and their entries computed in memory, with their sums and orders once asked.

    It is worked out from the events up to the head and the read models at their
    position, so it holds while `key` does: events are never changed or removed (a new
    one moves the head), and the index rows written meanwhile only cover clients
    already in `changed` (those are computed here and left out of the rows)."""

    key: DayKey
    indexed: bool
    changed: frozenset[str]
    computed: list[IndexEntry]
    _worked: dict[object, object] = field(default_factory=dict, compare=False, repr=False)

    def totals(self) -> Totals:
        """The sums of the entries computed in memory."""
        found = self._worked.get("totals")
        if not isinstance(found, Totals):
            found = self._worked["totals"] = Totals.of(self.computed)
        return found

    def in_order(self, order: ClientOrder) -> list[IndexEntry]:
        """The entries computed in memory in a list's order."""
        found = self._worked.get(order)
        if not isinstance(found, list):
            found = self._worked[order] = sorted(self.computed,
                                                 key=lambda e: sort_key(order, e))
        return found


class LRU(Generic[K, V]):
    """A small thread-safe least-recently-used map."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def drop(self, unwanted: Callable[[V], bool]) -> None:
        """Forget every value `unwanted` says so of."""
        with self._lock:
            for key in [k for k, v in self._items.items() if unwanted(v)]:
                del self._items[key]

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
