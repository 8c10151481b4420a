"""The gap between what was expected and what happened, per obligor side.

Over the items of the 365-day window (open ones always): how many are counted
(no longer open and not yet due), on time, late, overdue, broken or still open;
the on-time rate, the mean delay of the late and overdue ones, and what was
realized of the amounts expected.  Nothing to measure gives nulls, not zeros.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.values import ZERO, Party
from projections.figures.outcomes import FAILED, GapItem, ItemStatus


@dataclass(frozen=True)
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
    items: tuple[GapItem, ...]


@dataclass(frozen=True)
class Gap:
    vendor: SideGap
    client: SideGap


def window_items(items: Iterable[GapItem], as_of: date) -> list[GapItem]:
    """The items of the 365-day window, ordered by expected date (undated last), then id."""
    return sorted((i for i in items if i.in_window(as_of)),
                  key=lambda i: (i.expected_on or i.actual_on or date.max, i.id))


def side_gap(items: list[GapItem]) -> SideGap:
    """The gap of one obligor's items (already limited to the window)."""
    live = [i for i in items if i.status is not ItemStatus.CANCELLED]
    counted = [i for i in live if i.counted]
    delayed = [i for i in counted if i.late or i.status is ItemStatus.OVERDUE]
    with_amount = [i for i in counted if i.expected_amount is not None]
    expected = sum((i.expected_amount or ZERO for i in with_amount), ZERO)
    realized = sum((i.realized or ZERO for i in with_amount), ZERO)
    on_time = sum(1 for i in counted if i.on_time)
    return SideGap(
        counted=len(counted),
        on_time=on_time,
        late=sum(1 for i in counted if i.late),
        overdue=sum(1 for i in counted if i.status is ItemStatus.OVERDUE),
        broken=sum(1 for i in counted if i.status in FAILED),
        open=sum(1 for i in live if i.status is ItemStatus.OPEN),
        on_time_rate=on_time / len(counted) if counted else None,
        mean_delay_days=(sum(i.delay_days or 0 for i in delayed) / len(delayed)
                         if delayed else None),
        expected_amount=expected if with_amount else None,
        realized_amount=realized if with_amount else None,
        realization_rate=float(realized) / float(expected) if with_amount and expected else None,
        items=tuple(items),
    )


def gap(items: Iterable[GapItem], as_of: date) -> Gap:
    """Both sides' gaps over the window of `as_of`."""
    in_window = window_items(items, as_of)
    return Gap(
        vendor=side_gap([i for i in in_window if i.obligor is Party.VENDOR]),
        client=side_gap([i for i in in_window if i.obligor is Party.CLIENT]),
    )
