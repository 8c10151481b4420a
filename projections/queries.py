"""What the API and the command line ask of the read models, answered consistently.

Every question first makes sure the read models reflect every event stored so far
(read-your-writes, SPEC §6b): when the view is behind the event store it catches
up — or waits, when a runner holds the view's lock — before answering.  Figures
for a `known_at` moment are an auditor's replay: the client's stream as recorded
by then, folded through the same `evolve` and `figures`.
"""

from __future__ import annotations

import base64
import json
import logging
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from domain.accounts import Accounts
from domain.errors import LedgerError
from domain.values import check_text
from projections.contact_policy import ContactPolicy, contact_allowed
from projections.figures import ClientFigures, figures
from projections.portfolio import ClientOrder, IndexEntry, Portfolio, from_totals, index_entry
from projections.projector import Projector
from projections.signal_rules import SignalKind
from projections.since import signal_onsets
from projections.state import ClientState, fold
from projections.storage import disk_full
from projections.trust import DEFAULT_WEIGHTS, TrustWeights

log = logging.getLogger("palabra.read_model")
K = TypeVar("K")
V = TypeVar("V")


_AMOUNT = re.compile(r"-?\d{1,15}(\.\d{1,2})?")


class InvalidCursor(LedgerError):
    code = "INVALID_INPUT"


@dataclass(frozen=True)
class ClientPage:
    entries: tuple[tuple[str, IndexEntry], ...]  # (cursor, entry)
    has_next_page: bool
    total_count: int

    @property
    def end_cursor(self) -> str | None:
        return self.entries[-1][0] if self.entries else None


ANALYZE_AFTER = 1000  # index rows built at once, after which the statistics are refreshed
ORDER_SQL = {
    ClientOrder.SCORE_ASC: "p.score ASC NULLS LAST, p.client_ref",
    ClientOrder.SCORE_DESC: "p.score DESC NULLS LAST, p.client_ref",
    ClientOrder.OUTSTANDING_DESC: "p.outstanding DESC, p.client_ref",
    ClientOrder.NAME_ASC: "p.name_key, p.client_ref",
}


class ReadModel:
    """Keeps recently read states and figures in memory, keyed by the client's version,
    so asking again costs a version lookup; any new event changes the version."""

    def __init__(self, projector: Projector, weights: TrustWeights = DEFAULT_WEIGHTS,
                 cache_size: int = 10_000) -> None:
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
        self.weights_key = json.dumps(asdict(weights), sort_keys=True)

    def fresh(self) -> None:
        """Bring the read models up to the latest stored event."""
        self._fresh_versions(())

    def _fresh_versions(self, refs: Sequence[str]) -> dict[str, int]:
        """Catch up if behind, and the current versions of these clients."""
        head, position, versions = self.view.freshness(refs)
        if position < head:
            try:
                self.projector.catch_up(until=head)
            except Exception as error:
                if not disk_full(error):
                    raise
                log.warning("the disk is full: answering from the read models as they are, "
                            "%d events behind", head - position)
                return versions
            _, _, versions = self.view.freshness(refs)
        return versions

    # ---- one client -----------------------------------------------------------------

    def state(self, ref: str, known_at: datetime | None = None) -> ClientState | None:
        if known_at is not None:
            try:
                records = self.ledger.stream(ref, known_at=known_at)
            except LedgerError:
                return None
            return fold([r.event for r in records])
        return self.states([ref]).get(ref)

    def states(self, refs: Sequence[str]) -> dict[str, ClientState]:
        """The current states of these clients (those that exist)."""
        versions = self._fresh_versions(refs)
        found = {ref: state for ref in versions
                 if (state := self._states.get(ref)) is not None
                 and state.version == versions[ref]}
        loaded = self.view.states([ref for ref in versions if ref not in found])
        for ref, state in loaded.items():
            self._states.put(ref, state)
        return {**found, **loaded}

    def client(self, ref: str, as_of: date,
               known_at: datetime | None = None) -> ClientFigures | None:
        """A client's figures as of a date, as known at a moment (default now)."""
        if known_at is not None:
            state = self.state(ref, known_at)
            return None if state is None else self._compute(state, as_of)
        return self.figures_of([ref], as_of).get(ref)

    def figures_of(self, refs: Sequence[str], as_of: date) -> dict[str, ClientFigures]:
        """The figures of several clients as of a date (those that exist), in one go."""
        return {ref: self._figures_of_state(state, as_of)
                for ref, state in self.states(refs).items()}

    def signal_onsets(self, ref: str, as_of: date,
                      known_at: datetime | None = None) -> Mapping[SignalKind, date | None]:
        """When each signal that holds on `as_of` began (the year looked back costs more
        than the figures, so it is worked out only when asked); empty for an unknown
        client."""
        state = self.state(ref, known_at)
        if state is None:
            return {}
        key = (ref, state.version, as_of)
        with self._onsets_lock:
            onsets = self._onsets.get(key) if known_at is None else None
            if onsets is None:
                held = [s.kind for s in self._figures_of_state(state, as_of).signals]
                onsets = signal_onsets(state, as_of, held)
                if known_at is None:
                    self._onsets.put(key, onsets)
        return onsets

    def _figures_of_state(self, state: ClientState, as_of: date) -> ClientFigures:
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
        state = self.state(ref)
        return None if state is None else contact_allowed(state, on)

    # ---- the portfolio --------------------------------------------------------------

    def refresh_index(self, as_of: date, chunk: int = 500) -> int:
        """Compute the index rows of `as_of` that are missing or stale; returns how many.

        The day's marker in the database says up to which position its rows are complete
        and with which weights: then only the clients changed since are looked at; other
        weights mean every row is computed again."""
        self.fresh()
        position, marked, weights = self.view.day_marker(as_of)
        if marked == position and weights == self.weights_key:
            return 0
        if weights not in (None, self.weights_key):
            stale = sorted(self.view.versions())
        else:
            stale = self.view.stale_entries(as_of, since=marked)
        parts = [stale[start:start + chunk] for start in range(0, len(stale), chunk)] or [[]]
        for number, refs in enumerate(parts, 1):
            self.view.save_entries(as_of, [
                index_entry(self._figures_of_state(state, as_of))
                for state in self.view.states(refs).values()],
                self.weights_key, complete_at=position if number == len(parts) else None)
        if len(stale) >= ANALYZE_AFTER:
            self.view.analyze()
        return len(stale)

    def clients(self, as_of: date, first: int = 50, after: str | None = None,
                order: ClientOrder = ClientOrder.SCORE_ASC, band: str | None = None,
                signal: str | None = None, state: str | None = None) -> ClientPage:
        """A page of the client list, sorted and filtered, with keyset cursors."""
        self.refresh_index(as_of)
        where, params = [], []
        if band is not None:
            where.append("p.band = %s")
            params.append(band)
        if state is not None:
            where.append("p.state = %s")
            params.append(state)
        if signal is not None:
            where.append("EXISTS (SELECT 1 FROM palabra_portfolio_signals s WHERE "
                         "s.as_of = p.as_of AND s.client_ref = p.client_ref AND s.kind = %s)")
            params.append(signal)
        total = self.view.count_entries(as_of, " AND ".join(where), params)
        if after is not None:
            condition, values = _after(order, _decode(after, order))
            where.append(condition)
            params.extend(values)
        rows = self.view.entries(as_of, " AND ".join(where), params, ORDER_SQL[order],
                                 limit=first + 1)
        return ClientPage(tuple((_encode(order, e), e) for e in rows[:first]),
                          len(rows) > first, total)

    def portfolio(self, as_of: date) -> Portfolio:
        self.refresh_index(as_of)
        return from_totals(self.view.totals(as_of), as_of)


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

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


# ---- keyset cursors -------------------------------------------------------------------


def _key(order: ClientOrder, entry: IndexEntry) -> Any:
    if order in (ClientOrder.SCORE_ASC, ClientOrder.SCORE_DESC):
        return entry.score
    if order is ClientOrder.OUTSTANDING_DESC:
        return str(entry.outstanding)
    return entry.name.casefold()


def _encode(order: ClientOrder, entry: IndexEntry) -> str:
    raw = json.dumps([order.value, _key(order, entry), entry.ref])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, order: ClientOrder) -> tuple[Any, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, key, ref = json.loads(raw)
    except (ValueError, TypeError):
        raise InvalidCursor(f"not a cursor of this list: {cursor!r}") from None
    if name != order.value or not isinstance(ref, str):
        raise InvalidCursor("the cursor belongs to another ordering of the list")
    if not _fits(order, key):
        raise InvalidCursor(f"not a cursor of this list: {cursor!r}")
    for text in (key, ref):
        if isinstance(text, str):
            check_text(text, "after")
    return key, ref


def _fits(order: ClientOrder, key: Any) -> bool:
    """Whether a cursor's key is one `_key` could have written (a forged one is refused)."""
    if order in (ClientOrder.SCORE_ASC, ClientOrder.SCORE_DESC):
        return key is None or (isinstance(key, int | float) and not isinstance(key, bool)
                               and math.isfinite(key) and abs(key) <= 1000)
    if order is ClientOrder.OUTSTANDING_DESC:
        return isinstance(key, str) and _AMOUNT.fullmatch(key) is not None
    return isinstance(key, str)  # NAME_ASC: the text is checked by the caller


def _after(order: ClientOrder, cursor: tuple[Any, str]) -> tuple[str, list[Any]]:
    key, ref = cursor
    if order in (ClientOrder.SCORE_ASC, ClientOrder.SCORE_DESC):
        if key is None:
            return "(p.score IS NULL AND p.client_ref > %s)", [ref]
        beyond = ">" if order is ClientOrder.SCORE_ASC else "<"
        return (f"(p.score IS NULL OR p.score {beyond} %s OR "
                "(p.score = %s AND p.client_ref > %s))", [float(key), float(key), ref])
    if order is ClientOrder.OUTSTANDING_DESC:
        cents = int(Decimal(key) * 100)
        return ("(p.outstanding < %s OR (p.outstanding = %s AND p.client_ref > %s))",
                [cents, cents, ref])
    return "(p.name_key > %s OR (p.name_key = %s AND p.client_ref > %s))", [key, key, ref]
