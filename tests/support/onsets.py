"""Checking a signal's day sweep against its rule asked day by day."""

from __future__ import annotations

from datetime import date, timedelta

from projections.figures.inputs import Snapshot
from projections.figures.signals import RULES, SignalKind, daily
from projections.state import ClientState


def day_by_day(state: ClientState, first: date, count: int) -> dict[SignalKind, list[bool]]:
    held: dict[SignalKind, list[bool]] = {k: [] for k in SignalKind}
    for n in range(count):
        snapshot = Snapshot(state, first + timedelta(days=n))
        for kind, rule in RULES.items():
            held[kind].append(rule(snapshot) is not None)
    return held


def assert_same_days(state: ClientState, first: date, count: int) -> None:
    swept = daily(state, list(SignalKind), first, count)
    asked = day_by_day(state, first, count)
    for kind in SignalKind:
        wrong = [first + timedelta(days=n) for n in range(count)
                 if swept[kind][n] != asked[kind][n]]
        assert not wrong, f"{state.ref} {kind.value}: the sweep differs on {wrong[:5]}"
