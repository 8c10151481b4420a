"""The subscriptions: the live ledger feed, and a client's figures as they change.

Both poll the store off the event loop (every `POLL_SECONDS` while idle):

- `events(after, types)` reads the global feed after `after`, then after the last
  event it sent.  Positions only grow and an event becomes visible only once every
  smaller position is (the store commits in position order), so a subscriber that
  reconnects with the last position it received gets exactly the rest: no gap, no
  duplicate.
- `clientUpdated(ref)` sends the client's figures as of today at once, then each
  time the client's version changes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry import UNSET

from api.graphql.context import Context
from api.graphql.inputs import given
from api.graphql.ledger_types import LedgerEvent
from api.graphql.permissions import CanAudit, CanRead, needs
from api.graphql.queries import event_types, position_after
from api.graphql.types import Client
from domain.errors import UnknownClient
from domain.values import check_text

Info = strawberry.Info[Context, None]
POLL_SECONDS = 0.15
FEED_PAGE = 500


@strawberry.type
class Subscription:
    @strawberry.subscription(extensions=needs(CanAudit),
                             description="Live ledger feed from a position (resume after a "
                                         "disconnect without gaps).")
    async def events(self, info: Info, after: str | None = UNSET,
                     types: list[str] | None = UNSET) -> AsyncGenerator[LedgerEvent, None]:
        position = position_after(given(after))
        chosen = event_types(given(types))
        feed = info.context.services.ledger.feed
        while True:
            page = await run_in_threadpool(feed, position, FEED_PAGE, chosen)
            for recorded in page:
                yield LedgerEvent.from_recorded(recorded)
                position = recorded.position
            if len(page) < FEED_PAGE:
                await asyncio.sleep(POLL_SECONDS)

    @strawberry.subscription(extensions=needs(CanRead),
                             description="The client's figures each time its projection "
                                         "changes (first the current ones).")
    async def client_updated(self, info: Info,
                             ref: strawberry.ID) -> AsyncGenerator[Client, None]:
        services = info.context.services
        read_model = services.read_model
        check_text(ref, "ref")
        sent: int | None = None
        while True:
            state = await run_in_threadpool(read_model.state, ref)
            if state is None and sent is None:
                raise UnknownClient(f"there is no client {ref}")
            if state is not None and state.version != sent:
                figures = await run_in_threadpool(read_model.client, ref, services.today())
                if figures is not None:
                    sent = figures.version
                    yield Client.from_figures(figures)
            await asyncio.sleep(POLL_SECONDS)
