"""The allocation engine's queue of open invoices: whatever happens to the invoices, it
holds exactly those with a balance, oldest due first (ties: issue date, then id), which
is the order unnamed money and credit settle them in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.accounts import Accounts
from domain.values import DisputeOutcome

START = date(2026, 1, 1)
Operation = Callable[[Accounts, int], None]  # applied to the accounts as the n-th


def issue(invoice_id: str, amount: Decimal, on: date, terms: int) -> Operation:
    return lambda accounts, _: accounts.issue(invoice_id, amount, on,
                                              on + timedelta(days=terms), "work")


def receive(amount: Decimal, on: date, invoice_id: str | None) -> Operation:
    return lambda accounts, n: accounts.receive(f"P{n}", amount, on, None, invoice_id)


def reverse(payment: int, on: date) -> Operation:
    def apply(accounts: Accounts, _: int) -> None:
        if f"P{payment}" in accounts.payments:
            accounts.reverse(f"P{payment}", on)
    return apply


def on_issued(change: Callable[[Accounts], None], invoice_id: str) -> Operation:
    """A change to an invoice, left out before it is issued (the ledger's rules refuse
    it)."""
    def apply(accounts: Accounts, _: int) -> None:
        if invoice_id in accounts.invoices:
            change(accounts)
    return apply


ids = st.sampled_from([f"I{n}" for n in range(8)])
days = st.integers(0, 120).map(lambda n: START + timedelta(days=n))
amounts = st.integers(1, 500).map(Decimal)
operations = st.lists(st.one_of(
    st.builds(issue, ids, amounts, days, st.sampled_from([0, 10, 30])),
    st.builds(receive, amounts, days, st.one_of(st.none(), ids)),
    st.builds(reverse, st.integers(0, 40), days),
    st.builds(lambda i, on: on_issued(lambda a: a.dispute(i, on), i), ids, days),
    st.builds(lambda i, outcome, credit, on: on_issued(
        lambda a: a.resolve_dispute(i, outcome, credit, on), i),
        ids, st.sampled_from(list(DisputeOutcome)), amounts, days),
    st.builds(lambda i, amount, on: on_issued(lambda a: a.write_off(i, amount, on), i),
              ids, amounts, days),
), max_size=40)


@settings(max_examples=300, deadline=None)
@given(operations)
def test_the_open_invoices_are_those_with_a_balance_oldest_due_first(
        history: list[Operation]) -> None:
    accounts = Accounts()
    for number, operation in enumerate(history):
        operation(accounts, number)
        open_now = [i for i in accounts.invoices.values() if i.balance > 0]
        assert accounts.open_invoices() == sorted(open_now, key=lambda i: i.order)
