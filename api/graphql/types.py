"""The output types of the contract, each built from the figures by `from_figures`.

Leaf fields are plain attributes (strawberry resolves those fastest).  `Client`
carries the few fields a list row knows (ref, name, currency, version, state) and
resolves the rest from the client's `ClientFigures`: given when the client was
asked for alone, loaded for a whole page at once (`api.graphql.loaders`) when a
list asks for a figure, never computed when nobody asks.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader

from api.graphql.context import Context
from api.graphql.enums import (
    AgingBucket,
    Band,
    Channel,
    ComplaintCategory,
    Confidence,
    ContactPurpose,
    Direction,
    EndReason,
    InvoiceStatus,
    ItemSource,
    ItemStatus,
    Party,
    PromiseKind,
    RelationshipState,
    Severity,
    SignalKind,
)
from domain.errors import InvalidInput
from projections import figures as client_figures
from projections.figures import ClientFigures
from projections.figures import complaints as complaint_figures
from projections.figures import contact_policy as policy_figures
from projections.figures import gap as gap_figures
from projections.figures import outcomes as outcome_figures
from projections.figures import payments as payment_figures
from projections.figures import portfolio as portfolio_figures
from projections.figures import signals as signal_figures
from projections.figures import trust as trust_figures
from projections.figures.portfolio import IndexEntry

FiguresLoader = DataLoader[str, ClientFigures]
CONTACTS_SHOWN = 20
CONTACTS_MAX = 1000


# ---- trust ------------------------------------------------------------------------------


@strawberry.type
class TrustComponent:
    name: str
    side: Party
    weight: float
    value: float | None
    observations: int

    @classmethod
    def from_figures(cls, c: trust_figures.TrustComponent) -> TrustComponent:
        return cls(name=c.name, side=c.side, weight=c.weight,
                   value=c.value, observations=c.observations)


@strawberry.type
class Trust:
    score: float | None
    band: Band | None
    confidence: Confidence
    client_side: float | None
    vendor_side: float | None
    components: list[TrustComponent]

    @classmethod
    def from_figures(cls, t: trust_figures.Trust) -> Trust:
        return cls(score=t.score, band=t.band,
                   confidence=t.confidence,
                   client_side=t.client_side, vendor_side=t.vendor_side,
                   components=[TrustComponent.from_figures(c) for c in t.components])


# ---- the gap ----------------------------------------------------------------------------


@strawberry.type
class GapItem:
    id: strawberry.ID
    source: ItemSource
    kind: PromiseKind
    obligor: Party
    description: str
    expected_on: date | None
    current_due_on: date | None
    actual_on: date | None
    delay_days: int | None
    expected_amount: Decimal | None
    actual_amount: Decimal | None
    status: ItemStatus
    renegotiations: int

    @classmethod
    def from_figures(cls, i: outcome_figures.GapItem) -> GapItem:
        return cls(id=strawberry.ID(i.id), source=i.source,
                   kind=i.kind,
                   obligor=i.obligor, description=i.description,
                   expected_on=i.expected_on, current_due_on=i.current_due_on,
                   actual_on=i.actual_on, delay_days=i.delay_days,
                   expected_amount=i.expected_amount, actual_amount=i.actual_amount,
                   status=i.status, renegotiations=i.renegotiations)


@strawberry.type
class SideGap:
    counted: int
    on_time: int
    late: int
    overdue: int
    broken: int
    open: int
    on_time_rate: float | None
    mean_delay_days: float | None
    expected_amount: Decimal | None
    realized_amount: Decimal | None
    realization_rate: float | None
    items: list[GapItem]

    @classmethod
    def from_figures(cls, s: gap_figures.SideGap) -> SideGap:
        return cls(counted=s.counted, on_time=s.on_time, late=s.late, overdue=s.overdue,
                   broken=s.broken, open=s.open, on_time_rate=s.on_time_rate,
                   mean_delay_days=s.mean_delay_days, expected_amount=s.expected_amount,
                   realized_amount=s.realized_amount, realization_rate=s.realization_rate,
                   items=[GapItem.from_figures(i) for i in s.items])


@strawberry.type
class Gap:
    vendor: SideGap
    client: SideGap

    @classmethod
    def from_figures(cls, g: gap_figures.Gap) -> Gap:
        return cls(vendor=SideGap.from_figures(g.vendor), client=SideGap.from_figures(g.client))


# ---- payments ---------------------------------------------------------------------------


@strawberry.type
class AgingAmount:
    bucket: AgingBucket
    amount: Decimal

    @classmethod
    def from_figures(cls, a: payment_figures.AgingAmount) -> AgingAmount:
        return cls(bucket=a.bucket, amount=a.amount)


@strawberry.type
class Instalment:
    due_on: date
    amount: Decimal
    paid: Decimal

    @classmethod
    def from_figures(cls, i: payment_figures.Instalment) -> Instalment:
        return cls(due_on=i.due_on, amount=i.amount, paid=i.paid)


@strawberry.type
class Invoice:
    id: strawberry.ID
    amount: Decimal
    issued_on: date
    due_on: date
    balance: Decimal
    status: InvoiceStatus
    paid_on: date | None
    days_to_pay: int | None
    days_beyond_terms: int | None
    description: str | None
    instalments: list[Instalment]

    @classmethod
    def from_figures(cls, i: payment_figures.Invoice) -> Invoice:
        return cls(id=strawberry.ID(i.id), amount=i.amount, issued_on=i.issued_on,
                   due_on=i.due_on, balance=i.balance,
                   status=i.status, paid_on=i.paid_on,
                   days_to_pay=i.days_to_pay, days_beyond_terms=i.days_beyond_terms,
                   description=i.description,
                   instalments=[Instalment.from_figures(x) for x in i.instalments])


@strawberry.type
class Allocation:
    invoice_id: strawberry.ID
    amount: Decimal

    @classmethod
    def from_figures(cls, a: payment_figures.Allocation) -> Allocation:
        return cls(invoice_id=strawberry.ID(a.invoice_id), amount=a.amount)


@strawberry.type
class Payment:
    id: strawberry.ID
    amount: Decimal
    received_on: date
    method: str | None
    reversed: bool
    allocations: list[Allocation]

    @classmethod
    def from_figures(cls, p: payment_figures.Payment) -> Payment:
        return cls(id=strawberry.ID(p.id), amount=p.amount, received_on=p.received_on,
                   method=p.method, reversed=p.reversed,
                   allocations=[Allocation.from_figures(a) for a in p.allocations])


@strawberry.type
class PaymentHistory:
    currency: str
    invoiced: Decimal
    received: Decimal
    outstanding: Decimal
    overdue: Decimal
    credit: Decimal
    dso: float | None
    average_days_to_pay: float | None
    average_days_beyond_terms: float | None
    aging: list[AgingAmount]
    invoices: list[Invoice]
    payments: list[Payment]

    @classmethod
    def from_figures(cls, h: payment_figures.PaymentHistory) -> PaymentHistory:
        return cls(currency=h.currency, invoiced=h.invoiced, received=h.received,
                   outstanding=h.outstanding, overdue=h.overdue, credit=h.credit, dso=h.dso,
                   average_days_to_pay=h.average_days_to_pay,
                   average_days_beyond_terms=h.average_days_beyond_terms,
                   aging=[AgingAmount.from_figures(a) for a in h.aging],
                   invoices=[Invoice.from_figures(i) for i in h.invoices],
                   payments=[Payment.from_figures(p) for p in h.payments])


# ---- signals, complaints, contacts, contact policy --------------------------------------


async def signal_since(root: Signal, info: strawberry.Info[Context, None]) -> date | None:
    """When the signal began: the read side looks back over the client's year, only
    when a query asks."""
    onsets = await run_in_threadpool(info.context.services.read_model.signal_onsets,
                                     root._ref, root._as_of, root._known_at)
    return onsets.get(root.kind)


@strawberry.type
class Signal:
    kind: SignalKind
    since: date | None = strawberry.field(resolver=signal_since)
    evidence: list[str]
    recommendation: str
    # the client this signal is of: `since` is asked of the read side for it
    _ref: strawberry.Private[str]
    _as_of: strawberry.Private[date]
    _known_at: strawberry.Private[datetime | None]

    @classmethod
    def from_figures(cls, s: signal_figures.Signal, ref: str, as_of: date,
                     known_at: datetime | None) -> Signal:
        return cls(kind=s.kind, evidence=list(s.evidence), recommendation=s.recommendation,
                   _ref=ref, _as_of=as_of, _known_at=known_at)


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
    what_went_wrong: str | None
    correction: str | None
    prevention: str | None

    @classmethod
    def from_figures(cls, c: complaint_figures.Complaint) -> Complaint:
        return cls(id=strawberry.ID(c.id), raised_by=c.raised_by,
                   category=c.category,
                   severity=c.severity, description=c.description,
                   filed_on=c.filed_on, acknowledged_on=c.acknowledged_on,
                   resolved_on=c.resolved_on, open=c.open, what_went_wrong=c.what_went_wrong,
                   correction=c.correction, prevention=c.prevention)


@strawberry.type
class Contact:
    id: strawberry.ID
    on: date
    channel: Channel
    direction: Direction
    purpose: ContactPurpose
    summary: str
    answered: bool

    @classmethod
    def from_figures(cls, c: client_figures.Contact) -> Contact:
        return cls(id=strawberry.ID(c.id), on=c.on, channel=c.channel,
                   direction=c.direction,
                   purpose=c.purpose, summary=c.summary,
                   answered=c.answered)


@strawberry.type
class ContactPolicy:
    allowed: bool
    used: int
    cap: int
    next_allowed_on: date | None
    reason: str

    @classmethod
    def from_figures(cls, p: policy_figures.ContactPolicy) -> ContactPolicy:
        return cls(allowed=p.allowed, used=p.used, cap=p.cap,
                   next_allowed_on=p.next_allowed_on, reason=p.reason)


# ---- a client ---------------------------------------------------------------------------


@strawberry.type
class Client:
    ref: strawberry.ID
    name: str
    currency: str
    version: int
    state: RelationshipState
    as_of: date
    _figures: strawberry.Private[ClientFigures | None] = None
    _loader: strawberry.Private[FiguresLoader | None] = None
    _known_at: strawberry.Private[datetime | None] = None

    @classmethod
    def from_figures(cls, f: ClientFigures, known_at: datetime | None = None) -> Client:
        return cls(ref=strawberry.ID(f.ref), name=f.name, currency=f.currency,
                   version=f.version, state=f.state,
                   as_of=f.as_of, _figures=f, _known_at=known_at)

    @classmethod
    def from_entry(cls, e: IndexEntry, as_of: date, loader: FiguresLoader) -> Client:
        """A row of a list; its figures are loaded (with the page's) when asked for."""
        return cls(ref=strawberry.ID(e.ref), name=e.name, currency=e.currency,
                   version=e.version, state=RelationshipState(e.state), as_of=as_of,
                   _loader=loader)

    async def figures(self) -> ClientFigures:
        if self._figures is None:
            assert self._loader is not None
            self._figures = await self._loader.load(self.ref)
        return self._figures

    @strawberry.field
    async def sector(self) -> str | None:
        return (await self.figures()).sector

    @strawberry.field
    async def timezone(self) -> str | None:
        return (await self.figures()).timezone

    @strawberry.field
    async def payment_terms_days(self) -> int:
        return (await self.figures()).payment_terms_days

    @strawberry.field
    async def end_reason(self) -> EndReason | None:
        return (await self.figures()).end_reason

    @strawberry.field
    async def trust(self) -> Trust:
        return Trust.from_figures((await self.figures()).trust)

    @strawberry.field
    async def gap(self) -> Gap:
        return Gap.from_figures((await self.figures()).gap)

    @strawberry.field
    async def payments(self) -> PaymentHistory:
        return PaymentHistory.from_figures((await self.figures()).payments)

    @strawberry.field
    async def signals(self) -> list[Signal]:
        return [Signal.from_figures(s, self.ref, self.as_of, self._known_at)
                for s in (await self.figures()).signals]

    @strawberry.field
    async def complaints(self) -> list[Complaint]:
        return [Complaint.from_figures(c) for c in (await self.figures()).complaints]

    @strawberry.field
    async def contacts(self, last: int | None = CONTACTS_SHOWN) -> list[Contact]:
        """The latest contacts, oldest first."""
        count = CONTACTS_SHOWN if last is None else last
        if not 0 <= count <= CONTACTS_MAX:
            raise InvalidInput(f"last must be from 0 to {CONTACTS_MAX} (got {count})")
        shown = (await self.figures()).contacts[-count:] if count else ()
        return [Contact.from_figures(c) for c in shown]


# ---- the portfolio ----------------------------------------------------------------------


@strawberry.type
class BandCount:
    band: Band
    count: int


@strawberry.type
class SignalCount:
    kind: SignalKind
    count: int


@strawberry.type
class CurrencyTotals:
    currency: str
    outstanding: Decimal
    overdue: Decimal
    aging: list[AgingAmount]


@strawberry.type
class Portfolio:
    as_of: date
    clients: int
    by_band: list[BandCount]
    unscored: int
    totals: list[CurrencyTotals]
    signals: list[SignalCount]

    @classmethod
    def from_figures(cls, p: portfolio_figures.Portfolio) -> Portfolio:
        return cls(
            as_of=p.as_of, clients=p.clients,
            by_band=[BandCount(band=b.band, count=b.count)
                     for b in p.by_band],
            unscored=p.unscored,
            totals=[CurrencyTotals(currency=t.currency, outstanding=t.outstanding,
                                   overdue=t.overdue,
                                   aging=[AgingAmount.from_figures(a) for a in t.aging])
                    for t in p.totals],
            signals=[SignalCount(kind=s.kind, count=s.count)
                     for s in p.signals])


# ---- pages ------------------------------------------------------------------------------


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class ClientEdge:
    cursor: str
    node: Client


@strawberry.type
class ClientConnection:
    edges: list[ClientEdge]
    page_info: PageInfo
    total_count: int
