"""A client's invoices and payments as of a date.

The allocation engine (`domain.accounts.Accounts`) is run over the money
events that occurred on or before `as_of`; when `as_of` is on or after the last
of them that is the run of the whole history kept in the state.  From it come
the balances and statuses of invoices, the aging of what is open, what is
overdue, what was written off, DSO, the average days to pay and the average days
beyond terms.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

from domain.accounts import Accounts, InvoiceAccount, PaymentAccount
from domain.values import CENTS, ZERO
from projections.figures.deferred import Deferred
from projections.figures.windows import YEAR, start, within
from projections.state import ClientState, run

DSO_DAYS = 90
RUNS_KEPT = 64  # allocations of earlier dates remembered per client version
#: allocations as of earlier dates, by how many money events they include: a cache
#: its owner keeps per client version (the read model's), never part of the state
Runs = MutableMapping[int, Accounts]


class InvoiceStatus(Enum):
    OPEN = "OPEN"
    OVERDUE = "OVERDUE"
    PAID = "PAID"
    DISPUTED = "DISPUTED"
    WRITTEN_OFF = "WRITTEN_OFF"
    CREDITED = "CREDITED"


class AgingBucket(Enum):
    CURRENT = "CURRENT"
    DAYS_1_30 = "DAYS_1_30"
    DAYS_31_60 = "DAYS_31_60"
    DAYS_61_90 = "DAYS_61_90"
    DAYS_90_PLUS = "DAYS_90_PLUS"


@dataclass(frozen=True)
class Instalment:
    due_on: date
    amount: Decimal
    paid: Decimal


@dataclass(frozen=True)
class Invoice:
    id: str
    amount: Decimal
    issued_on: date
    due_on: date
    balance: Decimal
    status: InvoiceStatus
    paid_on: date | None
    days_to_pay: int | None
    days_beyond_terms: int | None
    description: str | None
    instalments: tuple[Instalment, ...]


@dataclass(frozen=True)
class Allocation:
    invoice_id: str
    amount: Decimal


@dataclass(frozen=True)
class Payment:
    id: str
    amount: Decimal
    received_on: date
    method: str | None
    reversed: bool
    allocations: tuple[Allocation, ...]


@dataclass(frozen=True)
class AgingAmount:
    bucket: AgingBucket
    amount: Decimal


@dataclass(frozen=True)
class PaymentHistory:
    currency: str
    invoiced: Decimal
    received: Decimal
    outstanding: Decimal
    overdue: Decimal
    credit: Decimal
    written_off: Decimal  # given up on: not outstanding, and not forgotten by the score
    dso: float | None
    average_days_to_pay: float | None
    average_days_beyond_terms: float | None
    aging: tuple[AgingAmount, ...]
    invoices: Sequence[Invoice]  # a tuple worked out when first read (`Deferred`)
    payments: Sequence[Payment]


@dataclass(frozen=True)
class OpenPart:
    """Part of an invoice's open balance and the date it falls due."""

    invoice_id: str
    due_on: date
    amount: Decimal
    disputed: bool

    def days_past_due(self, as_of: date) -> int:
        return (as_of - self.due_on).days

    def overdue(self, as_of: date) -> bool:
        """Past due and counted as overdue (a disputed balance is not)."""
        return not self.disputed and as_of > self.due_on


# ---- the allocation as of a date ----------------------------------------------------


def accounts_as_of(state: ClientState, as_of: date, runs: Runs | None = None) -> Accounts:
    """The allocation of the money events that occurred on or before `as_of`.

    The state is only read.  `runs`, when given, remembers earlier allocations of this
    same state (its owner keys it by the client's version).  Do not change what is
    returned: it may be the state's own run or a remembered one.
    """
    included = bisect_right(state.money_dates, as_of)
    if included == len(state.money):
        return state.accounts
    cached = None if runs is None else runs.get(included)
    if cached is None:
        cached = run([m for m in state.money if m.on <= as_of])
        if runs is not None:
            if len(runs) >= RUNS_KEPT:
                runs.clear()
            runs[included] = cached
    return cached


def open_parts(accounts: Accounts) -> list[OpenPart]:
    """Every open balance, split by the date each part falls due (plans)."""
    return [OpenPart(invoice.invoice_id, due_on, amount, invoice.disputed)
            for invoice in accounts.open_invoices()
            for due_on, amount in accounts.portions(invoice)]


def overdue_amount(parts: list[OpenPart], as_of: date) -> Decimal:
    """Undisputed balances past due."""
    return sum((p.amount for p in parts if p.overdue(as_of)), ZERO)


def bucket(days_past_due: int) -> AgingBucket:
    if days_past_due <= 0:
        return AgingBucket.CURRENT
    if days_past_due <= 30:
        return AgingBucket.DAYS_1_30
    if days_past_due <= 60:
        return AgingBucket.DAYS_31_60
    if days_past_due <= 90:
        return AgingBucket.DAYS_61_90
    return AgingBucket.DAYS_90_PLUS


def aging(parts: list[OpenPart], as_of: date) -> tuple[AgingAmount, ...]:
    """Open balances (disputed included) by days past due, every bucket shown."""
    amounts = dict.fromkeys(AgingBucket, ZERO)
    for part in parts:
        amounts[bucket(part.days_past_due(as_of))] += part.amount
    return tuple(AgingAmount(b, a.quantize(CENTS)) for b, a in amounts.items())


def days_beyond_terms(paid_on: date, due_on: date) -> int:
    return max(0, (paid_on - due_on).days)


# ---- the history --------------------------------------------------------------------


def payment_history(accounts: Accounts, as_of: date, currency: str) -> PaymentHistory:
    """Invoices and payments as of `as_of`, from the allocation as of that date."""
    parts = open_parts(accounts)
    invoices = sorted(accounts.invoices.values(), key=lambda i: (i.issued_on, i.invoice_id))
    outstanding = sum((i.balance for i in accounts.open_invoices()), ZERO)
    recent = sum((i.amount for i in invoices if within(i.issued_on, as_of, DSO_DAYS)), ZERO)
    year = start(as_of, YEAR)
    paid = [i for i in invoices if i.paid_on is not None and i.due_on > year]
    allocations = [a for p in accounts.payments.values() for a in p.allocations
                   if a.paid_on > year]
    allocated = sum((a.amount for a in allocations), ZERO)
    late = sum((a.amount * days_beyond_terms(a.paid_on, a.due_on) for a in allocations), ZERO)
    past_due = {p.invoice_id for p in parts if p.overdue(as_of)}
    return PaymentHistory(
        currency=currency,
        invoiced=_cents(sum((i.amount for i in invoices), ZERO)),
        received=_cents(sum((p.amount for p in accounts.payments.values() if not p.reversed),
                            ZERO)),
        outstanding=_cents(outstanding),
        overdue=_cents(overdue_amount(parts, as_of)),
        credit=_cents(accounts.credit),
        written_off=_cents(sum((i.written_off for i in invoices), ZERO)),
        dso=float(outstanding) / float(recent) * DSO_DAYS if recent > 0 else None,
        average_days_to_pay=(sum(_days_to_pay(i) for i in paid) / len(paid)) if paid else None,
        average_days_beyond_terms=float(late) / float(allocated) if allocated > 0 else None,
        aging=aging(parts, as_of),
        invoices=Deferred(lambda: tuple(_invoice(accounts, i, i.invoice_id in past_due)
                                        for i in invoices), lambda: accounts.changes),
        payments=Deferred(lambda: tuple(_payment(p) for p in sorted(
            accounts.payments.values(), key=lambda p: (p.received_on, p.payment_id))),
            lambda: accounts.changes),
    )


def _cents(amount: Decimal) -> Decimal:
    """Totals to two places (amounts themselves are exact cents: parsed to two places
    by the ledger and only added and subtracted by the allocation engine)."""
    return amount.quantize(CENTS)


def _days_to_pay(invoice: InvoiceAccount) -> int:
    assert invoice.paid_on is not None
    return (invoice.paid_on - invoice.issued_on).days


def invoice_status(invoice: InvoiceAccount, past_due: bool) -> InvoiceStatus:
    if invoice.balance <= 0:
        return {"PAYMENT": InvoiceStatus.PAID, "WRITE_OFF": InvoiceStatus.WRITTEN_OFF,
                "CREDIT": InvoiceStatus.CREDITED}[invoice.settled_by or "PAYMENT"]
    if invoice.disputed:
        return InvoiceStatus.DISPUTED
    return InvoiceStatus.OVERDUE if past_due else InvoiceStatus.OPEN


def _invoice(accounts: Accounts, invoice: InvoiceAccount, past_due: bool) -> Invoice:
    plan = accounts.plans.get(invoice.plan_id) if invoice.plan_id else None
    paid_on = invoice.paid_on
    return Invoice(
        id=invoice.invoice_id,
        amount=invoice.amount,
        issued_on=invoice.issued_on,
        due_on=invoice.due_on,
        balance=max(invoice.balance, ZERO),
        status=invoice_status(invoice, past_due),
        paid_on=paid_on,
        days_to_pay=_days_to_pay(invoice) if paid_on else None,
        days_beyond_terms=days_beyond_terms(paid_on, invoice.due_on) if paid_on else None,
        description=invoice.description,
        instalments=tuple(Instalment(s.due_on, s.amount, s.paid)
                          for s in plan.instalments) if plan else (),
    )


def _payment(payment: PaymentAccount) -> Payment:
    merged: dict[str, Decimal] = {}
    for allocation in payment.allocations:
        merged[allocation.invoice_id] = merged.get(allocation.invoice_id, ZERO) + allocation.amount
    return Payment(payment.payment_id, payment.amount, payment.received_on,
                   payment.method, payment.reversed,
                   tuple(Allocation(i, a) for i, a in merged.items()))
