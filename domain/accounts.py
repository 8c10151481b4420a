"""How payments settle invoices: the one allocation engine.

The ledger's rules ask it for balances before accepting a write-off, a dispute
or a payment plan; the payment figures run it over the events known as of a
date.  Operations are applied in stream order:

- a payment naming an invoice goes to that invoice up to its balance; the rest
  of it, and any unnamed payment, goes to undisputed invoices with a balance,
  oldest due first (ties: issue date, then invoice id); what is left is credit;
- credit is applied whenever an invoice becomes eligible: when it is issued or
  when its dispute is resolved;
- a reversed payment is undone by re-running every operation as if it had
  never been received;
- money applied to an invoice under a payment plan fills the plan's
  instalments in due order; the rest is measured against the invoice's own
  due date.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from domain.values import ZERO, DisputeOutcome, Instalment

Settlement = Literal["PAYMENT", "WRITE_OFF", "CREDIT"]


@dataclass
class Allocation:
    """Part of a payment applied to an invoice."""

    payment_id: str
    invoice_id: str
    amount: Decimal
    paid_on: date  # the payment's own date
    on: date  # when the money was applied (later than paid_on for credit)
    due_on: date  # what it is measured against: the instalment's or the invoice's due date


@dataclass(frozen=True)
class WriteOff:
    """Part of an invoice's balance given up on: money the client never paid."""

    invoice_id: str
    amount: Decimal  # what was written off (never more than the balance then)
    on: date
    due_on: date  # the invoice's own due date


@dataclass
class InstalmentAccount:
    due_on: date
    amount: Decimal
    paid: Decimal = ZERO

    @property
    def unpaid(self) -> Decimal:
        return self.amount - self.paid


@dataclass
class PlanAccount:
    plan_id: str
    agreed_on: date
    invoice_ids: list[str]
    instalments: list[InstalmentAccount]


@dataclass
class InvoiceAccount:
    invoice_id: str
    amount: Decimal
    issued_on: date
    due_on: date
    description: str
    balance: Decimal
    disputed: bool = False
    disputed_on: date | None = None
    credited: Decimal = ZERO
    written_off: Decimal = ZERO
    allocations: list[Allocation] = field(default_factory=list)
    write_offs: list[WriteOff] = field(default_factory=list)
    settled_by: Settlement | None = None
    settled_on: date | None = None
    plan_id: str | None = None

    @property
    def order(self) -> tuple[date, date, str]:
        """Oldest due first; ties by issue date, then id."""
        return (self.due_on, self.issued_on, self.invoice_id)

    @property
    def paid_on(self) -> date | None:
        return self.settled_on if self.settled_by == "PAYMENT" else None


@dataclass
class PaymentAccount:
    payment_id: str
    amount: Decimal
    received_on: date
    method: str | None
    invoice_id: str | None
    unallocated: Decimal
    reversed_on: date | None = None
    allocations: list[Allocation] = field(default_factory=list)

    @property
    def reversed(self) -> bool:
        return self.reversed_on is not None


Operation = tuple[str, tuple[object, ...]]  # (method name, arguments): plain data, picklable


class Accounts:
    """Invoices, payments and plans of one client, settled by allocation."""

    def __init__(self) -> None:
        self.invoices: dict[str, InvoiceAccount] = {}
        self.payments: dict[str, PaymentAccount] = {}
        self.plans: dict[str, PlanAccount] = {}
        self._open: dict[str, InvoiceAccount] = {}  # balance > 0
        self._queue: list[InvoiceAccount] = []  # the same, oldest due first
        self._order: list[tuple[date, date, str]] = []  # their `order`s, the queue's keys
        self._credit: list[PaymentAccount] = []  # payments with money left, oldest first
        self._log: list[Operation] = []
        self._reversals: dict[str, date] = {}
        #: how many times the accounts moved (operations and reversals): what was worked
        #: out from them stays true while this stays the same
        self.changes = 0

    # ---- operations ---------------------------------------------------------

    def issue(self, invoice_id: str, amount: Decimal, issued_on: date, due_on: date,
              description: str) -> None:
        self._run(("_issue", (invoice_id, amount, issued_on, due_on, description)))

    def dispute(self, invoice_id: str, on: date) -> None:
        self._run(("_dispute", (invoice_id, on)))

    def resolve_dispute(self, invoice_id: str, outcome: DisputeOutcome,
                        credit_amount: Decimal | None, on: date) -> None:
        self._run(("_resolve_dispute", (invoice_id, outcome, credit_amount, on)))

    def write_off(self, invoice_id: str, amount: Decimal, on: date) -> None:
        self._run(("_write_off", (invoice_id, amount, on)))

    def agree_plan(self, plan_id: str, invoice_ids: Sequence[str],
                   instalments: Sequence[Instalment], on: date) -> None:
        self._run(("_agree_plan", (plan_id, tuple(invoice_ids), tuple(instalments), on)))

    def receive(self, payment_id: str, amount: Decimal, on: date, method: str | None,
                invoice_id: str | None) -> None:
        self._run(("_receive", (payment_id, amount, on, method, invoice_id)))

    def reverse(self, payment_id: str, on: date) -> None:
        """Undo a payment: every operation is re-run as if it had never been received."""
        self._reversals[payment_id] = on
        fresh = Accounts()
        fresh._reversals = self._reversals
        for operation in self._log:
            fresh._run(operation)
        changes = self.changes
        self.__dict__.update(fresh.__dict__)
        self.changes = changes + 1

    # ---- questions ----------------------------------------------------------

    @property
    def write_offs(self) -> list[WriteOff]:
        """Every write-off, in the order they were made."""
        return sorted((w for i in self.invoices.values() for w in i.write_offs),
                      key=lambda w: (w.on, w.invoice_id))

    @property
    def credit(self) -> Decimal:
        return sum((p.unallocated for p in self._credit), ZERO)

    def open_invoices(self) -> list[InvoiceAccount]:
        """The invoices with a balance, oldest due first."""
        return list(self._queue)

    def portions(self, invoice: InvoiceAccount) -> list[tuple[date, Decimal]]:
        """The invoice's open balance split by the date each part falls due.

        Outside a plan that is the whole balance at the invoice's due date.  Under a
        plan the plan's unpaid instalments come first (shared by its invoices in
        invoice order, trimmed from the last instalment when write-offs or credits
        left less to pay); what is beyond them is due at the invoice's own date.
        """
        if invoice.balance <= 0:
            return []
        plan = self.plans.get(invoice.plan_id) if invoice.plan_id else None
        if plan is None:
            return [(invoice.due_on, invoice.balance)]
        members = sorted(
            (self.invoices[i] for i in plan.invoice_ids if self.invoices[i].balance > 0),
            key=lambda i: i.order,
        )
        schedule = _trim([(s.due_on, s.unpaid) for s in plan.instalments if s.unpaid > 0],
                         sum((m.balance for m in members), ZERO))
        for member in members:
            parts, left = [], member.balance
            while left > 0 and schedule:
                due_on, unpaid = schedule[0]
                take = min(unpaid, left)
                parts.append((due_on, take))
                left -= take
                if take == unpaid:
                    schedule.pop(0)
                else:
                    schedule[0] = (due_on, unpaid - take)
            if left > 0:
                parts.append((member.due_on, left))
            if member is invoice:
                return parts
        return []  # pragma: no cover - invoice is always a member of its plan

    def contributions(self, since: date, invoice_id: str | None) -> list[tuple[date, Decimal]]:
        """Money received on or after `since` (not reversed), by the date it counted.

        Allocations to `invoice_id` when given, else whole payments.
        """
        live = [p for p in self.payments.values() if not p.reversed and p.received_on >= since]
        if invoice_id is None:
            return [(p.received_on, p.amount) for p in live]
        return [(a.on, a.amount) for p in live for a in p.allocations
                if a.invoice_id == invoice_id]

    # ---- mechanics ----------------------------------------------------------

    def _run(self, operation: Operation) -> None:
        self._log.append(operation)
        self.changes += 1
        name, args = operation
        getattr(self, name)(*args)

    def _issue(self, invoice_id: str, amount: Decimal, issued_on: date, due_on: date,
               description: str) -> None:
        invoice = InvoiceAccount(invoice_id, amount, issued_on, due_on, description, amount)
        self._close(invoice_id)  # an id issued again replaces the invoice
        self.invoices[invoice_id] = invoice
        self._open[invoice_id] = invoice
        order = invoice.order
        at = bisect_left(self._order, order)
        self._order.insert(at, order)
        self._queue.insert(at, invoice)
        self._apply_credit(issued_on)

    def _dispute(self, invoice_id: str, on: date) -> None:
        invoice = self.invoices[invoice_id]
        invoice.disputed, invoice.disputed_on = True, on

    def _resolve_dispute(self, invoice_id: str, outcome: DisputeOutcome,
                         credit_amount: Decimal | None, on: date) -> None:
        invoice = self.invoices[invoice_id]
        invoice.disputed, invoice.disputed_on = False, None
        if outcome is DisputeOutcome.UPHELD and credit_amount:
            credit = min(credit_amount, invoice.balance)
            invoice.credited += credit
            self._reduce(invoice, credit, "CREDIT", on)
        self._apply_credit(on)

    def _write_off(self, invoice_id: str, amount: Decimal, on: date) -> None:
        invoice = self.invoices[invoice_id]
        amount = min(amount, invoice.balance)
        invoice.written_off += amount
        if amount > 0:
            invoice.write_offs.append(WriteOff(invoice_id, amount, on, invoice.due_on))
        self._reduce(invoice, amount, "WRITE_OFF", on)

    def _agree_plan(self, plan_id: str, invoice_ids: Sequence[str],
                    instalments: Sequence[Instalment], on: date) -> None:
        for invoice_id in invoice_ids:
            previous = self.invoices[invoice_id].plan_id
            if previous is not None and previous in self.plans:
                self.plans[previous].invoice_ids.remove(invoice_id)
            self.invoices[invoice_id].plan_id = plan_id
        self.plans[plan_id] = PlanAccount(
            plan_id, on, list(invoice_ids),
            sorted((InstalmentAccount(i.due_on, i.amount) for i in instalments),
                   key=lambda s: s.due_on),
        )

    def _receive(self, payment_id: str, amount: Decimal, on: date, method: str | None,
                 invoice_id: str | None) -> None:
        payment = PaymentAccount(payment_id, amount, on, method, invoice_id, amount,
                                 reversed_on=self._reversals.get(payment_id))
        self.payments[payment_id] = payment
        if payment.reversed:
            payment.unallocated = ZERO
            return
        named = self.invoices.get(invoice_id) if invoice_id else None
        if named is not None and named.balance > 0:
            self._allocate(payment, named, min(named.balance, amount), on)
        self._spread(payment, on)
        if payment.unallocated > 0:
            self._credit.append(payment)

    def _apply_credit(self, on: date) -> None:
        while self._credit and next(self._eligible(), None) is not None:
            payment = self._credit[0]
            self._spread(payment, on)
            if payment.unallocated > 0:
                return
            self._credit.pop(0)

    def _eligible(self) -> Iterator[InvoiceAccount]:
        """Undisputed invoices with a balance, oldest due first (those open when asked)."""
        return (i for i in list(self._queue) if not i.disputed)

    def _spread(self, payment: PaymentAccount, on: date) -> None:
        if payment.unallocated <= 0:  # most payments: all went to the invoice they name
            return
        for invoice in self._eligible():
            if payment.unallocated <= 0:
                return
            self._allocate(payment, invoice, min(invoice.balance, payment.unallocated), on)

    def _allocate(self, payment: PaymentAccount, invoice: InvoiceAccount, amount: Decimal,
                  on: date) -> None:
        payment.unallocated -= amount
        remaining = amount
        plan = self.plans.get(invoice.plan_id) if invoice.plan_id else None
        for instalment in plan.instalments if plan else ():
            if remaining <= 0:
                break
            take = min(instalment.unpaid, remaining)
            if take > 0:
                instalment.paid += take
                remaining -= take
                self._record(payment, invoice, take, on, instalment.due_on)
        if remaining > 0:
            self._record(payment, invoice, remaining, on, invoice.due_on)
        self._reduce(invoice, amount, "PAYMENT", on)

    def _record(self, payment: PaymentAccount, invoice: InvoiceAccount, amount: Decimal,
                on: date, due_on: date) -> None:
        allocation = Allocation(payment.payment_id, invoice.invoice_id, amount,
                                payment.received_on, on, due_on)
        payment.allocations.append(allocation)
        invoice.allocations.append(allocation)

    def _reduce(self, invoice: InvoiceAccount, amount: Decimal, by: Settlement,
                on: date) -> None:
        invoice.balance -= amount
        if invoice.balance <= 0 and amount > 0:
            invoice.settled_by, invoice.settled_on = by, on
            self._close(invoice.invoice_id)

    def _close(self, invoice_id: str) -> None:
        """The invoice no longer has a balance (if it was open)."""
        invoice = self._open.pop(invoice_id, None)
        if invoice is not None:
            at = bisect_left(self._order, invoice.order)
            del self._order[at], self._queue[at]


def _trim(schedule: list[tuple[date, Decimal]], total: Decimal) -> list[tuple[date, Decimal]]:
    """Cut a schedule of (due date, amount) down to `total`, removing from the end."""
    excess = sum((amount for _, amount in schedule), ZERO) - total
    while excess > 0 and schedule:
        due_on, amount = schedule.pop()
        if amount > excess:
            schedule.append((due_on, amount - excess))
        excess -= amount
    return schedule

