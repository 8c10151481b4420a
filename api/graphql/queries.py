"""The queries: client figures, lists, the portfolio, the contact policy, the record.

Every resolver reads through the read side or the ledger, which block on the
database: they run in the thread pool, never on the event loop.  A query that
follows a successful mutation sees its effect (the read side catches up first).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry import UNSET

from api.graphql.context import Context
from api.graphql.enums import Band, ClientOrder, RelationshipState, SignalKind
from api.graphql.inputs import given
from api.graphql.ledger_types import EventConnection
from api.graphql.loaders import figures_loader
from api.graphql.permissions import CanAudit, CanRead, needs
from api.graphql.types import (
    Client,
    ClientConnection,
    ClientEdge,
    ContactPolicy,
    PageInfo,
    Portfolio,
)
from domain.errors import InvalidInput, UnknownClient
from domain.relationship import EVENT_TYPES
from domain.values import check_text
from projections.figures import portfolio

Info = strawberry.Info[Context, None]
_POSITION = re.compile(r"\d{1,18}")


def page_size(first: int | None, default: int, info: Info) -> int:
    """`first` checked against the largest page the settings allow."""
    most = info.context.services.settings.max_first
    size = default if first is None else first
    if not 1 <= size <= most:
        raise InvalidInput(f"first must be from 1 to {most} (got {size})")
    return size


def position_after(after: str | None) -> int | None:
    """An event cursor: the position of the last event seen."""
    if after is None:
        return None
    if not _POSITION.fullmatch(after):
        raise InvalidInput(f"after must be a cursor of this list, the position of an event "
                           f"(got {after!r})")
    return int(after)


def event_types(types: Sequence[str] | None) -> tuple[str, ...]:
    unknown = sorted(set(types or ()) - set(EVENT_TYPES))
    if unknown:
        raise InvalidInput(f"unknown event type(s) {', '.join(map(repr, unknown))}; the types "
                           f"are {', '.join(EVENT_TYPES)}")
    return tuple(types or ())


@strawberry.type
class Query:
    @strawberry.field(extensions=needs(CanRead),
                      description="A client's figures as of a date (default today), as known "
                                  "at a moment (default now); null for an unknown client.")
    async def client(self, info: Info, ref: strawberry.ID, as_of: date | None = UNSET,
                     known_at: datetime | None = UNSET) -> Client | None:
        services = info.context.services
        day = given(as_of) or services.today()
        check_text(ref, "ref")
        moment = given(known_at)
        found = await run_in_threadpool(services.read_model.client, ref, day, moment)
        return None if found is None else Client.from_figures(found, moment)

    @strawberry.field(extensions=needs(CanRead),
                      description="Clients sorted and filtered, a page at a time (keyset "
                                  "cursors).")
    async def clients(self, info: Info, first: int | None = 50, after: str | None = UNSET,
                      as_of: date | None = UNSET,
                      order_by: ClientOrder | None = ClientOrder.SCORE_ASC,
                      band: Band | None = UNSET, signal: SignalKind | None = UNSET,
                      state: RelationshipState | None = UNSET) -> ClientConnection:
        services = info.context.services
        size = page_size(first, 50, info)
        day = given(as_of) or services.today()
        order = portfolio.ClientOrder[(given(order_by) or ClientOrder.SCORE_ASC).name]
        chosen_band, chosen_signal, chosen_state = given(band), given(signal), given(state)
        page = await run_in_threadpool(
            services.read_model.clients, day, size, given(after), order,
            chosen_band.value if chosen_band else None,
            chosen_signal.value if chosen_signal else None,
            chosen_state.value if chosen_state else None)
        loader = figures_loader(services, day)
        return ClientConnection(
            edges=[ClientEdge(cursor=cursor, node=Client.from_entry(entry, day, loader))
                   for cursor, entry in page.entries],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            total_count=page.total_count)

    @strawberry.field(extensions=needs(CanRead),
                      description="Counts, totals and signals across clients as of a date.")
    async def portfolio(self, info: Info, as_of: date | None = UNSET) -> Portfolio:
        services = info.context.services
        day = given(as_of) or services.today()
        return Portfolio.from_figures(await run_in_threadpool(services.read_model.portfolio, day))

    @strawberry.field(extensions=needs(CanAudit),
                      description="A client's events in stream order, retractions marked.")
    async def history(self, info: Info, ref: strawberry.ID, known_at: datetime | None = UNSET,
                      first: int | None = 100, after: str | None = UNSET) -> EventConnection:
        size = page_size(first, 100, info)
        start = position_after(given(after)) or 0
        check_text(ref, "ref")
        records = await run_in_threadpool(info.context.services.ledger.stream, ref,
                                          given(known_at))
        shown = [r for r in records if r.position > start]
        return EventConnection.from_recorded(shown[:size], len(shown) > size)

    @strawberry.field(extensions=needs(CanAudit),
                      description="Every client's events in global order, after a position.")
    async def events(self, info: Info, after: str | None = UNSET, first: int | None = 100,
                     types: list[str] | None = UNSET) -> EventConnection:
        size = page_size(first, 100, info)
        start = position_after(given(after))
        records = await run_in_threadpool(info.context.services.ledger.feed, start, size + 1,
                                          event_types(given(types)))
        return EventConnection.from_recorded(records[:size], len(records) > size)

    @strawberry.field(extensions=needs(CanRead),
                      description="Whether one more collection contact is allowed on a date.")
    async def contact_allowed(self, info: Info, ref: strawberry.ID,
                              on: date | None = UNSET) -> ContactPolicy:
        services = info.context.services
        day = given(on) or services.today()
        check_text(ref, "ref")
        policy = await run_in_threadpool(services.read_model.contact_allowed, ref, day)
        if policy is None:
            raise UnknownClient(f"there is no client {ref}")
        return ContactPolicy.from_figures(policy)
