"""What became of each promise and expectation as of a date.

Every item has an obligor (who must deliver), an expected date and amount as
first recorded (the yardstick: renegotiations and revisions are shown beside
it, never instead of it), a status, the date it was settled and its delay.
PAYMENT promises are settled by the payments themselves
(`domain.promises.resolve_payment_promise`, on the same allocation as the
payment figures).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import TypeVar

from domain.accounts import Accounts
from domain.promises import resolve_payment_promise
from domain.values import CENTS, ZERO, Party, PromiseKind
from projections.figures.windows import in_year
from projections.state import ClientState
from projections.state.records import Change, ExpectationRecord, PromiseRecord, Settlement

T = TypeVar("T")
LATE_SCALE_DAYS = 30  # a late item loses all its fulfilment after 30 days


class ItemSource(Enum):
    PROMISE = "PROMISE"
    EXPECTATION = "EXPECTATION"


class ItemStatus(Enum):
    OPEN = "OPEN"
    OVERDUE = "OVERDUE"
    KEPT = "KEPT"
    BROKEN = "BROKEN"
    MET = "MET"
    MISSED = "MISSED"
    CANCELLED = "CANCELLED"


# tuples, not sets: `in` compares by identity, where a set would call Enum's hash, a
# Python function (3 % of a client's figures)
DELIVERED = (ItemStatus.KEPT, ItemStatus.MET)
FAILED = (ItemStatus.BROKEN, ItemStatus.MISSED)
UNSETTLED = (ItemStatus.OPEN, ItemStatus.OVERDUE)


@dataclass(frozen=True)
class GapItem:
    """A promise or expectation measured against what happened, as of a date."""

    id: str
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

    @property
    def counted(self) -> bool:
        """No longer OPEN-not-due (and not cancelled): it has an outcome to score."""
        return self.status not in (ItemStatus.OPEN, ItemStatus.CANCELLED)

    @property
    def fulfilment(self) -> float | None:
        """1 on time, less when late or overdue (0 after 30 days), 0 broken; None unscored."""
        if self.status in DELIVERED:
            if self.delay_days is None or self.delay_days <= 0:
                return 1.0
            return max(0.0, 1 - self.delay_days / LATE_SCALE_DAYS)
        if self.status is ItemStatus.OVERDUE:
            assert self.delay_days is not None
            return max(0.0, 1 - self.delay_days / LATE_SCALE_DAYS)
        if self.status in FAILED:
            return 0.0
        return None

    @property
    def on_time(self) -> bool:
        return self.status in DELIVERED and (self.delay_days is None or self.delay_days <= 0)

    @property
    def late(self) -> bool:
        return self.status in DELIVERED and self.delay_days is not None and self.delay_days > 0

    @property
    def realized(self) -> Decimal | None:
        """What was realized of an item with an amount (0 unless kept or met)."""
        if self.expected_amount is None or not self.counted:
            return None
        return self.actual_amount if self.actual_amount is not None else ZERO

    @property
    def is_purchase_forecast(self) -> bool:
        """A VENDOR-held PURCHASE expectation: a prospect's hint, the vendor's forecast."""
        return (self.source is ItemSource.EXPECTATION and self.kind is PromiseKind.PURCHASE
                and self.obligor is Party.CLIENT)

    def in_window(self, as_of: date) -> bool:
        """In the 365 days up to `as_of` by its expected date (settled date when it has
        none); unsettled items always are."""
        if self.status in UNSETTLED:
            return True
        day = self.expected_on if self.expected_on is not None else self.actual_on
        return day is not None and in_year(day, as_of)


def outcomes(state: ClientState, as_of: date, accounts: Accounts) -> list[GapItem]:
    """Every promise and expectation made or recorded on or before `as_of` (`accounts`:
    the allocation as of that date, whose money counts towards PAYMENT promises)."""
    items = [promise_outcome(p, as_of, accounts) for p in state.promises.values()
             if p.made_on <= as_of]
    items += [expectation_outcome(e, as_of) for e in state.expectations.values()
              if e.recorded_on <= as_of]
    return items


def _changes(changes: list[Change], as_of: date) -> list[Change]:
    return [c for c in changes if c.on <= as_of]


def _first_and_last(first: T | None, values: list[T | None]) -> tuple[T | None, T | None]:
    """The first value given (the yardstick) and the latest (the current one)."""
    given = [v for v in [first, *values] if v is not None]
    return (given[0], given[-1]) if given else (None, None)


def promise_outcome(promise: PromiseRecord, as_of: date, accounts: Accounts) -> GapItem:
    changes = _changes(promise.changes, as_of)
    current_due = promise.due_on
    for change in changes:
        current_due = change.due_on or current_due
    expected_amount, amount = _first_and_last(promise.amount, [c.amount for c in changes])
    settlement = promise.settlement if _settled(promise.settlement, as_of) else None
    status, actual_on, actual_amount = ItemStatus.OPEN, None, None
    if settlement is not None:
        status, actual_on = ItemStatus(settlement.outcome), settlement.on
        if status is ItemStatus.KEPT:
            actual_amount = settlement.amount if settlement.amount is not None else amount
    elif promise.kind is PromiseKind.PAYMENT and amount is not None:
        result = resolve_payment_promise(
            accounts.contributions(promise.made_on, promise.invoice_id),
            amount, current_due, as_of)
        if result.status != "OPEN":
            status, actual_on = ItemStatus(result.status), result.actual_on
            if status is ItemStatus.KEPT:
                actual_amount = result.progress
    return _item(promise.promise_id, ItemSource.PROMISE, promise.kind, promise.by,
                 promise.description, promise.due_on, current_due, status, actual_on,
                 expected_amount, actual_amount, len(changes), as_of)


def expectation_outcome(expectation: ExpectationRecord, as_of: date) -> GapItem:
    changes = _changes(expectation.changes, as_of)
    expected_on, current_on = _first_and_last(expectation.expected_on,
                                              [c.due_on for c in changes])
    expected_amount, amount = _first_and_last(expectation.expected_amount,
                                              [c.amount for c in changes])
    settlement = expectation.settlement if _settled(expectation.settlement, as_of) else None
    status, actual_on, actual_amount = ItemStatus.OPEN, None, None
    if settlement is not None:
        status, actual_on = ItemStatus(settlement.outcome), settlement.on
        if status is ItemStatus.MET:
            actual_amount = settlement.amount if settlement.amount is not None else amount
    return _item(expectation.expectation_id, ItemSource.EXPECTATION, expectation.kind,
                 expectation.held_by.other, expectation.description, expected_on, current_on,
                 status, actual_on, expected_amount, actual_amount, len(changes), as_of)


def _settled(settlement: Settlement | None, as_of: date) -> bool:
    return settlement is not None and settlement.on <= as_of


def _item(item_id: str, source: ItemSource, kind: PromiseKind, obligor: Party,
          description: str, expected_on: date | None, current_due_on: date | None,
          status: ItemStatus, actual_on: date | None, expected_amount: Decimal | None,
          actual_amount: Decimal | None, renegotiations: int, as_of: date) -> GapItem:
    delay: int | None = None
    if status is ItemStatus.OPEN and expected_on is not None and expected_on < as_of:
        status, delay = ItemStatus.OVERDUE, (as_of - expected_on).days
    elif ((status in DELIVERED or status in FAILED)
          and expected_on is not None and actual_on is not None):
        delay = (actual_on - expected_on).days
    if status in FAILED or status is ItemStatus.OVERDUE:
        actual_amount = ZERO if expected_amount is not None else None
    return GapItem(
        id=item_id, source=source, kind=kind, obligor=obligor, description=description,
        expected_on=expected_on, current_due_on=current_due_on, actual_on=actual_on,
        delay_days=delay,
        expected_amount=expected_amount.quantize(CENTS) if expected_amount is not None else None,
        actual_amount=actual_amount.quantize(CENTS) if actual_amount is not None else None,
        status=status, renegotiations=renegotiations,
    )
