"""The portfolio across clients (counts by band, totals and aging per currency, signals),
resolved straight from `projections.figures.portfolio`'s figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry import UNSET

from api.graphql.arguments import Info, given
from api.graphql.enums import Band, SignalKind
from api.graphql.payments import AgingAmount
from projections.figures import portfolio as figures


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
    written_off: Decimal
    aging: list[AgingAmount]


@strawberry.type
class Portfolio:
    as_of: date
    clients: int
    by_band: list[BandCount]
    unscored: int
    totals: list[CurrencyTotals]
    signals: list[SignalCount]


async def portfolio(info: Info, as_of: date | None = UNSET) -> figures.Portfolio:
    """Query.portfolio."""
    services = info.context.services
    day = given(as_of) or services.today()
    return await run_in_threadpool(services.read_model.portfolio, day)
