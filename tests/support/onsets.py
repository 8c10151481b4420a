"""Checking a signal's day sweep against its rule asked day by day."""

from __future__ import annotations

from datetime import date, timedelta

from projections.figures.inputs import Snapshot
from projections.figures.signals import RULES, SignalKind, daily
from projections.figures.signals.money import punctuality_days
from projections.state import ClientState

PUNCTUALITY = "paymentPunctuality"


def day_by_day(state: ClientState, first: date, count: int) -> dict[SignalKind | str, list[object]]:
    """Whether each rule held on each day, and the paymentPunctuality of each day."""
    held: dict[SignalKind | str, list[object]] = {k: [] for k in (*SignalKind, PUNCTUALITY)}
    for n in range(count):
        snapshot = Snapshot(state, first + timedelta(days=n))
        for kind, rule in RULES.items():
            held[kind].append(rule(snapshot) is not None)
        held[PUNCTUALITY].append(snapshot.punctuality)
    return held


def assert_same_days(state: ClientState, first: date, count: int) -> None:
    """The sweeps agree with the rules on every day, and so does the paymentPunctuality
    the money sweep keeps (exactly: the same sums)."""
    swept: dict[SignalKind | str, list[object]] = {
        **daily(state, list(SignalKind), first, count),
        PUNCTUALITY: list(punctuality_days(state, [first + timedelta(days=n)
                                                   for n in range(count)]))}
    asked = day_by_day(state, first, count)
    for kind in swept:
        wrong = [first + timedelta(days=n) for n in range(count)
                 if swept[kind][n] != asked[kind][n]]
        assert not wrong, f"{state.ref} {kind}: the sweep differs on {wrong[:5]}"
