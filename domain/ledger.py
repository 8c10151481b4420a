"""The `Ledger` application: appending events for clients, and reading them back.

`append()` takes a batch of entries for one or many clients and writes all of
them in one transaction, or none: each entry is prepared on its own
(`domain.entries`), then checked against the client's standing and the expected
version, and idempotency keys already used return the original result.  A
batch that loses an optimistic-concurrency race is re-run against the fresh
state (an `expectedVersion` then decides whether it may).  Personal fields are
sealed with the client's data key (`domain.keyring`) before the event exists, so the
ledger and its stream cache only ever hold envelopes; a ClientForgotten destroys the
key once it is stored.  The clock is passed in; nothing here reads the system time.
Reads are `domain.history`'s.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Mapper

from domain.client import Client
from domain.entries import Entry, Prepared, fill_defaults, numbered, prepare
from domain.envelopes import ERASED_MARK, PERSONAL_FIELDS
from domain.errors import (
    CurrencyMismatch,
    DuplicateId,
    IdempotencyConflict,
    InvalidInput,
    UnknownClient,
    VersionConflict,
)
from domain.event_store import IN_MEMORY, EventStore
from domain.history import History, Recorded
from domain.keyring import Keyring
from domain.mapper import EventMapper
from domain.relationship import Relationship
from domain.retrying import exponential, retrying
from domain.rules import check_forgettable, refuse_if_forgotten
from domain.stream_cache import StreamCache
from domain.values import stream_id

Clock = Callable[[], datetime]
MAX_ATTEMPTS = 100
#: between attempts of a batch that lost a race: a random pause, growing up to 0.1 s
RACE_WAIT = exponential(first=0.001, factor=1.5, most=0.1)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Appended:
    client_ref: str
    version: int
    position: int
    entity_id: str | None
    replayed: bool


Outcome = tuple[str, int, str | None, bool]  # client, version, entity id, replayed


class Ledger(Application[UUID]):
    """Palabra's event-sourced application: one `Relationship` stream per client."""

    name = "Palabra"

    def __init__(self, env: Mapping[str, str] | None = None, clock: Clock = utc_now,
                 keyring: Keyring | None = None) -> None:
        #: the clients' data keys (in memory only when none is given: for tests and trials)
        self.keyring = keyring or Keyring.in_memory()
        super().__init__(env)
        if not isinstance(self.recorder, EventStore):
            raise TypeError("the Ledger needs a recorder with select_ranges(); configure "
                            "APPLICATION_RECORDER_TOPIC (see domain.event_store)")
        self.store: EventStore = self.recorder
        self.history = History(self.store, self.mapper, self.keyring)
        self.clock = clock
        self.appended = 0  # events this ledger wrote, for the metrics
        self._appended_lock = threading.Lock()
        self._streams = StreamCache(self._refresh,
                                    int(self.env.get("STREAM_CACHE_SIZE") or 1000))

    @classmethod
    def in_memory(cls, clock: Clock = utc_now) -> Ledger:
        """A ledger whose events and keys are kept in memory only (for tests and trials)."""
        return cls(env=IN_MEMORY, clock=clock, keyring=Keyring.in_memory())

    def construct_mapper(self) -> Mapper[UUID]:
        return EventMapper(transcoder=JSONTranscoder(), cipher=self.factory.cipher(),
                           compressor=self.factory.compressor())

    # ---- writing --------------------------------------------------------------------

    def append(self, entries: Sequence[Entry]) -> list[Appended]:
        """Append a batch all-or-nothing; returns one result per entry, in order."""
        if not entries:
            raise InvalidInput("nothing to append: the batch is empty")
        today = self.clock().astimezone(UTC).date()
        several = len(entries) > 1
        prepared = []
        for n, entry in enumerate(entries, 1):
            with numbered(n if several else None):
                prepared.append(prepare(entry, today))
        # another writer got there first: run again on fresh state
        once = retrying(IntegrityError, MAX_ATTEMPTS, RACE_WAIT)(self._append_once)
        try:
            return once(prepared, several)
        except IntegrityError:
            refs = ", ".join(sorted({p.entry.client_ref for p in prepared}))
            raise VersionConflict(f"{refs} kept changing under {MAX_ATTEMPTS} attempts by "
                                  "other writers; nothing was written, retry later") from None

    def _append_once(self, prepared: list[Prepared], several: bool) -> list[Appended]:
        now = self.clock().astimezone(UTC)
        outcomes: list[Outcome] = []
        new_events: list[Relationship.Event] = []
        self.keyring.prepare(
            {stream_id(i.entry.client_ref) for i in prepared},
            new={stream_id(i.entry.client_ref) for i in prepared
                 if i.cls is Relationship.ClientOnboarded})
        with self._streams.checkout(item.entry.client_ref for item in prepared) as clients:
            for n, item in enumerate(prepared, 1):
                with numbered(n if several else None):
                    outcome, event = self._apply(item, clients, now)
                outcomes.append(outcome)
                if event is not None:
                    new_events.append(event)
            for client in clients.values():
                if client is not None:
                    client.relationship.collect_events()
            # stored in batch order, in one transaction: global positions follow the batch
            recordings = self.events.put(new_events)
            for event in new_events:
                if isinstance(event, Relationship.ClientForgotten):
                    self.keyring.forget(event.originator_id)
        with self._appended_lock:
            self.appended += len(new_events)
        positions = {(r.notification.originator_id, r.notification.originator_version):
                     r.notification.id for r in recordings}
        replays: dict[UUID, tuple[int, int | None]] = {}
        for ref, version, _, _ in outcomes:
            if (stream_id(ref), version) not in positions:  # an idempotent replay
                low, high = replays.get(stream_id(ref), (version - 1, version))
                replays[stream_id(ref)] = (min(low, version - 1), max(high or 0, version))
        if replays:
            for found in self.store.select_ranges(replays):
                positions[(found.originator_id, found.originator_version)] = found.id
        return [Appended(ref, v, positions[(stream_id(ref), v)], entity, replayed)
                for ref, v, entity, replayed in outcomes]

    def _refresh(self, cached: dict[str, Client | None]) -> dict[str, Client | None]:
        """Load new clients and catch cached ones up, in one query."""
        ranges: dict[UUID, tuple[int, int | None]] = {
            stream_id(ref): (client.version if client else 0, None)
            for ref, client in cached.items()}
        clients = {stream_id(ref): client for ref, client in cached.items()}
        for notification in self.store.select_ranges(ranges):
            event = self.history.decode(notification)
            client = clients[event.originator_id]
            if client is None:
                assert isinstance(event, Relationship.ClientOnboarded)
                clients[event.originator_id] = Client.onboarded(event)
            else:
                client.absorb(event)
            if isinstance(event, Relationship.ClientForgotten):
                self.keyring.drop(event.originator_id)  # perhaps forgotten by another process
        return {ref: clients[stream_id(ref)] for ref in cached}

    def load(self, client_ref: str) -> Client | None:
        """A client's stream and standing as stored now (None: no such client)."""
        return self._refresh({client_ref: None})[client_ref]

    def _apply(self, item: Prepared, clients: dict[str, Client | None], now: datetime,
               ) -> tuple[Outcome, Relationship.Event | None]:
        entry, ref = item.entry, item.entry.client_ref
        client = clients[ref]
        if entry.idempotency_key is not None and client is not None:
            seen = client.relationship.keys.get(entry.idempotency_key)
            if seen is not None:
                version, digest = seen
                if digest != item.digest:
                    raise IdempotencyConflict(
                        f"idempotency key {entry.idempotency_key!r} was already used for "
                        f"{ref} (version {version}) with a different payload")
                return (ref, version, client.relationship.log[version - 1].entity_id,
                        True), None
        current = client.version if client is not None else 0
        if entry.expected_version is not None and entry.expected_version != current:
            raise VersionConflict(f"{ref} is at version {current}, not at the expected "
                                  f"version {entry.expected_version}; reload and retry")
        fields = dict(item.parsed.fields)
        if client is not None:
            refuse_if_forgotten(client.standing)
            if item.cls is Relationship.ClientForgotten:
                check_forgettable(client.relationship)
        meta = {"client_ref": ref, "occurred_on": item.occurred_on, "actor": entry.actor,
                "idempotency_key": entry.idempotency_key, "request_digest": item.digest}
        if item.cls is Relationship.ClientOnboarded:
            if client is not None:
                raise DuplicateId(f"client {ref} is already onboarded")
            fill_defaults(item.cls, fields, None, item.occurred_on)
            self._seal(ref, fields, erased=entry.erased)
            client = clients[ref] = Client(Relationship._create(
                Relationship.ClientOnboarded, id=stream_id(ref), timestamp=now,
                **meta, **fields))
            return (ref, client.version, None, False), client.relationship.log[-1]
        if client is None:
            raise UnknownClient(f"there is no client {ref}; onboard it first")
        self._seal(ref, fields, erased=entry.erased)
        standing = client.standing
        wrong = sorted(c for c in item.parsed.currencies if c != standing.currency)
        if wrong:
            raise CurrencyMismatch(f"amounts for {ref} are in {standing.currency}, not "
                                   f"{', '.join(wrong)}")
        if item.occurred_on < standing.onboarded_on:
            raise InvalidInput(f"occurredOn {item.occurred_on} is before {ref} was onboarded "
                               f"({standing.onboarded_on})")
        fill_defaults(item.cls, fields, standing, item.occurred_on)
        event = client.decide(item.cls, now, **meta, **fields)
        return (ref, event.originator_version, event.entity_id, False), event

    def _seal(self, ref: str, fields: dict[str, Any], erased: bool) -> None:
        """Personal fields are stored in envelopes, sealed before the event exists: no
        plaintext is kept in memory beyond the request (an erased import line's marks
        stay as they are)."""
        stream = stream_id(ref)
        for name, value in fields.items():
            if (name in PERSONAL_FIELDS and isinstance(value, str)
                    and not (erased and value == ERASED_MARK)):
                fields[name] = self.keyring.seal(stream, name, value)

    def close(self) -> None:
        super().close()
        self.keyring.store.close()

    # ---- reading --------------------------------------------------------------------

    def stream(self, client_ref: str, known_at: datetime | None = None) -> list[Recorded]:
        """A client's events in stream order with positions, as known at `known_at`."""
        return self.history.stream(client_ref, known_at)

    def feed(self, after: int | None = None, limit: int = 500,
             types: Sequence[str] = ()) -> list[Recorded]:
        """Events of every client in global order, after a position."""
        return self.history.feed(after, limit, types)
