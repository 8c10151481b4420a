"""How a PAYMENT promise is resolved by the payments themselves.

Its progress is the money received on or after the day it was made (allocated
to its invoice when it names one, else any payment).  It is KEPT on the day
progress reaches its amount, if that is on or before its current due date;
otherwise it is BROKEN the day after that due date, and later payments do not
change it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from domain.values import ZERO


@dataclass(frozen=True)
class PaymentOutcome:
    status: Literal["OPEN", "KEPT", "BROKEN"]
    actual_on: date | None
    progress: Decimal  # money counted by actual_on (KEPT), by the due date (BROKEN), or so far


def resolve_payment_promise(
    contributions: Iterable[tuple[date, Decimal]],
    amount: Decimal,
    due_on: date,
    as_of: date,
) -> PaymentOutcome:
    """The promise's status as of `as_of`, given dated contributions of money."""
    by_day: dict[date, Decimal] = {}
    for on, value in contributions:
        by_day[on] = by_day.get(on, ZERO) + value
    progress = ZERO
    for on in sorted(by_day):
        if on > as_of or on > due_on:
            break
        progress += by_day[on]
        if progress >= amount:
            return PaymentOutcome("KEPT", on, progress)
    if as_of > due_on:
        return PaymentOutcome("BROKEN", due_on + timedelta(days=1), progress)
    return PaymentOutcome("OPEN", None, progress)
