"""The ledger's own types: its events as recorded, pages of them, and append results."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from api.graphql.scalars import JSONValue
from api.graphql.types import PageInfo
from domain.history import Recorded
from domain.ledger import Appended as Written


@strawberry.type
class LedgerEvent:
    client_ref: strawberry.ID
    version: int
    position: int
    type: str
    occurred_on: date
    recorded_at: datetime
    actor: str | None
    idempotency_key: str | None
    retracted: bool
    data: JSONValue

    @classmethod
    def from_recorded(cls, r: Recorded) -> LedgerEvent:
        e = r.event
        return cls(client_ref=strawberry.ID(e.client_ref), version=e.originator_version,
                   position=r.position, type=e.type, occurred_on=e.occurred_on,
                   recorded_at=e.recorded_at, actor=e.actor, idempotency_key=e.idempotency_key,
                   retracted=r.retracted, data=JSONValue(r.data))


@strawberry.type
class EventEdge:
    cursor: str
    node: LedgerEvent


@strawberry.type
class EventConnection:
    edges: list[EventEdge]
    page_info: PageInfo

    @classmethod
    def from_recorded(cls, records: list[Recorded], has_next_page: bool) -> EventConnection:
        edges = [EventEdge(cursor=str(r.position), node=LedgerEvent.from_recorded(r))
                 for r in records]
        return cls(edges=edges, page_info=PageInfo(
            has_next_page=has_next_page, end_cursor=edges[-1].cursor if edges else None))


@strawberry.type
class Appended:
    client_ref: strawberry.ID
    version: int
    position: int
    entity_id: strawberry.ID | None
    replayed: bool

    @classmethod
    def from_written(cls, a: Written) -> Appended:
        return cls(client_ref=strawberry.ID(a.client_ref), version=a.version,
                   position=a.position,
                   entity_id=None if a.entity_id is None else strawberry.ID(a.entity_id),
                   replayed=a.replayed)


@strawberry.type
class AppendResult:
    events: list[Appended]
