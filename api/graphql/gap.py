"""The gap's GraphQL types (expectations and promises against what happened), resolved
straight from `projections.figures.gap`'s and `projections.figures.outcomes`' figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from api.graphql.enums import ItemSource, ItemStatus, Party, PromiseKind


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


@strawberry.type
class Gap:
    vendor: SideGap
    client: SideGap
