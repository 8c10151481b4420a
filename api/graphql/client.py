"""A client: its profile and figures, the list of clients a page at a time, and its
figures as they change (a subscription).

`Client` carries the few fields a list row knows (ref, name, currency, version, state)
and resolves the rest from the client's `ClientFigures`: given when the client was
asked for alone, loaded for a whole page at once (`api.graphql.loaders`) when a list
asks for a figure, never computed when nobody asks.  The figures' parts (trust, gap,
payments, signals, complaints, contacts) are served as they are, each field read from
the figure object of the same name.

Every resolver reads through the read side, which blocks on the database: it runs in
the thread pool, never on the event loop.  A query that follows a successful mutation
sees its effect.  `clientUpdated` polls the read side (every `POLL_SECONDS`) and sends
the client's figures as of today at once, then each time the client's version changes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry import UNSET

from api.graphql.arguments import Info, given, page_size
from api.graphql.enums import (
    Band,
    Channel,
    ClientOrder,
    ComplaintCategory,
    ContactPurpose,
    Direction,
    EndReason,
    Party,
    RelationshipState,
    Severity,
    SignalKind,
)
from api.graphql.erasure import erasable
from api.graphql.gap import Gap
from api.graphql.loaders import FiguresLoader, figures_loader
from api.graphql.pages import PageInfo
from api.graphql.payments import PaymentHistory
from api.graphql.trust import Trust
from domain.envelopes import is_erased
from domain.errors import InvalidInput, UnknownClient
from domain.values import check_text
from projections.figures import ClientFigures, portfolio
from projections.figures import gap as gap_figures
from projections.figures import signals as signal_figures
from projections.figures import trust as trust_figures
from projections.figures.portfolio import IndexEntry
from projections.read_model import ReadModel, Sealed

CONTACTS_SHOWN = 20
CONTACTS_MAX = 1000
POLL_SECONDS = 0.15
Onsets = Mapping[SignalKind, date | None]
T = TypeVar("T")


class Opening:
    """A part of a client's figures whose fields are opened one by one, as a query reads
    them (graphql-core reads each field of an object type as an attribute)."""

    __slots__ = ("_part", "_sealed")

    def __init__(self, part: object, sealed: Sealed[ClientFigures]) -> None:
        self._part = part
        self._sealed = sealed

    def __getattr__(self, name: str) -> Any:
        return self._sealed.open(getattr(self._part, name))


@dataclass(frozen=True)
class SignalOf:
    """A signal of a client's figures, with the client it is of (whose history `since`
    looks back over)."""

    signal: signal_figures.Signal
    client: Client


def _kind(root: strawberry.Parent[SignalOf]) -> SignalKind:
    return root.signal.kind


async def _since(root: strawberry.Parent[SignalOf], info: Info) -> date | None:
    """When the signal began: worked out by the read side only when a query asks."""
    return (await root.client.onsets(info.context.services.read_model)).get(root.signal.kind)


def _evidence(root: strawberry.Parent[SignalOf]) -> list[str]:
    return list(root.signal.evidence)


def _recommendation(root: strawberry.Parent[SignalOf]) -> str:
    return root.signal.recommendation


@strawberry.type
class Signal:
    kind: SignalKind = strawberry.field(resolver=_kind)
    since: date | None = strawberry.field(resolver=_since)
    evidence: list[str] = strawberry.field(resolver=_evidence)
    recommendation: str = strawberry.field(resolver=_recommendation)


@strawberry.type
class Complaint:
    id: strawberry.ID
    raised_by: Party
    category: ComplaintCategory
    severity: Severity
    description: str
    filed_on: date
    acknowledged_on: date | None
    resolved_on: date | None
    open: bool
    what_went_wrong: str | None = erasable("what_went_wrong")
    correction: str | None = erasable("correction")
    prevention: str | None = erasable("prevention")


@strawberry.type
class Contact:
    id: strawberry.ID
    on: date
    channel: Channel
    direction: Direction
    purpose: ContactPurpose
    summary: str
    answered: bool


@strawberry.type
class Client:
    ref: strawberry.ID
    name: str
    currency: str
    version: int
    state: RelationshipState
    as_of: date
    _figures: strawberry.Private[Sealed[ClientFigures] | None] = None
    _loader: strawberry.Private[FiguresLoader | None] = None
    _known_at: strawberry.Private[datetime | None] = None
    _onsets: strawberry.Private[asyncio.Task[Onsets] | None] = None

    @classmethod
    def of(cls, sealed: Sealed[ClientFigures], known_at: datetime | None = None) -> Client:
        """A client asked for alone, with its figures (as known at `known_at`), each part
        opened only when a query asks for it."""
        f = sealed.value
        return cls(ref=strawberry.ID(f.ref), name=sealed.open(f.name), currency=f.currency,
                   version=f.version, state=f.state, as_of=f.as_of, _figures=sealed,
                   _known_at=known_at)

    @classmethod
    def listed(cls, e: IndexEntry, as_of: date, loader: FiguresLoader) -> Client:
        """A row of a list; its figures are loaded (with the page's) when asked for."""
        return cls(ref=strawberry.ID(e.ref), name=e.name, currency=e.currency,
                   version=e.version, state=RelationshipState(e.state), as_of=as_of,
                   _loader=loader)

    @strawberry.field(description="Whether the client was forgotten: its personal fields "
                                  "read null, or \"[erased]\" where they cannot be null.")
    def erased(self) -> bool:
        return is_erased(self.name)

    async def figures(self) -> Sealed[ClientFigures]:
        if self._figures is None:
            assert self._loader is not None
            self._figures = await self._loader.load(self.ref)
        return self._figures

    def _figure(self, part: Callable[[ClientFigures], T]) -> T | Awaitable[T]:
        """A part of the figures, its personal fields opened."""
        return self._with_figures(lambda sealed: sealed.open(part(sealed.value)))

    def _with_figures(self, use: Callable[[Sealed[ClientFigures]], T]) -> T | Awaitable[T]:
        """What `use` makes of the sealed figures: at once when they are known (a client
        asked for alone), else once the page's figures are loaded (graphql-core awaits
        it)."""
        if self._figures is not None:
            return use(self._figures)
        return self._loaded(use)

    async def _loaded(self, use: Callable[[Sealed[ClientFigures]], T]) -> T:
        return use(await self.figures())

    async def onsets(self, read_model: ReadModel) -> Onsets:
        """When each of its signals began, asked of the read side once for all of them."""
        if self._onsets is None:
            self._onsets = asyncio.ensure_future(run_in_threadpool(
                read_model.signal_onsets, self.ref, self.as_of, self._known_at))
        return await self._onsets

    @strawberry.field(graphql_type=str | None)
    def sector(self) -> str | Awaitable[str | None] | None:
        return self._figure(lambda f: f.sector)

    @strawberry.field(graphql_type=str | None)
    def timezone(self) -> str | Awaitable[str | None] | None:
        return self._figure(lambda f: f.timezone)

    @strawberry.field(graphql_type=int)
    def payment_terms_days(self) -> int | Awaitable[int]:
        return self._figure(lambda f: f.payment_terms_days)

    @strawberry.field(graphql_type=EndReason | None)
    def end_reason(self) -> object:
        return self._figure(lambda f: f.end_reason)

    @strawberry.field(graphql_type=Trust)
    def trust(self) -> trust_figures.Trust | Awaitable[trust_figures.Trust]:
        return self._figure(lambda f: f.trust)

    @strawberry.field(graphql_type=Gap)
    def gap(self) -> gap_figures.Gap | Awaitable[gap_figures.Gap]:
        return self._figure(lambda f: f.gap)

    @strawberry.field(graphql_type=PaymentHistory)
    def payments(self) -> Opening | Awaitable[Opening]:
        """Its totals, and the invoices and payments (their descriptions opened) only when
        a query asks for them."""
        return self._with_figures(lambda sealed: Opening(sealed.value.payments, sealed))

    @strawberry.field(graphql_type=list[Signal])
    def signals(self) -> list[SignalOf] | Awaitable[list[SignalOf]]:
        return self._with_figures(lambda sealed: [  # opened before it is tied to its client
            SignalOf(signal, self) for signal in sealed.open(sealed.value.signals)])

    @strawberry.field(graphql_type=list[Complaint])
    def complaints(self) -> object:
        return self._figure(lambda f: f.complaints)

    @strawberry.field(graphql_type=list[Contact])
    def contacts(self, last: int | None = CONTACTS_SHOWN) -> object:
        """The latest contacts, oldest first."""
        count = CONTACTS_SHOWN if last is None else last
        if not 0 <= count <= CONTACTS_MAX:
            raise InvalidInput(f"last must be from 0 to {CONTACTS_MAX} (got {count})")
        return self._figure(lambda f: f.contacts[-count:] if count else ())


@strawberry.type
class ClientEdge:
    cursor: str
    node: Client


@strawberry.type
class ClientConnection:
    edges: list[ClientEdge]
    page_info: PageInfo
    total_count: int


async def client(info: Info, ref: strawberry.ID, as_of: date | None = UNSET,
                 known_at: datetime | None = UNSET) -> Client | None:
    """Query.client."""
    services = info.context.services
    day = given(as_of) or services.today()
    check_text(ref, "ref")
    moment = given(known_at)
    found = await run_in_threadpool(services.read_model.sealed_client, ref, day, moment)
    return None if found is None else Client.of(found, moment)


async def clients(info: Info, first: int | None = 50, after: str | None = UNSET,
                  as_of: date | None = UNSET,
                  order_by: ClientOrder | None = ClientOrder.SCORE_ASC,
                  band: Band | None = UNSET, signal: SignalKind | None = UNSET,
                  state: RelationshipState | None = UNSET) -> ClientConnection:
    """Query.clients."""
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
        edges=[ClientEdge(cursor=cursor, node=Client.listed(entry, day, loader))
               for cursor, entry in page.entries],
        page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
        total_count=page.total_count)


async def client_updated(info: Info, ref: strawberry.ID) -> AsyncGenerator[Client, None]:
    """Subscription.clientUpdated."""
    services = info.context.services
    read_model = services.read_model
    check_text(ref, "ref")
    sent: int | None = None
    while True:
        state = await run_in_threadpool(read_model.state, ref)
        if state is None and sent is None:
            raise UnknownClient(f"there is no client {ref}")
        if state is not None and state.version != sent:
            figures = await run_in_threadpool(read_model.sealed_client, ref, services.today())
            if figures is not None:
                sent = figures.value.version
                yield Client.of(figures)
        await asyncio.sleep(POLL_SECONDS)
