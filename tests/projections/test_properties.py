"""Properties of the fold and the figures over random valid histories.

Histories come from `randomized.RandomHistory`: random proposals, some
back-dated, some retracted, kept when the real Ledger accepts them.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.ledger import Ledger
from domain.relationship import Relationship
from domain.values import to_json as plain
from projections.figures import figures
from projections.figures.contact_policy import contact_allowed
from projections.state import ClientState, decode_state, encode_state, evolve, fold
from tests.support.histories import new_ledger
from tests.support.onsets import assert_same_days
from tests.support.randomized import RandomHistory

SEEDS = [1, 2, 3, 4]


@pytest.fixture(scope="module")
def histories(tmp_path_factory: pytest.TempPathFactory) -> tuple[Ledger, list[str]]:
    ledger = new_ledger(Path(tmp_path_factory.mktemp("random")))
    refs = []
    for seed in SEEDS:
        refs.append(RandomHistory(ledger, f"r{seed}", seed).grow(350).ref)
    refs.append(RandomHistory(ledger, "in-order", 99, back_dated=0.0).grow(350).ref)
    return ledger, refs


def events(ledger: Ledger, ref: str) -> list[Relationship.Event]:
    return [r.event for r in ledger.stream(ref)]


def effective(evs: list[Relationship.Event]) -> list[Relationship.Event]:
    """The events that count: neither retracted nor retractions."""
    gone = {e.version for e in evs if isinstance(e, Relationship.EntryRetracted)}
    return [e for e in evs if e.originator_version not in gone
            and not isinstance(e, Relationship.EntryRetracted)]


def checked_dates(state: ClientState) -> list[date]:
    start = state.onboarded_on
    return [start + timedelta(days=n) for n in range(0, 900, 45)]


def without_version(state: ClientState, on: date) -> dict[str, Any]:
    data: dict[str, Any] = plain(figures(state, on))
    data.pop("version")
    return data


def test_the_yearly_sweep_agrees_with_the_rules_day_by_day(
        histories: tuple[Ledger, list[str]]) -> None:
    ledger, refs = histories
    for ref in refs:
        state = fold(events(ledger, ref))
        assert_same_days(state, state.onboarded_on - timedelta(days=2), 800)


def test_a_retracted_entry_counts_as_never_recorded(histories: tuple[Ledger, list[str]]) -> None:
    ledger, refs = histories
    for ref in refs:
        evs = events(ledger, ref)
        assert any(isinstance(e, Relationship.EntryRetracted) for e in evs), ref
        folded, clean = fold(evs), fold(effective(evs))
        assert folded.version == evs[-1].originator_version
        for on in checked_dates(folded):
            assert without_version(folded, on) == without_version(clean, on), (ref, on)


def test_figures_as_of_a_date_use_only_what_occurred_by_then(
        histories: tuple[Ledger, list[str]]) -> None:
    ledger, refs = histories
    for ref in refs:
        evs = effective(events(ledger, ref))
        state = fold(evs)
        for on in checked_dates(state)[::3]:
            then = fold([e for e in evs if e.occurred_on <= on
                         or isinstance(e, Relationship.ClientOnboarded)])
            assert without_version(state, on) == without_version(then, on), (ref, on)
            assert contact_allowed(state, on) == contact_allowed(then, on), (ref, on)


def test_a_stored_state_gives_the_same_figures(histories: tuple[Ledger, list[str]]) -> None:
    ledger, refs = histories
    for ref in refs:
        state = fold(events(ledger, ref))
        stored = encode_state(state)
        for on in checked_dates(state)[::4]:
            figures(state, on)
        assert encode_state(state) == stored  # the figures only read the state
        loaded = decode_state(stored)
        for on in checked_dates(state)[::4]:
            assert plain(figures(loaded, on)) == plain(figures(state, on))


def test_an_event_delivered_twice_is_folded_once(histories: tuple[Ledger, list[str]]) -> None:
    ledger, refs = histories
    evs = events(ledger, refs[0])
    state: ClientState | None = None
    for event in evs:
        state = evolve(state, event)
        state = evolve(state, event)
    assert state is not None
    on = date(2026, 6, 1)
    assert plain(figures(state, on)) == plain(figures(fold(evs), on))
