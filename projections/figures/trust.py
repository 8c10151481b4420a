"""The relationship trust score, 0-100, that explains itself.

Five components, each present only when it has data, each reporting its
value, weight and the observations behind it; the score is their weighted
mean (null when none is present: not enough history).  The weights live here,
in `TrustWeights`, and can be overridden by configuration (`weights_from`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from functools import cache
from itertools import pairwise

from domain.accounts import Accounts, WriteOff
from domain.values import ZERO, Party, Severity
from projections.figures.complaints import Complaint
from projections.figures.means import mean, weighted_mean
from projections.figures.outcomes import GapItem, ItemStatus
from projections.figures.payments import OpenPart, days_beyond_terms, overdue_amount
from projections.figures.windows import YEAR, start


class Band(Enum):
    STRONG = "STRONG"
    STEADY = "STEADY"
    STRAINED = "STRAINED"
    AT_RISK = "AT_RISK"


class Confidence(Enum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


@dataclass(frozen=True)
class TrustWeights:
    """How much each component weighs in the score (they need not add up to 1)."""

    payment_punctuality: float = 0.30
    client_promises: float = 0.20
    overdue_exposure: float = 0.10
    vendor_promises: float = 0.25
    complaint_handling: float = 0.15

    def of(self, component: str) -> float:
        return float(getattr(self, _snake(component)))


DEFAULT_WEIGHTS = TrustWeights()

#: days beyond terms → punctuality (PAYDEX-like), linear between the points
PUNCTUALITY_CURVE = ((0, 100.0), (15, 75.0), (30, 50.0), (60, 25.0), (90, 10.0), (120, 0.0))
#: a write-off weighs at least as many days beyond terms as the curve's last point: a debt
#: given up on is the worst payment there is
WRITE_OFF_DAYS = PUNCTUALITY_CURVE[-1][0]
SEVERITY_PENALTY = {Severity.LOW: 5.0, Severity.MEDIUM: 10.0, Severity.HIGH: 20.0,
                    Severity.CRITICAL: 35.0}
RESOLVED_FACTOR = 0.25
OPEN_FACTOR_CAP = 2.0
OPEN_FACTOR_DAYS = 30
BANDS = ((80.0, Band.STRONG), (60.0, Band.STEADY), (40.0, Band.STRAINED))
CONFIDENCE = ((3, Confidence.LOW), (10, Confidence.MEDIUM))

#: the components in order, with the side whose conduct they measure
COMPONENTS = (("paymentPunctuality", Party.CLIENT), ("clientPromises", Party.CLIENT),
              ("overdueExposure", Party.CLIENT), ("vendorPromises", Party.VENDOR),
              ("complaintHandling", Party.VENDOR))


@cache
def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


def weights_from(overrides: Mapping[str, object] | None) -> TrustWeights:
    """Default weights with some replaced, by component name (camelCase or snake_case).

    Unknown names and negative weights are refused with a ValueError.
    """
    if not overrides:
        return DEFAULT_WEIGHTS
    known = {f.name for f in fields(TrustWeights)}
    values: dict[str, float] = {}
    for name, value in overrides.items():
        key = _snake(name)
        if key not in known:
            raise ValueError(f"unknown trust component {name!r}; the components are "
                             f"{', '.join(n for n, _ in COMPONENTS)}")
        weight = float(value)  # type: ignore[arg-type]
        if not weight >= 0:
            raise ValueError(f"the weight of {name} must be a number ≥ 0, not {value!r}")
        values[key] = weight
    return TrustWeights(**values)


@dataclass(frozen=True)
class TrustComponent:
    name: str
    side: Party
    weight: float
    value: float | None
    observations: int


@dataclass(frozen=True)
class Trust:
    score: float | None
    band: Band | None
    confidence: Confidence
    client_side: float | None
    vendor_side: float | None
    components: tuple[TrustComponent, ...]

    def component(self, name: str) -> TrustComponent:
        return next(c for c in self.components if c.name == name)


# ---- the components -----------------------------------------------------------------


def punctuality_value(days: float) -> float:
    """Map (weighted) days beyond terms onto 0-100 through the curve's points."""
    if days <= PUNCTUALITY_CURVE[0][0]:
        return PUNCTUALITY_CURVE[0][1]
    for (x0, y0), (x1, y1) in pairwise(PUNCTUALITY_CURVE):
        if days <= x1:
            return y0 + (y1 - y0) * (days - x0) / (x1 - x0)
    return PUNCTUALITY_CURVE[-1][1]


def write_off_days(write_off: WriteOff) -> int:
    """The days beyond terms a write-off weighs: its date less the invoice's due date, at
    least `WRITE_OFF_DAYS`."""
    return max(WRITE_OFF_DAYS, (write_off.on - write_off.due_on).days)


def payment_punctuality(accounts: Accounts, parts: list[OpenPart], as_of: date,
                        ) -> tuple[float | None, int]:
    """Amount-weighted days beyond terms of the window's allocations, of the overdue
    balances (aged to `as_of`) and of the window's write-offs (`write_off_days`), mapped
    onto 0-100; with its observation count (allocations, overdue invoices, write-offs)."""
    weight = days = ZERO
    observed: set[tuple[str, str]] = set()
    year = start(as_of, YEAR)
    for payment in accounts.payments.values():
        for allocation in payment.allocations:
            if allocation.paid_on > year:
                weight += allocation.amount
                days += allocation.amount * days_beyond_terms(allocation.paid_on,
                                                              allocation.due_on)
                observed.add((payment.payment_id, allocation.invoice_id))
    overdue_invoices: set[str] = set()
    for part in parts:
        if part.overdue(as_of):
            weight += part.amount
            days += part.amount * part.days_past_due(as_of)
            overdue_invoices.add(part.invoice_id)
    written_off = [w for w in accounts.write_offs if w.on > year]
    for write_off in written_off:
        weight += write_off.amount
        days += write_off.amount * write_off_days(write_off)
    value = weighted_punctuality(weight, days)
    observations = len(observed) + len(overdue_invoices) + len(written_off)
    return value, 0 if value is None else observations


def weighted_punctuality(weight: Decimal, days: Decimal) -> float | None:
    """paymentPunctuality from its sums: the amounts looked at (`weight`) and the amounts
    times their days beyond terms (`days`); None when nothing was looked at.  The day
    sweep of CHRONIC_LATE_PAYER keeps the same sums as days pass."""
    if weight <= 0:
        return None
    return punctuality_value(float(Fraction(days) / Fraction(weight)))


def promises_value(items: Iterable[GapItem]) -> tuple[float | None, int]:
    """100 * mean fulfilment of the scored items; with their count."""
    scores = [s for s in (i.fulfilment for i in items) if s is not None]
    return mean(scores, times=100), len(scores)


def overdue_exposure(accounts: Accounts, parts: list[OpenPart], as_of: date,
                     ) -> tuple[float | None, int]:
    """100 * (1 - overdue ÷ (invoices due in the window + older balances still open))."""
    exposure: Decimal = ZERO
    observed = 0
    year = start(as_of, YEAR)
    for invoice in accounts.invoices.values():
        if invoice.due_on > year:
            exposure += invoice.amount
            observed += 1
        elif invoice.balance > 0:
            exposure += invoice.balance
            observed += 1
    if exposure <= 0:
        return None, 0
    share = Fraction(overdue_amount(parts, as_of)) / Fraction(exposure)
    return float(100 * (1 - share)), observed


def complaint_handling(complaints: Iterable[Complaint], vendor_items: int, as_of: date,
                       ) -> tuple[float | None, int]:
    """100 - penalties of the CLIENT's complaints in the window (open ones weigh more as
    they age, resolved ones a quarter); present with a complaint or a vendor item."""
    penalty, observed = 0.0, 0
    for complaint in complaints:
        if complaint.raised_by is not Party.CLIENT or not complaint.in_window(as_of):
            continue
        observed += 1
        weight = SEVERITY_PENALTY[complaint.severity]
        if complaint.open:
            days_open = (as_of - complaint.filed_on).days
            penalty += weight * min(OPEN_FACTOR_CAP, 1 + days_open / OPEN_FACTOR_DAYS)
        else:
            penalty += weight * RESOLVED_FACTOR
    if not observed and not vendor_items:
        return None, 0
    return max(0.0, 100 - penalty), observed


# ---- the score ----------------------------------------------------------------------


def band(score: float | None) -> Band | None:
    if score is None:
        return None
    for threshold, name in BANDS:
        if score >= threshold:
            return name
    return Band.AT_RISK


def confidence(observations: int) -> Confidence:
    for below, name in CONFIDENCE:
        if observations < below:
            return name
    return Confidence.HIGH


def _mean(components: Iterable[TrustComponent]) -> float | None:
    """The weighted mean of the present components, computed exactly (`weighted_mean`)."""
    return weighted_mean((c.weight, c.value) for c in components if c.value is not None)


def trust(window: list[GapItem], accounts: Accounts, parts: list[OpenPart],
          complaints: list[Complaint], as_of: date,
          punctuality: tuple[float | None, int],
          weights: TrustWeights = DEFAULT_WEIGHTS) -> Trust:
    """The trust score as of `as_of` from the window's items, the allocation as of that
    date, its open balances, the complaints filed by then and `payment_punctuality` of
    the same (which CHRONIC_LATE_PAYER reads too)."""
    live = [i for i in window if i.status is not ItemStatus.CANCELLED]
    client_items = [i for i in live if i.obligor is Party.CLIENT and not i.is_purchase_forecast]
    vendor_items = [i for i in live if i.obligor is Party.VENDOR]
    values = {
        "paymentPunctuality": punctuality,
        "clientPromises": promises_value(client_items),
        "overdueExposure": overdue_exposure(accounts, parts, as_of),
        "vendorPromises": promises_value(vendor_items),
        "complaintHandling": complaint_handling(complaints, len(vendor_items), as_of),
    }
    components = tuple(TrustComponent(name, side, weights.of(name), *values[name])
                       for name, side in COMPONENTS)
    score = _mean(components)
    year = start(as_of, YEAR)
    observations = (len(live)
                    + sum(1 for i in accounts.invoices.values()
                          if i.balance > 0 or i.due_on > year)
                    + sum(1 for c in complaints if c.in_window(as_of)))
    return Trust(
        score=score,
        band=band(score),
        confidence=confidence(observations),
        client_side=_mean(c for c in components if c.side is Party.CLIENT),
        vendor_side=_mean(c for c in components if c.side is Party.VENDOR),
        components=components,
    )
