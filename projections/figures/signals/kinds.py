"""The signals' kinds, thresholds and the shapes of a rule and of its day sweep.

A rule reads a `Snapshot` (a state seen on one date) and returns its evidence (plain
sentences naming ids and counts) when it holds, None when it does not.  A sweep says,
for each of a run of days, whether the same rule held: it reads the same predicates,
laid out so that a year of days costs little more than one (see `onsets`).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from enum import Enum

from projections.figures.inputs import Snapshot
from projections.state import ClientState

CHRONIC_LATE_BELOW = 50.0
BROKEN_PAYMENT_PROMISES = 2
OVERCOMMITTING_ITEMS, OVERCOMMITTING_RATE = 5, 0.6
MISTREATMENT_COMPLAINTS = 2
OUT_OF_SCOPE_REQUESTS = 2
ADVICE_ANSWERS, ADVICE_REJECTED = 5, 3
UNANSWERED_FOLLOW_UPS = 3
RECENT_DAYS, PIPELINE_DAYS, TOUCH_DAYS, CAP_DAYS = 180, 90, 30, 7


class SignalKind(Enum):
    CHRONIC_LATE_PAYER = "CHRONIC_LATE_PAYER"
    BROKEN_PAYMENT_PROMISES = "BROKEN_PAYMENT_PROMISES"
    OVERCOMMITTING = "OVERCOMMITTING"
    MISTREATMENT = "MISTREATMENT"
    OUT_OF_SCOPE_DEMANDS = "OUT_OF_SCOPE_DEMANDS"
    EXPERTISE_NOT_VALUED = "EXPERTISE_NOT_VALUED"
    CONTACT_CAP_REACHED = "CONTACT_CAP_REACHED"
    UNANSWERED_FOLLOW_UPS = "UNANSWERED_FOLLOW_UPS"
    ILLUSORY_PIPELINE = "ILLUSORY_PIPELINE"
    TOUCH_GROUND = "TOUCH_GROUND"


Evidence = tuple[str, ...] | None  # None: the rule does not hold
Rule = Callable[[Snapshot], Evidence]
Held = list[bool]  # one per day, from the first day looked at
Sweep = Callable[[ClientState, list[date]], Held]


def count_within(dates: Sequence[date], on: date, days: int) -> int:
    """How many of the sorted `dates` fall in the `days` days up to `on`."""
    return bisect_right(dates, on) - bisect_right(dates, on - timedelta(days=days))


def listed(items: Sequence[str]) -> str:
    return ", ".join(items)
