"""The signals read from money — CHRONIC_LATE_PAYER and BROKEN_PAYMENT_PROMISES — each
rule as of one date beside its day sweep.  The sweep advances one allocation run day
by day over the year (re-running it per day only when back-dated money events break
the stream's date order), with what the rules read: the allocations by payment date
in the 365-day window, the open balances, and the money towards payment promises."""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, timedelta
from decimal import Decimal

from domain.accounts import Accounts
from domain.values import ZERO, Party, PromiseKind
from projections.figures.inputs import Snapshot
from projections.figures.outcomes import (
    GapItem,
    ItemSource,
    ItemStatus,
    promise_outcome,
)
from projections.figures.payments import OpenPart, accounts_as_of, days_beyond_terms, open_parts
from projections.figures.signals.items import turns
from projections.figures.signals.kinds import (
    BROKEN_PAYMENT_PROMISES,
    CHRONIC_LATE_BELOW,
    RECENT_DAYS,
    Evidence,
    Held,
    SignalKind,
    listed,
)
from projections.figures.trust import weighted_punctuality, write_off_days
from projections.figures.windows import YEAR, within
from projections.state import ClientState, run
from projections.state.records import (
    MoneyOperation,
)

DAY = timedelta(days=1)
#: the money operations about one invoice, named by their first argument
INVOICE_OPERATIONS = frozenset({"issue", "dispute", "resolve_dispute", "write_off"})
MONEY_KINDS = frozenset({SignalKind.CHRONIC_LATE_PAYER, SignalKind.BROKEN_PAYMENT_PROMISES})


def chronic_late_payer(s: Snapshot) -> Evidence:
    value = s.punctuality
    if value is None or value >= CHRONIC_LATE_BELOW:
        return None
    return (f"paymentPunctuality is {value:.1f}, below {CHRONIC_LATE_BELOW:.0f}",)


def broken_payment_promise(item: GapItem, on: date) -> bool:
    """A CLIENT PAYMENT promise BROKEN or OVERDUE, expected in the 180 days up to `on`."""
    return (item.source is ItemSource.PROMISE and item.kind is PromiseKind.PAYMENT
            and item.obligor is Party.CLIENT
            and item.status in (ItemStatus.BROKEN, ItemStatus.OVERDUE)
            and item.expected_on is not None and within(item.expected_on, on, RECENT_DAYS))


def broken_payment_promises(s: Snapshot) -> Evidence:
    broken = [i.id for i in s.items if broken_payment_promise(i, s.as_of)]
    if len(broken) < BROKEN_PAYMENT_PROMISES:
        return None
    return (f"{len(broken)} payment promises broken or overdue in the last {RECENT_DAYS} "
            f"days: {listed(broken)}",)


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
        self._parts(open_parts(self.accounts))
        self.buckets: dict[date, tuple[Decimal, Decimal]] = {}
        self.weight = self.late = ZERO
        self.seen = {p.payment_id: len(p.allocations) for p in self.accounts.payments.values()}
        self.holders = {p.payment_id for p in self.accounts.payments.values()
                        if p.unallocated > 0}
        for payment in self.accounts.payments.values():
            for allocation in payment.allocations:
                self._count(allocation.paid_on, allocation.amount,
                            days_beyond_terms(allocation.paid_on, allocation.due_on))
        for write_off in self.accounts.write_offs:
            self._count(write_off.on, write_off.amount, write_off_days(write_off))

    def _count(self, paid_on: date, amount: Decimal, days: int) -> None:
        """Count `amount` at `days` beyond terms on the date `paid_on` in the window."""
        if paid_on <= self.day - timedelta(days=YEAR):
            return  # never again in the window
        late = amount * days
        weight, total = self.buckets.get(paid_on, (ZERO, ZERO))
        self.buckets[paid_on] = (weight + amount, total + late)
        self.weight += amount
        self.late += late

    def advance(self) -> bool:
        """Move to the next day (what leaves the window, the money events of the day);
        whether the allocation changed."""
        self.day += DAY
        self._fall_due()
        leaving = self.buckets.pop(self.day - timedelta(days=YEAR), None)
        if leaving is not None:
            self.weight -= leaving[0]
            self.late -= leaving[1]
        if self.in_order:
            changed = False
            while self.pending and self.pending[-1].on == self.day:
                self._apply(self.pending.pop())
                changed = True
            return changed
        included = bisect_right(self.state.money_dates, self.day)
        if included == self.included:
            return False
        self.included = included
        self.accounts = accounts_as_of(self.state, self.day)
        self._index()
        return True

    def _apply(self, money: MoneyOperation) -> None:
        """Apply one money event to the run, and count what it changed: the allocations
        and write-offs it made, the open balances of the invoices it touched."""
        name, args = money.operation
        written = self.accounts.invoices.get(str(args[0])) if name == "write_off" else None
        known = len(written.write_offs) if written is not None else 0
        invoices = {str(args[0])} if name in INVOICE_OPERATIONS else set()
        if name == "agree_plan":  # the plan's invoices, and those of the plans they leave
            members = args[1]
            assert isinstance(members, tuple)
            invoices = {str(i) for i in members}
            for invoice_id in list(invoices):
                invoice = self.accounts.invoices.get(invoice_id)
                left = self.accounts.plans.get(invoice.plan_id or "") if invoice else None
                invoices |= set(left.invoice_ids) if left else set()
        getattr(self.accounts, name)(*args)
        if name == "reverse":
            self._index()
            return
        for write_off in written.write_offs[known:] if written is not None else ():
            self._count(write_off.on, write_off.amount, write_off_days(write_off))
        touched = set(self.holders)
        if name == "receive":
            payment_id = str(args[0])
            touched.add(payment_id)
        for payment_id in touched:
            payment = self.accounts.payments[payment_id]
            for allocation in payment.allocations[self.seen.get(payment_id, 0):]:
                self._count(allocation.paid_on, allocation.amount,
                            days_beyond_terms(allocation.paid_on, allocation.due_on))
                invoices.add(allocation.invoice_id)
            self.seen[payment_id] = len(payment.allocations)
            if payment.unallocated > 0:
                self.holders.add(payment_id)
            else:
                self.holders.discard(payment_id)
        self._reparts(invoices)

    def _parts(self, parts: list[OpenPart]) -> None:
        """The undisputed open balances by due date: those past due on the current day
        summed (amounts, and amounts x due day), the others by due date until they fall
        due, so a day's overdue sums are two numbers kept as days pass and money moves."""
        self.past = self.past_dated = ZERO
        self.coming: dict[date, Decimal] = {}
        self.parts_of: dict[str, list[tuple[date, Decimal]]] = {}
        for part in parts:
            if not part.disputed:
                self.parts_of.setdefault(part.invoice_id, []).append((part.due_on, part.amount))
                self._add(part.due_on, part.amount)

    def _add(self, due_on: date, amount: Decimal) -> None:
        """Count (or, negative, take back) part of an open balance."""
        if due_on < self.day:
            self.past += amount
            self.past_dated += amount * due_on.toordinal()
        else:
            self.coming[due_on] = self.coming.get(due_on, ZERO) + amount

    def _fall_due(self) -> None:
        """The balances due yesterday are past due from today."""
        due_on = self.day - DAY
        amount = self.coming.pop(due_on, None)
        if amount is not None:
            self.past += amount
            self.past_dated += amount * due_on.toordinal()

    def _reparts(self, invoice_ids: set[str]) -> None:
        """Count the open balances of these invoices (and of their plans' other invoices,
        whose instalments they share) anew."""
        accounts = self.accounts
        plans = {accounts.invoices[i].plan_id for i in invoice_ids if i in accounts.invoices}
        for plan_id in plans:
            plan = accounts.plans.get(plan_id) if plan_id else None
            invoice_ids |= set(plan.invoice_ids) if plan else set()
        for invoice_id in invoice_ids:
            for due_on, amount in self.parts_of.pop(invoice_id, ()):
                self._add(due_on, -amount)
            invoice = accounts.invoices.get(invoice_id)
            if invoice is None or invoice.disputed:
                continue
            parts = accounts.portions(invoice)
            if parts:
                self.parts_of[invoice_id] = parts
                for due_on, amount in parts:
                    self._add(due_on, amount)

    def punctuality(self) -> float | None:
        """The paymentPunctuality component on the current day."""
        weight = self.weight + self.past
        late = self.late + self.past * self.day.toordinal() - self.past_dated
        return weighted_punctuality(weight, late)


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


def punctuality_days(state: ClientState, days: list[date]) -> list[float | None]:
    """paymentPunctuality on each of a run of consecutive days, as the sweep keeps it
    (what CHRONIC_LATE_PAYER reads)."""
    sweep = _MoneyDay(state, days[0])
    values = []
    for n, _ in enumerate(days):
        if n:
            sweep.advance()
        values.append(sweep.punctuality())
    return values


def money_days(state: ClientState, days: list[date],
                kinds: set[SignalKind]) -> dict[SignalKind, Held]:
    sweep = _MoneyDay(state, days[0])
    promises = sorted((p for p in state.promises.values()
                       if p.kind is PromiseKind.PAYMENT and p.by is Party.CLIENT),
                      key=lambda p: p.due_on)
    expected = [p.due_on for p in promises]  # the yardstick: the due date first recorded
    changing = {p.promise_id: turns(p) for p in promises}
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
                if verdict is None or day in changing[p.promise_id]:
                    verdict = broken_payment_promise(promise_outcome(p, day, sweep.accounts), day)
                    verdicts[p.promise_id] = verdict
                found += verdict
            broken.append(found >= BROKEN_PAYMENT_PROMISES)
    return {k: v for k, v in ((SignalKind.CHRONIC_LATE_PAYER, chronic),
                              (SignalKind.BROKEN_PAYMENT_PROMISES, broken)) if k in kinds}
