"""When a signal began (SPEC §4 and §7): the run of days on which its rule held.

`since` is the first day of the current unbroken run of days on which the rule
held, looking back at most 365 days; when it held on every one of them the run
is older than we look and `since` is None.  Replaying the whole figures for
each of 365 days would be slow, so each rule is swept across the year once,
reading the same predicates and the same outcome functions as the figures:

- dated lists (contacts, complaints, requests, advice) are counted by bisection;
- promises and expectations change only on a few days of their own (made,
  renegotiated, settled, falling due, leaving a window): each is judged on
  those days and holds its outcome in between;
- money rules advance one allocation run day by day over the year (re-running
  it per day only when back-dated money events break the stream's date order).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection, Iterable
from datetime import date, timedelta
from decimal import Decimal

from domain.accounts import Accounts
from domain.values import ZERO, Party, PromiseKind
from projections.contributions import Contributions
from projections.outcomes import GapItem, expectation_outcome, promise_outcome
from projections.payments import OpenPart, accounts_as_of, days_beyond_terms, open_parts
from projections.records import ExpectationRecord, MoneyOperation, PromiseRecord
from projections.signal_rules import (
    ADVICE_REJECTED,
    BROKEN_PAYMENT_PROMISES,
    CAP_DAYS,
    CHRONIC_LATE_BELOW,
    MISTREATMENT_COMPLAINTS,
    OUT_OF_SCOPE_REQUESTS,
    OVERCOMMITTING_ITEMS,
    OVERCOMMITTING_RATE,
    RECENT_DAYS,
    TOUCH_DAYS,
    SignalKind,
    answered_advice,
    broken_payment_promise,
    collection_dates,
    count_within,
    illusory,
    mistreatment_dates,
    out_of_scope_dates,
    pending_purchase,
    rejected_advice,
    unanswered,
    vendor_counted,
    vendor_on_time,
)
from projections.state import ClientState, run
from projections.trust import punctuality_value
from projections.windows import YEAR

DAY = timedelta(days=1)
#: offsets from an item's dates on which a predicate may change (falling due, windows)
EDGES = (0, 1, 90, 180, 365)
NO_MONEY = Contributions()

Held = list[bool]  # one per day, from the first day looked at


def signal_onsets(state: ClientState, as_of: date,
                  kinds: Collection[SignalKind]) -> dict[SignalKind, date | None]:
    """For each kind (whose rule holds on `as_of`), the first day of its current run
    (None when it held on every day of the year looked back)."""
    first = as_of - timedelta(days=YEAR)
    held = daily(state, kinds, first, YEAR)  # as_of - 365 ... as_of - 1
    return {kind: _run_start(held[kind], first) for kind in kinds}


def daily(state: ClientState, kinds: Collection[SignalKind], first: date,
          count: int) -> dict[SignalKind, Held]:
    """Whether each kind's rule held on each of `count` days from `first`."""
    days = [first + timedelta(days=i) for i in range(count)]
    held: dict[SignalKind, Held] = {}
    money: set[SignalKind] = {k for k in kinds if k in (SignalKind.CHRONIC_LATE_PAYER,
                                                        SignalKind.BROKEN_PAYMENT_PROMISES)}
    if money and days:
        held.update(_money_days(state, days, money))
    for kind in kinds:
        if kind not in held:
            held[kind] = _DAILY[kind](state, days) if days else []
    return held


def _run_start(held: Held, first: date) -> date | None:
    for i in range(len(held) - 1, -1, -1):
        if not held[i]:
            return first + timedelta(days=i + 1)
    return None


# ---- dated lists --------------------------------------------------------------------


def _contact_cap(state: ClientState, days: list[date]) -> Held:
    dates = collection_dates(state)
    return [count_within(dates, d, CAP_DAYS) >= state.profile_on(d).contact_cap for d in days]


def _at_least(dates: list[date], days: list[date], width: int, least: int) -> Held:
    return [count_within(dates, d, width) >= least for d in days]


def _mistreatment(state: ClientState, days: list[date]) -> Held:
    return _at_least(mistreatment_dates(state), days, RECENT_DAYS, MISTREATMENT_COMPLAINTS)


def _out_of_scope(state: ClientState, days: list[date]) -> Held:
    return _at_least(out_of_scope_dates(state), days, RECENT_DAYS, OUT_OF_SCOPE_REQUESTS)


def _expertise(state: ClientState, days: list[date]) -> Held:
    answered = answered_advice(state)
    answer_days = [a.answer.on for a in answered if a.answer]
    return [len(rejected_advice(answered, answer_days, d)[1]) >= ADVICE_REJECTED for d in days]


def _unanswered(state: ClientState, days: list[date]) -> Held:
    contact_days = [c.on for c in state.contacts]
    return [unanswered(state.contacts, bisect_right(contact_days, d)) is not None
            for d in days]


# ---- promises and expectations ------------------------------------------------------

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


def _turns(record: Record) -> set[date]:
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
        turns = sorted({begin} | {t for t in _turns(record) if begin <= t <= last})
        for n, turn in enumerate(turns):
            item = _outcome(record, turn)
            start = (turn - first).days
            end = (turns[n + 1] - first).days if n + 1 < len(turns) else len(days)
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


def _vendor_records(state: ClientState) -> list[Record]:
    return [*(p for p in state.promises.values() if p.by is Party.VENDOR),
            *(e for e in state.expectations.values() if e.held_by is Party.CLIENT)]


def _forecast_records(state: ClientState) -> list[Record]:
    return [e for e in state.expectations.values()
            if e.held_by is Party.VENDOR and e.kind is PromiseKind.PURCHASE]


def _overcommitting(state: ClientState, days: list[date]) -> Held:
    counted, on_time = _item_counts(_vendor_records(state), days,
                                    [vendor_counted, vendor_on_time])
    return [c >= OVERCOMMITTING_ITEMS and t / c < OVERCOMMITTING_RATE
            for c, t in zip(counted, on_time, strict=True)]


def _illusory(state: ClientState, days: list[date]) -> Held:
    (found,) = _item_counts(_forecast_records(state), days, [illusory])
    return [n > 0 for n in found]


def _touch_ground(state: ClientState, days: list[date]) -> Held:
    (pending,) = _item_counts(_forecast_records(state), days, [pending_purchase])
    contact_days = [c.on for c in state.contacts]
    return [n > 0 and count_within(contact_days, d, TOUCH_DAYS) == 0
            for n, d in zip(pending, days, strict=True)]


_DAILY: dict[SignalKind, Callable[[ClientState, list[date]], Held]] = {
    SignalKind.OVERCOMMITTING: _overcommitting,
    SignalKind.MISTREATMENT: _mistreatment,
    SignalKind.OUT_OF_SCOPE_DEMANDS: _out_of_scope,
    SignalKind.EXPERTISE_NOT_VALUED: _expertise,
    SignalKind.CONTACT_CAP_REACHED: _contact_cap,
    SignalKind.UNANSWERED_FOLLOW_UPS: _unanswered,
    SignalKind.ILLUSORY_PIPELINE: _illusory,
    SignalKind.TOUCH_GROUND: _touch_ground,
}


# ---- money --------------------------------------------------------------------------


class _MoneyDay:
    """One allocation run advanced day by day, with what the money rules read: the
    allocations by payment date in the 365-day window, the open balances, and the
    contributions towards payment promises."""

    def __init__(self, state: ClientState, first: date) -> None:
        self.state = state
        later = [m for m in state.money if m.on > first]
        self.in_order = _in_date_order(state.money, first)
        if self.in_order and later:
            self.pending: list[MoneyOperation] = later[::-1]  # popped from the end
            self.accounts: Accounts = run([m for m in state.money if m.on <= first])
        else:
            self.pending = []
            self.accounts = accounts_as_of(state, first)
        self.included = bisect_right(state.money_dates, first)
        self.day = first
        self._index()

    def _index(self) -> None:
        """Everything derived from the run, from scratch."""
        self.money = Contributions.of(self.accounts)
        self._parts(open_parts(self.accounts))
        self.buckets: dict[date, tuple[Decimal, Decimal]] = {}
        self.weight = self.late = ZERO
        self.seen = {p.payment_id: len(p.allocations) for p in self.accounts.payments.values()}
        self.holders = {p.payment_id for p in self.accounts.payments.values()
                        if p.unallocated > 0}
        for payment in self.accounts.payments.values():
            for allocation in payment.allocations:
                self._count(allocation.paid_on, allocation.amount, allocation.due_on)

    def _count(self, paid_on: date, amount: Decimal, due_on: date) -> None:
        if paid_on <= self.day - timedelta(days=YEAR):
            return  # never again in the window
        late = amount * days_beyond_terms(paid_on, due_on)
        weight, total = self.buckets.get(paid_on, (ZERO, ZERO))
        self.buckets[paid_on] = (weight + amount, total + late)
        self.weight += amount
        self.late += late

    def advance(self) -> bool:
        """Move to the next day (what leaves the window, the money events of the day);
        whether the allocation changed."""
        self.day += DAY
        leaving = self.buckets.pop(self.day - timedelta(days=YEAR), None)
        if leaving is not None:
            self.weight -= leaving[0]
            self.late -= leaving[1]
        if self.in_order:
            changed = False
            while self.pending and self.pending[-1].on == self.day:
                self._apply(self.pending.pop())
                changed = True
            if changed:
                self._parts(open_parts(self.accounts))
            return changed
        included = bisect_right(self.state.money_dates, self.day)
        if included == self.included:
            return False
        self.included = included
        self.accounts = accounts_as_of(self.state, self.day)
        self._index()
        return True

    def _apply(self, money: MoneyOperation) -> None:
        name, args = money.operation
        getattr(self.accounts, name)(*args)
        if name == "reverse":
            self._index()
            return
        touched = set(self.holders)
        if name == "receive":
            payment_id = str(args[0])
            touched.add(payment_id)
            self.money.add_payment(self.accounts.payments[payment_id])
        for payment_id in touched:
            payment = self.accounts.payments[payment_id]
            for allocation in payment.allocations[self.seen.get(payment_id, 0):]:
                self.money.add_allocation(allocation)
                self._count(allocation.paid_on, allocation.amount, allocation.due_on)
            self.seen[payment_id] = len(payment.allocations)
            if payment.unallocated > 0:
                self.holders.add(payment_id)
            else:
                self.holders.discard(payment_id)

    def _parts(self, parts: list[OpenPart]) -> None:
        """The undisputed open balances by due date, with running sums of their amounts
        and of amount x due day, so a day's overdue sums are two look-ups."""
        undisputed = sorted((p.due_on, p.amount) for p in parts if not p.disputed)
        self.dues = [due for due, _ in undisputed]
        self.amounts, self.dated = [ZERO], [ZERO]
        for due, amount in undisputed:
            self.amounts.append(self.amounts[-1] + amount)
            self.dated.append(self.dated[-1] + amount * due.toordinal())

    def punctuality(self) -> float | None:
        """The paymentPunctuality component on the current day."""
        past_due = bisect_left(self.dues, self.day)  # due before today
        overdue = self.amounts[past_due]
        weight = self.weight + overdue
        late = self.late + overdue * self.day.toordinal() - self.dated[past_due]
        if weight <= 0:
            return None
        return punctuality_value(float(late) / float(weight))


def _in_date_order(money: list[MoneyOperation], first: date) -> bool:
    """Whether the events after `first` follow every other one and come in date order."""
    seen_later, latest = False, date.min
    for m in money:
        if m.on > first:
            if m.on < latest:
                return False
            seen_later, latest = True, m.on
        elif seen_later:
            return False
    return True


def _money_days(state: ClientState, days: list[date],
                kinds: set[SignalKind]) -> dict[SignalKind, Held]:
    sweep = _MoneyDay(state, days[0])
    promises = sorted((p for p in state.promises.values()
                       if p.kind is PromiseKind.PAYMENT and p.by is Party.CLIENT),
                      key=lambda p: p.due_on)
    expected = [p.due_on for p in promises]  # the yardstick: the due date first recorded
    turns = {p.promise_id: _turns(p) for p in promises}
    verdicts: dict[str, bool] = {}  # kept until the promise's next turn or money moves
    chronic: Held = []
    broken: Held = []
    for n, day in enumerate(days):
        if n and sweep.advance():
            verdicts.clear()
        if SignalKind.CHRONIC_LATE_PAYER in kinds:
            value = sweep.punctuality()
            chronic.append(value is not None and value < CHRONIC_LATE_BELOW)
        if SignalKind.BROKEN_PAYMENT_PROMISES in kinds:
            found = 0
            for p in promises[bisect_right(expected, day - timedelta(days=RECENT_DAYS)):
                              bisect_right(expected, day)]:
                verdict = verdicts.get(p.promise_id)
                if verdict is None or day in turns[p.promise_id]:
                    verdict = broken_payment_promise(promise_outcome(p, day, sweep.money), day)
                    verdicts[p.promise_id] = verdict
                found += verdict
            broken.append(found >= BROKEN_PAYMENT_PROMISES)
    return {k: v for k, v in ((SignalKind.CHRONIC_LATE_PAYER, chronic),
                              (SignalKind.BROKEN_PAYMENT_PROMISES, broken)) if k in kinds}
