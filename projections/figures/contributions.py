"""Money counted towards PAYMENT promises, indexed by date (SPEC §3.2).

The same money `Accounts.contributions` reports — payments not reversed, whole
(a promise naming no invoice) or as allocated to the promise's invoice — kept
sorted so that a promise only looks at the days between when it was made and
when it is judged.  Built from one allocation run, or grown as a run advances.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from datetime import date
from decimal import Decimal

from domain.accounts import Accounts, Allocation, PaymentAccount

Contribution = tuple[date, Decimal]


class Contributions:
    """Live payments by date, and the allocations to each invoice."""

    def __init__(self) -> None:
        self._payments: list[Contribution] = []  # (received on, amount), by date
        self._invoices: dict[str, list[tuple[date, date, Decimal]]] = {}  # (paid, applied, amount)

    @classmethod
    def of(cls, accounts: Accounts) -> Contributions:
        index = cls()
        for payment in accounts.payments.values():
            index.add_payment(payment)
            for allocation in payment.allocations:
                index.add_allocation(allocation)
        return index

    def add_payment(self, payment: PaymentAccount) -> None:
        if payment.reversed:
            return
        entry = (payment.received_on, payment.amount)
        if not self._payments or self._payments[-1][0] <= entry[0]:
            self._payments.append(entry)
        else:
            insort(self._payments, entry, key=lambda p: p[0])

    def add_allocation(self, allocation: Allocation) -> None:
        self._invoices.setdefault(allocation.invoice_id, []).append(
            (allocation.paid_on, allocation.on, allocation.amount))

    def towards(self, since: date, until: date, invoice_id: str | None) -> list[Contribution]:
        """Money received on or after `since` that counted by `until`, by the date it
        counted (allocations to `invoice_id` when given, else whole payments)."""
        if invoice_id is None:
            start = bisect_left(self._payments, since, key=lambda p: p[0])
            end = bisect_right(self._payments, until, key=lambda p: p[0])
            return self._payments[start:end]
        return [(on, amount) for paid_on, on, amount in self._invoices.get(invoice_id, ())
                if paid_on >= since and on <= until]
