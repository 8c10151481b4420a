"""Reading the ledger back: a client's stream, the feed of every client, retractions.

Every read returns `Recorded` events: the event, its global position and
whether a later retraction took it back.  Events are stored with their personal
fields sealed (`domain.envelopes`); a reader gets them opened (`reveal`), and those
of a forgotten client as None, with `erased` set.  Nothing here writes.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import takewhile
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper, Notification
from eventsourcing.utils import get_topic

from domain.errors import UnknownClient
from domain.event_store import EventStore
from domain.fields import to_data
from domain.keyring import Keyring
from domain.relationship import EVENT_TYPES, Relationship
from domain.revealing import reveal_event
from domain.values import camel, check_text, stream_id


@dataclass(frozen=True)
class Recorded:
    """A stored event with its global position, as known at some moment."""

    event: Relationship.Event
    position: int
    retracted: bool
    #: the personal fields that held a value now erased (the client was forgotten)
    erased_fields: frozenset[str] = frozenset()

    @property
    def erased(self) -> bool:
        return bool(self.erased_fields)

    @property
    def data(self) -> dict[str, Any]:
        """The event's own fields; an erased one is null."""
        data = to_data(self.event)
        for name in self.erased_fields:
            data[camel(name)] = None
        return data


class History:
    """The reading half of the ledger, over its event store."""

    def __init__(self, store: EventStore, mapper: Mapper[UUID], keyring: Keyring) -> None:
        self.store = store
        self.mapper = mapper
        self.keyring = keyring
        self._retractions: set[tuple[UUID, int]] = set()
        self._retractions_read = 0
        self._retractions_lock = threading.Lock()

    def decode(self, notification: Notification) -> Relationship.Event:
        """A stored event as the client's event, personal fields sealed (TypeError: it
        is not one)."""
        event = self.mapper.to_domain_event(notification)
        if not isinstance(event, Relationship.Event):
            raise TypeError(f"{notification.topic} is not an event of a client")
        return event

    def stream(self, client_ref: str, known_at: datetime | None = None,
               sealed: bool = False) -> list[Recorded]:
        """A client's events in stream order with positions, as known at `known_at`
        (`sealed`: personal fields left in their envelopes, for a fold)."""
        check_text(client_ref, "clientRef")
        notifications = self.store.select_ranges({stream_id(client_ref): (0, None)})
        events = [self.decode(n) for n in notifications]
        pairs = [(e, n.id) for e, n in zip(events, notifications, strict=True)]
        if known_at is not None:  # a prefix of the stream, even if a clock went backwards
            pairs = list(takewhile(lambda pair: pair[0].timestamp <= known_at, pairs))
        if not pairs:
            raise UnknownClient(f"there is no client {client_ref}"
                                + (f" known at {known_at.isoformat()}" if known_at else ""))
        retracted = {e.version for e, _ in pairs if isinstance(e, Relationship.EntryRetracted)}
        found = [Recorded(e, p, e.originator_version in retracted) for e, p in pairs]
        return found if sealed else self.reveal(found)

    def feed(self, after: int | None = None, limit: int = 500,
             types: Sequence[str] = ()) -> list[Recorded]:
        """Events of every client in global order, after a position."""
        topics = [get_topic(EVENT_TYPES[t]) for t in types if t in EVENT_TYPES]
        if types and not topics:
            return []
        notifications = self.store.select_notifications(
            start=after, limit=limit, topics=topics, inclusive_of_start=after is None)
        retracted = self.retracted_versions()
        return self.reveal([Recorded(e, n.id, (e.originator_id, e.originator_version)
                                     in retracted)
                            for n in notifications for e in [self.decode(n)]])

    def reveal(self, found: list[Recorded]) -> list[Recorded]:
        """The events with their personal fields opened, their clients' keys read once."""
        opener = self.keyring.opener({r.event.originator_id for r in found})
        out = []
        for recorded in found:
            event, erased = reveal_event(recorded.event, opener)
            out.append(Recorded(event, recorded.position, recorded.retracted, erased))
        return out

    def retracted_versions(self) -> set[tuple[UUID, int]]:
        """Every (stream, version) a retraction names (read incrementally: retractions,
        like every event, are only ever added)."""
        with self._retractions_lock:
            while page := self.store.select_notifications(
                    start=self._retractions_read, limit=1000,
                    topics=[get_topic(Relationship.EntryRetracted)], inclusive_of_start=False):
                for n in page:
                    event = self.decode(n)
                    assert isinstance(event, Relationship.EntryRetracted)
                    self._retractions.add((event.originator_id, event.version))
                self._retractions_read = page[-1].id
            return set(self._retractions)
