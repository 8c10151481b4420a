"""The signals read from promises and expectations — each rule as of one date beside
its day sweep, both judging items with the same predicates.  An item changes only on
a few days of its own (made, renegotiated, settled, falling due, leaving a window):
the sweep judges it on those days and holds its outcome in between."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta

from domain.accounts import Accounts
from domain.values import Party, PromiseKind
from projections.figures.inputs import Snapshot
from projections.figures.outcomes import (
    GapItem,
    ItemStatus,
    expectation_outcome,
    promise_outcome,
)
from projections.figures.signals.kinds import (
    OVERCOMMITTING_ITEMS,
    OVERCOMMITTING_RATE,
    PIPELINE_DAYS,
    TOUCH_DAYS,
    Evidence,
    Held,
    count_within,
    listed,
)
from projections.figures.windows import YEAR, within
from projections.state import ClientState
from projections.state.records import (
    ExpectationRecord,
    PromiseRecord,
)

#: offsets from an item's dates on which a predicate may change (falling due, windows)
EDGES = (0, 1, 90, 180, 365)
NO_MONEY = Accounts()  # items judged without money (none of them needs it)

Predicate = Callable[[GapItem, date], bool]
Record = PromiseRecord | ExpectationRecord


def _item_dates(record: Record) -> tuple[date, list[date]]:
    """When the item appeared, and every date its outcome or windows may hinge on."""
    if isinstance(record, PromiseRecord):
        made, dated = record.made_on, [record.due_on]
    else:
        made, dated = record.recorded_on, [record.expected_on] if record.expected_on else []
    for change in record.changes:
        dated.append(change.on)
        if change.due_on is not None:
            dated.append(change.due_on)
    if record.settlement is not None:
        dated.append(record.settlement.on)
    return made, dated


def turns(record: Record) -> set[date]:
    """The days on which an item's outcome or windows may change, money aside."""
    made, dated = _item_dates(record)
    return {made} | {d + timedelta(days=k) for d in dated for k in EDGES}


def _outcome(record: Record, on: date) -> GapItem:
    if isinstance(record, PromiseRecord):
        return promise_outcome(record, on, NO_MONEY)
    return expectation_outcome(record, on)


def _item_counts(records: Iterable[Record], days: list[date],
                 predicates: list[Predicate]) -> list[list[int]]:
    """How many items satisfy each predicate on each day (items judged on their own
    change days only; none of them may need money)."""
    first, last = days[0], days[-1]
    deltas = [[0] * (len(days) + 1) for _ in predicates]
    for record in records:
        made = _item_dates(record)[0]
        if made > last:
            continue
        begin = max(made, first)
        days_of = sorted({begin} | {t for t in turns(record) if begin <= t <= last})
        for n, turn in enumerate(days_of):
            item = _outcome(record, turn)
            start = (turn - first).days
            end = (days_of[n + 1] - first).days if n + 1 < len(days_of) else len(days)
            for p, predicate in enumerate(predicates):
                if predicate(item, turn):
                    deltas[p][start] += 1
                    deltas[p][end] -= 1
    counts = []
    for delta in deltas:
        running, out = 0, []
        for value in delta[:-1]:
            running += value
            out.append(running)
        counts.append(out)
    return counts


# ---- OVERCOMMITTING -------------------------------------------------------------


def vendor_counted(item: GapItem, on: date) -> bool:
    """A VENDOR-obligor item counted in the gap's window of `on`."""
    return (item.obligor is Party.VENDOR and item.counted and item.in_window(on))


def vendor_on_time(item: GapItem, on: date) -> bool:
    return vendor_counted(item, on) and item.on_time


def overcommitting(s: Snapshot) -> Evidence:
    vendor = s.gap.vendor
    if (vendor.counted < OVERCOMMITTING_ITEMS or vendor.on_time_rate is None
            or vendor.on_time_rate >= OVERCOMMITTING_RATE):
        return None
    return (f"{vendor.on_time} of {vendor.counted} vendor commitments on time "
            f"({vendor.on_time_rate:.0%}) in the last {YEAR} days",)


def _vendor_records(state: ClientState) -> list[Record]:
    return [*(p for p in state.promises.values() if p.by is Party.VENDOR),
            *(e for e in state.expectations.values() if e.held_by is Party.CLIENT)]


def overcommitting_days(state: ClientState, days: list[date]) -> Held:
    counted, on_time = _item_counts(_vendor_records(state), days,
                                    [vendor_counted, vendor_on_time])
    return [c >= OVERCOMMITTING_ITEMS and t / c < OVERCOMMITTING_RATE
            for c, t in zip(counted, on_time, strict=True)]


# ---- ILLUSORY_PIPELINE ----------------------------------------------------------


def illusory(item: GapItem, on: date) -> bool:
    """A VENDOR-held PURCHASE expectation overdue, or missed in the 90 days up to `on`."""
    return item.is_purchase_forecast and (
        item.status is ItemStatus.OVERDUE
        or (item.status is ItemStatus.MISSED and item.actual_on is not None
            and within(item.actual_on, on, PIPELINE_DAYS)))


def illusory_pipeline(s: Snapshot) -> Evidence:
    found = [i for i in s.items if illusory(i, s.as_of)]
    if not found:
        return None
    return tuple(f"purchase {i.id}"
                 + (f" expected on {i.expected_on}" if i.expected_on else "")
                 + (" is overdue" if i.status is ItemStatus.OVERDUE
                    else f" was missed on {i.actual_on}")
                 for i in found)


def _forecast_records(state: ClientState) -> list[Record]:
    return [e for e in state.expectations.values()
            if e.held_by is Party.VENDOR and e.kind is PromiseKind.PURCHASE]


def illusory_days(state: ClientState, days: list[date]) -> Held:
    (found,) = _item_counts(_forecast_records(state), days, [illusory])
    return [n > 0 for n in found]


# ---- TOUCH_GROUND ----------------------------------------------------------------


def pending_purchase(item: GapItem, on: date) -> bool:
    """A VENDOR-held PURCHASE expectation still open or overdue."""
    return item.is_purchase_forecast and item.status in (ItemStatus.OPEN, ItemStatus.OVERDUE)


def touch_ground(s: Snapshot) -> Evidence:
    if count_within([c.on for c in s.contacts], s.as_of, TOUCH_DAYS):
        return None
    found = [i.id for i in s.items if pending_purchase(i, s.as_of)]
    if not found:
        return None
    return (f"purchases expected and no contact in the last {TOUCH_DAYS} days: "
            f"{listed(found)}",)


def touch_ground_days(state: ClientState, days: list[date]) -> Held:
    (pending,) = _item_counts(_forecast_records(state), days, [pending_purchase])
    contact_days = [c.on for c in state.contacts]
    return [n > 0 and count_within(contact_days, d, TOUCH_DAYS) == 0
            for n, d in zip(pending, days, strict=True)]
