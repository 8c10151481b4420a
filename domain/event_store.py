"""The event store the ledger needs, and an in-memory one for tests and trials.

The ledger writes and reads through the eventsourcing library's application
recorder; beyond what every recorder does it needs `select_ranges`: clients'
events with their global positions, in one query.  The SQLite and PostgreSQL
stores are in `projections.store`; `InMemoryEventStore` keeps the events in
a list (nothing survives the process), for domain tests that need no database:
`Ledger.in_memory()`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Notification
from eventsourcing.popo import POPOApplicationRecorder, POPOFactory

#: the persistence settings of an in-memory ledger
IN_MEMORY = {"PERSISTENCE_MODULE": "domain.event_store:InMemoryFactory"}


@runtime_checkable
class EventStore(Protocol):
    """What the ledger needs of its recorder beyond the library's: streams with positions."""

    def select_ranges(self, ranges: Mapping[UUID, tuple[int, int | None]],
                      ) -> Sequence[Notification]:
        """In one query, the events of each stream with gt < version <= lte (None: no
        upper bound), in stream order, each with its global position as `id`."""
        ...

    def select_notifications(self, start: int | None, limit: int, stop: int | None = None,
                             topics: Sequence[str] = (), *, inclusive_of_start: bool = True,
                             ) -> Sequence[Notification]:
        """Events of every stream in global order (the library's own query)."""
        ...


class InMemoryEventStore(POPOApplicationRecorder):
    """The library's in-memory recorder, plus `select_ranges`."""

    def select_ranges(self, ranges: Mapping[UUID, tuple[int, int | None]],
                      ) -> Sequence[Notification]:
        found: list[Notification] = []
        with self._database_lock:
            for originator_id, (gt, lte) in ranges.items():
                index = self._stored_events_index.get(str(originator_id), {})
                for version in sorted(index):
                    if gt < version and (lte is None or version <= lte):
                        stored = self._stored_events[index[version]]
                        found.append(Notification(
                            id=index[version] + 1, originator_id=originator_id,
                            originator_version=version, topic=stored.topic,
                            state=stored.state))
        return found


class InMemoryFactory(POPOFactory):
    """The library's in-memory persistence, with `InMemoryEventStore` as recorder."""

    def application_recorder(self) -> ApplicationRecorder:
        return InMemoryEventStore()
