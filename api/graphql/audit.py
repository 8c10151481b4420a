"""The record, for auditors: a client's history, the global feed of events, and the live
feed (a subscription).

The live feed polls the store off the event loop (every `POLL_SECONDS` while idle),
reading the feed after `after`, then after the last event it sent.  Positions only grow
and an event becomes visible only once every smaller position is (the store commits in
position order), so a subscriber that reconnects with the last position it received gets
exactly the rest: no gap, no duplicate.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import date, datetime
from typing import Annotated

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry import UNSET

from api.graphql import tamper
from api.graphql.arguments import Info, event_types, given, page_size, position_after
from api.graphql.pages import PageInfo
from api.graphql.scalars import JSONValue
from domain.history import Recorded
from domain.values import check_text

POLL_SECONDS = 0.15
FEED_PAGE = 500


# the recorded event's own fields (`Recorded.event`); position, retracted and data are
# the `Recorded`'s attributes


def _client_ref(root: strawberry.Parent[Recorded]) -> strawberry.ID:
    return strawberry.ID(root.event.client_ref)


def _version(root: strawberry.Parent[Recorded]) -> int:
    return root.event.originator_version


def _type(root: strawberry.Parent[Recorded]) -> str:
    return root.event.type


def _occurred_on(root: strawberry.Parent[Recorded]) -> date:
    return root.event.occurred_on


def _recorded_at(root: strawberry.Parent[Recorded]) -> datetime:
    return root.event.recorded_at


def _actor(root: strawberry.Parent[Recorded]) -> str | None:
    return root.event.actor


def _idempotency_key(root: strawberry.Parent[Recorded]) -> str | None:
    return root.event.idempotency_key


async def _leaf_hash(root: strawberry.Parent[Recorded], info: Info) -> str:
    return await tamper.leaf_hashes(info).load(root.position)


@strawberry.type
class LedgerEvent:
    """An event as recorded, resolved from the ledger's `Recorded`."""

    client_ref: strawberry.ID = strawberry.field(resolver=_client_ref)
    version: int = strawberry.field(resolver=_version)
    position: int
    type: str = strawberry.field(resolver=_type)
    occurred_on: date = strawberry.field(resolver=_occurred_on)
    recorded_at: datetime = strawberry.field(resolver=_recorded_at)
    actor: str | None = strawberry.field(resolver=_actor)
    idempotency_key: str | None = strawberry.field(resolver=_idempotency_key)
    retracted: bool
    data: JSONValue
    leaf_hash: str = strawberry.field(resolver=_leaf_hash)


@strawberry.type
class EventEdge:
    cursor: str
    node: Recorded = strawberry.field(graphql_type=LedgerEvent)


@strawberry.type
class EventConnection:
    edges: list[EventEdge]
    page_info: PageInfo


def _page(records: list[Recorded], has_next_page: bool) -> EventConnection:
    edges = [EventEdge(cursor=str(r.position), node=r) for r in records]
    return EventConnection(edges=edges, page_info=PageInfo(
        has_next_page=has_next_page, end_cursor=edges[-1].cursor if edges else None))


async def history(info: Info, ref: strawberry.ID, known_at: datetime | None = UNSET,
                  first: int | None = 100, after: str | None = UNSET) -> EventConnection:
    """Query.history."""
    size = page_size(first, 100, info)
    start = position_after(given(after)) or 0
    check_text(ref, "ref")
    records = await run_in_threadpool(info.context.services.ledger.stream, ref,
                                      given(known_at))
    shown = [r for r in records if r.position > start]
    return _page(shown[:size], len(shown) > size)


async def events(info: Info, after: str | None = UNSET, first: int | None = 100,
                 types: list[str] | None = UNSET) -> EventConnection:
    """Query.events."""
    size = page_size(first, 100, info)
    start = position_after(given(after))
    records = await run_in_threadpool(info.context.services.ledger.feed, start, size + 1,
                                      event_types(given(types)))
    return _page(records[:size], len(records) > size)


async def live_events(
        info: Info,
        after: Annotated[str | None, strawberry.argument(
            description="Start after this event cursor (the position of the last event "
                        "seen); left out, from the first event.")] = UNSET,
        types: Annotated[list[str] | None, strawberry.argument(
            description="Only events of these types (event names, e.g. "
                        "\"PromiseMade\").")] = UNSET,
        from_now: Annotated[bool | None, strawberry.argument(
            description="Only events appended after the subscription starts; `after` is "
                        "then ignored.")] = False) -> AsyncGenerator[Recorded, None]:
    """Subscription.events."""
    position = position_after(given(after))
    chosen = event_types(given(types))
    ledger = info.context.services.ledger
    if from_now:
        position = await run_in_threadpool(ledger.recorder.max_notification_id) or 0
    feed = ledger.feed
    while True:
        page = await run_in_threadpool(feed, position, FEED_PAGE, chosen)
        for recorded in page:
            yield recorded
            position = recorded.position
        if len(page) < FEED_PAGE:
            await asyncio.sleep(POLL_SECONDS)
