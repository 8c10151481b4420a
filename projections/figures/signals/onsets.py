"""When a signal began: the run of days on which its rule held.

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

from collections.abc import Collection
from datetime import date, timedelta

from projections.figures.signals.dated import (
    contact_cap_days,
    expertise_days,
    mistreatment_days,
    out_of_scope_days,
    unanswered_days,
)
from projections.figures.signals.items import illusory_days, overcommitting_days, touch_ground_days
from projections.figures.signals.kinds import Held, SignalKind, Sweep
from projections.figures.signals.money import MONEY_KINDS, money_days
from projections.figures.windows import YEAR
from projections.state import ClientState


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
    money = {k for k in kinds if k in MONEY_KINDS}
    if money and days:
        held.update(money_days(state, days, money))
    for kind in kinds:
        if kind not in held:
            held[kind] = SWEEPS[kind](state, days) if days else []
    return held


def _run_start(held: Held, first: date) -> date | None:
    for i in range(len(held) - 1, -1, -1):
        if not held[i]:
            return first + timedelta(days=i + 1)
    return None


#: each kind's day sweep but the money kinds' (swept together, by `money_days`)
SWEEPS: dict[SignalKind, Sweep] = {
    SignalKind.OVERCOMMITTING: overcommitting_days,
    SignalKind.MISTREATMENT: mistreatment_days,
    SignalKind.OUT_OF_SCOPE_DEMANDS: out_of_scope_days,
    SignalKind.EXPERTISE_NOT_VALUED: expertise_days,
    SignalKind.CONTACT_CAP_REACHED: contact_cap_days,
    SignalKind.UNANSWERED_FOLLOW_UPS: unanswered_days,
    SignalKind.ILLUSORY_PIPELINE: illusory_days,
    SignalKind.TOUCH_GROUND: touch_ground_days,
}
if set(SWEEPS) | MONEY_KINDS != set(SignalKind):  # pragma: no cover - a kind without a sweep
    raise TypeError("a signal kind has no day sweep")
