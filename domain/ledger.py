"""The `Ledger` application: appending events for clients, and reading them back.

`append()` takes a batch of entries for one or many clients and writes all of
them in one transaction, or none: each entry is parsed, checked against the
rules and the expected version, and idempotency keys already used return the
original result.  A batch that loses an optimistic-concurrency race is re-run
against the fresh state (an `expectedVersion` then decides whether it may).
The clock is passed in; nothing here reads the system time.
"""

from __future__ import annotations

import hashlib
import json
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import takewhile
from typing import Any, Protocol, runtime_checkable
from uuid import UUID, uuid4

from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Mapper, Notification
from eventsourcing.utils import get_topic

from domain.codec import DEFAULTED, Parsed, parse, plain, to_data
from domain.errors import (
    CurrencyMismatch,
    DuplicateId,
    FutureDate,
    IdempotencyConflict,
    InvalidInput,
    LedgerError,
    UnknownClient,
    VersionConflict,
)
from domain.mapper import EventMapper
from domain.relationship import Relationship
from domain.stream_cache import StreamCache
from domain.values import Basis, Direction, check_text, days, parse_date, parse_ref, stream_id

Clock = Callable[[], datetime]
EVENT_TYPES: dict[str, type[Relationship.Event]] = {
    name: cls for name, cls in vars(Relationship).items()
    if isinstance(cls, type) and issubclass(cls, Relationship.Event)
    and name not in ("Event", "Created")
}
ID_PREFIX = {"promise_id": "P", "expectation_id": "E", "invoice_id": "INV", "plan_id": "PL",
             "payment_id": "PAY", "contact_id": "K", "complaint_id": "C", "request_id": "R",
             "advice_id": "A"}
MAX_ATTEMPTS = 100


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Entry:
    """One event to append, as a caller sends it (SPEC §6 line, GraphQL item)."""

    type: str
    client_ref: str
    data: Mapping[str, Any]
    occurred_on: date | str | None = None
    idempotency_key: str | None = None
    expected_version: int | None = None
    actor: str | None = None


@dataclass(frozen=True)
class Appended:
    client_ref: str
    version: int
    position: int
    entity_id: str | None
    replayed: bool


@dataclass(frozen=True)
class Recorded:
    """A stored event with its global position, as known at some moment."""

    event: Relationship.Event
    position: int
    retracted: bool

    @property
    def data(self) -> dict[str, Any]:
        return to_data(self.event)


@runtime_checkable
class StreamRecorder(Protocol):
    """What the ledger needs of its recorder beyond the library's: streams with positions."""

    def select_ranges(self, ranges: Mapping[UUID, tuple[int, int | None]],
                      ) -> Sequence[Notification]:
        """In one query, the events of each stream with gt < version <= lte (None: no
        upper bound), in stream order, each with its global position as `id`."""
        ...


@dataclass
class _Prepared:
    entry: Entry
    cls: type[Relationship.Event]
    parsed: Parsed
    occurred_on: date
    digest: str


class Ledger(Application[UUID]):
    """Palabra's event-sourced application: one `Relationship` stream per client."""

    name = "Palabra"

    def __init__(self, env: Mapping[str, str] | None = None, clock: Clock = utc_now) -> None:
        super().__init__(env)
        if not isinstance(self.recorder, StreamRecorder):
            raise TypeError("the Ledger needs a recorder with select_ranges(); configure "
                            "APPLICATION_RECORDER_TOPIC (see projections.store)")
        self.stream_recorder: StreamRecorder = self.recorder
        self.clock = clock
        self.appended = 0  # events this ledger wrote, for the metrics
        self._retractions: set[tuple[UUID, int]] = set()
        self._retractions_read = 0
        self._retractions_lock = threading.Lock()
        self._appended_lock = threading.Lock()
        self._streams = StreamCache(self._refresh,
                                    int(self.env.get("STREAM_CACHE_SIZE") or 1000))

    def construct_mapper(self) -> Mapper[UUID]:
        return EventMapper(transcoder=JSONTranscoder(), cipher=self.factory.cipher(),
                           compressor=self.factory.compressor())

    # ---- writing --------------------------------------------------------------------

    def append(self, entries: Sequence[Entry]) -> list[Appended]:
        """Append a batch all-or-nothing; returns one result per entry, in order."""
        if not entries:
            raise InvalidInput("nothing to append: the batch is empty")
        today = self.clock().astimezone(UTC).date()
        numbered = len(entries) > 1
        prepared = []
        for n, entry in enumerate(entries, 1):
            with _numbered(n if numbered else None):
                prepared.append(self._prepare(entry, today))
        for attempt in range(MAX_ATTEMPTS):
            try:
                return self._append_once(prepared, numbered)
            except IntegrityError:  # another writer got there first: run again on fresh state
                time.sleep(random.uniform(0, min(0.1, 0.001 * 1.5**attempt)))
        refs = ", ".join(sorted({p.entry.client_ref for p in prepared}))
        raise VersionConflict(f"{refs} kept changing under {MAX_ATTEMPTS} attempts by other "
                              "writers; nothing was written, retry later")

    def _prepare(self, entry: Entry, today: date) -> _Prepared:
        cls = EVENT_TYPES.get(entry.type) if isinstance(entry.type, str) else None
        if cls is None:
            raise InvalidInput(f"unknown event type {entry.type!r:.80}; the types are "
                               f"{', '.join(EVENT_TYPES)}")
        parse_ref(entry.client_ref, "clientRef")
        omittable = DEFAULTED | ({cls.ENTITY} if cls.CREATES and cls.ENTITY else set())
        if cls is Relationship.InvoiceIssued:
            omittable |= {"due_on"}
        parsed = parse(cls, entry.data, frozenset(omittable))
        occurred_on = self._occurred_on(entry, parsed, today)
        if isinstance(entry.idempotency_key, str):
            check_text(entry.idempotency_key, "idempotencyKey")
        if entry.idempotency_key is not None and (
                not isinstance(entry.idempotency_key, str)
                or not 0 < len(entry.idempotency_key) <= 200
                or not entry.idempotency_key.isprintable()):
            raise InvalidInput("idempotencyKey must be 1 to 200 printable characters")
        if entry.actor is not None and (not isinstance(entry.actor, str)
                                        or not 0 < len(entry.actor) <= 200):
            raise InvalidInput("actor must be text of at most 200 characters")
        if entry.actor is not None:
            check_text(entry.actor, "actor")
        if entry.expected_version is not None and (
                isinstance(entry.expected_version, bool)
                or not isinstance(entry.expected_version, int)
                or not 0 <= entry.expected_version < 2**62):
            raise InvalidInput("expectedVersion must be a whole number, 0 or more")
        digest = hashlib.sha256(json.dumps(
            [entry.type, entry.client_ref, str(entry.occurred_on) if entry.occurred_on else None,
             _canonical(parsed)], sort_keys=True).encode()).hexdigest()
        return _Prepared(entry, cls, parsed, occurred_on, digest)

    def _occurred_on(self, entry: Entry, parsed: Parsed, today: date) -> date:
        occurred_on = (parse_date(entry.occurred_on, "occurredOn")
                       if entry.occurred_on is not None else None)
        issued_on = parsed.extra.get("issuedOn")
        if issued_on is not None:
            if occurred_on is not None and occurred_on != issued_on:
                raise InvalidInput("issuedOn is the invoice's occurredOn; they differ")
            occurred_on = issued_on
        occurred_on = occurred_on or today
        if occurred_on > today + days(1):
            raise FutureDate(f"occurredOn {occurred_on} is more than one day in the future "
                             f"(today is {today})")
        return occurred_on

    def _append_once(self, prepared: list[_Prepared], numbered: bool) -> list[Appended]:
        now = self.clock().astimezone(UTC)
        outcomes: list[tuple[str, int, str | None, bool]] = []
        new_events: list[Relationship.Event] = []
        with self._streams.checkout(item.entry.client_ref for item in prepared) as streams:
            for n, item in enumerate(prepared, 1):
                with _numbered(n if numbered else None):
                    outcome, event = self._apply(item, streams, now)
                outcomes.append(outcome)
                if event is not None:
                    new_events.append(event)
            for stream in streams.values():
                if stream is not None:
                    stream.collect_events()
            # stored in batch order, in one transaction: global positions follow the batch
            recordings = self.events.put(new_events)
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
            for found in self.stream_recorder.select_ranges(replays):
                positions[(found.originator_id, found.originator_version)] = found.id
        return [Appended(ref, v, positions[(stream_id(ref), v)], entity, replayed)
                for ref, v, entity, replayed in outcomes]

    def _refresh(self, cached: dict[str, Relationship | None]) -> dict[str, Relationship | None]:
        """Load new streams and catch cached ones up, in one query."""
        ranges: dict[UUID, tuple[int, int | None]] = {
            stream_id(ref): (stream.version if stream else 0, None)
            for ref, stream in cached.items()}
        streams = {stream_id(ref): stream for ref, stream in cached.items()}
        for notification in self.stream_recorder.select_ranges(ranges):
            event = self._decode(notification)
            streams[event.originator_id] = event.mutate(streams[event.originator_id])
        return {ref: streams[stream_id(ref)] for ref in cached}

    def load(self, client_ref: str) -> Relationship | None:
        """A client's aggregate as stored now (None: no such client)."""
        return self._refresh({client_ref: None})[client_ref]

    def _apply(self, item: _Prepared, streams: dict[str, Relationship | None], now: datetime,
               ) -> tuple[tuple[str, int, str | None, bool], Relationship.Event | None]:
        entry, ref = item.entry, item.entry.client_ref
        stream = streams[ref]
        if entry.idempotency_key is not None and stream is not None:
            seen = stream.keys.get(entry.idempotency_key)
            if seen is not None:
                version, digest = seen
                if digest != item.digest:
                    raise IdempotencyConflict(
                        f"idempotency key {entry.idempotency_key!r} was already used for "
                        f"{ref} (version {version}) with a different payload")
                return (ref, version, stream.log[version - 1].entity_id, True), None
        current = stream.version if stream is not None else 0
        if entry.expected_version is not None and entry.expected_version != current:
            raise VersionConflict(f"{ref} is at version {current}, not at the expected "
                                  f"version {entry.expected_version}; reload and retry")
        fields = dict(item.parsed.fields)
        meta = {"client_ref": ref, "occurred_on": item.occurred_on, "actor": entry.actor,
                "idempotency_key": entry.idempotency_key, "request_digest": item.digest}
        if item.cls is Relationship.ClientOnboarded:
            if stream is not None:
                raise DuplicateId(f"client {ref} is already onboarded")
            fields["payment_terms_days"] = _default(fields["payment_terms_days"], 30)
            fields["contact_cap"] = _default(fields["contact_cap"], 3)
            stream = streams[ref] = Relationship._create(
                Relationship.ClientOnboarded, id=stream_id(ref), timestamp=now,
                **meta, **fields)
            return (ref, stream.version, None, False), stream.log[-1]
        if stream is None:
            raise UnknownClient(f"there is no client {ref}; onboard it first")
        standing = stream.standing
        wrong = sorted(c for c in item.parsed.currencies if c != standing.currency)
        if wrong:
            raise CurrencyMismatch(f"amounts for {ref} are in {standing.currency}, not "
                                   f"{', '.join(wrong)}")
        if item.occurred_on < standing.onboarded_on:
            raise InvalidInput(f"occurredOn {item.occurred_on} is before {ref} was onboarded "
                               f"({standing.onboarded_on})")
        self._fill_defaults(item.cls, fields, stream, item.occurred_on)
        event = stream.record(item.cls, now, **meta, **fields)
        return (ref, event.originator_version, event.entity_id, False), event

    @staticmethod
    def _fill_defaults(cls: type[Relationship.Event], fields: dict[str, Any],
                       stream: Relationship, occurred_on: date) -> None:
        if cls.CREATES and cls.ENTITY and fields[cls.ENTITY] is None:
            fields[cls.ENTITY] = f"{ID_PREFIX[cls.ENTITY]}-{uuid4().hex[:12]}"
        if cls is Relationship.InvoiceIssued and fields["due_on"] is None:
            fields["due_on"] = occurred_on + timedelta(days=stream.standing.payment_terms_days)
        elif cls is Relationship.ExpectationRecorded:
            fields["basis"] = _default(fields["basis"], Basis.STATED)
        elif cls is Relationship.ContactLogged:
            fields["answered"] = _default(fields["answered"],
                                          fields["direction"] is Direction.INBOUND)

    # ---- reading --------------------------------------------------------------------

    def stream(self, client_ref: str, known_at: datetime | None = None) -> list[Recorded]:
        """A client's events in stream order with positions, as known at `known_at`."""
        check_text(client_ref, "clientRef")
        notifications = self.stream_recorder.select_ranges({stream_id(client_ref): (0, None)})
        events = [self._decode(n) for n in notifications]
        pairs = [(e, n.id) for e, n in zip(events, notifications, strict=True)]
        if known_at is not None:  # a prefix of the stream, even if a clock went backwards
            pairs = list(takewhile(lambda pair: pair[0].timestamp <= known_at, pairs))
        if not pairs:
            raise UnknownClient(f"there is no client {client_ref}"
                                + (f" known at {known_at.isoformat()}" if known_at else ""))
        retracted = {e.version for e, _ in pairs if isinstance(e, Relationship.EntryRetracted)}
        return [Recorded(e, p, e.originator_version in retracted) for e, p in pairs]

    def feed(self, after: int | None = None, limit: int = 500,
            types: Sequence[str] = ()) -> list[Recorded]:
        """Events of every client in global order, after a position."""
        topics = [get_topic(EVENT_TYPES[t]) for t in types if t in EVENT_TYPES]
        if types and not topics:
            return []
        notifications = self.recorder.select_notifications(
            start=after, limit=limit, topics=topics, inclusive_of_start=after is None)
        retracted = self.retracted_versions()
        return [Recorded(e, n.id, (e.originator_id, e.originator_version) in retracted)
                for n in notifications for e in [self._decode(n)]]

    def retracted_versions(self) -> set[tuple[UUID, int]]:
        """Every (stream, version) a retraction names (read incrementally: retractions,
        like every event, are only ever added)."""
        with self._retractions_lock:
            while page := self.recorder.select_notifications(
                    start=self._retractions_read, limit=1000,
                    topics=[get_topic(Relationship.EntryRetracted)], inclusive_of_start=False):
                for n in page:
                    event = self._decode(n)
                    assert isinstance(event, Relationship.EntryRetracted)
                    self._retractions.add((event.originator_id, event.version))
                self._retractions_read = page[-1].id
            return set(self._retractions)

    def _decode(self, notification: Notification) -> Relationship.Event:
        event = self.mapper.to_domain_event(notification)
        assert isinstance(event, Relationship.Event)
        return event


def _default(value: Any, default: Any) -> Any:
    return default if value is None else value


@contextmanager
def _numbered(n: int | None) -> Iterator[None]:
    """Say which item of a batch was refused."""
    try:
        yield
    except LedgerError as error:
        if n is None:
            raise
        raise type(error)(error.reason, item=n, figures=error.figures) from None


def _canonical(parsed: Parsed) -> list[Any]:
    """What a caller sent, in a canonical form, for idempotency fingerprints."""
    return [{k: plain(v) for k, v in sorted(parsed.fields.items()) if v is not None},
            sorted(parsed.currencies), {k: plain(v) for k, v in parsed.extra.items()}]
